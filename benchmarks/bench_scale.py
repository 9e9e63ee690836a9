"""Scale benchmark: worker speed-up, process pool against Dask, and memory for many replications.

1. The default scenario, ``--replications`` (8) replications with 1 and with 2 worker processes:
   wall time and speed-up (target ≥ 1.8× on 2 cores).
2. The same with a Dask LocalCluster of 2 single-threaded worker processes: wall time with the
   cluster's start-up and on a cluster already running (target: within 15 % of the pool).
3. Peak memory of a run written to a directory (``run_to_directory``, 2 workers) of a tiny scenario
   (60 days) with 10 and with ``--many`` (1,000) replications, each in a fresh process: the parent's
   peak RSS and the largest worker's (target: flat).

Results are checked to be identical between the ways of running. Default runtime about 2 minutes
on 2 cores. Run: ``.venv/bin/python benchmarks/bench_scale.py [--replications 8] [--many 1000]``.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

from sim import load_scenario, simulate
from sim.parallel import executor
from sim.runner import simulate_on

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT / "scenarios" / "nacka-forum.yaml"

MEMORY_CHILD = """
import resource, sys, tempfile
from sim import load_scenario
from sim.runner import run_to_directory
from sim.scenario import Scenario
data = load_scenario(sys.argv[1]).model_dump()
sc = Scenario.model_validate(data | {"horizon_days": 60.0, "warmup_days": 0.0})
with tempfile.TemporaryDirectory() as out:
    run_to_directory(sc, out, seed=1, replications=int(sys.argv[2]), workers=2)
me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(me, kids)
"""


def timed(fn):  # noqa: ANN001, ANN201
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def peak_memory(replications: int) -> tuple[float, float, float]:
    """(wall s, parent peak RSS MiB, largest child peak RSS MiB) of a directory run."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", MEMORY_CHILD, str(DEFAULT), str(replications)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    wall = time.perf_counter() - start
    me, kids = (int(x) for x in done.stdout.split())
    return wall, me / 1024, kids / 1024  # ru_maxrss is in KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replications", type=int, default=8)
    parser.add_argument("--many", type=int, default=1000)
    args = parser.parse_args()
    sc = load_scenario(DEFAULT)
    n = args.replications
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} logical cores, "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )

    print(f"\n1. {sc.name}, {n} replications ({sc.horizon_days:g} days each)")
    t1, one = timed(lambda: simulate(sc, seed=1, replications=n, workers=1))
    t2, two = timed(lambda: simulate(sc, seed=1, replications=n, workers=2))
    pd.testing.assert_frame_equal(one.kpis, two.kpis)
    pd.testing.assert_frame_equal(one.events, two.events)
    print(f"   1 worker : {t1:7.2f} s  ({n / t1:.2f} replications/s)")
    print(f"   2 workers: {t2:7.2f} s  ({n / t2:.2f} replications/s)")
    print(f"   speed-up : {t1 / t2:.2f}×  (target ≥ 1.8×; identical results: yes)")

    print("\n2. process pool against Dask LocalCluster (2 single-threaded worker processes)")
    td, dask = timed(lambda: simulate(sc, seed=1, replications=n, workers=2, scheduler="local"))
    pd.testing.assert_frame_equal(one.kpis, dask.kpis)
    pd.testing.assert_frame_equal(one.events, dask.events)
    with executor(2, "local") as ex:
        tw, warm = timed(lambda: simulate_on(ex, sc, seed=1, replications=n))
    pd.testing.assert_frame_equal(one.kpis, warm.kpis)
    print(f"   process pool           : {t2:7.2f} s")
    print(f"   Dask, with start-up    : {td:7.2f} s  ({td / t2 - 1:+.0%} vs pool)")
    print(f"   Dask, cluster running  : {tw:7.2f} s  ({tw / t2 - 1:+.0%} vs pool; target ±15 %)")
    print("   identical results: yes")

    print("\n3. peak memory, run_to_directory, 2 workers, 60-day scenario, each in a fresh process")
    rows = []
    for reps in (10, args.many):
        wall, parent, child = peak_memory(reps)
        rows.append((reps, wall, parent, child))
        print(
            f"   {reps:5d} replications: {wall:6.1f} s, parent peak {parent:6.1f} MiB, "
            f"largest worker peak {child:6.1f} MiB"
        )
    (_, _, p10, c10), (_, _, pmany, cmany) = rows
    print(
        f"   growth 10 → {args.many}: parent {pmany - p10:+.1f} MiB, worker {cmany - c10:+.1f} MiB "
        "(target: flat)"
    )


if __name__ == "__main__":
    main()
