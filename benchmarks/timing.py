"""What several benchmarks share: the project they time and the best of a few timed runs (seconds)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from ddanalysis.assumptions import load_book
from ddanalysis.engine import build_model

if TYPE_CHECKING:
    import pandas as pd

    from ddanalysis.model import ProjectModel

#: The longest short list: six options (and the most assumptions: 87).
LARGEST_PROJECT = "nelincs-environment"


def best_of(fn: Callable[[], object], repeat: int = 3) -> float:
    """The shortest wall-clock time of ``repeat`` runs of ``fn``, in seconds (the least disturbed run)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def central_model(project_id: str = LARGEST_PROJECT) -> tuple[ProjectModel, pd.Series]:
    """A project's cash-flow model and its central-scenario assumption values (by assumption key)."""
    model, _ = build_model(project_id)
    return model, load_book(project_id).values("central")
