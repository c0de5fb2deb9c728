"""A council's own GDP deflator beyond the bundled series: a workspace's ``price_index.yaml``.

The bundled GDP deflator (``data/assumptions/appraisal.yaml``, ``gdp_deflator``) ends in its last year
(2019-20). A council whose baseline is from a later budget book gives the later years from the HM Treasury
release "GDP deflators at market prices, and money GDP" in its workspace's ``price_index.yaml``
(``schema_version``, ``source``, ``index``: financial year -> index in the release's own base). The series
used is the bundled one, extended after its last year by chain-linking the council's series there:

    extended[y] = bundled[last] x council[y] / council[last]    (y after the last bundled year)

so every bundled year keeps its value and only the council's year-on-year growth is taken (the release's
base year does not matter). Rule and reasons: ``docs/workspaces.md``, section "A deflator beyond the
bundled series".

Checks (every problem named by key, the file named; :class:`~ddanalysis.errors.DataFileError`):

- years are consecutive financial years written like 2014-15, each index a positive number;
- at least :data:`MIN_OVERLAP` years overlap the bundled series, and the ratios council / bundled over the
  overlap agree within :data:`OVERLAP_TOLERANCE` (the same series in another base has one ratio; a release
  revises past years by a little, a different series or a typo by more);
- each year-on-year change lies within :data:`YEAR_ON_YEAR_BAND` (outside it, a likely typo).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from .problems import Problems
from .workspace import SCHEMA_VERSION, check_version, parse_model
from .yamlio import read_yaml_mapping
from .years import fy_label, fy_start_year

PRICE_INDEX_FILE = "price_index.yaml"
#: Where the rule and the file's keys are explained (named in messages).
DOCS_SECTION = "docs/workspaces.md, section 'A deflator beyond the bundled series'"
#: Years the council's series must share with the bundled one: two give one year-on-year change to compare,
#: so a series in another base (constant ratio) is told from a different series (ratio that drifts).
MIN_OVERLAP = 2
#: Largest relative spread (max / min - 1) of the ratios council / bundled over the overlap years. A later
#: release of the same series revises past years a little, moving the ratio between two years by much less
#: than a year's growth; 2% is about a whole year's growth of the bundled series (106.9 / 104.7 - 1 = 2.1%,
#: 109.1 / 106.9 - 1 = 2.1%), so a larger spread means another price index, another table or a typo.
OVERLAP_TOLERANCE = 0.02
#: Plausible year-on-year change of the deflator: from a 10% fall to a 15% rise. The bundled series never
#: moves more than 3% a year (93.4 / 90.8 - 1 = 2.9%, 2010-11); the band is wide enough for a year of high
#: inflation and narrow enough to refuse a slipped digit or decimal point (x10 or /10).
YEAR_ON_YEAR_BAND = (-0.10, 0.15)
_SOURCE_KEYS = ("publisher", "title", "year", "link", "locator")


class IndexSource(BaseModel):
    """Where the council's figures come from: the release and the table / column read (``locator``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    publisher: str = Field(min_length=1)
    title: str = Field(min_length=1)
    year: int = Field(ge=1990, le=2100)
    link: str = Field(min_length=1)
    locator: str = Field(min_length=1)


class PriceIndexFile(BaseModel):
    """``price_index.yaml`` as written: ``index`` is financial year -> index in the release's own base."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: int
    source: IndexSource
    index: dict[str, float]


def _unfilled(raw: dict, problems: Problems) -> None:
    """Problems for the keys the template leaves empty (source fields, index values)."""
    given = raw.get("source")
    source: Mapping = given if isinstance(given, Mapping) else {}
    for key in _SOURCE_KEYS:
        if source.get(key) in (None, ""):
            problems.add(f"source.{key}", f"empty; fill it in from the GDP deflator release ({DOCS_SECTION})")
    index = raw.get("index")
    if not isinstance(index, Mapping) or not index:
        problems.add("index", "empty; expected financial year -> index from the release, e.g. '2018-19': 100.0")
        return
    for year, value in index.items():
        if value in (None, ""):
            problems.add(f"index.{year}", f"empty; fill in the release's index for {year} ({DOCS_SECTION})")


def _check_years(index: Mapping[str, float], problems: Problems) -> bool:
    """Problems for years not written like 2014-15, gaps and non-positive values; True when the years are sound."""
    starts = []
    for year, value in index.items():
        try:
            start = fy_start_year(year)
        except (ValueError, TypeError):
            problems.add(f"index.{year}", "not a financial year; expected one written like 2014-15")
            continue
        if fy_label(start) != year:
            problems.add(f"index.{year}", "not a financial year; expected one written like 2014-15")
            continue
        starts.append(start)
        if not value > 0:
            problems.add(f"index.{year}", f"{value}; expected a positive index number")
    starts.sort()
    for a, b in zip(starts, starts[1:]):
        if b != a + 1:
            problems.add(
                "index",
                f"gap between {fy_label(a)} and {fy_label(b)}; expected consecutive financial years "
                f"(give {', '.join(fy_label(y) for y in range(a + 1, b))})",
            )
    return len(starts) == len(index) and not problems


def _check_overlap(index: Mapping[str, float], bundled: Mapping[str, float], problems: Problems) -> None:
    """Problems when fewer than :data:`MIN_OVERLAP` years overlap the bundled series or their ratios disagree."""
    shared = sorted(set(index) & set(bundled), key=fy_start_year)
    last = max(bundled, key=fy_start_year)
    if len(shared) < MIN_OVERLAP or last not in index:
        problems.add(
            "index",
            f"overlaps the bundled GDP deflator in {len(shared)} year(s) ({', '.join(shared) or 'none'}); expected "
            f"at least {MIN_OVERLAP}, including its last year {last} (e.g. {fy_label(fy_start_year(last) - 1)} "
            f"and {last}), so the two series can be linked",
        )
        return
    ratios = {y: index[y] / bundled[y] for y in shared}
    lo, hi = min(ratios, key=ratios.__getitem__), max(ratios, key=ratios.__getitem__)
    if ratios[hi] / ratios[lo] - 1 > OVERLAP_TOLERANCE:
        problems.add(
            f"index.{lo}, index.{hi}",
            f"the ratio to the bundled GDP deflator is {ratios[lo]:.4f} in {lo} but {ratios[hi]:.4f} in {hi} "
            f"(apart by more than {OVERLAP_TOLERANCE:.0%}); expected the same series in another base: check the "
            "figures, or that the table is the GDP deflator at market prices",
        )


def _check_jumps(index: Mapping[str, float], problems: Problems) -> None:
    """Problems for year-on-year changes outside :data:`YEAR_ON_YEAR_BAND`."""
    years = sorted(index, key=fy_start_year)
    low, high = YEAR_ON_YEAR_BAND
    for a, b in zip(years, years[1:]):
        change = index[b] / index[a] - 1
        if not low <= change <= high:
            problems.add(
                f"index.{b}",
                f"{index[b]} after {index[a]} in {a} is a change of {change:+.1%}; expected between {low:+.0%} and "
                f"{high:+.0%} a year (a likely typo: check the digits and the decimal point)",
            )


def read_price_index(folder: Path, bundled: Mapping[str, float]) -> PriceIndexFile | None:
    """``folder/price_index.yaml`` validated against the bundled deflator (financial year -> index), or
    None when the workspace has none. Raises :class:`DataFileError` naming the file and every key at fault."""
    path = Path(folder) / PRICE_INDEX_FILE
    if not path.is_file():
        return None
    raw = read_yaml_mapping(path, "price index", expected="a mapping with schema_version, source and index")
    problems = Problems(path)
    check_version(raw, path, problems)
    _unfilled(raw, problems)
    problems.raise_if_any()
    parsed = parse_model(PriceIndexFile, raw, problems)
    if _check_years(parsed.index, problems):
        _check_overlap(parsed.index, bundled, problems)
        _check_jumps(parsed.index, problems)
    problems.raise_if_any()
    return parsed


def extended(bundled: Mapping[str, float], council: Mapping[str, float]) -> dict[str, float]:
    """The bundled series (financial year -> index, in its own base) extended after its last year by chain-linking
    ``council`` there: extended[y] = bundled[last] x council[y] / council[last]. Bundled years are unchanged;
    ``council`` must hold the last bundled year (:func:`read_price_index` checks it). Inputs are not modified."""
    last = max(bundled, key=fy_start_year)
    out = {y: float(v) for y, v in sorted(bundled.items(), key=lambda kv: fy_start_year(kv[0]))}
    for year in sorted(council, key=fy_start_year):
        if fy_start_year(year) > fy_start_year(last):
            out[year] = float(bundled[last]) * float(council[year]) / float(council[last])
    return out


def origin(folder: Path, bundled: Mapping[str, float]) -> str:
    """In words, whose GDP deflator an appraisal of the workspace at ``folder`` uses (for the outputs'
    provenance, ``gdp_deflator_origin``). Raises what :func:`read_price_index` raises."""
    parsed = read_price_index(folder, bundled)
    last = max(bundled, key=fy_start_year)
    if parsed is None:
        return f"bundled defaults (HM Treasury GDP deflator to {last}; no {PRICE_INDEX_FILE})"
    later = [y for y in sorted(parsed.index, key=fy_start_year) if fy_start_year(y) > fy_start_year(last)]
    s = parsed.source
    span = f"{later[0]} to {later[-1]}" if later else "no year"
    return (
        f"bundled to {last}; after it ({span}) the project's own ({PRICE_INDEX_FILE}: {s.publisher}, "
        f"'{s.title}', {s.year}, {s.locator}, {s.link}), chain-linked at {last}"
    )


def template(base_year: str, bundled: Mapping[str, float]) -> str:
    """The text of a ``price_index.yaml`` to fill in, for a workspace whose ``base_year`` is after the bundled
    series: source fields empty, one empty index value per year from the year before the series' last to
    ``base_year``. Appraising is refused until it is filled in."""
    last = fy_start_year(max(bundled, key=fy_start_year))
    years = [fy_label(y) for y in range(last - 1, fy_start_year(base_year) + 1)]
    lines = [
        f"# The GDP deflator after {fy_label(last)}, which the bundled series does not reach ({DOCS_SECTION}).",
        '# Fill in every empty value from HM Treasury\'s "GDP deflators at market prices, and money GDP" release',
        "# (https://www.gov.uk/government/collections/gdp-deflators-at-market-prices-and-money-gdp): the",
        "# financial-year index in the release's own base. The years before the bundled series ends link the two.",
        f"schema_version: {SCHEMA_VERSION}",
        "source:",
        "  publisher:   # e.g. HM Treasury",
        "  title:       # e.g. GDP deflators at market prices, and money GDP <month year>",
        "  year:        # the release's year, e.g. 2023",
        "  link:        # the release's address",
        "  locator:     # the table and column read, e.g. the financial-year GDP deflator column",
        "index:",
        *(f'  "{y}":' for y in years),
    ]
    return "\n".join(lines) + "\n"
