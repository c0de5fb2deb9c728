"""Record every bundled project's results as a regression guard (``tests/fixtures/bundled_results_before_move.json``).

Usage: ``python scripts/record_bundled_results.py OUT.json``. Writes, for each bundled project, each option's
net present saving (GBP) and MCA score, central scenario, council perspective, no Monte Carlo draws, and the
baseline's net budget (GBP). It uses only ``registry.project_ids`` and ``engine.appraise``, so it runs on the
layout before the projects became workspace folders as well as after: run it on the code being replaced,
then check the replacement against the file (``tests/test_workspace.py``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def record() -> dict[str, dict]:
    """project id -> {option id: {net_present_saving_gbp, mca_score}, '_net_budget_gbp': GBP}."""
    from ddanalysis import registry
    from ddanalysis.engine import appraise

    out: dict[str, dict] = {}
    for pid in registry.project_ids():
        r = appraise(pid, draws=0, with_switching=False, with_decision=False, with_sensitivity=False)
        out[pid] = {
            row.id: {"net_present_saving_gbp": row.net_present_saving_gbp, "mca_score": row.mca_score}
            for row in r.options.itertuples()
        }
        out[pid]["_net_budget_gbp"] = r.baseline.net_budget_gbp
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python scripts/record_bundled_results.py OUT.json", file=sys.stderr)
        return 2
    Path(argv[0]).write_text(json.dumps(record(), indent=2, sort_keys=True), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
