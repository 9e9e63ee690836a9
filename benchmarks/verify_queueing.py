"""Print the figures behind the queueing-theory tests: simulated vs Erlang C, and Little's law.

Same cases, seeds and replications as tests/theory/test_queueing.py, so the note on an issue can
quote what the tests assert. Run: .venv/bin/python benchmarks/verify_queueing.py
"""

from __future__ import annotations

from samflode.analysis.kpi import cohort_arrivals, time_average_in_system
from samflode.analysis.stats import confidence_interval
from samflode.analysis.theory import markovian_scenario, mmc_mean_wait
from samflode.execution.tasks import run_one

CASES = [(4.0, 10.0, 1, 1500.0), (16.0, 5.0, 4, 600.0), (9.0, 10.0, 1, 3000.0),
         (27.0, 10.0, 3, 1200.0), (10.0, 2.0, 6, 1000.0)]


def main() -> None:
    print("M/M/c Forum: mean wait Wq (days), 20 replications, seed 2024, warm-up = horizon/10")
    print(f"{'lambda':>7} {'mu':>5} {'c':>3} {'rho':>5} {'Erlang C':>9} {'simulated':>10} "
          f"{'95% CI':>20} {'inside':>7}")
    for lam, mu, c, horizon in CASES:
        sc = markovian_scenario(arrival_rate_per_day=lam, service_mean_days=1 / mu, servers=c,
                                horizon_days=horizon, warmup_days=horizon / 10)
        waits = [run_one(sc, 2024, r)[1]["days_to_first_meeting_mean"] for r in range(20)]
        mean, low, high, _ = confidence_interval(waits)
        theory = mmc_mean_wait(lam, mu, c)
        print(f"{lam:7.1f} {mu:5.1f} {c:3d} {lam / (c * mu):5.2f} {theory:9.4f} {mean:10.4f} "
              f"[{low:8.4f}, {high:8.4f}] {'yes' if low <= theory <= high else 'NO':>7}")
    horizon, warmup = 2000.0, 200.0
    sc = markovian_scenario(arrival_rate_per_day=8.0, service_mean_days=0.1, servers=1,
                            horizon_days=horizon, warmup_days=warmup, second_stage=(0.2, 2))
    events, kpis = run_one(sc, 11, 0)
    arrived = cohort_arrivals(events, warmup, horizon)
    exited = events[events["event"] == "exited"].set_index("participant")["time"]
    w = (exited.reindex(arrived.index) - arrived).dropna().mean()
    lam = len(arrived) / (horizon - warmup)
    big_l = time_average_in_system(events, warmup, horizon)
    theory_w = mmc_mean_wait(8.0, 10.0, 1) + 0.1 + mmc_mean_wait(8.0, 5.0, 2) + 0.2
    print("\nLittle's law, tandem M/M/1 -> M/M/2 (lambda 8/day, mean service 0.1 d and 0.2 d)")
    print(f"  L = {big_l:.4f}   lambda*W = {lam:.4f} * {w:.4f} = {lam * w:.4f}   "
          f"(rel. diff {abs(big_l - lam * w) / big_l:.2%})")
    print(f"  W = {w:.4f} d, Jackson-network theory {theory_w:.4f} d")
    print(f"  conservation: arrivals {kpis['arrivals']:.0f} = exits {kpis['exits']:.0f} "
          f"+ in system {kpis['in_system_end']:.0f}")


if __name__ == "__main__":
    main()
