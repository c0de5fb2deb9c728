"""Official data loaders: DCLG/MHCLG Revenue Outturn Summary (RS) "data by LA" workbooks.

    from ddanalysis import sources
    frame = sources.read_rs_many(paths)    # the .xls/.xlsx workbooks, any year and layout
    trend = sources.programme_outturn()    # bundled extract for the 11 programme councils
    walsall = sources.select_outturn(trend, councils=["E4606"], services=["education"])

Every loader returns one tidy frame (``schema.COLUMNS``): ``year`` ('2013-14'), ``e_code``,
``ons_code``, ``authority``, ``authority_class``, ``rs_line``, ``service`` (a key of
``SERVICE_KEYS`` for the services, snake_case of the header otherwise), ``label`` (the header as
published) and ``value_gbp_k`` (GBP thousand, cash prices of that year; missing markers are NaN,
counted in ``frame.attrs['rs_report']``).
"""
from __future__ import annotations

from .outturn import code_lookup, programme_outturn, read_rs, read_rs_many
from .rs import MISSING_MARKERS, RS_LINES, SERVICE_KEYS
from .schema import COLUMNS, OUTTURN_SCHEMA
from .select import render, select_outturn

__all__ = [
    "COLUMNS",
    "MISSING_MARKERS",
    "OUTTURN_SCHEMA",
    "RS_LINES",
    "SERVICE_KEYS",
    "code_lookup",
    "programme_outturn",
    "read_rs",
    "read_rs_many",
    "render",
    "select_outturn",
]
