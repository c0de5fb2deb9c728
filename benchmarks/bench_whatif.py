"""A what-if change on the appraisal dashboard: how long until every figure follows.

    .venv/bin/pytest benchmarks/bench_whatif.py -p no:xdist -s      (or: .venv/bin/python benchmarks/bench_whatif.py)

In-process (the kernel's side: re-appraisal through the ResultStore and the redraw of the tab on screen,
i.e. every widget value and chart output of the visible tab; the browser's own paint is measured for
dropdowns by ../shared/tools/measure_voila.py). The page is built once (ranking and cached results
warm, as a preheated Voila kernel has them), then each of the what-if controls is moved to new values
never computed before, alternately:

* deterministic: from the change to every deterministic figure and chart of the Summary and the
  Compare tab redrawn (what the viewer waits for; the Monte Carlo figures show "updating");
* Monte Carlo: from the change until the Monte Carlo figures (P10, P90, chances, histogram) have
  followed in the background.

Goals (reported, never asserted): deterministic median <= 0.3 s; Monte Carlo <= 2 s.
Results go to the end-of-run ratio report and to ``output/bench/whatif.json``.
"""

from __future__ import annotations

import json
import os
import statistics
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RUNS = int(os.environ.get("DD_BENCH_RUNS", "12"))
PID = os.environ.get("DD_BENCH_PROJECT", "walsall-college")
DETERMINISTIC_GOAL_S = 0.3
MC_GOAL_S = 2.0


def measure(runs: int = RUNS, pid: str = PID) -> dict:
    from ddanalysis.dashboard.appraisal import TABS, AppraisalPage
    from ddanalysis.dashboard.store import ResultStore

    store = ResultStore(use_disk=False, fingerprint="bench-whatif")
    page = AppraisalPage(store, pid, follow_in_background=True)
    controls = list(page.whatif.controls.items())
    out: dict[str, dict[str, list[float]]] = {}
    for tab in ("Summary", "Compare"):
        page.tabs.selected_index = TABS.index(tab)
        det, mc = [], []
        for i in range(runs):
            key, control = controls[i % len(controls)]
            step = (control.max - control.min) / (runs + 3)
            value = control.min + step * (i + 1 + (0.5 if tab == "Compare" else 0.0))
            t0 = time.perf_counter()
            control.value = value  # the observer re-appraises and redraws synchronously
            det.append(time.perf_counter() - t0)
            deadline = t0 + 30
            while (
                "data-dd-mc='done'" not in page.status.value
                and "dd-mc-updating" in page.status.value
                and time.perf_counter() < deadline
            ):
                time.sleep(0.005)
            mc.append(time.perf_counter() - t0)
            page.whatif.clear(notify=True)  # back to the cached scenario view (not timed)
        out[tab] = {"deterministic_s": det, "monte_carlo_s": mc}
    summary = {
        tab: {
            "deterministic_median_s": statistics.median(v["deterministic_s"]),
            "monte_carlo_median_s": statistics.median(v["monte_carlo_s"]),
            "runs": runs,
            **v,
        }
        for tab, v in out.items()
    }
    return {
        "project": pid,
        "goals": {"deterministic_s": DETERMINISTIC_GOAL_S, "monte_carlo_s": MC_GOAL_S},
        "tabs": summary,
    }


def _write(result: dict) -> None:
    from ddanalysis.atomic import write_atomic

    path = REPO / "output" / "bench" / "whatif.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, json.dumps(result, indent=1).encode())


def test_what_if_change_redraw(ratio):
    result = measure()
    _write(result)
    for tab, r in result["tabs"].items():
        print(
            f"[bench_whatif] {tab}: deterministic median {r['deterministic_median_s']:.3f} s, "
            f"Monte Carlo median {r['monte_carlo_median_s']:.3f} s over {r['runs']} what-if changes"
        )
        ratio(
            f"what-if {tab}: deterministic redraw / 0.3 s goal", r["deterministic_median_s"] / DETERMINISTIC_GOAL_S, 1.0
        )
        ratio(f"what-if {tab}: Monte Carlo follow / 2 s goal", r["monte_carlo_median_s"] / MC_GOAL_S, 1.0)


if __name__ == "__main__":
    res = measure()
    _write(res)
    print(
        json.dumps(
            {t: {k: v for k, v in r.items() if k.endswith("median_s")} for t, r in res["tabs"].items()}, indent=1
        )
    )
