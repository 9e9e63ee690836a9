"""The exit state from what happened to the person: exposures, a score, a stereotype logit.

With an ``outcome_model`` section the exit state is drawn when support ends, not when it starts.
The person's exposures — support hours per month (all meetings, and joint ones), joint meetings
per month, distinct officers met, days to the first health activity, days spent waiting, months
of support, difficulty — give a score s = Σ β_j (x_j − r_j); state k of the outcome table then
has probability p_k·exp(φ_k s) / Σ_m p_m·exp(φ_m s)
(:class:`samflode.config.casework.OutcomeModel`).

Why this form: a handful of global coefficients that a calibration can identify from few
moments (AMiA has eight), effects that can raise as well as lower outcomes around a stated
reference, and the old table as the exact special case s = 0. One score with state loadings is a
multinomial logit whose coefficient matrix has rank one (Anderson's stereotype model): the states
keep their order of "distance from work" and the design moves people along it.

Common random numbers: the state is read off the participant's own uniform number by inverse
CDF in the table's order, so at s = 0 every person gets the same state as the legacy draw. A
drop-out is decided when the intervention starts (its timing is part of the period) by the same
number, and the rest of the number's range is stretched over the other states.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from samflode.config.casework import OutcomeModel
from samflode.config.distributions import DAYS_PER_UNIT
from samflode.config.scenario import OutcomeRule
from samflode.eventlog.log import Kind

if TYPE_CHECKING:
    from samflode.model.participant import Participant
    from samflode.model.world import World

_MONTH = DAYS_PER_UNIT["months"]
# Rates per month are taken over at least this many months: enrolment and mapping come at the
# start of every case, and over a few weeks they would look like intense support.
RATE_MIN_MONTHS = 3.0
_HOURS = 24.0
_EXPOSURE = Kind.EXPOSURE
_SCORE = Kind.OUTCOME_SCORE


class OutcomeDraw:
    """The outcome model of one scenario: coefficients, reference, loadings, health and work
    types.
    """

    __slots__ = ("terms", "loadings", "health_types", "work_types")

    def __init__(self, cfg: OutcomeModel) -> None:
        self.terms = [
            (name, beta, cfg.reference.get(name, 0.0))
            for name, beta in cfg.coefficients.items()
            if beta != 0
        ]
        self.loadings = dict(cfg.loadings)
        self.health_types = frozenset(cfg.health_types)
        self.work_types = frozenset(cfg.work_types)

    def exposures(self, p: Participant, now: float) -> dict[str, float]:
        """What happened to ``p`` from arrival to ``now`` (the end of support)."""
        months = max(now - p.arrived_at, 1.0) / _MONTH
        per = max(months, RATE_MIN_MONTHS)
        joint = p.days_joint * _HOURS
        x = {
            "support_hours_per_month": (joint + p.days_single * _HOURS) / per,
            "joint_hours_per_month": joint / per,
            "joint_meetings_per_month": p.joint_meetings / per,
            "pause_days": p.paused,
            "months_of_support": months,
            "difficulty": float(p.difficulty),
        }
        if p.met:
            x["distinct_officers"] = float(sum(len(people) for people in p.met.values()))
            # Usual-provider continuity (Breslau & Reeb 1975): the share of a pool's meetings
            # held by the officer met most often, averaged over the pools that hold the case.
            x["continuity_index"] = sum(
                max(people.values()) / sum(people.values()) for people in p.met.values()
            ) / len(p.met)
        if p.health_at is not None:
            x["days_to_health_activity"] = p.health_at - p.arrived_at
        if p.work_at is not None:
            x["days_to_work_activity"] = p.work_at - p.arrived_at
        return x

    def score(self, x: dict[str, float]) -> float:
        """Σ β_j (x_j − r_j) over the exposures ``x`` has (a missing one takes no term)."""
        s = 0.0
        for name, beta, ref in self.terms:
            value = x.get(name)
            if value is not None:
                s += beta * (value - ref)
        return s

    def shares(self, table: dict[str, float], s: float) -> dict[str, float]:
        """The table's shares moved by score ``s`` (unnormalised weights, in the table's order)."""
        if s == 0.0:
            return table
        loadings = self.loadings
        # exp of a bounded exponent: scores are sums of bounded terms, but keep a hard cap.
        return {
            k: v * math.exp(max(min(loadings.get(k, 0.0) * s, 50.0), -50.0))
            for k, v in table.items()
        }


def setup(world: World) -> OutcomeDraw | None:
    """The scenario's outcome model, or None for the legacy draw at the start of support."""
    cfg = world.scenario.outcome_model
    return OutcomeDraw(cfg) if cfg is not None else None


def pick(shares: dict[str, float], u: float) -> str:
    """Inverse CDF of unnormalised ``shares`` at ``u`` ∈ [0, 1), in their order."""
    total = sum(shares.values())
    target = u * total
    acc = 0.0
    last = None
    for state, share in shares.items():
        if share > 0:
            acc += share
            last = state
            if target < acc:
                return state
    return last


def starts_as_dropout(rule: OutcomeRule, u: float) -> bool:
    """True if ``u`` falls in the drop-out interval of the table (decided at the start)."""
    acc = 0.0
    for state, share in rule.exit.items():
        if state == "dropout":
            return acc <= u < acc + share
        acc += share
    return False


def without_dropout(rule: OutcomeRule, u: float) -> tuple[dict[str, float], float]:
    """The table without drop-out, and ``u`` stretched over the rest of [0, 1)."""
    shares = dict(rule.exit)
    share = shares.pop("dropout", 0.0)
    if share <= 0:
        return shares, u
    acc = 0.0
    for state, value in rule.exit.items():
        if state == "dropout":
            break
        acc += value
    rest = 1.0 - share
    v = u if u < acc else u - share
    return shares, min(max(v / rest, 0.0), math.nextafter(1.0, 0.0))


def draw_at_end(world: World, p: Participant, shares: dict[str, float], u: float) -> str:
    """Draw the exit state from the exposures now, and record them and the score."""
    model: OutcomeDraw = world.outcome
    now = world.env.now
    x = model.exposures(p, now)
    s = model.score(x)
    stage, pid, group, append = p.stage, p.pid, p.group, world.record
    for name, value in x.items():
        append(now, pid, group, _EXPOSURE, stage, "", name, value)
    append(now, pid, group, _SCORE, stage, "", "", s)
    return pick(model.shares(shares, s), u)


def provisional(world: World, p: Participant, shares: dict[str, float], u: float) -> str:
    """The state the person is heading for now (e.g. at the sub-goal check); records nothing."""
    model: OutcomeDraw = world.outcome
    return pick(model.shares(shares, model.score(model.exposures(p, world.env.now))), u)

