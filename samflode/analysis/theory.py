"""Queueing theory for verification, and the Markovian scenarios it applies to.

Erlang C gives the mean wait in an M/M/c queue; :func:`markovian_scenario` configures samflode so
that it *is* such a queue (or a tandem of two): Poisson arrivals, exponential service, no calendar,
no patience, everyone on one route, no Insatsmarknad and no follow-up. Tests and benchmarks compare
the model with these formulas (DESIGN.md: "Verification is part of the model").
"""

from __future__ import annotations

import math

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


def markovian_scenario(
    *,
    arrival_rate_per_day: float,
    service_mean_days: float,
    servers: int,
    horizon_days: float,
    warmup_days: float = 0.0,
    second_stage: tuple[float, int] | None = None,
    name: str = "mmc",
) -> Scenario:
    """A samflode scenario that is an M/M/c queue (Forum triage), or a tandem M/M/c1 → M/M/c2.

    ``second_stage`` = (mean service days, servers) adds a Konsultation of one role and one
    session, reached by everyone with no hand-over delay.
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
            "triage_duration": exponential,
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
    return Scenario.model_validate(data)
