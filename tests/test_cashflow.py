"""The cash-flow model on a small made-up baseline whose results are worked out by hand."""
import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from ddanalysis.appraisal import discount_factors
from ddanalysis.assumptions import load_book
from ddanalysis.cashflow import ONE_OFF_COMPONENTS, OPERATING_COMPONENTS, apply_optimism_bias, option_components, timing
from ddanalysis.model import OptionTiming, ProjectModel

FIRST = dt.date(2015, 4, 1)
LINES = ("employees_pay", "employees_ni", "employees_pension", "premises", "business_rates", "transport",
         "supplies_services", "third_party_payments", "support_recharges", "capital_charges",
         "income_fees_charges", "income_grants", "income_other")


def amounts(**kw):
    a = dict.fromkeys(LINES, 0.0)
    a.update(kw)
    return a


def levers(**kw):
    lv = dict(load_book().levers["default"])
    lv.update(kw)
    return lv


FLAT = {"demand_growth": 0.0, "real_pay_growth": 0.0}
COMMON = dict(perspective="council", council_rates_share=0.49, vat_rate=0.2, teckal_cap=None)


def total(c):
    return sum(c[k] for k in OPERATING_COMPONENTS + ONE_OFF_COMPONENTS)


def test_status_quo_is_the_baseline_net_cost_with_growth():
    a = amounts(employees_pay=100_000, employees_ni=10_000, employees_pension=15_000, premises=20_000,
                income_fees_charges=-5_000, capital_charges=7_000)
    c = option_components(a, 3.0, levers(), {"demand_growth": 0.02, "real_pay_growth": 0.01},
                          timing(None, None, FIRST, 3), **COMMON)
    # year t (index 0 = one year after the base year): staff x (1.02*1.01)^(t+1), others x 1.02^(t+1);
    # capital charges are not cash and are left out
    for t in range(3):
        expected = 125_000 * (1.02 * 1.01) ** (t + 1) + (20_000 - 5_000) * 1.02 ** (t + 1)
        assert total(c)[0, t] == pytest.approx(expected, rel=1e-12)


def test_ten_percent_staff_saving_from_year_2_saves_exactly_that():
    a = amounts(employees_pay=100_000, employees_ni=10_000, employees_pension=15_000)
    when = timing(dt.date(2017, 4, 1), dt.date(2017, 4, 1), FIRST, 5)  # go-live = start of year index 2
    sq = option_components(a, 3.0, levers(), FLAT, timing(None, None, FIRST, 5), **COMMON)
    opt = option_components(a, 3.0, levers(staff_cost_change=-0.10), FLAT, when, **COMMON)
    saving = (total(sq) - total(opt))[0]
    assert saving == pytest.approx([0, 0, 12_500, 12_500, 12_500], abs=1e-9)
    # net present saving by hand: 12,500 x (1.035^-2 + 1.035^-3 + 1.035^-4)
    by_hand = 12_500 * (1.035 ** -2 + 1.035 ** -3 + 1.035 ** -4)
    assert saving @ discount_factors(5) == pytest.approx(by_hand, rel=1e-12)


def test_go_live_mid_year_counts_the_live_share_of_that_year():
    # go-live 1 October 2015: Oct 31 + Nov 30 + Dec 31 + Jan 31 + Feb 29 + Mar 31 = 183 of 366 days live
    when = timing(dt.date(2015, 10, 1), dt.date(2015, 4, 1), FIRST, 2)
    assert when.live_share[0] == pytest.approx(183 / 366)
    assert when.live_share[1] == 1.0
    # one-off costs all fall before go-live, so all in year 0
    assert when.pre_go_live_profile.tolist() == [1.0, 0.0]


def test_one_off_costs_spread_over_the_plan_by_days():
    # plan 1 Jan 2016 -> go-live 1 Jan 2017: 91 days in 2015-16, 275 in 2016-17 (366 days in all)
    when = timing(dt.date(2017, 1, 1), dt.date(2016, 1, 1), FIRST, 3)
    assert when.pre_go_live_profile == pytest.approx([91 / 366, 275 / 366, 0.0])
    c = option_components(amounts(), 10.0, levers(transition_legal_governance=100.0, transition_tupe_hr_per_fte=500.0),
                          FLAT, when, **COMMON)
    assert c["legal_governance"][0].sum() == pytest.approx(100_000)
    assert c["tupe_hr"][0].sum() == pytest.approx(5_000)


def test_charity_rates_relief_by_perspective():
    a = amounts(business_rates=10_000)
    when = timing(dt.date(2015, 4, 1), dt.date(2015, 4, 1), FIRST, 1)
    council = option_components(a, 1.0, levers(business_rates_relief=0.8), FLAT, when, **COMMON)
    # council keeps 49% of rates it collects: the relief saves 80% x (1 - 0.49) of the bill
    assert council["business_rates"][0, 0] == pytest.approx(10_000 * (1 - 0.8 * 0.51) * 1.0)
    public = option_components(a, 1.0, levers(business_rates_relief=0.8), FLAT, when,
                               **{**COMMON, "perspective": "public"})
    assert public["business_rates"][0, 0] == pytest.approx(10_000)  # a transfer: nets out


def test_irrecoverable_vat_is_a_cost_to_the_council_only():
    a = amounts(supplies_services=50_000)
    when = timing(dt.date(2015, 4, 1), dt.date(2015, 4, 1), FIRST, 1)
    council = option_components(a, 1.0, levers(irrecoverable_vat_share=0.5), FLAT, when, **COMMON)
    assert council["irrecoverable_vat"][0, 0] == pytest.approx(50_000 * 0.2 * 0.5)
    public = option_components(a, 1.0, levers(irrecoverable_vat_share=0.5), FLAT, when, **{**COMMON, "perspective": "public"})
    assert public["irrecoverable_vat"][0, 0] == 0.0


def test_teckal_cap_limits_external_income():
    a = amounts(employees_pay=1_000_000)
    when = timing(dt.date(2015, 4, 1), dt.date(2015, 4, 1), FIRST, 1)
    lv = levers(new_income_share=0.5, new_income_margin=1.0)
    capped = option_components(a, 1.0, lv, FLAT, when, **{**COMMON, "teckal_cap": 0.25})
    # more than 80% for the council: external income at most 20/80 = 25% of council-funded turnover
    assert capped["new_income"][0, 0] == pytest.approx(-0.25 * 1_000_000)


def test_stranded_overheads_fade_over_their_years():
    a = amounts(support_recharges=100_000)
    when = timing(dt.date(2015, 4, 1), dt.date(2015, 4, 1), FIRST, 3)
    c = option_components(a, 1.0, levers(support_bought_back=0.0, stranded_overhead_share=0.5,
                                         stranded_overhead_years=2.0), FLAT, when, **COMMON)
    # middle of year 0 is ~0.5 years after go-live: 1 - 0.5/2 = 0.75 left; year 1 ~1.5 -> 0.25; year 2 -> 0
    assert c["stranded_overheads"][0] == pytest.approx([50_000 * 0.75, 50_000 * 0.25, 0.0], rel=2e-3)
    assert c["support_services"][0] == pytest.approx([0.0, 0.0, 0.0])


def test_optimism_bias_worsens_each_change_from_the_status_quo():
    sq = {k: np.full((1, 2), 100.0) for k in OPERATING_COMPONENTS}
    sq.update({k: np.zeros((1, 2)) for k in ONE_OFF_COMPONENTS})
    opt = {k: v.copy() for k, v in sq.items()}
    opt["staff"] = np.full((1, 2), 80.0)        # saving of 20 -> 20 / 1.41
    opt["own_support"] = np.full((1, 2), 110.0)  # extra cost 10 -> 10 x 1.41
    opt["legal_governance"] = np.array([[1000.0, 0.0]])
    opt["it_separation"] = np.array([[500.0, 0.0]])
    out = apply_optimism_bias(sq, opt, operating=0.41, one_off=0.41, it_separation=2.0)
    assert out["staff"][0, 0] == pytest.approx(100 - 20 / 1.41)
    assert out["own_support"][0, 0] == pytest.approx(100 + 10 * 1.41)
    assert out["legal_governance"][0, 0] == pytest.approx(1410.0)
    assert out["it_separation"][0, 0] == pytest.approx(1500.0)


COST_LEVERS = ["own_support_cost", "client_side_cost", "supplier_margin", "pension_rate_change",
               "irrecoverable_vat_share", "transition_legal_governance", "transition_it_per_fte",
               "stranded_overhead_share", "double_running_months"]


@settings(max_examples=60, deadline=None)
@given(lever=st.sampled_from(COST_LEVERS), base=st.floats(0, 0.1), bump=st.floats(0.001, 0.1),
       mitigation=st.floats(0, 1))
def test_raising_a_cost_never_raises_a_saving(lever, base, bump, mitigation):
    book = load_book("walsall-college")
    a = amounts(employees_pay=4e6, employees_ni=3.6e5, employees_pension=5.6e5, premises=4e5, business_rates=9e4,
                supplies_services=8e5, third_party_payments=2e5, support_recharges=7e5, income_grants=-5e6)
    model = ProjectModel(book, a, 145.0, {"in-house": OptionTiming(None, None),
                                          "mutual": OptionTiming(dt.date(2015, 4, 1), dt.date(2016, 4, 1))}, "MD")
    values = book.values("central").to_dict()
    values[("project", "optimism_bias_mitigation")] = mitigation
    values[("mutual", "support_bought_back")] = 0.3
    lo, hi = book.levers.loc[lever, ["bound_low", "bound_high"]]
    v1 = min(max(lo + base * (hi - lo), lo), hi)
    v2 = min(v1 + bump * (hi - lo), hi)
    model.keys_by_scope["mutual"] = sorted(set(model.keys_by_scope["mutual"]) | {lever})
    s1 = model.net_present_savings({**values, ("mutual", lever): v1})["mutual"][0]
    s2 = model.net_present_savings({**values, ("mutual", lever): v2})["mutual"][0]
    assert s2 <= s1 + 1e-6
