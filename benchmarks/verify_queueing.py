"""Print the figures behind the queueing-theory tests: every check's theory, estimate and CI.

The cases, seeds, replications, Bonferroni level and power rule are imported from
tests/theory/queueing_cases.py, the module tests/theory/test_queueing.py asserts on, so the note
on an issue can quote exactly what the tests assert.
Run: .venv/bin/python benchmarks/verify_queueing.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "theory"))

from queueing_cases import (  # noqa: E402 - found through the path above
    CASES,
    CHECKS,
    LEVEL,
    LITTLE_REL_TOL,
    MAX_HALF_WIDTH,
    TANDEM,
    evaluate,
    run_case,
)


def main() -> None:
    samples = {}
    for case in CASES:
        t0 = time.perf_counter()
        samples[case.name] = run_case(case)
        print(
            f"ran {case.name}: {case.replications} replications x {case.horizon_days:.0f} days "
            f"(warm-up {case.warmup_days:.0f}), seed {case.seed}, "
            f"{time.perf_counter() - t0:.1f} s"
        )
    print(
        f"\n{len(CHECKS)} checks, each at the Bonferroni level {LEVEL:.4%} "
        f"(family-wise 95 %); power rule: half-width <= {MAX_HALF_WIDTH:.0%} of theory"
    )
    print(
        f"{'check':<26} {'theory':>9} {'estimate':>9} {'CI low':>9} {'CI high':>9} "
        f"{'half %':>7} {'inside':>6} {'narrow':>6}"
    )
    for check in CHECKS:
        o = evaluate(check, samples[check.case.name])
        i = o.interval
        print(
            f"{check.name:<26} {check.theory:9.5f} {i.mean:9.5f} {i.low:9.5f} {i.high:9.5f} "
            f"{o.half_share:7.2%} {'yes' if o.covers else 'NO':>6} {'yes' if o.narrow else 'NO':>6}"
        )
    print("\nCases:")
    for case in CASES:
        print(f"  {case.name}: {case.description}")
    rows = samples[TANDEM.name]
    rel = ((rows["L"] - rows["lambda_W"]).abs() / rows["lambda_W"]).sort_values()
    exact = ((rows["area"] - rows["area_from_parts"]).abs() / rows["area"]).max()
    conserved = (rows["arrivals"] == rows["exits"] + rows["in_system_end"]).all()
    print(f"\nLittle's law on {TANDEM.name}, {len(rows)} replications:")
    print(
        f"  |L - lambda*W| / lambda*W: median {rel.median():.4%}, max {rel.max():.4%} "
        f"(tolerance {LITTLE_REL_TOL:.1%} per replication)"
    )
    print(f"  with boundary terms from the log: max rel. diff {exact:.1e}")
    print(f"  conservation arrivals = exits + in system: {'yes' if conserved else 'NO'}")


if __name__ == "__main__":
    main()
