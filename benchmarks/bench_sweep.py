"""Sweep benchmark: replications per second of the default scenario, and a 10-design sweep.

1. Replications per second of the default scenario (KPIs only, as a sweep runs them) with every
   core, ``--replications`` of them (default 20).
2. Wall time of a factorial sweep of 10 designs (Forum assessors 1–5 × two inflows of
   arbetslösa) × ``--per-design`` replications (default 100, i.e. 1,000 replications: several
   minutes on 2 cores). ``--quick`` runs 4 and 5 instead.

Run: ``.venv/bin/python benchmarks/bench_sweep.py [--quick] [--workers N] [--scheduler local]``.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

from samflode import load_scenario
from samflode.execution.parallel import executor, imap_unordered
from samflode.execution.tasks import run_one_kpis
from samflode.experiments.sweep import parse_grid, sweep

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT / "samflode" / "scenarios" / "nacka-forum.yaml"
GRID = ["staff.forum_bedomare.headcount=1,2,3,4,5", "groups.arbetslosa.inflow_per_week=3,6"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="4 and 5 replications")
    parser.add_argument("--replications", type=int, default=None)
    parser.add_argument("--per-design", type=int, default=None)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--scheduler", default=None)
    args = parser.parse_args()
    reps = args.replications or (4 if args.quick else 20)
    per_design = args.per_design or (5 if args.quick else 100)
    sc = load_scenario(DEFAULT)
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} logical cores, "
        f"Python {platform.python_version()}; workers {args.workers}, "
        f"scheduler {args.scheduler or 'process pool'}"
    )

    start = time.perf_counter()
    with executor(args.workers, args.scheduler) as ex:
        ready = time.perf_counter()
        calls = ((r, run_one_kpis, (sc, 1, r)) for r in range(reps))
        for _ in imap_unordered(ex, calls):
            pass
    end = time.perf_counter()
    print(
        f"\n1. {sc.name} ({sc.horizon_days:g} days): {reps} replications in {end - ready:.2f} s "
        f"= {reps / (end - ready):.2f} replications/s ({args.workers} workers; "
        f"start-up {ready - start:.2f} s not counted)"
    )

    axes = parse_grid(GRID)
    designs = 1
    for axis in axes:
        designs *= len(axis.values)
    start = time.perf_counter()
    table = sweep(
        sc,
        axes,
        seed=1,
        replications=per_design,
        workers=args.workers,
        scheduler=args.scheduler,
    )
    wall = time.perf_counter() - start
    total = designs * per_design
    print(
        f"\n2. sweep of {designs} designs × {per_design} replications = {total}: {wall:.1f} s "
        f"({total / wall:.2f} replications/s, including start-up), {len(table)} table rows"
    )
    shown = table[table["kpi"] == "days_to_first_meeting_mean"]
    print(shown.drop(columns="kpi").to_string(index=False, float_format=lambda x: f"{x:.2f}"))


if __name__ == "__main__":
    main()
