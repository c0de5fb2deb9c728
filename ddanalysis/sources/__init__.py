"""Official data loaders: DCLG/MHCLG/DLUHC "data by LA" returns: Revenue Outturn Summary (RS),
Service Expenditure Summary (RSX) and Revenue Account budget (RA).

    from ddanalysis import sources
    frame = sources.read_rs_many(paths)    # RS files, any year and layout (.xls, .xlsx, .ods, .csv)
    both = sources.read_official(paths)    # RS, RSX and RA together; the measure column says which
    budget = sources.read_official(paths, measure="budget")
    trend = sources.programme_outturn()    # bundled extract for the 11 programme councils
    walsall = sources.select_outturn(trend, councils=["E4606"], services=["education"])

Every loader returns one tidy frame (``schema.COLUMNS``): ``year`` ('2013-14'), ``e_code``,
``ons_code``, ``authority``, ``authority_class``, ``measure`` (``MEASURES``), ``rs_line``, ``service`` (a key of
``SERVICE_KEYS`` for the services, snake_case of the header otherwise), ``label`` (the header as
published) and ``value_gbp_k`` (GBP thousand, cash prices of that year; missing markers are NaN,
counted in ``frame.attrs['rs_report']``).
"""

from __future__ import annotations

from .outturn import code_lookup, programme_outturn, read_official, read_rs, read_rs_many
from .reader import FORMATS_READ
from .rs import MEASURES, MISSING_MARKERS, RETURNS, RS_LINES, SERVICE_KEYS
from .schema import COLUMNS, OUTTURN_SCHEMA
from .select import render, select_outturn

__all__ = [
    "COLUMNS",
    "FORMATS_READ",
    "MEASURES",
    "MISSING_MARKERS",
    "OUTTURN_SCHEMA",
    "RETURNS",
    "RS_LINES",
    "SERVICE_KEYS",
    "code_lookup",
    "programme_outturn",
    "read_official",
    "read_rs",
    "read_rs_many",
    "render",
    "select_outturn",
]
