"""What the workbook's cash-flow formulas start from, rebuilt from an appraisal result.

The appraisal result holds the assumption values it used but not the model's fixed inputs (the
settings of data/assumptions/appraisal.yaml, the baseline by line, the options' timing from their
plans, the lever defaults of levers.yaml). :func:`model_inputs` rebuilds the
:class:`~ddanalysis.model.ProjectModel` the appraisal ran, checks that it reproduces the result's
cash flows (else the workbook's formulas would not reconcile) and returns it with the values used.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import registry
from ..errors import DDAnalysisError
from ..model import OptionTiming, ProjectModel
from ..price_base import project_book
from ..result import AppraisalResult

#: Largest difference (GBP) between a rebuilt cash flow and the result's before the export is refused.
REBUILD_TOLERANCE_GBP = 1e-6


@dataclass(frozen=True)
class ModelInputs:
    """The rebuilt model of an appraisal and the assumption values it used, by (scope, key)."""

    model: ProjectModel
    values: dict[tuple[str, str], float]
    ob_override: bool

    def lever(self, option: str, key: str) -> float | None:
        """The value an option's cash flows use for lever ``key``: the assumption's, else the lever's default
        (levers.yaml), else None (the lever is absent and counts as 0)."""
        if key in self.model.keys_by_scope.get(option, []):
            return self.values[(option, key)]
        default = self.model._defaults.get(key)
        return None if default is None else float(default)

    def assumed(self, option: str, key: str) -> bool:
        """True when lever ``key`` of ``option`` is a row of the Assumptions sheet (so it has a defined name)."""
        return key in self.model.keys_by_scope.get(option, [])


def model_inputs(result: AppraisalResult) -> ModelInputs:
    """The model ``result`` was computed with, checked against its cash flows.

    The result's own model (``result.model``) when it carries one; else (a result read back from a cache)
    the model rebuilt from the data files. Raises :class:`DDAnalysisError` when the model's cash flows at the
    result's assumption values differ from the result's by more than :data:`REBUILD_TOLERANCE_GBP` (for a
    rebuilt model: the data files changed since the appraisal).
    """
    used = result.assumptions
    values = {
        (scope, key): float(value)
        for scope, key, value in zip(used["scope"].tolist(), used["key"].tolist(), used["value_used"].tolist())
    }
    override = result.optimism_bias_mitigation_source == "override"
    model = result.model if isinstance(result.model, ProjectModel) else _rebuilt_model(result, override)
    _check_rebuilt(result, model, values)
    return ModelInputs(model=model, values=values, ob_override=override)


def _rebuilt_model(result: AppraisalResult, override: bool) -> ProjectModel:
    """``result``'s model rebuilt from the data files (its plans' timing, its baseline, its perspective)."""
    book = project_book(result.project_id)  # prices real in the baseline's base year, as the appraisal's
    project = registry.project(result.project_id)
    timings = {registry.STATUS_QUO: OptionTiming(None, None)}
    for opt in list(result.options.id)[1:]:
        p = result.plans[opt]
        timings[opt] = OptionTiming(p.start, p.go_live)
    council_class = registry.council(project.lead_council)["authority_class"]
    base = result.baseline
    return ProjectModel(
        book,
        base.amounts_gbp.to_dict(),
        base.fte,
        timings,
        council_class,
        result.perspective,
        result.horizon_years,
        council_funded_share=base.council_funded_share,
        ob_mitigation_override=float(result.optimism_bias_mitigation) if override else None,
        admissions_gbp=base.standard_rated_admissions_gbp,
    )


def _check_rebuilt(result: AppraisalResult, model: ProjectModel, values: dict[tuple[str, str], float]) -> None:
    """The rebuilt model reproduces each option's yearly total cost in ``result`` (GBP), else a
    :class:`DDAnalysisError`."""
    flows = model.evaluate(values)
    annual = result.annual
    option_of_row = annual["option"].to_numpy()
    year_of_row = annual["year_index"].to_numpy()
    cost_of_row = annual["cost_gbp"].to_numpy(dtype=float)
    for opt, comps in flows.items():
        got = ProjectModel.total(comps)[0]
        mine = option_of_row == opt
        expected = cost_of_row[mine][np.argsort(year_of_row[mine], kind="stable")]
        if expected.shape != got.shape or not np.allclose(got, expected, rtol=0, atol=REBUILD_TOLERANCE_GBP):
            raise DDAnalysisError(
                f"{result.project_id}: the data files changed since this appraisal (the cash flows "
                f"of {opt} no longer reproduce); re-run the appraisal before exporting"
            )


__all__ = ["ModelInputs", "model_inputs"]
