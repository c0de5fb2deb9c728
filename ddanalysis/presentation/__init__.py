"""The presentation layer: one set of tables, number formats and words, built from results.

``formats`` turns numbers into text (money, shares, ratios, dates), ``text`` holds the decision
wording (the recommendation rule, perspective and illustrative wording, the quality legend), and
``tables`` shapes every table the outputs show as a labelled, unit-tagged :class:`~tables.Table`.
The notebook display (pandas Styler), the dashboard (HTML), the Excel writer (cells) and the CLI
(plain text) only lay these out, so a table or a sentence is written once and tested once.
Nothing here reads a data file.
"""
