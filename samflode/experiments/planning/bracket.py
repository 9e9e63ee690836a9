"""Where the search starts: an analytic guess per lever, so a good one needs two candidates.

Where the pool is the only server of a queue that *is* M/M/c — no calendar, one target group,
exponential first meetings, nobody sent on or dropping out (the scenarios of
:func:`samflode.analysis.theory.markovian_scenario`) — Erlang C gives the least headcount for a
first-meeting target exactly. Elsewhere the guess is the square-root staffing rule on the offered
load the top candidate measured: offered load = utilisation × headcount there (the pool is not
saturated at the top of its range, so utilisation measures demand, not capacity). A caseload
cap is guessed from the occupancy of the slots. The guess only orders the search; simulation
decides every answer.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from samflode.analysis.theory import least_servers, mmc_mean_wait, square_root_staffing
from samflode.config.distributions import Exponential
from samflode.config.scenario import Scenario
from samflode.experiments.planning.spec import Lever, Target

FIRST_MEETING_SHARE = "share_first_meeting_within_7d"
FIRST_MEETING_MEAN = "days_to_first_meeting_mean"


@dataclass(frozen=True)
class Guess:
    """A lever's starting value and how it was found (shown in plan.json)."""

    value: int
    method: str


def markovian_rates(scenario: Scenario, pool: str) -> tuple[float, float] | None:
    """(λ, μ) per day if ``pool`` serves an M/M/c first-meeting queue in ``scenario``, else None."""
    if scenario.calendar.enabled or len(scenario.groups) != 1:
        return None
    group = next(iter(scenario.groups.values()))
    forum = scenario.forum
    simple = (
        forum.staff == pool
        and not forum.triage_with
        and group.intake in (None, pool)
        and group.channels == {"walk_in": 1.0}
        and group.second_meeting_share == 0
        and scenario.patience is None
        and scenario.handoffs is None
        and scenario.staff[pool].share_on_method == 1
        and scenario.staff[pool].turnover is None
        and isinstance(forum.triage_duration, Exponential)
    )
    if not simple:
        return None
    return group.inflow_per_week / 7.0, 1.0 / forum.triage_duration.mean_days()


def _erlang(scenario: Scenario, pool: str, targets: Sequence[Target]) -> int | None:
    rates = markovian_rates(scenario, pool)
    if rates is None:
        return None
    lam, mu = rates
    needs = []
    for t in targets:
        if t.kpi == FIRST_MEETING_SHARE and t.sense == ">=":
            c = least_servers(lam, mu, within=scenario.rules.first_meeting_days, share=t.value)
        elif t.kpi == FIRST_MEETING_MEAN and t.sense == "<=":
            c = next(
                (k for k in range(math.floor(lam / mu) + 1, 10_001)
                 if mmc_mean_wait(lam, mu, k) <= t.value),
                None,
            )  # fmt: skip
        else:
            continue
        if c is not None:
            needs.append(c)
    return max(needs) if needs else None


def guess(
    lever: Lever,
    scenario: Scenario,
    targets: Sequence[Target],
    top_means: Mapping[str, float],
    top_value: int,
) -> Guess:
    """The starting value of ``lever`` (clipped to its bounds), from theory or the top run."""

    def clip(v: int) -> int:
        return min(max(v, lever.low), lever.high)

    field = lever.paths[0].rsplit(".", 1)[-1]
    if field == "headcount":
        if len(lever.pools) == 1:
            exact = _erlang(scenario, lever.pools[0], targets)
            if exact is not None:
                return Guess(clip(exact), "Erlang C (the pool serves an M/M/c queue)")
        loads = [top_means.get(f"utilisation_{p}", math.nan) * top_value for p in lever.pools]
        loads = [a for a in loads if math.isfinite(a)]
        if loads:
            load = max(loads)
            return Guess(
                clip(square_root_staffing(load)),
                f"square-root staffing on the offered load {load:.2f} (utilisation × headcount "
                "at the top of the range)",
            )
    if field == "caseload_cap" and len(lever.pools) == 1:
        occupancy = top_means.get(f"caseload_occupancy_{lever.pools[0]}", math.nan)
        if math.isfinite(occupancy):
            need = occupancy * top_value
            return Guess(
                clip(math.ceil(need + math.sqrt(need))),
                f"square-root rule on the {need:.1f} slots per person in use at the top of the "
                "range",
            )
    return Guess(clip(lever.today), "today's value (no formula for this lever)")
