"""Exit and follow-up: how a kontrakt ends, and the participant's status 90 days and 6 months later.

The exit state (work, studies, AF programme, back to benefits, permanent support, drop-out, or a
failed kontrakt that restarts) is drawn from the first matching outcome rule with the participant's
own uniform number, so common random numbers carry over between designs. A failed kontrakt restarts
at most ``restart_limit`` times; after that the case is assessed for permanent support, as the Nacka
brief proposes (000 §6.2 warns of restarts "kanske gång på gång"). Follow-up records at 90 days and
6 months after the exit carry the status the result bonus is paid on (000 §6.3).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

import simpy

from samflode.config.distributions import DAYS_PER_UNIT
from samflode.eventlog.log import Kind
from samflode.model.staff import close_case

if TYPE_CHECKING:
    from samflode.model.participant import Participant
    from samflode.model.replication import Context

STAGE = "exit"
FOLLOWUP_90D_DAYS = 90.0
FOLLOWUP_6M_DAYS = 6 * DAYS_PER_UNIT["months"]
IN_WORK_OR_STUDIES = ("work", "studies")
NO_RETURN = ("permanent_support",)


def draw_exit_state(ctx: Context, p: Participant) -> str:
    """The state the current kontrakt ends in, from the participant's uniform number.

    Lost continuity and long waits lower the chance of work (``Context.work_factor``); the share
    they take from work goes to "back to benefits".
    """
    shares = ctx.outcome_rule(p.group, p.track, p.intervention).exit
    factor = ctx.work_factor(p) if ctx.outcomes_adjusted else 1.0
    if factor < 1.0 and "work" in shares:
        lost = shares["work"] * (1.0 - factor)
        shares = dict(shares)
        shares["work"] -= lost
        shares["benefits"] = shares.get("benefits", 0.0) + lost
    u = p.u_exit
    acc = 0.0
    for state, share in shares.items():
        acc += share
        if u < acc and share > 0:
            return state
    return next(s for s, share in reversed(shares.items()) if share > 0)


def dropout_fraction(ctx: Context, p: Participant) -> float:
    """Where in the intervention a drop-out happens, as a share of its planned duration.

    The participant's uniform number, conditioned on falling in the drop-out interval, is itself
    uniform on [0, 1): no extra draw is needed and common random numbers are kept.
    """
    rule = ctx.outcome_rule(p.group, p.track, p.intervention)
    acc = 0.0
    for state, share in rule.exit.items():
        if state == "dropout":
            return min(max((p.u_exit - acc) / share, 0.0), 1.0) if share > 0 else 1.0
        acc += share
    return 1.0


def status_after(ctx: Context, p: Participant, state: str) -> tuple[str, str]:
    """Status at 90 days and at 6 months after an exit in ``state``."""
    rule = ctx.outcome_rule(p.group, p.track, p.intervention)
    if state in IN_WORK_OR_STUDIES:
        s90 = state if p.u_90 < rule.keep_90d else "not_in_work"
    elif state in NO_RETURN:
        s90 = state
    else:
        s90 = "work" if p.u_90 < rule.gain_90d else state
    if s90 in IN_WORK_OR_STUDIES:
        s6 = s90 if p.u_6m < rule.keep_6m else "not_in_work"
    elif s90 in NO_RETURN:
        s6 = s90
    else:
        s6 = "work" if p.u_6m < rule.gain_6m else s90
    return s90, s6


def leave(ctx: Context, p: Participant, state: str) -> None:
    """Record the exit and free the caseload slot."""
    p.stage = STAGE
    close_case(p)
    del ctx.active[p.pid]
    ctx.append((ctx.env.now, p.pid, p.group, Kind.EXITED, STAGE, "", state, p.kontrakts))


def follow_up(ctx: Context, p: Participant, state: str) -> Generator[simpy.Event, object, None]:
    """The follow-up records at 90 days and 6 months after an exit in ``state``."""
    env = ctx.env
    s90, s6 = status_after(ctx, p, state)
    yield env.timeout(FOLLOWUP_90D_DAYS)
    ctx.append((env.now, p.pid, p.group, Kind.FOLLOWUP_90D, STAGE, "", s90, p.difficulty))
    yield env.timeout(FOLLOWUP_6M_DAYS - FOLLOWUP_90D_DAYS)
    ctx.append((env.now, p.pid, p.group, Kind.FOLLOWUP_6M, STAGE, "", s6, p.difficulty))
