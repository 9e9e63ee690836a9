"""The one way a meeting happens: every pool of the team free at once, then an open moment.

A meeting needs every listed pool to have someone free at the same time (the Konsultation team is
several roles; a Forum meeting is one), then an open moment in all their working calendars. A
participant with limited patience gives up if the wait for staff is longer than that. Staff time
on a case without the participant (documentation, the write-up of a hand-off) is recorded as a
``coordination`` meeting.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

import simpy

from samflode.eventlog.log import NAN, Kind
from samflode.model.resources import wait_patiently
from samflode.model.staff import Pool, Team, learning_factor

if TYPE_CHECKING:
    from samflode.model.participant import Participant
    from samflode.model.world import World

_START = Kind.MEETING_START
_END = Kind.MEETING_END


def meet(
    world: World,
    p: Participant,
    stage: str,
    detail: str,
    team: Team,
    duration: float,
    *,
    patient: bool = True,
    until: float | None = None,
) -> Generator[simpy.Event, object, bool]:
    """Hold a meeting of ``team`` with ``p``; return False if ``p`` gave up waiting.

    A meeting that could not start before ``until`` (e.g. a check-in due while an intervention
    ran, when the intervention has ended) is not held; it then also returns False.

    All pools are claimed at once and queue first-in first-out in each, so the oldest waiting
    meeting is first in every queue and joint meetings cannot deadlock.
    """
    env = world.env
    single = team.single
    patience = p.patience if patient else None
    if single is not None:
        claim = single.servers.seize()
        if claim is not None:
            # The plain wait is inlined: in a busy system nearly every meeting takes this path.
            if patience is None and not world.track_waits:
                yield claim
            else:
                t0 = env.now
                served = yield from wait_patiently(env, claim, patience)
                p.waited += env.now - t0
                if not served:
                    single.servers.withdraw(claim)
                    return False
    else:
        pools = team.pools
        claims = [pool.servers.seize() for pool in pools]
        pending = [c for c in claims if c is not None]
        if pending:
            wanted = pending[0] if len(pending) == 1 else env.all_of(pending)
            t0 = env.now
            served = yield from wait_patiently(env, wanted, patience)
            p.waited += env.now - t0
            if not served:
                for pool, c in zip(pools, claims, strict=True):
                    pool.servers.withdraw(c)
                return False
    if world.calendar_enabled:
        t = env.now
        start = next_open_all(t, team.pools, duration)
        if start > t:
            yield env.timeout(start - t)
        if until is not None and env.now >= until:
            release(team)
            return False
    elif until is not None and env.now >= until:
        release(team)
        return False
    if team.learning:
        now = env.now
        duration *= max(learning_factor(pool, now) for pool in team.pools)
    resource = team.label
    append = world.record
    append(env.now, p.pid, p.group, _START, stage, resource, detail, NAN)
    yield env.timeout(duration)
    append(env.now, p.pid, p.group, _END, stage, resource, detail, duration)
    if team.plain:
        single.servers.release()
    elif team.after_meeting_days > 0:
        env.process(after_work(world, p, team, stage, team.after_meeting_days))
    elif single is not None:
        single.servers.release()
    else:
        release(team)
    return True


def after_work(
    world: World, p: Participant, team: Team, stage: str, duration: float, *, held: bool = True
) -> Generator[simpy.Event, object, None]:
    """Staff time spent on a case without the participant (documentation, reflection, the
    write-up of a hand-off), recorded as a meeting with detail ``coordination``.

    ``held``: the team is still held from the meeting; otherwise it is claimed first.
    """
    env = world.env
    if not held:
        claims = [pool.servers.seize() for pool in team.pools]
        pending = [c for c in claims if c is not None]
        if pending:
            yield pending[0] if len(pending) == 1 else env.all_of(pending)
    append = world.record
    append(env.now, p.pid, p.group, _START, stage, team.label, "coordination", NAN)
    yield env.timeout(duration)
    release(team)
    append(env.now, p.pid, p.group, _END, stage, team.label, "coordination", duration)


def release(team: Team) -> None:
    """Give back one server of every pool of ``team``."""
    for pool in team.pools:
        pool.servers.release()


def next_open_all(t: float, pools: tuple[Pool, ...], duration: float) -> float:
    """Earliest time ≥ t when every pool is at work for a meeting of ``duration`` days."""
    while True:
        start = max(pool.calendar.next_open(t, pool.share, duration) for pool in pools)
        if start <= t:
            return t
        t = start
