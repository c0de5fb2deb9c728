"""Engine speed: Monte Carlo against drawing the same variates; a full appraisal of all ten projects."""
import time

from ddanalysis import registry
from ddanalysis.assumptions import load_book
from ddanalysis.engine import appraise, build_model
from ddanalysis.uncertainty import draw_values, monte_carlo

DRAWS = 100_000
PID = "nelincs-environment"  # the longest short list: six options


def _best_of(fn, repeat=3):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def test_monte_carlo_100k_draws_vs_generating_the_variates(benchmark, ratio):
    model, _ = build_model(PID)
    values = load_book(PID).values("central")
    baseline = _best_of(lambda: draw_values(model, values, DRAWS, seed=1))
    result = benchmark.pedantic(lambda: monte_carlo(model, values, draws=DRAWS, seed=1), rounds=3, iterations=1)
    assert len(result.draws) == DRAWS and result.draws.shape[1] == len(model.options)
    ratio("Monte Carlo 100k draws, every option / drawing the variates alone", benchmark.stats["min"] / baseline, 3.0)


def test_deterministic_appraisal_of_all_ten_projects(benchmark, ratio):
    ids = registry.project_ids()
    # baseline: the cash-flow evaluation alone (the model's core), for the same ten projects
    models = {pid: (build_model(pid)[0], load_book(pid).values("central").to_dict()) for pid in ids}
    core = _best_of(lambda: [m.net_present_savings(v) for m, v in models.values()])
    results = benchmark.pedantic(lambda: [appraise(pid, draws=0) for pid in ids], rounds=2, iterations=1)
    assert len(results) == 10
    ratio("full deterministic appraisal of 10 projects (with tornado, switching, MCA, plans) / cash flows alone",
          benchmark.stats["min"] / core)
