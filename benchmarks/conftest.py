"""Benchmarks report ratios against a baseline measured in the same run (no absolute thresholds)."""

import pytest

RATIOS: dict[str, tuple[float, float | None]] = {}


def record_ratio(name: str, ratio: float, goal: float | None = None) -> None:
    """Keep a measured ratio (candidate / baseline) for the end-of-run report."""
    RATIOS[name] = (ratio, goal)


def pytest_terminal_summary(terminalreporter):
    if not RATIOS:
        return
    terminalreporter.section("ratios against same-run baselines")
    for name, (ratio, goal) in RATIOS.items():
        verdict = (
            ""
            if goal is None
            else ("  (goal <= %.1fx: met)" % goal if ratio <= goal else "  (goal <= %.1fx: NOT met)" % goal)
        )
        terminalreporter.write_line(f"{name}: {ratio:.2f}x{verdict}")


@pytest.fixture
def ratio():
    return record_ratio
