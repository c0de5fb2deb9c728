"""Engine speed: Monte Carlo against drawing the same variates; the correlated Monte Carlo against the
independent one; a full appraisal of all ten projects."""

from timing import best_of, central_model

from ddanalysis import registry
from ddanalysis.engine import appraise
from ddanalysis.sampling import Correlations, load_correlations
from ddanalysis.uncertainty import draw_values, monte_carlo

DRAWS = 100_000


def test_monte_carlo_100k_draws_vs_generating_the_variates(benchmark, ratio):
    model, values = central_model()
    # the independent sampler on both sides, as when this benchmark was written (the correlated sampler
    # draws several times faster, which would move this ratio without any change in the model's cost;
    # it has its own benchmark below)
    baseline = best_of(lambda: draw_values(model, values, DRAWS, seed=1, method="independent"))
    result = benchmark.pedantic(
        lambda: monte_carlo(model, values, draws=DRAWS, seed=1, method="independent"), rounds=3, iterations=1
    )
    assert len(result.draws) == DRAWS and result.draws.shape[1] == len(model.options)
    ratio("Monte Carlo 100k draws, every option / drawing the variates alone", benchmark.stats["min"] / baseline, 3.0)


def test_correlated_monte_carlo_100k_draws_vs_the_independent_monte_carlo(benchmark, ratio):
    """M4: the correlated Monte Carlo (shared quantities drawn once, declared rank
    correlations by a Gaussian copula) stays vectorised: 100,000 draws over every option of the
    largest project, against the independent Monte Carlo of the same model and draws in the same run.

    Two baselines: today's independent sampler (``method='independent'``: every assumption of every
    scope drawn on its own with ``Generator.beta``), the issue's comparison (goal at most 1.5x); and the
    same sampler with no correlation (``Correlations.none()``), which isolates what the copula costs.
    """
    model, values = central_model()
    load_correlations()  # parse the file outside the timings (it is cached)
    today = best_of(lambda: monte_carlo(model, values, draws=DRAWS, seed=1, method="independent"))
    same_sampler = best_of(lambda: monte_carlo(model, values, draws=DRAWS, seed=1, correlations=Correlations.none()))
    result = benchmark.pedantic(lambda: monte_carlo(model, values, draws=DRAWS, seed=1), rounds=3, iterations=1)
    assert result.method == "correlated" and result.inputs.shape[0] == DRAWS
    assert result.draws.shape == (DRAWS, len(model.options))
    ratio(
        "Correlated Monte Carlo 100k draws, every option / today's independent Monte Carlo",
        benchmark.stats["min"] / today,
        1.5,
    )
    ratio(
        "Correlated Monte Carlo 100k draws / the same sampler without correlations",
        benchmark.stats["min"] / same_sampler,
        1.5,
    )


def test_deterministic_appraisal_of_all_ten_projects(benchmark, ratio):
    ids = registry.project_ids()
    # baseline: the cash-flow evaluation alone (the model's core), for the same ten projects
    models = [(model, values.to_dict()) for model, values in map(central_model, ids)]
    core = best_of(lambda: [m.net_present_savings(v) for m, v in models])
    results = benchmark.pedantic(lambda: [appraise(pid, draws=0) for pid in ids], rounds=2, iterations=1)
    assert len(results) == 10
    ratio(
        "full deterministic appraisal of 10 projects (with tornado, switching, MCA, plans) / cash flows alone",
        benchmark.stats["min"] / core,
    )
