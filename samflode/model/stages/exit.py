"""Exit and follow-up: how a kontrakt ends, and the participant's status 90 days and 6 months later.

The exit state (work, studies, AF programme, back to benefits, permanent support, drop-out, or a
failed kontrakt that restarts) is drawn from the first matching outcome rule with the participant's
own uniform number, so common random numbers carry over between designs: when support starts
(legacy), or, with an outcome model, when it ends, from what happened meanwhile
(:mod:`samflode.model.outcome`). A failed kontrakt restarts at most ``restart_limit`` times (000
§6.2 warns of restarts "kanske gång på gång"); after that the case goes back to its organisation's
ordinary support ("benefits"), not to permanent support, which 000 S10 allows only when no
possibilities remain. Follow-up records at 90 days and 6 months after the exit carry the status
the result bonus is paid on (000 §6.3).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

import simpy

from samflode.config.distributions import DAYS_PER_UNIT
from samflode.config.scenario import OutcomeRule, Scenario
from samflode.eventlog.log import Kind
from samflode.model.caseload import close_case
from samflode.model.outcome import draw_at_end, provisional, starts_as_dropout, without_dropout

if TYPE_CHECKING:
    from samflode.model.participant import Participant
    from samflode.model.world import World

STAGE = "exit"
FOLLOWUP_90D_DAYS = 90.0
FOLLOWUP_6M_DAYS = 6 * DAYS_PER_UNIT["months"]
IN_WORK_OR_STUDIES = ("work", "studies")
NO_RETURN = ("permanent_support",)


class ExitState:
    """The outcome rules (looked up once per group, track and intervention), the levers on the
    chance of work (lost continuity, long pauses), and whether follow-up is recorded.
    """

    __slots__ = ("scenario", "continuity", "pauses", "adjusted", "follow_up", "_rules")

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.continuity = scenario.continuity
        self.pauses = scenario.pauses
        self.adjusted = scenario.pauses is not None or scenario.continuity is not None
        self.follow_up = scenario.exit.follow_up
        self._rules: dict[tuple[str, str, str], OutcomeRule] = {}

    def outcome_rule(self, group: str, track: str, intervention: str) -> OutcomeRule:
        """Cached lookup of the first matching outcome rule (validated to exist)."""
        key = (group, track, intervention)
        rule = self._rules.get(key)
        if rule is None:
            rule = self.scenario.outcome_rule(group, track, intervention)
            self._rules[key] = rule
        return rule

    def work_factor(self, p: Participant) -> float:
        """Multiplier on the chance of an exit to work from lost continuity and long waits."""
        factor = 1.0
        if self.continuity is not None and p.changes:
            factor *= self.continuity.work_factor**p.changes
        pauses = self.pauses
        if pauses is not None and p.waited > pauses.grace_days:
            factor *= pauses.work_factor_per_30_days ** ((p.waited - pauses.grace_days) / 30.0)
        return factor


def setup(world: World) -> ExitState:
    """The exit stage's state (every design has an exit)."""
    return ExitState(world.scenario)


def draw_exit_state(world: World, p: Participant) -> str:
    """The state the current kontrakt ends in, from the participant's uniform number.

    Lost continuity and long waits lower the chance of work (:meth:`ExitState.work_factor`); the
    share they take from work goes to "back to benefits".
    """
    shares = adjust(world, world.exit.outcome_rule(p.group, p.track, p.intervention).exit, p)
    u = p.u_exit
    acc = 0.0
    for state, share in shares.items():
        acc += share
        if u < acc and share > 0:
            return state
    return next(s for s, share in reversed(shares.items()) if share > 0)


def adjust(world: World, shares: dict[str, float], p: Participant) -> dict[str, float]:
    """Shares after the legacy levers (lost continuity, long waits) move work to benefits."""
    factor = world.exit.work_factor(p) if world.exit.adjusted else 1.0
    if factor < 1.0 and "work" in shares:
        lost = shares["work"] * (1.0 - factor)
        shares = dict(shares)
        shares["work"] -= lost
        shares["benefits"] = shares.get("benefits", 0.0) + lost
    return shares


def decides_dropout(world: World, p: Participant) -> bool:
    """With an outcome model: is this kontrakt a drop-out (decided when support starts)?"""
    rule = world.exit.outcome_rule(p.group, p.track, p.intervention)
    return starts_as_dropout(rule, p.u_exit)


def end_of_support_state(world: World, p: Participant, *, dropout_decided: bool) -> str:
    """With an outcome model: the exit state drawn from the exposures when support ends.

    ``dropout_decided``: the drop-out was settled at the start (an intervention), so the draw is
    over the other states; otherwise (no intervention) drop-out is one of the states drawn.
    """
    rule = world.exit.outcome_rule(p.group, p.track, p.intervention)
    if dropout_decided:
        shares, u = without_dropout(rule, p.u_exit)
    else:
        shares, u = rule.exit, p.u_exit
    return draw_at_end(world, p, adjust(world, shares, p), u)


def heading_for(world: World, p: Participant) -> str:
    """With an outcome model: the state the person is heading for now (no drop-out)."""
    rule = world.exit.outcome_rule(p.group, p.track, p.intervention)
    shares, u = without_dropout(rule, p.u_exit)
    return provisional(world, p, adjust(world, shares, p), u)


def dropout_fraction(world: World, p: Participant) -> float:
    """Where in the intervention a drop-out happens, as a share of its planned duration.

    The participant's uniform number, conditioned on falling in the drop-out interval, is itself
    uniform on [0, 1): no extra draw is needed and common random numbers are kept.
    """
    rule = world.exit.outcome_rule(p.group, p.track, p.intervention)
    acc = 0.0
    for state, share in rule.exit.items():
        if state == "dropout":
            return min(max((p.u_exit - acc) / share, 0.0), 1.0) if share > 0 else 1.0
        acc += share
    return 1.0


def status_after(world: World, p: Participant, state: str) -> tuple[str, str]:
    """Status at 90 days and at 6 months after an exit in ``state``."""
    rule = world.exit.outcome_rule(p.group, p.track, p.intervention)
    s90 = _next_status(state, p.u_90, rule.keep_90d, rule.gain_90d)
    return s90, _next_status(s90, p.u_6m, rule.keep_6m, rule.gain_6m)


def _next_status(before: str, u: float, keep: float, gain: float) -> str:
    """In work or studies it is kept with chance ``keep``; otherwise work is gained with chance
    ``gain``, except from a state of no return.
    """
    if before in IN_WORK_OR_STUDIES:
        return before if u < keep else "not_in_work"
    if before in NO_RETURN:
        return before
    return "work" if u < gain else before


def leave(world: World, p: Participant, state: str) -> None:
    """Record the exit and free the caseload slot."""
    p.stage = STAGE
    close_case(p)
    if world.casework is not None:
        world.casework.closed(p)
    del world.active[p.pid]
    world.record(world.env.now, p.pid, p.group, Kind.EXITED, STAGE, "", state, p.kontrakts)


def follow_up(world: World, p: Participant, state: str) -> Generator[simpy.Event, object, None]:
    """The follow-up records at 90 days and 6 months after an exit in ``state``."""
    env = world.env
    s90, s6 = status_after(world, p, state)
    yield env.timeout(FOLLOWUP_90D_DAYS)
    world.record(env.now, p.pid, p.group, Kind.FOLLOWUP_90D, STAGE, "", s90, p.difficulty)
    yield env.timeout(FOLLOWUP_6M_DAYS - FOLLOWUP_90D_DAYS)
    world.record(env.now, p.pid, p.group, Kind.FOLLOWUP_6M, STAGE, "", s6, p.difficulty)
