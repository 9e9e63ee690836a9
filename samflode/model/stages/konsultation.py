"""Konsultation: the multi-professional team for complex cases (000 §6.2).

After the hand-over (dossier and fullmakt; "ofta ... direkt", otherwise within a week, 000 §6.1) the
team meets the participant together: every role listed in the scenario (e.g. FK, AF, municipality,
region) must be free at the same time. Several sessions, a set interval apart, end in a kontrakt
with goals and a check. Rule: first session within 7 days of the hand-over.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

import simpy

from samflode.config.distributions import DAYS_PER_UNIT
from samflode.eventlog.log import NAN, Kind
from samflode.model.meeting import meet
from samflode.model.staff import Team

if TYPE_CHECKING:
    from samflode.model.participant import Participant
    from samflode.model.world import World

STAGE = "konsultation"


class KonsultationState:
    """The multi-professional team: every role of the scenario's Konsultation, meeting together."""

    __slots__ = ("team", "teams", "_make")

    def __init__(self, team: Team, make) -> None:  # noqa: ANN001 - (extra roles) -> Team
        self.team = team
        self.teams: dict[tuple[str, ...], Team] = {(): team}
        self._make = make

    def team_for(self, extra: tuple[str, ...]) -> Team:
        """The team of a case whose optional roles are ``extra`` (made once per combination)."""
        team = self.teams.get(extra)
        if team is None:
            team = self.teams[extra] = self._make(extra)
        return team


def setup(world: World) -> KonsultationState | None:
    """The team, or None for a design without Konsultation (complex cases then go via Forum)."""
    sc = world.scenario
    k = sc.konsultation
    if k is None:
        return None
    coordination = sc.coordination
    joint_minutes = coordination.joint_meeting_minutes if coordination else 0.0

    def make(extra: tuple[str, ...]) -> Team:
        roles = [*k.roles, *extra]
        parties = {party for r in roles for party in sc.staff[r].party_shares()}
        # Documentation and reflection follow meetings that span organisations only.
        overhead = joint_minutes * DAYS_PER_UNIT["minutes"] if len(parties) > 1 else 0.0
        return Team(tuple(world.pools[r] for r in roles), after_meeting_days=overhead)

    return KonsultationState(make(()), make)


def run(world: World, p: Participant) -> Generator[simpy.Event, object, bool]:
    """Hand-over, sessions and kontrakt; returns False if the participant gave up waiting."""
    env = world.env
    p.stage = STAGE
    pid, group, append = p.pid, p.group, world.record
    append(env.now, pid, group, Kind.HANDOVER, STAGE, "", "", NAN)
    if p.handover_delay > 0:
        yield env.timeout(p.handover_delay)
    team = world.konsultation.team_for(p.k_roles) if p.k_roles else world.konsultation.team
    append(env.now, pid, group, Kind.QUEUED, STAGE, team.label, "session", NAN)
    last = len(p.session_durations) - 1
    for i, duration in enumerate(p.session_durations):
        met = yield from meet(world, p, STAGE, "session", team, duration)
        if not met:
            return False
        if i < last and p.session_intervals[i] > 0:
            yield env.timeout(p.session_intervals[i])
    p.kontrakts += 1
    append(env.now, pid, group, Kind.KONTRAKT_SIGNED, STAGE, "", "", p.kontrakts)
    return True
