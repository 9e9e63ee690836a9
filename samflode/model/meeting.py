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
from samflode.model.resources import post_of, wait_patiently
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
    meeting is first in every queue and joint meetings cannot deadlock. In a pool whose officers
    hold the case (:mod:`samflode.model.casework`) the claim is for the case's own officers.
    """
    env = world.env
    single = team.single
    patience = p.patience if patient else None
    casework = world.casework
    if single is not None:
        if casework is None:
            claim = single.servers.seize()
        else:
            claim = single.servers.seize(casework.eligible(p, single), casework.known(p, single))
        if claim.__class__ is not int:
            # The plain wait is inlined: in a busy system nearly every meeting takes this path.
            if patience is None and not world.track_waits:
                yield claim
            else:
                t0 = env.now
                served = yield from wait_patiently(env, claim, patience)
                world.waited(p, env.now - t0)
                if not served:
                    single.servers.withdraw(claim)
                    return False
            posts = (claim.value,)
        else:
            posts = (claim,)
    else:
        pools = team.pools
        if casework is None:
            claims = [pool.servers.seize() for pool in pools]
        else:
            claims = [
                pool.servers.seize(casework.eligible(p, pool), casework.known(p, pool))
                for pool in pools
            ]
        pending = [c for c in claims if c.__class__ is not int]
        if pending:
            wanted = pending[0] if len(pending) == 1 else env.all_of(pending)
            t0 = env.now
            served = yield from wait_patiently(env, wanted, patience)
            world.waited(p, env.now - t0)
            if not served:
                for pool, c in zip(pools, claims, strict=True):
                    pool.servers.withdraw(c)
                return False
        posts = tuple(post_of(c) for c in claims)
    if world.calendar_enabled:
        t = env.now
        start = next_open_all(t, team.pools, duration)
        if start > t:
            yield env.timeout(start - t)
        if until is not None and env.now >= until:
            release(team, posts)
            return False
    elif until is not None and env.now >= until:
        release(team, posts)
        return False
    if team.learning:
        now = env.now
        duration *= max(learning_factor(pool, now) for pool in team.pools)
    travel = 0.0
    if casework is not None:
        extra, travel = casework.met(p, team, posts)
        duration += extra + travel
    append = world.record
    resource = team.label
    append(env.now, p.pid, p.group, _START, stage, resource, detail, NAN)
    yield env.timeout(duration)
    append(env.now, p.pid, p.group, _END, stage, resource, detail, duration)
    if team.health and p.health_at is None:
        p.health_at = env.now - duration
    # Support received: the meeting with the participant, not the officers' travel to it.
    if team.joint:
        p.days_joint += duration - travel
        p.joint_meetings += 1
    else:
        p.days_single += duration - travel
    if team.plain:
        single.servers.release(posts[0])
    elif team.after_meeting_days > 0:
        env.process(after_work(world, p, team, stage, team.after_meeting_days, posts=posts))
    else:
        release(team, posts)
    return True


def after_work(
    world: World,
    p: Participant,
    team: Team,
    stage: str,
    duration: float,
    *,
    posts: tuple[int, ...] | None = None,
) -> Generator[simpy.Event, object, None]:
    """Staff time spent on a case without the participant (documentation, reflection, the
    write-up of a hand-off), recorded as a meeting with detail ``coordination``.

    ``posts``: the officers still held from the meeting; None: any free officer of each pool is
    claimed first.
    """
    env = world.env
    if posts is None:
        claims = [pool.servers.seize() for pool in team.pools]
        pending = [c for c in claims if c.__class__ is not int]
        if pending:
            yield pending[0] if len(pending) == 1 else env.all_of(pending)
        posts = tuple(post_of(c) for c in claims)
    append = world.record
    append(env.now, p.pid, p.group, _START, stage, team.label, "coordination", NAN)
    yield env.timeout(duration)
    release(team, posts)
    append(env.now, p.pid, p.group, _END, stage, team.label, "coordination", duration)


def release(team: Team, posts: tuple[int, ...]) -> None:
    """Give back the officer each pool of ``team`` lent to the meeting."""
    for pool, post in zip(team.pools, posts, strict=True):
        pool.servers.release(post)


def next_open_all(t: float, pools: tuple[Pool, ...], duration: float) -> float:
    """Earliest time ≥ t when every pool is at work for a meeting of ``duration`` days."""
    while True:
        start = max(pool.calendar.next_open(t, pool.share, duration) for pool in pools)
        if start <= t:
            return t
        t = start
