"""The cash-flow model on a small made-up baseline whose results are worked out by hand."""

import datetime as dt

import numpy as np
import pytest
from cost_lines import COMMON, FIRST, FLAT, amounts, levers, total
from hypothesis import given, settings
from hypothesis import strategies as st

from ddanalysis.appraisal import discount_factors
from ddanalysis.assumptions import load_book
from ddanalysis.cashflow import ONE_OFF_COMPONENTS, OPERATING_COMPONENTS, apply_optimism_bias, option_components, timing
from ddanalysis.model import OptionTiming, ProjectModel


def test_status_quo_is_the_baseline_net_cost_with_growth():
    a = amounts(
        employees_pay=100_000,
        employees_ni=10_000,
        employees_pension=15_000,
        premises=20_000,
        income_fees_charges=-5_000,
        capital_charges=7_000,
    )
    c = option_components(
        a, 3.0, levers(), {"demand_growth": 0.02, "real_pay_growth": 0.01}, timing(None, None, FIRST, 3), **COMMON
    )
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
    by_hand = 12_500 * (1.035**-2 + 1.035**-3 + 1.035**-4)
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
    c = option_components(
        amounts(),
        10.0,
        levers(transition_legal_governance=100.0, transition_tupe_hr_per_fte=500.0),
        FLAT,
        when,
        **COMMON,
    )
    assert c["legal_governance"][0].sum() == pytest.approx(100_000)
    assert c["tupe_hr"][0].sum() == pytest.approx(5_000)


def test_charity_rates_relief_by_perspective():
    a = amounts(business_rates=10_000)
    when = timing(dt.date(2015, 4, 1), dt.date(2015, 4, 1), FIRST, 1)
    council = option_components(a, 1.0, levers(business_rates_relief=0.8), FLAT, when, **COMMON)
    # council keeps 49% of rates it collects: the relief saves 80% x (1 - 0.49) of the bill
    assert council["business_rates"][0, 0] == pytest.approx(10_000 * (1 - 0.8 * 0.51) * 1.0)
    public = option_components(
        a, 1.0, levers(business_rates_relief=0.8), FLAT, when, **{**COMMON, "perspective": "public"}
    )
    assert public["business_rates"][0, 0] == pytest.approx(10_000)  # a transfer: nets out


def test_irrecoverable_vat_is_a_cost_to_the_council_only():
    a = amounts(supplies_services=50_000)
    when = timing(dt.date(2015, 4, 1), dt.date(2015, 4, 1), FIRST, 1)
    council = option_components(a, 1.0, levers(irrecoverable_vat_share=0.5), FLAT, when, **COMMON)
    assert council["irrecoverable_vat"][0, 0] == pytest.approx(50_000 * 0.2 * 0.5)
    public = option_components(
        a, 1.0, levers(irrecoverable_vat_share=0.5), FLAT, when, **{**COMMON, "perspective": "public"}
    )
    assert public["irrecoverable_vat"][0, 0] == 0.0


def test_teckal_cap_limits_external_income():
    a = amounts(employees_pay=1_000_000)
    when = timing(dt.date(2015, 4, 1), dt.date(2015, 4, 1), FIRST, 1)
    lv = levers(new_income_share=0.5, new_income_margin=1.0)
    capped = option_components(a, 1.0, lv, FLAT, when, **{**COMMON, "teckal_cap": 0.25})
    # more than 80% for the council: external income at most 20/80 = 25% of the existing turnover (gross)
    assert capped["new_income"][0, 0] == pytest.approx(-0.25 * 1_000_000)


def test_stranded_overheads_fade_over_their_years():
    a = amounts(support_recharges=100_000)
    when = timing(dt.date(2015, 4, 1), dt.date(2015, 4, 1), FIRST, 3)
    c = option_components(
        a,
        1.0,
        levers(support_bought_back=0.0, stranded_overhead_share=0.5, stranded_overhead_years=2.0),
        FLAT,
        when,
        **COMMON,
    )
    # middle of year 0 is ~0.5 years after go-live: 1 - 0.5/2 = 0.75 left; year 1 ~1.5 -> 0.25; year 2 -> 0
    assert c["stranded_overheads"][0] == pytest.approx([50_000 * 0.75, 50_000 * 0.25, 0.0], rel=2e-3)
    assert c["support_services"][0] == pytest.approx([0.0, 0.0, 0.0])


def test_optimism_bias_on_the_net_change_in_operating_costs_and_on_one_offs():
    """Staff falls 100 -> 80 (-20) and own support rises 100 -> 110 (+10): the net change in operating
    costs is -10, a net reduction, which becomes -10 / 1.41 = -7.0922; the uplift line holds the
    difference, 10 - 10 / 1.41 = 10 x 0.41 / 1.41 = 2.9078. The component lines are not touched.
    One-off: legal 1000 x 0.41 = 410 plus IT 500 x 2.00 = 1000, so 1410 on its own line."""
    sq = {k: np.full((1, 2), 100.0) for k in OPERATING_COMPONENTS}
    sq.update({k: np.zeros((1, 2)) for k in ONE_OFF_COMPONENTS})
    sq["optimism_bias_operating"] = np.zeros((1, 2))
    opt = {k: v.copy() for k, v in sq.items()}
    opt["staff"] = np.full((1, 2), 80.0)
    opt["own_support"] = np.full((1, 2), 110.0)
    opt["legal_governance"] = np.array([[1000.0, 0.0]])
    opt["it_separation"] = np.array([[500.0, 0.0]])
    out = apply_optimism_bias(sq, opt, operating=0.41, one_off=0.41, it_separation=2.0)
    assert out["staff"][0, 0] == 80.0 and out["own_support"][0, 0] == 110.0
    assert out["optimism_bias_operating"][0, 0] == pytest.approx(2.907801418, rel=1e-9)
    assert out["optimism_bias_one_off"][0].tolist() == pytest.approx([1410.0, 0.0])
    assert out["legal_governance"][0, 0] == 1000.0


def test_optimism_bias_on_a_net_increase_and_not_on_income():
    """Staff +30 and new income -50: income is a benefit, so only the +30 net cost increase takes the
    uplift: 30 x 0.41 = 12.3."""
    sq = {k: np.zeros((1, 1)) for k in OPERATING_COMPONENTS + ONE_OFF_COMPONENTS}
    opt = {k: v.copy() for k, v in sq.items()}
    opt["staff"] = np.full((1, 1), 30.0)
    opt["new_income"] = np.full((1, 1), -50.0)
    out = apply_optimism_bias(sq, opt, operating=0.41, one_off=0.41, it_separation=2.0)
    assert out["optimism_bias_operating"][0, 0] == pytest.approx(12.3)


def _metrics(sq, opt, factors):
    """NPS, Green Book BCR and payback of an option from its component dicts (after optimism bias)."""
    from ddanalysis.appraisal import green_book_bcr, payback_index

    out = apply_optimism_bias(sq, opt, operating=0.41, one_off=0.41, it_separation=2.0)
    sq_tot, opt_tot = total(sq), total(out)
    op = sum(sq[k] for k in OPERATING_COMPONENTS) - sum(out[k] for k in OPERATING_COMPONENTS)
    one_off = sum(out[k] for k in ONE_OFF_COMPONENTS)
    saving = (sq_tot - opt_tot)[0]
    return (float(saving @ factors), green_book_bcr(op[0], one_off[0], factors)[0], int(payback_index(saving)[0]))


money = st.floats(0, 1e6, allow_nan=False)


@settings(max_examples=80, deadline=None)
@given(
    pay=money,
    premises=money,
    support=money,
    admissions=money,
    own=st.floats(0, 1.5),
    bought=st.floats(0, 1),
    share=st.floats(0, 1),
    staff_change=st.floats(-0.2, 0.1),
    split=st.floats(0, 1),
    legal=st.floats(0, 200),
)
def test_merging_or_splitting_cost_lines_never_changes_a_result(
    pay, premises, support, admissions, own, bought, share, staff_change, split, legal
):
    """Property (M1): move part of the premises line into transport (a split), merge the new body's
    own support into the council's support line, or merge the premises line into the staff line, for
    the status quo and the option alike: net present saving, benefit-cost ratio and payback are
    identical, because optimism bias acts on the sum of the lines each year, never line by line. The
    cultural VAT exemption of admissions (M9) is in play, at any share."""
    a = amounts(employees_pay=pay, premises=premises, support_recharges=support, income_fees_charges=-admissions)
    when = timing(dt.date(2016, 4, 1), dt.date(2015, 10, 1), FIRST, 6)
    common = {**COMMON, "admissions_gbp": admissions}
    lv = levers(
        staff_cost_change=staff_change,
        own_support_cost=own,
        support_bought_back=bought,
        cultural_exemption_share=share,
        transition_legal_governance=legal,
    )
    sq = dict(option_components(a, 10.0, levers(), FLAT, timing(None, None, FIRST, 6), **common))
    opt = dict(option_components(a, 10.0, lv, FLAT, when, **common))
    factors = discount_factors(6)
    base = _metrics(sq, opt, factors)

    def move(c, source, target, part):
        c = dict(c)
        c[target] = c[target] + part * c[source]
        c[source] = (1 - part) * c[source]
        return c

    changes = (("premises", "transport", split), ("own_support", "support_services", 1.0), ("premises", "staff", 1.0))
    for source, target, part in changes:
        nps, bcr, pb = _metrics(move(sq, source, target, part), move(opt, source, target, part), factors)
        assert nps == pytest.approx(base[0], rel=1e-9, abs=1e-6), (source, target)
        assert pb == base[2], (source, target)
        assert (bcr is None and base[1] is None) or bcr == pytest.approx(base[1], rel=1e-9, abs=1e-9), (source, target)


def test_client_side_and_margin_fall_on_the_council_funded_value_only():
    """Gross cash spend 1,000,000 (pay), of which others fund 800,000 (council-funded share 0.2).
    Client side 2% of the council-funded 200,000 = 4,000 (not 2% of 1,000,000 = 20,000); margin 5% of
    provider costs 1,000,000 x 0.2 = 10,000."""
    a = amounts(employees_pay=1_000_000, income_grants=-800_000)
    when = timing(dt.date(2015, 4, 1), dt.date(2015, 4, 1), FIRST, 1)
    c = option_components(
        a,
        1.0,
        levers(client_side_cost=0.02, supplier_margin=0.05),
        FLAT,
        when,
        **{**COMMON, "council_funded_share": 0.2},
    )
    assert c["client_side"][0, 0] == pytest.approx(4_000)
    assert c["supplier_margin"][0, 0] == pytest.approx(10_000)


def test_social_perspective_excludes_transfers_and_prices_volunteers_and_assets():
    """Social view, go-live at the start of year 0, no ramp-up: pay 100,000, volunteers replace 20%.
    Staff 100,000 x (1 - 0.2) = 80,000; volunteer time 0.2 x 100,000 x 0.5 = 10,000 (opportunity cost);
    redundancy 1 FTE x 0.5 x 20,000 = 10,000 for the council, 0 in the social view (a transfer);
    premises 10,000 cut by 25% by transfer stays 10,000 (its opportunity cost); grants (transfers) 0."""
    a = amounts(employees_pay=100_000, premises=10_000)
    when = timing(dt.date(2015, 4, 1), dt.date(2015, 4, 1), FIRST, 1)
    lv = levers(
        volunteer_substitution=0.2,
        ramp_up_years=0.0,
        redundancy_fte_share=0.5,
        redundancy_cost_per_fte=20_000,
        premises_cost_change=-0.25,
        grant_income_share=0.1,
    )
    social = option_components(
        a, 1.0, lv, FLAT, when, **{**COMMON, "perspective": "social", "volunteer_value_share": 0.5}
    )
    council = option_components(a, 1.0, lv, FLAT, when, **{**COMMON, "volunteer_value_share": 0.5})
    assert social["staff"][0, 0] == pytest.approx(80_000)
    assert social["volunteer_time"][0, 0] == pytest.approx(10_000)
    assert council["volunteer_time"][0, 0] == 0.0
    assert council["redundancy"][0, 0] == pytest.approx(10_000) and social["redundancy"][0, 0] == 0.0
    assert council["premises"][0, 0] == pytest.approx(7_500) and social["premises"][0, 0] == pytest.approx(10_000)
    assert council["grant_income"][0, 0] == pytest.approx(-11_000) and social["grant_income"][0, 0] == 0.0


def test_vat_only_on_lines_that_bear_it():
    """Supplies 50,000 and third-party payments 50,000: irrecoverable VAT 20% x 50% x 50,000 = 5,000
    (third-party payments to bodies that charge no VAT, and pay, bear none)."""
    a = amounts(supplies_services=50_000, third_party_payments=50_000, employees_pay=100_000)
    when = timing(dt.date(2015, 4, 1), dt.date(2015, 4, 1), FIRST, 1)
    c = option_components(a, 1.0, levers(irrecoverable_vat_share=0.5), FLAT, when, **COMMON)
    assert c["irrecoverable_vat"][0, 0] == pytest.approx(5_000)


COST_LEVERS = [
    "own_support_cost",
    "client_side_cost",
    "supplier_margin",
    "pension_rate_change",
    "irrecoverable_vat_share",
    "transition_legal_governance",
    "transition_it_per_fte",
    "stranded_overhead_share",
    "double_running_months",
]


@settings(max_examples=60, deadline=None)
@given(
    lever=st.sampled_from(COST_LEVERS), base=st.floats(0, 0.1), bump=st.floats(0.001, 0.1), mitigation=st.floats(0, 1)
)
def test_raising_a_cost_never_raises_a_saving(lever, base, bump, mitigation):
    book = load_book("walsall-college")
    a = amounts(
        employees_pay=4e6,
        employees_ni=3.6e5,
        employees_pension=5.6e5,
        premises=4e5,
        business_rates=9e4,
        supplies_services=8e5,
        third_party_payments=2e5,
        support_recharges=7e5,
        income_grants=-5e6,
    )
    model = ProjectModel(
        book,
        a,
        145.0,
        {"in-house": OptionTiming(None, None), "mutual": OptionTiming(dt.date(2015, 4, 1), dt.date(2016, 4, 1))},
        "MD",
    )
    values = book.values("central").to_dict()
    model.ob_mitigation_override = mitigation
    values[("mutual", "support_bought_back")] = 0.3
    lo, hi = book.levers.loc[lever, ["bound_low", "bound_high"]]
    v1 = min(max(lo + base * (hi - lo), lo), hi)
    v2 = min(v1 + bump * (hi - lo), hi)
    model.keys_by_scope["mutual"] = sorted(set(model.keys_by_scope["mutual"]) | {lever})
    s1 = model.net_present_savings({**values, ("mutual", lever): v1})["mutual"][0]
    s2 = model.net_present_savings({**values, ("mutual", lever): v2})["mutual"][0]
    assert s2 <= s1 + 1e-6


def test_one_pension_story_council_keeps_the_deficit_or_pass_through():
    """Pay 100,000, employer pension 20,000 of which 25% (5,000) repays the past deficit; go-live at the
    start of year 0, no ramp-up, staff saving 10%. Admitted body (council keeps the deficit, rate +2
    points on future service): staff (120,000 - 5,000) x 0.9 = 103,500; rate 0.02 x 100,000 x 0.9 =
    1,800; the council's deficit payments continue, 5,000 (not cut by the staff saving): 110,300 in all.
    Pass-through at the council's full rate: staff 120,000 x 0.9 = 108,000, no separate deficit line.
    Status quo: the council pays the deficit itself on its fixed schedule: staff 115,000, deficit 5,000."""
    a = amounts(employees_pay=100_000, employees_pension=20_000)
    when = timing(dt.date(2015, 4, 1), dt.date(2015, 4, 1), FIRST, 1)
    project = {**FLAT, "pension_deficit_share": 0.25}
    admitted = option_components(
        a,
        1.0,
        levers(staff_cost_change=-0.1, ramp_up_years=0.0, pension_rate_change=0.02, pension_deficit_kept=1.0),
        project,
        when,
        **COMMON,
    )
    assert admitted["staff"][0, 0] == pytest.approx(103_500)
    assert admitted["pension_rate"][0, 0] == pytest.approx(1_800)
    assert admitted["pension_deficit"][0, 0] == pytest.approx(5_000)
    passthrough = option_components(
        a,
        1.0,
        levers(staff_cost_change=-0.1, ramp_up_years=0.0, pension_rate_change=0.0, pension_deficit_kept=0.0),
        project,
        when,
        **COMMON,
    )
    assert passthrough["staff"][0, 0] + passthrough["pension_deficit"][0, 0] == pytest.approx(108_000)
    sq = option_components(a, 1.0, levers(), project, timing(None, None, FIRST, 1), **COMMON)
    assert sq["staff"][0, 0] == pytest.approx(115_000) and sq["pension_deficit"][0, 0] == pytest.approx(5_000)


def test_vat_follows_how_the_council_pays():
    """Supplies 50,000; the council funds half the activity; 10% of input VAT is lost elsewhere (partial
    exemption). Contract: 20% x 10% x 50,000 = 1,000. Grant: g = 0.5 x 1 = 0.5 of the activity is
    non-business, so the share lost is 0.5 + 0.5 x 0.1 = 0.55: 20% x 0.55 x 50,000 = 5,500."""
    a = amounts(supplies_services=50_000)
    when = timing(dt.date(2015, 4, 1), dt.date(2015, 4, 1), FIRST, 1)
    common = {**COMMON, "council_funded_share": 0.5}
    contract = option_components(a, 1.0, levers(irrecoverable_vat_share=0.1), FLAT, when, **common)
    grant = option_components(
        a, 1.0, levers(irrecoverable_vat_share=0.1, council_pays_by_grant=1.0), FLAT, when, **common
    )
    assert contract["irrecoverable_vat"][0, 0] == pytest.approx(1_000)
    assert grant["irrecoverable_vat"][0, 0] == pytest.approx(5_500)
