"""Each cash-flow component of an option as a spreadsheet formula: :mod:`ddanalysis.cashflow`'s arithmetic.

A formula is a template with ``{col}`` for the year column (the same letter on the Cash flows and
Model sheets). Names: ``L`` the share of the year after go-live, ``S`` = ``L`` x ramp-up, ``D`` the
demand index, ``P`` the pay index, ``SF`` the staff cost factor (Model sheet); baseline lines, levers
and settings are single Model cells; other components of the same option and year are cells of the
Cash flows sheet (``own(component)``). GBP, real prices of the base year; costs positive.
"""

from __future__ import annotations

from typing import Callable

from .. import registry
from .model_sheet import ModelRefs


class OptionFormulas:
    """The formula templates of one option's components (``templates()``: component -> template)."""

    def __init__(self, refs: ModelRefs, option: str, perspective: str, teckal: bool, own: Callable[[str], str]):
        self.refs, self.opt, self.perspective, self.teckal, self.own = refs, option, perspective, teckal, own

    def lv(self, key: str) -> str:
        return self.refs.levers.get((self.opt, key), "0")

    def base(self, line: str) -> str:
        return self.refs.scalars[f"base_{line}"]

    def sc(self, key: str) -> str:
        return self.refs.scalars[key]

    def yr(self, key: str, option: bool = True) -> str:
        return self.refs.year(key, self.opt if option else None)

    def templates(self) -> dict[str, str]:
        """Every component's template, operating lines then one-off costs (optimism bias included)."""
        return {
            **self._staff(),
            **self._running(),
            **self._support(),
            **self._income(),
            **self._one_off(),
            **self._optimism_bias(),
        }

    def _staff(self) -> dict[str, str]:
        """Staff (pay, NI and pension, less the deficit part the council keeps paying), pension rate, deficit."""
        pay, ni, pen = self.base("employees_pay"), self.base("employees_ni"), self.base("employees_pension")
        P, SF, L = self.yr("P", False), self.yr("staff_factor"), self.yr("L")
        deficit = f"{pen}*{self.refs.project['pension_deficit_share']}"
        kept = f"(1-{L}*(1-{self.lv('pension_deficit_kept')}))"
        return {
            "staff": f"=({pay}+{ni}+{pen})*{P}*{SF}-{deficit}*{P}*{SF}*{kept}",
            "pension_rate": f"={L}*{self.lv('pension_rate_change')}*{pay}*{P}*{SF}",
            "pension_deficit": f"={deficit}*{kept}",
        }

    def _running(self) -> dict[str, str]:
        """Premises, business rates (relief), transport, supplies and third-party payments, irrecoverable VAT."""
        D, L, S = self.yr("D", False), self.yr("L"), self.yr("S")
        change = self.lv("premises_cost_change")
        change = f"MAX({change},0)" if self.perspective == "social" else change
        procured = f"(1-{S}*{self.lv('procurement_saving')})"
        granted = f"{self.sc('funded')}*{self.lv('council_pays_by_grant')}"
        irrecoverable = f"({granted}+(1-{granted})*{self.lv('irrecoverable_vat_share')})"
        vatable = f"({self.own('premises')}+{self.own('transport')}+{self.base('supplies_services')}*{D}*{procured})"
        return {
            "premises": f"={self.base('premises')}*{D}*(1+{L}*{change})",
            "business_rates": f"={self.base('business_rates')}*{D}*(1-{L}*{self.lv('business_rates_relief')}"
            f"*{self.sc('relief_counted')})",
            "transport": f"={self.base('transport')}*{D}",
            "supplies_third_party": f"=({self.base('supplies_services')}+{self.base('third_party_payments')})*{D}"
            f"*{procured}",
            "irrecoverable_vat": f"={self.sc('vat_counted')}*{self.sc('vat')}*{irrecoverable}*{L}*{vatable}",
        }

    def _support(self) -> dict[str, str]:
        """Support services bought back, the new body's own, stranded overheads, client side, margin, volunteers."""
        D, L, S = self.yr("D", False), self.yr("L"), self.yr("S")
        recharges = f"{self.base('support_recharges')}*{D}"
        not_bought = f"{L}*(1-{self.lv('support_bought_back')})"
        provider = "+".join(
            self.own(k)
            for k in (
                "staff",
                "pension_rate",
                "premises",
                "business_rates",
                "transport",
                "supplies_third_party",
                "irrecoverable_vat",
                "support_services",
                "own_support",
            )
        )
        pay_bill = "({}+{}+{})*{}".format(
            self.base("employees_pay"), self.base("employees_ni"), self.base("employees_pension"), self.yr("P", False)
        )
        return {
            "support_services": f"={recharges}*(1-{not_bought})",
            "own_support": f"={recharges}*{not_bought}*{self.lv('own_support_cost')}",
            "stranded_overheads": f"={recharges}*{not_bought}*{self.lv('stranded_overhead_share')}"
            f"*{self.yr('stranded')}",
            "client_side": f"={L}*{self.lv('client_side_cost')}*{self.sc('gross')}*{self.sc('funded')}*{D}",
            "supplier_margin": f"={L}*{self.lv('supplier_margin')}*({provider})*{self.sc('funded')}",
            "volunteer_time": f"={S}*{self.lv('volunteer_substitution')}*{pay_bill}*{self.sc('volunteer_value')}",
        }

    def _income(self) -> dict[str, str]:
        """Existing income, new trading income (Teckal cap), grants and donations, VAT kept on admissions."""
        D, L, S, gross = self.yr("D", False), self.yr("L"), self.yr("S"), self.sc("gross")
        share = self.lv("new_income_share")
        share = f"MIN({share},{self.sc('teckal_cap')})" if self.teckal else share
        vat = self.sc("vat")
        existing = "+".join(self.base(k) for k in ("income_fees_charges", "income_grants", "income_other"))
        return {
            "income_existing": f"=({existing})*{D}",
            "new_income": f"=-{S}*{share}*{gross}*{D}*{self.lv('new_income_margin')}",
            "grant_income": f"=-{S}*{self.lv('grant_income_share')}*{gross}*{D}*{self.sc('transfers')}",
            "admissions_vat": f"=-{self.sc('vat_counted')}*{L}*{self.lv('cultural_exemption_share')}"
            f"*({vat}/(1+{vat}))*{self.sc('admissions')}*{D}",
        }

    def _one_off(self) -> dict[str, str]:
        """One-off costs over the plan before go-live; redundancy and double running in the go-live year."""
        pre, at, fte = self.yr("pre"), self.yr("at"), self.sc("fte")
        return {
            "legal_governance": f"={self.lv('transition_legal_governance')}*1000*{pre}",
            "tupe_hr": f"={self.lv('transition_tupe_hr_per_fte')}*{fte}*{pre}",
            "pensions_work": f"={self.lv('transition_pensions')}*1000*{pre}",
            "it_separation": f"={self.lv('transition_it_per_fte')}*{fte}*{pre}",
            "procurement": f"={self.lv('transition_procurement')}*1000*{pre}",
            "redundancy": f"={self.sc('transfers')}*{self.lv('redundancy_fte_share')}*{fte}"
            f"*{self.lv('redundancy_cost_per_fte')}*{at}",
            "double_running": f"={self.lv('double_running_months')}/12*{self.base('support_recharges')}*{at}",
        }

    def _optimism_bias(self) -> dict[str, str]:
        """The uplift on each year's net operating cost change (less favourable either way) and on one-off costs
        (Green Book supplementary guidance); none for the status quo, the benchmark."""
        if self.opt == registry.STATUS_QUO:
            return {"optimism_bias_operating": "=0", "optimism_bias_one_off": "=0"}
        delta, ob = self.yr("net_change"), self.sc("ob_operating")
        others = "+".join(
            self.own(k)
            for k in ("legal_governance", "tupe_hr", "pensions_work", "procurement", "redundancy", "double_running")
        )
        return {
            "optimism_bias_operating": f"=IF({delta}>0,{delta}*{ob},-{delta}*{ob}/(1+{ob}))",
            "optimism_bias_one_off": f"=({others})*{self.sc('ob_one_off')}+{self.own('it_separation')}"
            f"*{self.sc('ob_it_separation')}",
        }
