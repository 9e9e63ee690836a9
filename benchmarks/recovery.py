"""Parameter recovery: does a calibration's interval hold the truth as often as it says?

Simulation-based calibration on a problem small enough to repeat: an M/M/1 queue
(:func:`samflode.analysis.theory.markovian_scenario`) with two parameters, the weekly inflow and
the mean service time, each with a uniform prior. For each of ``--truths`` true parameter sets
drawn from the prior, the scenario runs once at the truth with a seed the calibrations never use
(one synthetic project, :mod:`samflode.experiments.calibration.recovery`), its KPIs (arrivals,
utilisation, mean days to the first meeting) become the targets, ``calibrate`` runs against them
with ``--budget`` simulations, and the truth is looked up in the posterior's 50 % and 90 %
intervals. Nominal coverage is 50 % and 90 %; the goal is within ±10 points.

Prints, per parameter, the coverage at both levels with its binomial standard error, the mean
shrinkage, and per calibration the simulations and the wall time.

Run: ``.venv/bin/python benchmarks/recovery.py [--truths 20] [--budget 100] [--replications 2]
[--workers 2]``.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import statistics
import sys
import time

from samflode.analysis.theory import markovian_scenario
from samflode.config.calibration import ParametersFile
from samflode.experiments.calibration.recovery import (
    MM1_KPIS,
    MM1_PARAMETERS,
    coverage,
    draw_truths,
    recover,
)

PARAMS = ParametersFile.model_validate(MM1_PARAMETERS)
KPIS = MM1_KPIS


def main() -> int:
    """Run the recoveries and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--truths", type=int, default=20)
    parser.add_argument("--budget", type=int, default=100)
    parser.add_argument("--replications", type=int, default=2)
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    scenario = markovian_scenario(
        arrival_rate_per_day=0.7, service_mean_days=0.8, servers=1, horizon_days=300,
        warmup_days=20, name="mm1",
    )  # fmt: skip
    truths = draw_truths(PARAMS, args.truths, args.seed)
    print(f"python {platform.python_version()}, {os.cpu_count()} cores, workers {args.workers}")
    print(
        f"{args.truths} truths from the prior; budget {args.budget} simulations, "
        f"{args.replications} replications a point\n"
    )
    results, seconds, runs = [], [], []
    for i, truth in enumerate(truths):
        start = time.perf_counter()
        rec = recover(
            {"mm1": scenario}, PARAMS, truth, KPIS, replication=i, seed=1,
            replications=args.replications, budget=args.budget, workers=args.workers,
        )  # fmt: skip
        seconds.append(time.perf_counter() - start)
        runs.append(rec.calibration.runs)
        results.append(rec)
        inside = rec.inside("90")
        shown = ", ".join(
            f"{k}={v:.3f}{'' if inside[k] else ' (outside 90 %)'}" for k, v in truth.items()
        )
        print(f"  truth {i + 1:2d}: {shown}  [{seconds[-1]:.1f} s, {runs[-1]} runs]")

    n = len(results)
    print(f"\n{'parameter':<12} {'cover 50 %':>16} {'cover 90 %':>16} {'shrinkage':>10}")
    c50, c90 = coverage(results, "50"), coverage(results, "90")
    ok = True
    for name in c50:
        shrink = statistics.mean(
            float(r.calibration.summary.set_index("parameter").at[name, "shrinkage"])
            for r in results
        )
        se50 = math.sqrt(0.25 / n)
        se90 = math.sqrt(0.09 / n)
        print(
            f"{name:<12} {c50[name]:>8.0%} ± {se50:4.0%} {c90[name]:>8.0%} ± {se90:4.0%} "
            f"{shrink:>10.2f}"
        )
        ok &= abs(c50[name] - 0.5) <= 0.10 and abs(c90[name] - 0.9) <= 0.10
    print(
        f"\nper calibration: {statistics.mean(runs):.0f} simulations, "
        f"{statistics.mean(seconds):.1f} s wall (min {min(seconds):.1f}, max {max(seconds):.1f})"
    )
    print(f"goal (coverage within ±10 points of nominal): {'met' if ok else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
