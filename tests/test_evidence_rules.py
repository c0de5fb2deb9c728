"""Walk every assumption file and enforce the evidence rules of data/assumptions/README.md.

The rules: every assumption names a source in sources.yaml, says the date or period its value
describes (``as_of``) and whether the figure was read in the source's own text (``verified``); a figure
from a source carries a ``locator``; quality follows the source's kind (green = official statistic,
statute or the council's own ledger, read; amber = a published study or survey, read; red = judgement or
unverified); a statute is cited only for a rule (``basis: fact``); a judgement has a note saying whose
and why.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from ddanalysis import config
from ddanalysis.assumptions import SOURCE_KINDS, base_date, load_book, value_at

FOLDER = Path(config.data_path("assumptions"))
GREEN_KINDS = {"official_statistic", "statute", "council_ledger"}
AMBER_KINDS = GREEN_KINDS | {"published_study", "survey", "council_report"}


def _sources() -> dict:
    return yaml.safe_load((FOLDER / "sources.yaml").read_text(encoding="utf-8"))["sources"]


def _entries():
    """(file, where, entry) for every assumption entry in every assumption file."""
    app = yaml.safe_load((FOLDER / "appraisal.yaml").read_text(encoding="utf-8"))
    for key, e in (app.get("assumptions") or {}).items():
        yield "appraisal.yaml", f"assumptions.{key}", e
    for path in sorted((FOLDER / "models").glob("*.yaml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        for key, e in (raw.get("assumptions") or {}).items():
            yield path.name, key, e
    for path in _project_files():
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        name = f"{path.parent.name}.yaml"  # a project's overrides are named by its id
        sections = [("", raw)] + [(f"services.{sid}.", sec or {}) for sid, sec in (raw.get("services") or {}).items()]
        for prefix, sec in sections:
            for key, e in (sec.get("settings") or {}).items():
                yield name, f"{prefix}settings.{key}", e
            for model, mapping in (sec.get("models") or {}).items():
                for key, e in (mapping or {}).items():
                    yield name, f"{prefix}models.{model}.{key}", e


def _project_files() -> list[Path]:
    """Each bundled project's overrides file, data/projects/<id>/assumptions.yaml."""
    return sorted(Path(config.data_path("projects")).glob("*/assumptions.yaml"))


def _facts():
    app = yaml.safe_load((FOLDER / "appraisal.yaml").read_text(encoding="utf-8"))
    for name, e in (app.get("facts") or {}).items():
        yield "appraisal.yaml", f"facts.{name}", e


def _inflation():
    """(file, where, entry) for each rate of inflation.yaml: ``pay.by_year.2016-17``, ``price.long_run``. A
    year's rate describes that financial year, so its ``as_of`` defaults to the year."""
    raw = yaml.safe_load((FOLDER / "inflation.yaml").read_text(encoding="utf-8"))
    for kind in ("pay", "price"):
        for year, e in (raw[kind].get("by_year") or {}).items():
            yield "inflation.yaml", f"{kind}.by_year.{year}", {"as_of": year, **e}
        yield "inflation.yaml", f"{kind}.long_run", raw[kind]["long_run"]


def _problems(where: str, e: dict, sources: dict, *, fact: bool = False) -> list[str]:
    out = []
    sid = e.get("source")
    src = sources.get(sid)
    if src is None:
        return [f"{where}: source {sid!r} is not in sources.yaml"]
    kind = src.get("kind")
    quality, verified = e.get("quality"), e.get("verified")
    if not str(e.get("as_of") or "").strip():
        out.append(f"{where}: no as_of (the date or period the value describes)")
    if not isinstance(verified, bool):
        out.append(f"{where}: verified must be true or false")
    if kind != "judgement" and not str(e.get("locator") or "").strip():
        out.append(f"{where}: cites {sid} without a locator (page, table or paragraph)")
    if kind == "judgement":
        out += _judgement_problems(where, e, sid)
    if verified is False and quality != "red":
        out.append(f"{where}: not verified against the source's own text, so no better than red (is {quality})")
    if quality == "green" and kind not in GREEN_KINDS:
        out.append(f"{where}: green needs an official statistic, statute or the council's ledger, not {kind}")
    if quality == "amber" and kind not in AMBER_KINDS:
        out.append(f"{where}: amber needs a published study or survey, not {kind}")
    if kind == "statute" and not fact and e.get("basis") != "fact":
        out.append(
            f"{where}: {sid} is a statute, cited only for a rule (basis: fact), not for a {e.get('basis')} number"
        )
    return out + _dated_value_problems(where, e) + _other_source_problems(where, e, sources)


def _other_source_problems(where: str, e: dict, sources: dict) -> list[str]:
    """Each further source (``other_sources``) is a known, published source other than the main one, says where
    in it the figure is and which value it backs, and is a statute only for a rule."""
    out = []
    for i, o in enumerate(e.get("other_sources") or []):
        at = f"{where}: other_sources[{i}]"
        kind = (sources.get(o.get("source")) or {}).get("kind")
        if kind is None:
            out.append(f"{at}: source {o.get('source')!r} is not in sources.yaml")
        if kind == "judgement" or o.get("source") == e.get("source"):
            out.append(f"{at}: a further source is a second published source, not {o.get('source')}")
        if not str(o.get("locator") or "").strip() or o.get("backs") not in ("low", "central", "high"):
            out.append(f"{at}: needs a locator and the value it backs (low, central or high)")
        if kind == "statute" and e.get("basis") != "fact":
            out.append(f"{at}: a statute, cited only for a rule")
    return out


def _judgement_problems(where: str, e: dict, sid: str) -> list[str]:
    """A judgement is red, never verified, and says whose judgement it is and why."""
    out = []
    if e.get("quality") != "red":
        out.append(f"{where}: a {sid} source can only be red, not {e.get('quality')}")
    if e.get("verified"):
        out.append(f"{where}: a judgement cannot be verified")
    if not str(e.get("note") or "").strip():
        out.append(f"{where}: a judgement needs a note saying whose and why")
    return out


def _dated_value_problems(where: str, e: dict) -> list[str]:
    """Every key of a dated history ``values`` is a date."""
    out = []
    for date in e.get("values") or {}:
        try:
            dt.date.fromisoformat(str(date))
        except ValueError:
            out.append(f"{where}: values key {date!r} is not a date (YYYY-MM-DD)")
    return out


def test_every_source_says_who_what_when_where_and_what_kind():
    problems = []
    for sid, s in _sources().items():
        for field in ("publisher", "title", "year", "link", "kind"):
            if field not in s or (field != "link" and not str(s[field]).strip()):
                problems.append(f"{sid}: no {field}")
        if s.get("kind") not in SOURCE_KINDS:
            problems.append(f"{sid}: kind {s.get('kind')!r} not one of {SOURCE_KINDS}")
        if s.get("kind") != "judgement" and not str(s.get("link") or "").startswith("http"):
            problems.append(f"{sid}: a published source needs a link")
    assert not problems, "\n".join(problems)


def test_every_assumption_follows_the_evidence_rules():
    sources = _sources()
    problems = [p for file, where, e in _entries() for p in _problems(f"{file}: {where}", e, sources)]
    problems += [p for file, where, e in _facts() for p in _problems(f"{file}: {where}", e, sources, fact=True)]
    problems += [p for file, where, e in _inflation() for p in _problems(f"{file}: {where}", e, sources)]
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)


def test_the_walk_sees_every_assumption_the_loader_loads():
    defaults = [1 for f, _, _ in _entries() if f == "appraisal.yaml" or (FOLDER / "models" / f).exists()]
    assert len(defaults) == len(load_book(None).table)


def test_the_walk_sees_every_project_override_the_data_log_lists():
    """Project overrides live in data/projects/<id>/assumptions.yaml; the walk must reach every one of them, or
    their breaches go unseen. The data log lists each override the loader loads, so the two counts agree: 9 in the
    bundled files, counted by hand (cwac-wirral-school-services 2 models entries, dover-museum-tourism 2,
    kirklees-open-spaces 2, walsall-college 2, hull-adult-social-care 1 settings entry, demand_growth)."""
    from ddanalysis.datalog import _entries as datalog_entries

    listed = datalog_entries()
    overrides = listed[listed["where"].str.startswith("../projects/")]
    walked = [(file, where) for file, where, _ in _entries() if file.removesuffix(".yaml") in _project_ids()]
    assert len(walked) == len(overrides) == 9
    assert {f.removesuffix(".yaml") for f, _ in walked} == {
        "cwac-wirral-school-services",
        "dover-museum-tourism",
        "hull-adult-social-care",
        "kirklees-open-spaces",
        "walsall-college",
    }
    assert ("hull-adult-social-care.yaml", "settings.demand_growth") in walked


def _project_ids() -> set[str]:
    return {p.parent.name for p in _project_files()}


def test_a_service_override_is_walked_and_labelled_with_its_service(tmp_path, monkeypatch):
    """A ``services:`` section of a project's overrides is walked like the project's own, and its evidence-log
    name carries the service: ``<project>:<service>/<scope>.<key>`` (the key grammar of the data log)."""
    project = tmp_path / "projects" / "my-project"
    project.mkdir(parents=True)
    (project / "assumptions.yaml").write_text(
        "services:\n  libraries:\n    models:\n      mutual:\n"
        "        business_rates_relief: {low: 0.8, central: 0.8, high: 0.8, source: team-judgement}\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(config, "data_path", lambda *parts: tmp_path.joinpath(*parts))
    walked = [(f, w) for f, w, _ in _entries() if f == "my-project.yaml"]
    assert walked == [("my-project.yaml", "services.libraries.models.mutual.business_rates_relief")]
    assert _label(*walked[0]) == "my-project:libraries/mutual.business_rates_relief"


def test_the_walk_sees_every_inflation_rate_the_loader_loads():
    """inflation.yaml is an assumption file too: the walk covers each year's pay and price rate and both long-run
    rates (four NJC years plus 2015-16 for pay, none for price, so 5 + 0 + 2 = 7 in the bundled file)."""
    from ddanalysis.financial_case import load_inflation

    inf = load_inflation()
    walked = [where for _, where, _ in _inflation()]
    assert len(walked) == len(inf.pay) + len(inf.price) + 2 == 7
    assert {"pay.long_run", "price.long_run"} <= set(walked)


@pytest.mark.parametrize(
    "rule", ["judgement-red", "unverified-red", "statute-number", "no-locator", "other-judgement", "other-no-locator"]
)
def test_the_rules_catch_a_bad_entry(rule):
    sources = _sources()
    good = {
        "low": 0,
        "central": 1,
        "high": 2,
        "basis": "evidence",
        "quality": "amber",
        "source": "julius-2008",
        "locator": "Box 3.1",
        "as_of": "1990",
        "verified": True,
    }
    assert _problems("x", good, sources) == []
    bad = dict(good)
    if rule == "judgement-red":
        bad.update(source="team-judgement", locator="", verified=False, note="whose and why")
    elif rule == "unverified-red":
        bad.update(verified=False)
    elif rule == "statute-number":
        bad.update(source="tupe-2006", basis="judgement", quality="red", verified=False)
    elif rule == "other-judgement":
        bad.update(other_sources=[{"source": "team-judgement", "backs": "high", "locator": "-"}])
    elif rule == "other-no-locator":
        bad.update(other_sources=[{"source": "serco-results-2015", "backs": "low", "locator": ""}])
    else:
        bad.update(locator="")
    assert _problems("x", bad, sources)


def test_dated_values_give_the_value_in_force_on_a_date():
    entry = {"low": 15000, "central": 22000, "high": 35000, "values": {"2020-04-01": 27000, "2021-04-01": 22000}}
    assert value_at(entry, "2014-04-01") is None  # before the history: the written values apply
    assert value_at(entry, "2020-04-01")["central"] == 27000
    assert value_at(entry, dt.date(2023, 4, 1)) == {"low": 15000.0, "central": 22000.0, "high": 35000.0}
    ranged = {"values": {"2014-04-01": {"low": 1, "central": 2, "high": 3}}}
    assert value_at(ranged, "2015-04-01") == {"low": 1.0, "central": 2.0, "high": 3.0}
    assert base_date("2014-15") == dt.date(2014, 4, 1) and base_date("2021-22") == dt.date(2021, 4, 1)


def test_the_bundled_base_year_takes_the_written_values_of_a_dated_entry():
    table = load_book(None).table
    row = table.loc[("mutual", "redundancy_cost_per_fte")]
    assert row["central"] == 22000 and row["as_of"] == "2021-22" and not row["verified"]


def test_no_assumption_cites_a_report_for_a_figure_it_does_not_contain():
    # EVIDENCE.md M11: these were cited for numbers they do not state.
    retired = {
        "nao-commissioning-2014",
        "grant-thornton-adm-2014",
        "tupe-2006",
        "lgps-2013-admission",
        "redundancy-lg-2006",
    }
    cited = {(f, w) for f, w, e in _entries() if e["source"] in retired}
    assert not cited, sorted(cited)
    # Reports not read here may be cited only for what a press account says they found: unverified, red, and the
    # locator says where it was read.
    secondary_only = {"lga-shared-services-2012"}
    bad = {
        (f, w)
        for f, w, e in _entries()
        if e["source"] in secondary_only
        and (e.get("verified") or e.get("quality") != "red" or "read only in" not in str(e.get("locator", "")))
    }
    assert not bad, sorted(bad)


def test_the_evidence_log_names_known_sources_and_says_where_each_figure_was_read():
    log = yaml.safe_load((FOLDER / "evidence_log.yaml").read_text(encoding="utf-8"))
    sources = _sources()
    problems = []
    for i, f in enumerate(log["figures"]):
        where = f"figures[{i}] {f.get('figure', '')[:40]!r}"
        if f.get("source") not in sources:
            problems.append(f"{where}: source {f.get('source')!r} not in sources.yaml")
        if not isinstance(f.get("verified"), bool):
            problems.append(f"{where}: verified must be true or false")
        if not f.get("seen_at") or not f.get("locator"):
            problems.append(f"{where}: needs seen_at (where it was read) and locator")
    for name, s in log["series"].items():
        if s.get("source") not in sources:
            problems.append(f"series.{name}: source {s.get('source')!r} not in sources.yaml")
    assert not problems, "\n".join(problems)


def _label(file: str, where: str) -> str:
    """The name an evidence-log ``supports`` list uses for an assumption (the key grammar of
    data/assumptions/README.md): ``mutual.staff_cost_change`` for a model file, ``project.<key>`` and
    ``facts.<name>`` for appraisal.yaml, ``inflation.pay.by_year.2016-17`` and ``inflation.price.long_run`` for
    inflation.yaml, ``<project>:<scope>.<key>`` for a project file's override (``<project>:<service>/<scope>.<key>``
    for one service's)."""
    stem = file.removesuffix(".yaml")
    if file == "inflation.yaml":
        return f"inflation.{where}"
    if where.startswith("services."):
        service, _, inner = where.removeprefix("services.").partition(".")
        label = _label(file, inner)
        project, _, key = label.partition(":")
        return f"{project}:{service}/{key}"
    head, _, rest = where.partition(".")
    if file == "appraisal.yaml":
        return f"project.{rest}" if head == "assumptions" else where
    if (FOLDER / "models" / file).exists():
        return f"{stem}.{where}"
    if head == "settings":
        return f"{stem}:project.{rest}"
    return f"{stem}:{rest}"  # models.<model>.<key>


def _unlogged(entries, log: dict) -> list[str]:
    """Verified figures with no verified evidence-log entry from the same source naming them."""
    backed = {
        (f.get("source"), s)
        for f in log.get("figures", [])
        if f.get("verified") is True
        for s in (f.get("supports") or [])
    }
    claims = [
        (file, where, s["source"])
        for file, where, e in entries
        for s in [e] + list(e.get("other_sources") or [])
        if s.get("verified") is True
    ]
    return [
        f"{file}: {where}: verified from {source}, but no verified figure in evidence_log.yaml "
        f"from that source lists {_label(file, where)!r} under supports (the quote behind the figure)"
        for file, where, source in claims
        if (source, _label(file, where)) not in backed
    ]


def test_every_verified_figure_has_its_quote_in_the_evidence_log():
    """``verified: true`` claims the figure was read in the source's own text; the log must hold what was read
    (quote, locator, address) and name the assumption it backs, so a reviewer can check the claim."""
    log = yaml.safe_load((FOLDER / "evidence_log.yaml").read_text(encoding="utf-8"))
    problems = _unlogged(list(_entries()) + list(_facts()) + list(_inflation()), log)
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)


def test_the_log_rule_catches_a_verified_figure_without_a_quote():
    entry = {"source": "julius-2008", "verified": True}
    log = {"figures": [{"source": "julius-2008", "verified": True, "supports": ["outsourcing.staff_cost_change"]}]}
    assert _unlogged([("outsourcing.yaml", "staff_cost_change", entry)], log) == []
    # named, but the log entry itself was not read in the source's own text
    unread = {"figures": [dict(log["figures"][0], verified=False)]}
    assert _unlogged([("outsourcing.yaml", "staff_cost_change", entry)], unread)
    # read, but for another assumption, or from another source
    assert _unlogged([("mutual.yaml", "staff_cost_change", entry)], log)
    assert _unlogged([("outsourcing.yaml", "staff_cost_change", dict(entry, source="tonge-willett-2005"))], log)
    # a further source claimed read needs its own quote, naming the same assumption
    other = dict(entry, other_sources=[{"source": "serco-results-2015", "backs": "low", "verified": True}])
    assert _unlogged([("outsourcing.yaml", "staff_cost_change", other)], log)
    serco = {"source": "serco-results-2015", "verified": True, "supports": ["outsourcing.staff_cost_change"]}
    assert _unlogged([("outsourcing.yaml", "staff_cost_change", other)], {"figures": log["figures"] + [serco]}) == []
    # labels follow the key grammar
    assert _label("appraisal.yaml", "assumptions.demand_growth") == "project.demand_growth"
    assert _label("appraisal.yaml", "facts.vat_standard_rate") == "facts.vat_standard_rate"
    assert (
        _label("dover-museum-tourism.yaml", "models.charitable-trust.grant_income_share")
        == "dover-museum-tourism:charitable-trust.grant_income_share"
    )
    assert (
        _label("hull-adult-social-care.yaml", "settings.demand_growth")
        == "hull-adult-social-care:project.demand_growth"
    )
