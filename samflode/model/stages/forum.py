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

from samflode.eventlog.log import NAN, Kind
from samflode.model.meeting import after_work, meet
from samflode.model.participant import TRACK_SIMPLE
from samflode.model.staff import Team

if TYPE_CHECKING:
    from samflode.model.participant import Participant
    from samflode.model.world import World

STAGE = "forum"


class ForumState:
    """Forum's teams: the Forum team, each group's intake, and the intakes cases are sent on to."""

    __slots__ = ("team", "intake", "handoff_teams")

    def __init__(self, team: Team, intake: dict[str, Team], handoff_teams: list[Team]) -> None:
        self.team = team
        self.intake = intake
        self.handoff_teams = handoff_teams

    def handoff_destination(self, current: Team, u: float) -> Team:
        """The intake a case is sent on to: one of the other hand-off pools, chosen by ``u``."""
        others = [team for team in self.handoff_teams if team is not current]
        return others[min(int(u * len(others)), len(others) - 1)]


def setup(world: World) -> ForumState:
    """Forum's state: its team and the intakes (a silo design has one per organisation)."""
    sc = world.scenario
    single = world.single
    intake = {g: single[cfg.intake or sc.forum.staff] for g, cfg in sc.groups.items()}
    if sc.forum.triage_with:
        # A joint first meeting in Forum's own pool (groups with an intake of their own keep it).
        joint = Team(tuple(world.pools[r] for r in (sc.forum.staff, *sc.forum.triage_with)))
        intake = {
            g: joint if cfg.intake is None else intake[g] for g, cfg in sc.groups.items()
        }
    handoffs = [single[r] for r in sc.handoffs.pools] if sc.handoffs else []
    return ForumState(single[sc.forum.staff], intake, handoffs)


def first_meeting(world: World, p: Participant) -> Generator[simpy.Event, object, bool]:
    """Triage meeting; sets ``p.stage``; returns False if the participant gave up waiting."""
    env = world.env
    p.stage = STAGE
    if p.channel == "booked":
        yield env.timeout(p.booking_delay)
    team = world.forum.intake[p.group]
    world.record(env.now, p.pid, p.group, Kind.QUEUED, STAGE, team.label, "triage", NAN)
    met = yield from meet(world, p, STAGE, "triage", team, p.triage_duration)
    for u_to, delay in p.handoffs if met else ():
        # Sent on to another organisation's intake: a write-up, a delay, a new first meeting.
        to = world.forum.handoff_destination(team, u_to)
        world.record(env.now, p.pid, p.group, Kind.HANDED_OFF, STAGE, team.label, to.label, NAN)
        if team.handoff_days > 0:
            env.process(after_work(world, p, team, STAGE, team.handoff_days))
        yield env.timeout(delay)
        world.waited(p, delay)
        team = to
        world.record(env.now, p.pid, p.group, Kind.QUEUED, STAGE, team.label, "triage", NAN)
        met = yield from meet(world, p, STAGE, "triage", team, p.triage_duration)
        if not met:
            break
    if met:
        # The record names the route; p.track stays the need, which the outcome rules use: a
        # complex case in a design without Konsultation gets its kontrakt in the ordinary way.
        route = p.track if world.konsultation is not None else TRACK_SIMPLE
        world.record(env.now, p.pid, p.group, Kind.TRIAGED, STAGE, "", route, NAN)
    return met


def kontrakt(world: World, p: Participant, *, first: bool) -> Generator[simpy.Event, object, bool]:
    """Forum-track kontrakt: a planning meeting if needed (always after a restart), then signing."""
    env = world.env
    p.stage = STAGE
    if p.second_meeting or not first:
        if p.second_meeting_delay > 0:
            yield env.timeout(p.second_meeting_delay)
        team = world.forum.team
        world.record(env.now, p.pid, p.group, Kind.QUEUED, STAGE, team.label, "planning", NAN)
        met = yield from meet(world, p, STAGE, "planning", team, p.planning_duration)
        if not met:
            return False
    p.kontrakts += 1
    world.record(env.now, p.pid, p.group, Kind.KONTRAKT_SIGNED, STAGE, "", "", p.kontrakts)
    return True
