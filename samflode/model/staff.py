"""Staff pools at run time, and the one way a meeting happens.

A meeting needs every listed pool to have someone free at the same time (the Konsultation team is
several roles; a Forum meeting is one), then an open moment in all their working calendars. A
participant with limited patience gives up if the wait for staff is longer than that. Caseload caps
are slots held by a participant from the opening of the case to the exit.

Staff and caseload slots are :class:`Servers`, a first-in first-out pool of identical servers
written for this hot path instead of :class:`simpy.Resource`: a free server is taken without
scheduling any event, and only a participant who must wait costs one SimPy event. Profiling the
tandem benchmark showed ``Resource``'s request and release objects at about a fifth of run time.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Generator
from typing import TYPE_CHECKING

import simpy

from samflode.config.calendar import WorkCalendar
from samflode.config.distributions import Exponential
from samflode.config.scenario import StaffPool
from samflode.eventlog.log import Kind

if TYPE_CHECKING:
    from samflode.model.participant import Participant
    from samflode.model.replication import Context

NAN = float("nan")
_START = Kind.MEETING_START
_END = Kind.MEETING_END
_OPENED = Kind.CASE_OPENED
_LEFT = Kind.STAFF_LEFT
_JOINED = Kind.STAFF_JOINED


class Servers:
    """``capacity`` identical servers with one first-in first-out queue.

    :meth:`seize` returns None when a server was free (it is now taken) or an event that
    succeeds when a server is handed over; :meth:`release` hands the server to the longest
    waiting claimant, or frees it. Invariant: servers are free only when nobody waits.
    """

    __slots__ = ("env", "capacity", "free", "waiting")

    def __init__(self, env: simpy.Environment, capacity: int) -> None:
        self.env = env
        self.capacity = capacity
        self.free = capacity
        self.waiting: deque[simpy.Event] = deque()

    def seize(self) -> simpy.Event | None:
        """Take a server now (None) or join the queue (the event to wait for)."""
        if self.free:
            self.free -= 1
            return None
        event = self.env.event()
        self.waiting.append(event)
        return event

    def release(self) -> None:
        """Give a server back: to the first in the queue, or to the free count."""
        if self.waiting:
            self.waiting.popleft().succeed()
        else:
            self.free += 1

    def seize_first(self) -> simpy.Event | None:
        """Like :meth:`seize`, but ahead of everyone waiting (a post falling vacant takes the
        next server that frees, not the one after the queue).
        """
        if self.free:
            self.free -= 1
            return None
        event = self.env.event()
        self.waiting.appendleft(event)
        return event

    def withdraw(self, event: simpy.Event | None) -> None:
        """Undo a :meth:`seize` whose claimant gave up: leave the queue, or give back the
        server if it had already been handed over.
        """
        if event is None or event.triggered:
            self.release()
        else:
            self.waiting.remove(event)


class Pool:
    """A staff pool: ``headcount`` people and, if capped, ``headcount × cap`` caseload slots."""

    __slots__ = (
        "role",
        "servers",
        "share",
        "caseload",
        "calendar",
        "learners",
        "slowdown",
        "headcount",
    )

    def __init__(
        self, env: simpy.Environment, role: str, cfg: StaffPool, calendar: WorkCalendar
    ) -> None:
        self.role = role
        self.calendar = calendar
        self.headcount = cfg.headcount
        self.learners: list[float] = []  # end of each newcomer's learning period
        self.slowdown = cfg.turnover.learning_slowdown if cfg.turnover else 1.0
        self.servers = Servers(env, cfg.headcount)
        self.share = cfg.share_on_method
        self.caseload = (
            Servers(env, cfg.headcount * cfg.caseload_cap) if cfg.caseload_cap is not None else None
        )


def learning_factor(pool: Pool, now: float) -> float:
    """How much longer this pool's meetings take while newcomers learn (1 = no newcomers)."""
    if not pool.learners:
        return 1.0
    pool.learners = [end for end in pool.learners if end > now]
    return 1.0 + (pool.slowdown - 1.0) * len(pool.learners) / pool.headcount


def turnover(ctx: Context, pool: Pool, cfg: StaffPool) -> Generator[simpy.Event, object, None]:
    """People leave the pool at random; each post stands vacant, then a newcomer learns."""
    env = ctx.env
    t = cfg.turnover
    if t.per_year <= 0:
        return
    gaps = ctx.streams.sampler(
        f"turnover.{pool.role}",
        Exponential(dist="exponential", mean=365.0 / (t.per_year * cfg.headcount), unit="days"),
    )
    vacancies = ctx.streams.sampler(f"turnover.{pool.role}.vacancy", t.vacancy)
    while True:
        yield env.timeout(gaps.draw())
        env.process(_vacancy(ctx, pool, vacancies.draw(), t.learning_days))


def _vacancy(ctx: Context, pool: Pool, vacancy: float, learning_days: float):  # noqa: ANN202
    env = ctx.env
    claim = pool.servers.seize_first()
    if claim is not None:
        yield claim  # the leaver finishes the meeting in hand
    ctx.append((env.now, -1, "", _LEFT, "staff", pool.role, "", vacancy))
    yield env.timeout(vacancy)
    pool.servers.release()
    pool.learners.append(env.now + learning_days)
    ctx.append((env.now, -1, "", _JOINED, "staff", pool.role, "", NAN))


class Team:
    """The pools that must all be present at one kind of meeting, with its log label."""

    __slots__ = (
        "pools",
        "label",
        "single",
        "after_meeting_days",
        "handoff_days",
        "learning",
        "plain",
    )

    def __init__(
        self, pools: tuple[Pool, ...], *, after_meeting_days: float = 0.0, handoff_days: float = 0.0
    ) -> None:
        self.pools = pools
        self.label = "+".join(pool.role for pool in pools)
        self.single = pools[0] if len(pools) == 1 else None
        # Staff time without the participant: after each meeting (documentation, reflection)
        # and for each case this team sends on to another organisation (the write-up).
        self.after_meeting_days = after_meeting_days
        self.handoff_days = handoff_days
        self.learning = any(pool.slowdown > 1.0 for pool in pools)
        # A one-person meeting with no newcomers and no time after it: the fast path in meet().
        self.plain = self.single is not None and not self.learning and after_meeting_days == 0


def wait_patiently(
    env: simpy.Environment, event: simpy.Event, patience: float | None
) -> Generator[simpy.Event, object, bool]:
    """Wait for ``event``, at most ``patience`` days (None: for ever); True if it happened."""
    if patience is None:
        yield event
        return True
    yield event | env.timeout(patience)
    return event.triggered


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
    """Hold a meeting of ``team`` with ``p``; return False if ``p`` gave up waiting.

    A meeting that could not start before ``until`` (e.g. a check-in due while an intervention
    ran, when the intervention has ended) is not held; it then also returns False.

    All pools are claimed at once and queue first-in first-out in each, so the oldest waiting
    meeting is first in every queue and joint meetings cannot deadlock.
    """
    env = ctx.env
    single = team.single
    patience = p.patience if patient else None
    if single is not None:
        claim = single.servers.seize()
        if claim is not None:
            # The plain wait is inlined: in a busy system nearly every meeting takes this path.
            if patience is None and not ctx.track_waits:
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
    if ctx.calendar_enabled:
        t = env.now
        start = ctx.next_open_all(t, team.pools, duration)
        if start > t:
            yield env.timeout(start - t)
        if until is not None and env.now >= until:
            _release(team)
            return False
    elif until is not None and env.now >= until:
        _release(team)
        return False
    if team.learning:
        now = env.now
        duration *= max(learning_factor(pool, now) for pool in team.pools)
    resource = team.label
    append = ctx.append
    append((env.now, p.pid, p.group, _START, stage, resource, detail, NAN))
    yield env.timeout(duration)
    append((env.now, p.pid, p.group, _END, stage, resource, detail, duration))
    if team.plain:
        single.servers.release()
    elif team.after_meeting_days > 0:
        env.process(after_work(ctx, p, team, stage, team.after_meeting_days))
    elif single is not None:
        single.servers.release()
    else:
        _release(team)
    return True


def after_work(
    ctx: Context, p: Participant, team: Team, stage: str, duration: float, *, held: bool = True
) -> Generator[simpy.Event, object, None]:
    """Staff time spent on a case without the participant (documentation, reflection, the
    write-up of a hand-off), recorded as a meeting with detail ``coordination``.

    ``held``: the team is still held from the meeting; otherwise it is claimed first.
    """
    env = ctx.env
    if not held:
        claims = [pool.servers.seize() for pool in team.pools]
        pending = [c for c in claims if c is not None]
        if pending:
            yield pending[0] if len(pending) == 1 else env.all_of(pending)
    append = ctx.append
    append((env.now, p.pid, p.group, _START, stage, team.label, "coordination", NAN))
    yield env.timeout(duration)
    _release(team)
    append((env.now, p.pid, p.group, _END, stage, team.label, "coordination", duration))


def _release(team: Team) -> None:
    for pool in team.pools:
        pool.servers.release()


def open_case(ctx: Context, p: Participant) -> Generator[simpy.Event, object, bool]:
    """Give the case to a handläggare (taking a caseload slot if capped); False if ``p`` gave up.

    Call only for groups with a handläggare pool (``ctx.handlaggare``).
    """
    pool = ctx.handlaggare[p.group].single
    env = ctx.env
    if pool.caseload is not None:
        claim = pool.caseload.seize()
        if claim is not None:
            t0 = env.now
            served = yield from wait_patiently(env, claim, p.patience)
            p.waited += env.now - t0
            if not served:
                pool.caseload.withdraw(claim)
                return False
        p.slot = pool.caseload
    ctx.append((env.now, p.pid, p.group, _OPENED, p.stage, pool.role, "", NAN))
    return True


def close_case(p: Participant) -> None:
    """Free the participant's caseload slot, if any."""
    if p.slot is not None:
        p.slot.release()
        p.slot = None
