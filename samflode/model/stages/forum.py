"""Forum: one door in (000 §6.1).

A participant comes without booking (walk-in) or at a booked time; the first meeting is the triage
("Vad vill du? Vad kan du? Vem är du?") by Forum staff, who judge the case simple or complex. Simple
cases get their kontrakt in Forum in at most two meetings ("inom två veckor och i normalfallet två
möten som mest"); complex cases are handed over to Konsultation. Rules: first meeting within 7 days,
kontrakt within 14 days (000 §6.1).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

import simpy

from samflode.eventlog.log import Kind
from samflode.model.participant import TRACK_SIMPLE
from samflode.model.staff import NAN, after_work, meet

if TYPE_CHECKING:
    from samflode.model.participant import Participant
    from samflode.model.replication import Context

STAGE = "forum"


def first_meeting(ctx: Context, p: Participant) -> Generator[simpy.Event, object, bool]:
    """Triage meeting; sets ``p.stage``; returns False if the participant gave up waiting."""
    env = ctx.env
    p.stage = STAGE
    if p.channel == "booked":
        yield env.timeout(p.booking_delay)
    team = ctx.intake[p.group]
    ctx.append((env.now, p.pid, p.group, Kind.QUEUED, STAGE, team.label, "triage", NAN))
    met = yield from meet(ctx, p, STAGE, "triage", team, p.triage_duration)
    for u_to, delay in p.handoffs if met else ():
        # Sent on to another organisation's intake: a write-up, a delay, a new first meeting.
        to = ctx.handoff_destination(team, u_to)
        ctx.append((env.now, p.pid, p.group, Kind.HANDED_OFF, STAGE, team.label, to.label, NAN))
        if team.handoff_days > 0:
            env.process(after_work(ctx, p, team, STAGE, team.handoff_days, held=False))
        yield env.timeout(delay)
        p.waited += delay
        team = to
        ctx.append((env.now, p.pid, p.group, Kind.QUEUED, STAGE, team.label, "triage", NAN))
        met = yield from meet(ctx, p, STAGE, "triage", team, p.triage_duration)
        if not met:
            break
    if met:
        # The record names the route; p.track stays the need, which the outcome rules use: a
        # complex case in a design without Konsultation gets its kontrakt in the ordinary way.
        route = p.track if ctx.konsultation_team is not None else TRACK_SIMPLE
        ctx.append((env.now, p.pid, p.group, Kind.TRIAGED, STAGE, "", route, NAN))
    return met


def kontrakt(ctx: Context, p: Participant, *, first: bool) -> Generator[simpy.Event, object, bool]:
    """Forum-track kontrakt: a planning meeting if needed (always after a restart), then signing."""
    env = ctx.env
    p.stage = STAGE
    if p.second_meeting or not first:
        if p.second_meeting_delay > 0:
            yield env.timeout(p.second_meeting_delay)
        ctx.append(
            (env.now, p.pid, p.group, Kind.QUEUED, STAGE, ctx.forum_team.label, "planning", NAN)
        )
        met = yield from meet(ctx, p, STAGE, "planning", ctx.forum_team, p.planning_duration)
        if not met:
            return False
    p.kontrakts += 1
    ctx.append((env.now, p.pid, p.group, Kind.KONTRAKT_SIGNED, STAGE, "", "", p.kontrakts))
    return True
