"""Queueing theory for verification, and the Markovian scenarios it applies to.

Erlang C gives the mean wait in an M/M/c queue; :func:`markovian_scenario` configures samflode so
that it *is* such a queue (or a tandem of two): Poisson arrivals, exponential service, no calendar,
no patience, everyone on one route, no Insatsmarknad and no follow-up. Optionally the Forum service
time has another distribution (M/G/1, checked with Pollaczek–Khinchine) or participants have
exponential patience (M/M/c+M, Erlang A, solved exactly from its birth–death chain). Tests and
benchmarks compare the model with these formulas.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from samflode.config.scenario import Scenario


def erlang_c(c: int, offered_load: float) -> float:
    """Probability that an arrival must wait in M/M/c with offered load a = λ/μ (a < c).

    Uses the stable Erlang B recursion B(k) = a·B(k−1) / (k + a·B(k−1)), then converts to C.
    """
    if offered_load >= c:
        return 1.0
    b = 1.0
    for k in range(1, c + 1):
        b = offered_load * b / (k + offered_load * b)
    rho = offered_load / c
    return b / (1.0 - rho + rho * b)


def mmc_mean_wait(arrival_rate: float, service_rate: float, c: int) -> float:
    """Mean time in queue Wq for M/M/c, in the time unit of the rates."""
    a = arrival_rate / service_rate
    if a >= c:
        return math.inf
    return erlang_c(c, a) / (c * service_rate - arrival_rate)


def mmc_wait_within(arrival_rate: float, service_rate: float, c: int, t: float) -> float:
    """P(Wq ≤ t) in M/M/c: 1 − C(c, a) e^{−(cμ − λ) t} (Kleinrock 1975 vol. 1, eq. 3.40); 0 if
    the queue is unstable. The share of arrivals whose first meeting starts within ``t``.
    """
    a = arrival_rate / service_rate
    if a >= c:
        return 0.0
    return 1.0 - erlang_c(c, a) * math.exp(-(c * service_rate - arrival_rate) * t)


def least_servers(
    arrival_rate: float, service_rate: float, *, within: float, share: float, most: int = 10_000
) -> int | None:
    """The least c with P(Wq ≤ ``within``) ≥ ``share`` in M/M/c, or None if none up to ``most``.

    Increasing c from the stability bound ⌊a⌋ + 1: P(Wq ≤ t) rises with c, so the first c that
    meets the share is the least. The capacity planner's analytic starting point.
    """
    c = max(1, math.floor(arrival_rate / service_rate) + 1)
    while c <= most:
        if mmc_wait_within(arrival_rate, service_rate, c, within) >= share:
            return c
        c += 1
    return None


def square_root_staffing(offered_load: float, beta: float = 1.0) -> int:
    """⌈a + β√a⌉: the Halfin–Whitt staffing rule, c = offered load plus a safety margin that grows
    with its square root (Halfin & Whitt 1981; β ≈ 1 keeps about one arrival in five waiting).
    Where no Erlang formula applies it is the planner's first guess, never its answer.
    """
    return max(1, math.ceil(offered_load + beta * math.sqrt(max(offered_load, 0.0))))


def mg1_mean_wait(arrival_rate: float, service_mean: float, service_second_moment: float) -> float:
    """Mean time in queue Wq for M/G/1 by the Pollaczek–Khinchine formula.

    ``Wq = λ E[S²] / (2 (1 − ρ))`` with ρ = λ E[S] (Kleinrock 1975, *Queueing Systems* vol. 1,
    eq. 5.72). It is exact for any service distribution with a finite second moment, so it checks
    the model with service times that are not exponential (lognormal, deterministic) where Erlang
    C no longer applies.

    Parameters
    ----------
    arrival_rate : float
        Poisson arrival rate λ.
    service_mean : float
        E[S], in the reciprocal time unit of ``arrival_rate``.
    service_second_moment : float
        E[S²] = Var S + E[S]², in the same unit squared.

    Returns
    -------
    float
        Wq in the time unit of the rates; infinity if ρ ≥ 1.
    """
    rho = arrival_rate * service_mean
    if rho >= 1.0:
        return math.inf
    return arrival_rate * service_second_moment / (2.0 * (1.0 - rho))


def jackson_tandem_sojourn(arrival_rate: float, stages: Sequence[tuple[float, int]]) -> float:
    """Mean sojourn W through a tandem of M/M/c queues, each stage given as (service rate, c).

    By Burke's theorem the departures of a stable M/M/c queue are Poisson with the arrival rate,
    so each stage of the tandem (a Jackson network, Kleinrock 1975 §4.8) is again M/M/c and
    ``W = Σ (Wq_i + 1/μ_i)``.
    """
    return sum(mmc_mean_wait(arrival_rate, mu, c) + 1.0 / mu for mu, c in stages)


@dataclass(frozen=True)
class ErlangA:
    """Stationary measures of the M/M/c+M (Erlang A) queue, from :func:`erlang_a`.

    Times are in the time unit of the rates. ``mean_wait`` covers every arrival (the wait ends at
    service or at abandonment), ``mean_wait_served`` only those who were served.
    """

    p_wait: float
    p_abandon: float
    mean_queue: float
    mean_wait: float
    mean_wait_served: float
    states: int


def erlang_a(
    arrival_rate: float,
    service_rate: float,
    servers: int,
    abandonment_rate: float,
    *,
    tail: float = 1e-16,
) -> ErlangA:
    """M/M/c+M (Erlang A): Poisson arrivals, c exponential servers, exponential patience.

    A customer who finds all servers busy abandons when the wait exceeds their patience, an
    exponential time of rate θ. The number in system is then a birth–death chain with birth rate
    λ and death rate ``min(n, c) μ + max(n − c, 0) θ`` (Palm 1943; Garnett, Mandelbaum & Reiman
    2002, *Designing a call center with impatient customers*, M&SOM 4(3), §3). The chain is
    solved exactly, truncated where the stationary probability falls below ``tail`` relative to
    its largest term (it always does: the death rate grows without bound when θ > 0).

    The waits follow from PASTA and FCFS: an arrival who sees n ≥ c is at queue position
    k = n − c + 1; with j − 1 customers ahead the next move forward comes at rate
    r_j = cμ + (j − 1)θ, so the wait with infinite patience is V = Σ_{j≤k} Exp(r_j). The customer
    is served if patience τ > V, with probability E[e^{−θV}] = cμ / (cμ + kθ) (the product
    telescopes), and E[V; τ > V] = E[e^{−θV}] Σ_{j≤k} 1/(r_j + θ). The abandonment probability
    equals θ E[Q] / λ (abandonment flow = arrival flow × share abandoning), which the unit tests
    check against the per-position sum.

    Parameters
    ----------
    arrival_rate, service_rate : float
        λ and μ (per unit time).
    servers : int
        c.
    abandonment_rate : float
        θ = 1 / mean patience; must be positive.
    tail : float
        Relative size of the last stationary probability kept.

    Returns
    -------
    ErlangA
        P(wait), P(abandon), E[queue length], mean wait of all arrivals (E[Q]/λ by Little's law)
        and of those served, and the number of states used.
    """
    if abandonment_rate <= 0:
        raise ValueError("abandonment_rate must be positive (θ = 0 is Erlang C: mmc_mean_wait)")
    lam, mu, c, theta = arrival_rate, service_rate, servers, abandonment_rate
    # Unnormalised log-probabilities by detailed balance: π_n = π_{n-1} λ / death(n).
    logs = [0.0]
    top = 0.0
    n = 0
    while True:
        n += 1
        death = min(n, c) * mu + max(n - c, 0) * theta
        logs.append(logs[-1] + math.log(lam / death))
        top = max(top, logs[-1])
        # Past the mode (death > λ) the terms only fall, so the rest of the tail is negligible.
        if n > c and death > lam and logs[-1] < top + math.log(tail):
            break
    log_pi = np.asarray(logs)
    pi = np.exp(log_pi - log_pi.max())
    pi /= pi.sum()
    states = np.arange(len(pi))
    queue = np.maximum(states - c, 0)
    waiting = states >= c
    k = (states - c + 1)[waiting]  # queue position of an arrival who sees n ≥ c
    served_given_k = c * mu / (c * mu + k * theta)
    # Σ_{j≤k} 1/(r_j + θ) = Σ_{j≤k} 1/(cμ + jθ), as a running sum over positions 1, 2, …
    inv = np.cumsum(1.0 / (c * mu + np.arange(1, k.max() + 1) * theta))
    wait_if_served = served_given_k * inv[k - 1]
    p_wait = float(pi[waiting].sum())
    p_abandon = float((pi[waiting] * (1.0 - served_given_k)).sum())
    mean_queue = float((pi * queue).sum())
    p_served = 1.0 - p_abandon
    return ErlangA(
        p_wait=p_wait,
        p_abandon=p_abandon,
        mean_queue=mean_queue,
        mean_wait=mean_queue / lam,
        mean_wait_served=float((pi[waiting] * wait_if_served).sum()) / p_served,
        states=len(pi),
    )


def markovian_scenario(
    *,
    arrival_rate_per_day: float,
    service_mean_days: float,
    servers: int,
    horizon_days: float,
    warmup_days: float = 0.0,
    second_stage: tuple[float, int] | None = None,
    name: str = "mmc",
    service: Mapping | None = None,
    patience_mean_days: float | None = None,
) -> Scenario:
    """A samflode scenario that is an M/M/c queue (Forum triage), or a tandem M/M/c1 → M/M/c2.

    ``second_stage`` = (mean service days, servers) adds a Konsultation of one role and one
    session, reached by everyone with no hand-over delay.

    ``service`` replaces the exponential Forum triage time by another distribution spec (e.g.
    lognormal or fixed, for M/G/c); its mean must be ``service_mean_days``, so that the offered
    load stays what the caller computed. ``patience_mean_days`` gives every participant an
    exponential patience with that mean: whoever waits longer for a meeting drops out, which
    makes a single-stage scenario M/M/c+M (Erlang A). Patience applies to every queue of the
    participant, so with ``second_stage`` it is no longer a textbook network.
    """
    exponential = {"dist": "exponential", "mean": service_mean_days, "unit": "days"}
    zero = {"dist": "fixed", "value": 0, "unit": "days"}
    staff = {"forum": {"organisation": "af", "headcount": servers}}
    data: dict = {
        "name": name,
        "horizon_days": horizon_days,
        "warmup_days": warmup_days,
        "calendar": {"enabled": False},
        "groups": {
            "arbetslosa": {
                "inflow_per_week": arrival_rate_per_day * 7.0,
                "channels": {"walk_in": 1.0},
                "complex_share": 1.0 if second_stage else 0.0,
                "second_meeting_share": 0.0,
            }
        },
        "staff": staff,
        "forum": {
            "staff": "forum",
            "booking_delay": zero,
            "triage_duration": dict(service) if service is not None else exponential,
            "second_meeting_delay": zero,
            "planning_duration": zero,
        },
        "exit": {
            "outcomes": [
                {
                    "exit": {"work": 1.0},
                    "keep_90d": 1.0,
                    "gain_90d": 0.0,
                    "keep_6m": 1.0,
                    "gain_6m": 0.0,
                }
            ],
            "restart_limit": 0,
            "follow_up": False,
        },
    }
    if second_stage is not None:
        mean2, servers2 = second_stage
        staff["team"] = {"organisation": "region", "headcount": servers2}
        data["konsultation"] = {
            "roles": ["team"],
            "handover_delay": zero,
            "sessions": {"values": [1]},
            "session_duration": {"dist": "exponential", "mean": mean2, "unit": "days"},
            "session_interval": zero,
        }
    if patience_mean_days is not None:
        data["patience"] = {"dist": "exponential", "mean": patience_mean_days, "unit": "days"}
    scenario = Scenario.model_validate(data)
    mean = scenario.forum.triage_duration.mean_days()
    if not math.isclose(mean, service_mean_days, rel_tol=1e-9):
        raise ValueError(
            f"service has mean {mean} days, but service_mean_days is {service_mean_days}"
        )
    return scenario
