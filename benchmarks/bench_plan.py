"""The capacity planner: simulations and wall time against an exhaustive grid, and theory checks.

Part 1, the default scenario (nacka-forum): "how many Forum assessors for 90 % of first meetings
within 7 days?" at today's and at double inflow, one lever (``staff.forum_bedomare.headcount``
over its default bounds, 1 to 3 × today), mean mode, at most ``--replications`` per candidate.
The planner's simulations and wall time are printed beside those of the exhaustive grid over the
same bounds with the same number of replications at every point (what ``samflode sweep`` would
run). With ``--grid`` the grid at today's inflow is also *run* — its wall time measured and its
answer (the least headcount whose one-sided 95 % bound meets the target) compared with the
planner's. Goal: at most 1/5 of the grid's simulations; one pool answered in at most 60 s.

Part 2, Markovian scenarios: for several (λ, μ, rule, share) the exact least c from the M/M/c
wait distribution beside the planner's answer and its simulations.

Run: ``.venv/bin/python benchmarks/bench_plan.py [--replications 20] [--workers 2] [--grid]``.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time

from samflode.analysis.theory import least_servers, markovian_scenario, mmc_wait_within
from samflode.config.loader import load_scenario
from samflode.config.overrides import scale_inflow
from samflode.config.variants import variant
from samflode.execution.parallel import executor
from samflode.execution.tasks import run_one_kpis
from samflode.execution.units import Unit, run_units
from samflode.experiments.planning.decide import judge
from samflode.experiments.planning.search import plan
from samflode.experiments.planning.spec import parse_levers, parse_targets

DEFAULT = "samflode/scenarios/nacka-forum.yaml"
TARGET = "share_first_meeting_within_7d>=0.9"
LEVER = "staff.forum_bedomare.headcount"
MARKOVIAN = [
    (8.0, 1.0, 0.25, 0.8),
    (3.0, 1.0, 0.1, 0.7),
    (4.0, 0.5, 1.0, 0.9),
    (6.0, 1.0, 0.2, 0.85),
    (20.0, 2.0, 0.1, 0.8),
]


def grid(base, targets, lever, replications: int, seed: int, ex) -> tuple[int | None, int]:
    """Every value of the lever with ``replications`` each; the least that meets every target."""
    units = [
        Unit(f"{v}/{r}", run_one_kpis, (variant(base, {lever.paths[0]: v}, origin="grid"), seed, r))
        for v in range(lever.low, lever.high + 1)
        for r in range(replications)
    ]
    out = run_units(units, on=ex)
    least = None
    for v in range(lever.high, lever.low - 1, -1):
        kpis = [out[f"{v}/{r}"] for r in range(replications)]
        if all(judge(t, [k[t.kpi] for k in kpis], "mean", 0.95).met for t in targets):
            least = v
    return least, len(units)


def main() -> int:
    """Run both parts and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--replications", type=int, default=20)
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--grid", action="store_true", help="also run the grid at inflow × 1")
    args = parser.parse_args()
    print(f"# bench_plan: {platform.processor() or platform.machine()}, {args.workers} workers, "
          f"at most {args.replications} replications per candidate")  # fmt: skip
    base = load_scenario(DEFAULT)
    targets = parse_targets([TARGET], base)
    (lever,) = parse_levers([LEVER], base)
    print(f"\n## {base.name}: {TARGET}, lever {LEVER} = {lever.low}:{lever.high} (today "
          f"{lever.today})")  # fmt: skip
    print(f"{'inflow':>6} {'plan':>5} {'sims':>5} {'wall s':>7} {'grid sims':>9} {'ratio':>6} "
          f"{'grid plan':>9} {'grid s':>7}")  # fmt: skip
    with executor(args.workers) as ex:
        for scale in (1.0, 2.0):
            t0 = time.perf_counter()
            result = plan(base, targets, [lever], inflow_scales=(scale,), cap=args.replications,
                          seed=args.seed, on=ex)  # fmt: skip
            wall = time.perf_counter() - t0
            s = result.scales[0]
            grid_sims = (lever.high - lever.low + 1) * args.replications
            grid_plan, grid_wall = "-", "-"
            if args.grid and scale == 1.0:
                t0 = time.perf_counter()
                least, _ = grid(scale_inflow(base, scale), targets, lever, args.replications,
                                args.seed, ex)  # fmt: skip
                grid_wall = f"{time.perf_counter() - t0:.0f}"
                grid_plan = str(least)
            print(f"{scale:>6g} {s.chosen.values[0]:>5} {s.simulations:>5} {wall:>7.1f} "
                  f"{grid_sims:>9} {s.simulations / grid_sims:>6.2f} {grid_plan:>9} "
                  f"{grid_wall:>7}")  # fmt: skip
        print("\n## Markovian check: exact least c (M/M/c wait distribution) against the planner")
        print(f"{'λ/day':>6} {'μ/day':>6} {'t days':>6} {'share':>6} {'P(c−1)':>7} {'P(c)':>6} "
              f"{'exact c':>7} {'plan c':>6} {'sims':>5}")  # fmt: skip
        for lam, mu, t, share in MARKOVIAN:
            sc = markovian_scenario(
                arrival_rate_per_day=lam, service_mean_days=1 / mu, servers=int(lam / mu),
                horizon_days=200, warmup_days=20,
            )  # fmt: skip
            sc = variant(sc, {"rules.first_meeting_days": t, "staff.forum.cost_per_hour_sek": 300},
                         origin="bench")  # fmt: skip
            exact = least_servers(lam, mu, within=t, share=share)
            result = plan(sc, parse_targets([f"share_first_meeting_within_7d>={share}"], sc),
                          parse_levers(["staff.forum.headcount=1:40"], sc), cap=args.replications,
                          seed=args.seed, on=ex)  # fmt: skip
            s = result.scales[0]
            print(f"{lam:>6g} {mu:>6g} {t:>6g} {share:>6g} "
                  f"{mmc_wait_within(lam, mu, exact - 1, t):>7.3f} "
                  f"{mmc_wait_within(lam, mu, exact, t):>6.3f} {exact:>7} {s.chosen.values[0]:>6} "
                  f"{s.simulations:>5}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
