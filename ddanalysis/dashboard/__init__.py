"""Voila dashboards for senior officials: the library builds the widgets, the notebooks only call it.

    from ddanalysis.dashboard import appraisal_dashboard
    dash = appraisal_dashboard()   # loads data, pre-computes (before the viewer's request when preheated)
    dash.show()                    # waits for the request, reads ?project=..., displays

Modules: ``store`` (results: memory, shared disk cache, engine), ``common`` (chart slots, tables,
messages, page style), ``appraisal`` and ``programme`` (the two pages), ``serve`` (``make dashboards``).
"""

from __future__ import annotations

__all__ = ["appraisal_dashboard", "programme_dashboard"]


def appraisal_dashboard():
    """Prepare the options-appraisal dashboard; call ``.show()`` on the result to display it."""
    from .appraisal import AppraisalPage

    return AppraisalPage.prepare()


def programme_dashboard():
    """Prepare the programme dashboard; call ``.show()`` on the result to display it."""
    from .programme import ProgrammePage

    return ProgrammePage.prepare()
