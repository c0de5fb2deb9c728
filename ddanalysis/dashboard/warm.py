"""Fill the dashboards' shared result cache in the background (started by ``serve``).

    python -m ddanalysis.dashboard.warm [--parent PID] [--quick]

Computes, in the order viewers need them, every project under every scenario and perspective at
the scenario's own optimism-bias mitigation, then every step of the optimism-bias slider in the
central scenario, skipping what is cached already (a first start takes several minutes at low
priority; later starts find everything cached until a data file changes); stops early when the
server (``--parent``) has gone. Progress and failures go to stderr (the server log).
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from .store import ResultStore, default_keys, prune_stale


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m ddanalysis.dashboard.warm", description=__doc__.splitlines()[0])
    ap.add_argument("--parent", type=int, default=None, help="stop when this process has ended")
    ap.add_argument("--quick", action="store_true", help="central scenario, council perspective only")
    ap.add_argument("--no-slider", action="store_true", help="skip the optimism-bias slider's steps")
    args = ap.parse_args(argv)
    store = ResultStore()
    removed = prune_stale(store)
    if removed:
        print(
            f"[ddanalysis.dashboard.warm] removed {removed} results computed before the last data change",
            file=sys.stderr,
            flush=True,
        )
    try:  # the what-if panel's impact ranking, once per data version (plain JSON in the cache folder)
        from .whatif import ranked_keys

        ranked_keys(store)
    except Exception as exc:  # noqa: BLE001 - each kernel computes it then
        print(f"[ddanalysis.dashboard.warm] impact ranking: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
    keys = (
        default_keys(scenarios=["central"], perspectives=("council",))
        if args.quick
        else default_keys(ob_grid=not args.no_slider)
    )
    todo = [k for k in keys if store.cached(k) is None]
    print(
        f"[ddanalysis.dashboard.warm] {len(keys) - len(todo)} of {len(keys)} results cached in {store.directory}; "
        f"computing {len(todo)}",
        file=sys.stderr,
        flush=True,
    )
    t0 = time.perf_counter()
    for i, key in enumerate(todo, 1):
        if args.parent is not None and os.getppid() != args.parent:
            print("[ddanalysis.dashboard.warm] server gone; stopping", file=sys.stderr, flush=True)
            return 0
        try:
            store.get(key)
        except Exception as exc:  # noqa: BLE001 - the dashboard shows the error when that view is opened
            print(f"[ddanalysis.dashboard.warm] {key}: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
        if i % 50 == 0 or i == len(todo):
            print(
                f"[ddanalysis.dashboard.warm] {i}/{len(todo)} in {time.perf_counter() - t0:.0f} s",
                file=sys.stderr,
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
