"""Staff pools at run time, and the one way a meeting happens.

A meeting needs every listed pool to have someone free at the same time (the Konsultation team is
several roles; a Forum meeting is one), then an open moment in all their working calendars. A
participant with limited patience gives up if the wait for staff is longer than that. Caseload caps
are slots held by a participant from the opening of the case to the exit.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

import simpy

from sim.eventlog import Event
from sim.scenario import StaffPool

if TYPE_CHECKING:
    from sim.model import Context
    from sim.participant import Participant

NAN = float("nan")
_START = Event.MEETING_START
_END = Event.MEETING_END
_OPENED = Event.CASE_OPENED


class Pool:
    """A staff pool: a SimPy resource of ``headcount`` people and, if capped, caseload slots."""

    __slots__ = ("role", "resource", "share", "caseload")

    def __init__(self, env: simpy.Environment, role: str, cfg: StaffPool) -> None:
        self.role = role
        self.resource = simpy.Resource(env, capacity=cfg.headcount)
        self.share = cfg.share_on_method
        self.caseload = (
            simpy.Resource(env, capacity=cfg.headcount * cfg.caseload_cap)
            if cfg.caseload_cap is not None
            else None
        )


class Team:
    """The pools that must all be present at one kind of meeting, with its log label."""

    __slots__ = ("pools", "label", "single")

    def __init__(self, pools: tuple[Pool, ...]) -> None:
        self.pools = pools
        self.label = "+".join(pool.role for pool in pools)
        self.single = pools[0] if len(pools) == 1 else None


def meet(
    ctx: Context,
    p: Participant,
    stage: str,
    detail: str,
    team: Team,
    duration: float,
    *,
    patient: bool = True,
    until: float | None = None,
) -> Generator[simpy.Event, object, bool]:
    """Hold a meeting of ``pools`` with ``p``; return False if ``p`` gave up waiting.

    A meeting that could not start before ``until`` (e.g. a check-in due while an intervention
    ran, when the intervention has ended) is not held; it then also returns False.

    Requests to all pools are made at once and queue first-in first-out in each, so the oldest
    waiting meeting is first in every queue and joint meetings cannot deadlock.
    """
    env = ctx.env
    pools = team.pools
    single = team.single
    if single is not None:
        req = single.resource.request()
        reqs = (req,)
        wanted: simpy.Event = req
    else:
        reqs = tuple(pool.resource.request() for pool in pools)
        wanted = env.all_of(reqs)
    patience = p.patience if patient else None
    if patience is None:
        yield wanted
    else:
        yield wanted | env.timeout(patience)
        if not wanted.triggered:
            for pool, r in zip(pools, reqs, strict=True):
                if r.triggered:
                    pool.resource.release(r)
                else:
                    r.cancel()
            return False
    if ctx.calendar_enabled:
        t = env.now
        start = ctx.next_open_all(t, pools, duration)
        if start > t:
            yield env.timeout(start - t)
    if until is not None and env.now >= until:
        for pool, r in zip(pools, reqs, strict=True):
            pool.resource.release(r)
        return False
    resource = team.label
    append = ctx.append
    append((env.now, p.pid, p.group, _START, stage, resource, detail, NAN))
    yield env.timeout(duration)
    if single is not None:
        single.resource.release(req)
    else:
        for pool, r in zip(pools, reqs, strict=True):
            pool.resource.release(r)
    append((env.now, p.pid, p.group, _END, stage, resource, detail, duration))
    return True


def open_case(ctx: Context, p: Participant) -> Generator[simpy.Event, object, bool]:
    """Give the case to a handläggare (taking a caseload slot if capped); False if ``p`` gave up."""
    team = ctx.handlaggare.get(p.group)
    if team is None:
        return True
    pool = team.single
    env = ctx.env
    if pool.caseload is not None:
        req = pool.caseload.request()
        if p.patience is None:
            yield req
        else:
            yield req | env.timeout(p.patience)
            if not req.triggered:
                req.cancel()
                return False
        p.slot = (pool.caseload, req)
    ctx.append((env.now, p.pid, p.group, _OPENED, p.stage, pool.role, "", NAN))
    return True


def close_case(p: Participant) -> None:
    """Free the participant's caseload slot, if any."""
    if p.slot is not None:
        resource, req = p.slot
        resource.release(req)
        p.slot = None
