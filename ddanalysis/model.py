"""One project's appraisal model: everything fixed except the assumption values.

A :class:`ProjectModel` holds the baseline, the options' timing (from their implementation plans),
the perspective and the settings. :meth:`ProjectModel.evaluate` turns assumption values - numbers,
or arrays of draws - into every option's cash flows after optimism bias, and
:meth:`ProjectModel.net_present_savings` into net present savings against the status quo.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Mapping

import numpy as np

from .appraisal import discount_factors
from .assumptions import PROJECT_SCOPE, AssumptionBook
from .cashflow import ONE_OFF_COMPONENTS, OPERATING_COMPONENTS, Timing, apply_optimism_bias, option_components, timing
from .registry import STATUS_QUO
from .years import fy_start

Values = Mapping[tuple[str, str], "float | np.ndarray"]


@dataclass(frozen=True)
class OptionTiming:
    """When an option starts and goes live (None for the status quo)."""

    plan_start: dt.date | None
    go_live: dt.date | None


class ProjectModel:
    """The appraisal model of one project under one perspective.

    ``amounts_gbp``: baseline by subjective line (GBP, income negative); ``fte``: FTE in scope;
    ``options``: ordered option ids (status quo first) with their timing; ``council_class``: the lead
    council's class (for its share of business-rates relief lost under rates retention).
    """

    def __init__(
        self,
        book: AssumptionBook,
        amounts_gbp: Mapping[str, float],
        fte: float,
        options: Mapping[str, OptionTiming],
        council_class: str,
        perspective: str = "council",
        horizon_years: int | None = None,
        council_funded_share: float = 1.0,
        ob_mitigation_override: float | None = None,
        admissions_gbp: float = 0.0,
    ) -> None:
        if STATUS_QUO not in options:
            raise ValueError(f"the options must include the status quo {STATUS_QUO!r}")
        self.book = book
        self.amounts_gbp = dict(amounts_gbp)
        self.fte = float(fte)
        self.options = dict(options)
        self.perspective = perspective
        self.council_class = council_class
        self.council_funded_share = float(council_funded_share)
        self.ob_mitigation_override = ob_mitigation_override
        #: cultural admission takings the council charges VAT on (GBP; the cultural exemption's base)
        self.admissions_gbp = float(admissions_gbp)
        settings = book.settings
        self.horizon = int(horizon_years or settings.horizon_years)
        self.first_year_start = fy_start(settings.first_year)
        self.factors = discount_factors(self.horizon, settings.discount_bands)
        facts = settings.facts
        self.vat_rate = float(facts["vat_standard_rate"]["value"])
        self.volunteer_value_share = float(facts.get("volunteer_time_value_share", {}).get("value", 0.0))
        self.residual_life_years = int(round(settings.residual_life_years))
        after = discount_factors(self.horizon + self.residual_life_years, settings.discount_bands)
        #: residual value per GBP of final-year saving: the discount factors of the years after the horizon
        self.residual_annuity = float(after[self.horizon :].sum())
        shares = facts["rates_retention_council_share"]["by_class"]
        if council_class not in shares:
            raise ValueError(f"no rates-retention share for authority class {council_class!r}")
        self.council_rates_share = float(shares[council_class])
        control = float(facts["teckal_min_control_share"]["value"])
        # largest new external income / the service's existing turnover (its gross expenditure: the activity the
        # controlling councils entrust to the company, whoever pays for it), the base the cash flows apply it to
        self.teckal_cap = (1.0 - control) / control
        self.timings: dict[str, Timing] = {
            opt: timing(t.go_live, t.plan_start, self.first_year_start, self.horizon) for opt, t in self.options.items()
        }
        self.ob_upper = {kind: settings.optimism_bias_upper[cat] for kind, cat in settings.optimism_bias_use.items()}
        #: mitigation derived from the contributory factors, by kind of cost (operating, one_off, it_separation)
        self.ob_derived = {
            kind: settings.ob_mitigation_derived(cat) for kind, cat in settings.optimism_bias_use.items()
        }
        self._defaults = dict(book.levers["default"])
        table = book.table
        self.keys_by_scope = {
            scope: list(table.loc[scope].key) if scope in table.index.get_level_values(0) else []
            for scope in (PROJECT_SCOPE, *self.options)
        }

    # -- evaluation --------------------------------------------------------------------------------

    def _levers(self, option: str, values: Values) -> dict[str, float | np.ndarray]:
        out = dict(self._defaults)
        for key in self.keys_by_scope.get(option, []):
            out[key] = values[(option, key)]
        return out

    def evaluate(
        self, values: Values, ob_mitigation: float | np.ndarray | None = None, options: "list[str] | None" = None
    ) -> dict[str, dict[str, np.ndarray]]:
        """Cash flows (GBP, real) of every option by component, with optimism bias as its own lines:
        arrays (n, T).

        ``values`` maps (scope, key) to a number or an array of draws. The optimism-bias mitigation is
        ``ob_mitigation`` if given, else the model's override, else derived from the contributory
        factors (per kind of cost); the ``project.optimism_bias_mitigation`` value is not read, so a
        Monte Carlo draw of it changes nothing.
        """
        project = {k: values[(PROJECT_SCOPE, k)] for k in ("demand_growth", "real_pay_growth")}
        project["pension_deficit_share"] = values.get((PROJECT_SCOPE, "pension_deficit_share"), 0.0)
        ob = self.ob_uplifts(ob_mitigation)
        status_quo = self._components(STATUS_QUO, values, project)
        out = {STATUS_QUO: status_quo}
        for opt in options or self.options:
            if opt == STATUS_QUO:
                continue
            raw = self._components(opt, values, project)
            out[opt] = apply_optimism_bias(status_quo, raw, ob["operating"], ob["one_off"], ob["it_separation"])
        return out

    def _components(
        self, option: str, values: Values, project: Mapping[str, float | np.ndarray]
    ) -> dict[str, np.ndarray]:
        """One option's cash flows by component before optimism bias (:func:`option_components`);
        the Teckal cap on new income applies to Teckal companies only (never the status quo)."""
        teckal = option != STATUS_QUO and bool(self.book.models[option]["teckal"])
        return option_components(
            self.amounts_gbp,
            self.fte,
            self._levers(option, values),
            project,
            self.timings[option],
            perspective=self.perspective,
            council_rates_share=self.council_rates_share,
            vat_rate=self.vat_rate,
            teckal_cap=self.teckal_cap if teckal else None,
            council_funded_share=self.council_funded_share,
            volunteer_value_share=self.volunteer_value_share,
            admissions_gbp=self.admissions_gbp,
        )

    def with_horizon(self, horizon_years: int) -> "ProjectModel":
        """The same model over another horizon (cash flows by year do not depend on the horizon)."""
        return ProjectModel(
            self.book,
            self.amounts_gbp,
            self.fte,
            self.options,
            self.council_class,
            self.perspective,
            horizon_years,
            self.council_funded_share,
            self.ob_mitigation_override,
            admissions_gbp=self.admissions_gbp,
        )

    def ob_uplifts(self, ob_mitigation: float | np.ndarray | None = None) -> dict[str, float | np.ndarray]:
        """The optimism-bias uplift by kind of cost after mitigation: upper bound x (1 - mitigation)."""
        override = ob_mitigation if ob_mitigation is not None else self.ob_mitigation_override
        if override is not None:
            return {kind: upper * (1.0 - np.asarray(override, dtype=float)) for kind, upper in self.ob_upper.items()}
        return {kind: upper * (1.0 - self.ob_derived[kind]) for kind, upper in self.ob_upper.items()}

    def residual_values(self, flows: Mapping[str, Mapping[str, np.ndarray]]) -> dict[str, np.ndarray]:
        """Residual value of each option (n,) GBP, real, discounted to year 0: the final appraisal
        year's saving against the status quo, continued for the remaining life and discounted on the
        Green Book schedule (0 for the status quo, which starts nothing that continues)."""
        sq_last = self.total(flows[STATUS_QUO], OPERATING_COMPONENTS)[:, -1]
        return {
            opt: (sq_last - self.total(c, OPERATING_COMPONENTS)[:, -1]) * self.residual_annuity
            if opt != STATUS_QUO
            else np.zeros_like(sq_last)
            for opt, c in flows.items()
        }

    @staticmethod
    def total(
        components: Mapping[str, np.ndarray], which: tuple[str, ...] = OPERATING_COMPONENTS + ONE_OFF_COMPONENTS
    ) -> np.ndarray:
        """Sum of the named components: (n, T)."""
        return np.asarray(sum(components[k] for k in which))

    def net_present_costs(self, flows: Mapping[str, Mapping[str, np.ndarray]]) -> dict[str, np.ndarray]:
        """Net present cost of each option: (n,) GBP."""
        return {opt: self.total(c) @ self.factors for opt, c in flows.items()}

    def net_present_savings(
        self, values: Values, ob_mitigation: float | np.ndarray | None = None, options: "list[str] | None" = None
    ) -> dict[str, np.ndarray]:
        """Net present saving of each option against the status quo (n,) GBP; the status quo's is 0."""
        npc = self.net_present_costs(self.evaluate(values, ob_mitigation, options))
        base = npc[STATUS_QUO]
        return {opt: base - v for opt, v in npc.items()}

    def varying_keys(self, option: str) -> list[tuple[str, str]]:
        """(scope, key) of the assumptions that move an option's saving: its own and the project's."""
        return [(PROJECT_SCOPE, k) for k in self.keys_by_scope[PROJECT_SCOPE]] + [
            (option, k) for k in self.keys_by_scope.get(option, [])
        ]
