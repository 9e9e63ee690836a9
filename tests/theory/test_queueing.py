"""Model against queueing theory: Erlang C, Pollaczek–Khinchine, Erlang A, Jackson, Little.

The cases, the Bonferroni level and the power rule are in ``queueing_cases.py`` (shared with
``benchmarks/verify_queueing.py``). Each CI check asserts two things: the interval is narrow
(half-width ≤ 2 % of theory, so a loss of power fails loudly) and it covers the theory.
"""

from __future__ import annotations

import math

import pytest
from queueing_cases import (
    CHECKS,
    ERLANG_A,
    FAMILY_ALPHA,
    LEVEL,
    LITTLE_REL_TOL,
    TANDEM,
    evaluate,
    run_case,
)


@pytest.fixture(scope="module")
def samples():
    """Replication measures per case, each case run once however many checks use it."""
    cache = {}

    def get(case):
        if case.name not in cache:
            cache[case.name] = run_case(case)
        return cache[case.name]

    return get


def test_bonferroni_level_covers_every_check():
    assert math.isclose(LEVEL, 1 - FAMILY_ALPHA / len(CHECKS))
    assert len({c.name for c in CHECKS}) == len(CHECKS)


@pytest.mark.parametrize("check", CHECKS, ids=[c.name for c in CHECKS])
def test_model_matches_theory(check, samples):
    outcome = evaluate(check, samples(check.case))
    assert outcome.interval.n == check.case.replications, outcome.message()
    assert outcome.narrow, f"too little power: {outcome.message()}"
    assert outcome.covers, outcome.message()


def test_littles_law_per_replication(samples):
    """L = λW for the whole tandem, in every replication.

    L is the time-average number in system over the window, λ the observed arrival rate and W
    the mean sojourn of those who arrived in the window and left before the horizon. They differ
    only by boundary terms (those present at the window's start, those still in at its end), so
    each replication agrees within 0.5 %; with the boundary terms computed from the log the
    accounting is exact.
    """
    rows = samples(TANDEM)
    assert len(rows) >= 20
    for r, row in rows.iterrows():
        assert math.isclose(row["L"], row["lambda_W"], rel_tol=LITTLE_REL_TOL), (
            f"replication {r}: L = {row['L']:.5f}, λW = {row['lambda_W']:.5f} "
            f"(rel. diff {abs(row['L'] - row['lambda_W']) / row['lambda_W']:.3%}, "
            f"tolerance {LITTLE_REL_TOL:.1%})"
        )
        assert math.isclose(row["area"], row["area_from_parts"], rel_tol=1e-9), (
            f"replication {r}: ∫N dt = {row['area']:.6f}, completed sojourns + censored + "
            f"before the window = {row['area_from_parts']:.6f}"
        )
        assert row["arrivals"] == row["exits"] + row["in_system_end"], f"replication {r}"


def test_erlang_a_scenario_is_m_m_c_plus_m(samples):
    """The Erlang A case really is M/M/c+M.

    In the model a participant's patience is drawn at arrival and timed from the moment they
    join a staff queue; finding a free server costs no patience, and a drop-out leaves the queue
    at once. With walk-in only (no booking delay) and one stage the clock starts at arrival and
    applies only while waiting, as in Erlang A. Checked here: drop-outs happen only at the Forum
    triage, never after a meeting, and every replication has some.
    """
    rows = samples(ERLANG_A)
    assert (rows["dropouts_not_at_forum"] == 0).all()
    assert (rows["dropouts_after_a_meeting"] == 0).all()
    assert (rows["dropout"] > 0).all()
