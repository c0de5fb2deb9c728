"""The cross-checks beside an appraisal: what the rule recommends from the other perspectives and on the
whole-service funding basis (:mod:`ddanalysis.cross_checks`). The figures themselves are tested where they are
shown (test_paper.py, test_dashboard.py) and in the engine (test_engine.py)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from ddanalysis import cross_checks as cc
from ddanalysis import engine
from ddanalysis.errors import DDAnalysisError


@pytest.fixture(scope="module")
def walsall():
    return engine.appraise("walsall-college", draws=0, with_switching=False, with_sensitivity=False)


def test_a_check_that_cannot_be_worked_out_is_left_out_with_a_note(walsall, monkeypatch):
    """A re-appraisal that fails (here the social perspective's, and the funding-basis check's) is named in a
    note; the rest still comes back, and nothing is raised to the page or the paper."""
    real = engine.appraise

    def failing(project_id, **kwargs):
        if kwargs.get("perspective") == "social" or kwargs.get("contract_on_whole_service"):
            raise DDAnalysisError("walsall-college: a file could not be read")
        return real(project_id, **kwargs)

    monkeypatch.setattr(engine, "appraise", failing)
    checks = cc.cross_checks(walsall)
    assert [c.perspective for c in checks.other_perspectives] == ["public"]
    assert checks.funding_basis is None
    assert checks.notes == (
        "The social perspective could not be appraised for comparison: walsall-college: a file could not be read",
        "The funding-basis check could not be run: walsall-college: a file could not be read",
    )


def test_the_funding_basis_check_is_not_run_on_itself_or_where_it_cannot_differ(walsall):
    """A result already made on the whole-service basis is not checked again; a service the council pays for in
    full (share 1) has nothing to check."""
    whole = engine.appraise(
        "walsall-college", draws=0, with_switching=False, with_sensitivity=False, contract_on_whole_service=True
    )
    assert cc.cross_checks(whole).funding_basis is None
    assert cc.cross_checks(walsall).funding_basis is not None
    baseline = _paid_in_full(walsall.baseline)
    assert baseline.council_funded_share == 1.0
    assert cc.cross_checks(dataclasses.replace(walsall, baseline=baseline)).funding_basis is None


def _paid_in_full(baseline):
    """``baseline`` with the income lines marked as the council's own money, so its council-funded share is 1."""
    from ddanalysis.baseline import FundedBy

    own = tuple(
        FundedBy(income_line=line, funder="the council", activity="recharges", council=True)
        for line in ("income_fees_charges", "income_grants", "income_other")
    )
    return dataclasses.replace(baseline, funded_by=own)


def test_the_checks_keep_the_plan_start_a_library_caller_gave():
    """A result appraised with its own plan start (a year later than Walsall's 1 April 2015) is compared with
    the other perspectives on that start too: the public perspective's mutual then has the net present saving
    an appraisal from the public perspective with the same start gives, not the one from the project's start
    (the later start moves go-live a year on, so the two differ)."""
    later = dt.date(2016, 4, 1)
    result = engine.appraise("walsall-college", draws=0, with_switching=False, with_sensitivity=False, plan_start=later)
    public = {c.perspective: c.net_present_saving_gbp for c in cc.cross_checks(result).other_perspectives}["public"]

    def mutual(**kwargs):
        run = engine.appraise("walsall-college", perspective="public", draws=0, with_switching=False, **kwargs)
        return run.options.set_index("id").loc["mutual", "net_present_saving_gbp"]

    assert public == pytest.approx(mutual(plan_start=later), abs=0.01)
    assert abs(public - mutual()) > 1_000
