"""The model: wires one SimPy environment, the stages and the event log for one replication.

A participant arrives (target group, channel), passes Forum (triage; simple cases get their
kontrakt there), Konsultation for complex cases, the Insatsmarknad, and exits with follow-up at
90 days and 6 months. A failed kontrakt restarts the track. Anyone who waits longer than their
patience drops out. At the horizon every participant still in the system is recorded once, so
``arrivals = exits + in system`` can be checked from the log alone.
"""

from __future__ import annotations

import contextlib
import gc
import logging
from collections.abc import Generator, Iterator

import simpy

from samflode.config.calendar import WorkCalendar
from samflode.config.distributions import DAYS_PER_UNIT
from samflode.config.scenario import OutcomeRule, Scenario
from samflode.eventlog.log import EventLog, Kind
from samflode.model.participant import TRACK_COMPLEX, TRACK_SIMPLE, GroupDraws, Participant
from samflode.model.staff import NAN, Pool, Team, open_case
from samflode.model.staff import turnover as staff_turnover
from samflode.model.stages import exit as exit_stage
from samflode.model.stages import forum, insatsmarknad, konsultation
from samflode.model.stages.insatsmarknad import Market
from samflode.rng.streams import Streams

log = logging.getLogger(__name__)


class Context:
    """Everything one replication's processes share: env, pools, market, streams, log."""

    def __init__(self, scenario: Scenario, *, seed: int, replication: int) -> None:
        self.scenario = scenario
        self.env = simpy.Environment()
        self.streams = Streams(seed, replication)
        self.log = EventLog()
        self.append = self.log.records.append
        self.calendar = WorkCalendar(scenario.calendar, scenario.horizon_days)
        self.calendar_enabled = self.calendar.enabled
        calendars: dict[str, WorkCalendar] = {}
        self.pools = {}
        for role, cfg in scenario.staff.items():
            own = scenario.pool_calendar(role)
            key = own.model_dump_json()
            if key not in calendars:
                calendars[key] = WorkCalendar(own, scenario.horizon_days)
            self.pools[role] = Pool(self.env, role, cfg, calendars[key])
        coordination = scenario.coordination
        joint_minutes = coordination.joint_meeting_minutes if coordination else 0.0
        handoff_minutes = coordination.handoff_minutes if coordination else 0.0
        # One team per pool for one-person meetings; the hand-off write-up is their overhead.
        self.single = {
            role: Team((pool,), handoff_days=handoff_minutes * DAYS_PER_UNIT["minutes"])
            for role, pool in self.pools.items()
        }
        self.forum_team = self.single[scenario.forum.staff]
        self.intake = {
            g: self.single[cfg.intake or scenario.forum.staff] for g, cfg in scenario.groups.items()
        }
        self.handoff_teams = (
            [self.single[r] for r in scenario.handoffs.pools] if scenario.handoffs else []
        )
        k = scenario.konsultation
        self.konsultation_team = None
        if k is not None:
            parties = {party for r in k.roles for party in scenario.staff[r].party_shares()}
            # Documentation and reflection follow meetings that span organisations only.
            overhead = joint_minutes * DAYS_PER_UNIT["minutes"] if len(parties) > 1 else 0.0
            self.konsultation_team = Team(
                tuple(self.pools[r] for r in k.roles), after_meeting_days=overhead
            )
        self.handlaggare = {
            g: Team((self.pools[cfg.handlaggare],))
            for g, cfg in scenario.groups.items()
            if cfg.handlaggare is not None
        }
        self.continuity = scenario.continuity
        # Waiting time per participant is only needed when long waits lower the chance of work.
        self.track_waits = scenario.pauses is not None
        self.outcomes_adjusted = scenario.pauses is not None or scenario.continuity is not None
        self.change_delay = (
            self.streams.sampler("continuity.delay", scenario.continuity.delay)
            if scenario.continuity
            else None
        )
        self.market = Market(self.env, scenario.insatsmarknad) if scenario.insatsmarknad else None
        self.checkin_duration = (
            self.streams.sampler(
                "insatsmarknad.followup_duration", scenario.insatsmarknad.followup_duration
            )
            if scenario.insatsmarknad
            else None
        )
        self.follow_up = scenario.exit.follow_up
        self.active: dict[int, Participant] = {}
        self.next_pid = 0
        self._rules: dict[tuple[str, str, str], OutcomeRule] = {}

    def next_open_all(self, t: float, pools: tuple[Pool, ...], duration: float) -> float:
        """Earliest time ≥ t when every pool is at work for a meeting of ``duration`` days."""
        while True:
            start = max(pool.calendar.next_open(t, pool.share, duration) for pool in pools)
            if start <= t:
                return t
            t = start

    def handoff_destination(self, current: Team, u: float) -> Team:
        """The intake a case is sent on to: one of the other hand-off pools, chosen by ``u``."""
        others = [team for team in self.handoff_teams if team is not current]
        return others[min(int(u * len(others)), len(others) - 1)]

    def work_factor(self, p: Participant) -> float:
        """Multiplier on the chance of an exit to work from lost continuity and long waits."""
        factor = 1.0
        if self.continuity is not None and p.changes:
            factor *= self.continuity.work_factor**p.changes
        pauses = self.scenario.pauses
        if pauses is not None and p.waited > pauses.grace_days:
            factor *= pauses.work_factor_per_30_days ** ((p.waited - pauses.grace_days) / 30.0)
        return factor

    def outcome_rule(self, group: str, track: str, intervention: str) -> OutcomeRule:
        """Cached lookup of the first matching outcome rule (validated to exist)."""
        key = (group, track, intervention)
        rule = self._rules.get(key)
        if rule is None:
            rule = self.scenario.outcome_rule(group, track, intervention)
            self._rules[key] = rule
        return rule


def arrivals(ctx: Context, group: str, draws: GroupDraws) -> Generator[simpy.Event, object, None]:
    """Poisson arrivals of one target group; with a calendar, only within office hours."""
    cfg = ctx.scenario.groups[group]
    if cfg.inflow_per_week <= 0:
        return
    env = ctx.env
    cal = ctx.calendar
    open_days_per_week = len(ctx.scenario.calendar.weekdays) if cal.enabled else 7.0
    gap = ctx.streams.sampler(
        f"arrivals.{group}",
        _exponential_days(open_days_per_week / cfg.inflow_per_week),
    )
    horizon = ctx.scenario.horizon_days
    to_time = cal.open_days_to_time if cal.enabled else None
    clock = 0.0
    while True:
        clock += gap.draw()
        t = to_time(clock) if to_time is not None else clock
        if t >= horizon:
            return
        yield env.timeout(t - env.now)
        pid = ctx.next_pid
        ctx.next_pid = pid + 1
        p = draws.new(pid)
        env.process(participant(ctx, p, draws))


def _exponential_days(mean_days: float):  # noqa: ANN202 - a distribution spec
    from samflode.config.distributions import Exponential

    return Exponential(dist="exponential", mean=mean_days, unit="days")


def participant(ctx: Context, p: Participant, draws: GroupDraws) -> Generator:
    """One participant's path from arrival to exit and follow-up."""
    env = ctx.env
    sc = ctx.scenario
    ctx.active[p.pid] = p
    ctx.append((env.now, p.pid, p.group, Kind.ARRIVED, "arrival", "", p.channel, p.difficulty))
    if p.channel == "direct_konsultation":
        p.track = TRACK_COMPLEX
    else:
        met = yield from forum.first_meeting(ctx, p)
        if not met:
            yield from _drop_out(ctx, p)
            return
    if p.group in ctx.handlaggare:
        opened = yield from open_case(ctx, p)
        if not opened:
            yield from _drop_out(ctx, p)
            return
    first = True
    while True:
        if p.track == TRACK_SIMPLE or ctx.konsultation_team is None:
            signed = yield from forum.kontrakt(ctx, p, first=first)
        else:
            signed = yield from konsultation.run(ctx, p)
        if not signed:
            yield from _drop_out(ctx, p)
            return
        if ctx.market is not None:
            insatsmarknad.issue_check(ctx, p)
            state = yield from insatsmarknad.run(ctx, p)
            if state == "dropout_waiting":
                yield from _drop_out(ctx, p)
                return
        else:
            state = exit_stage.draw_exit_state(ctx, p)
        if state != "restart":
            break
        if p.restarts >= sc.exit.restart_limit:
            state = "permanent_support"
            break
        p.restarts += 1
        ctx.append((env.now, p.pid, p.group, Kind.RESTARTED, p.stage, "", p.track, p.restarts))
        draws.redraw_for_restart(p)
        first = False
    exit_stage.leave(ctx, p, state)
    if ctx.follow_up:
        yield from exit_stage.follow_up(ctx, p, state)


def _drop_out(ctx: Context, p: Participant) -> Generator:
    ctx.append((ctx.env.now, p.pid, p.group, Kind.DROPPED_OUT, p.stage, "", "", NAN))
    exit_stage.leave(ctx, p, "dropout")
    if ctx.follow_up:
        yield from exit_stage.follow_up(ctx, p, "dropout")


@contextlib.contextmanager
def _fewer_gc_passes() -> Iterator[None]:
    """Run with a larger first-generation threshold, restoring the caller's settings after.

    A run allocates millions of short-lived SimPy events; the default threshold (700) makes the
    cyclic collector scan them far more often than needed (about 5 % of run time, measured).
    """
    old = gc.get_threshold()
    gc.set_threshold(max(old[0], 50_000), *old[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)


def run_replication(scenario: Scenario, *, seed: int, replication: int) -> EventLog:
    """Run one replication to the horizon and return its event log."""
    ctx = Context(scenario, seed=seed, replication=replication)
    for group in scenario.groups:
        draws = GroupDraws(scenario, ctx.streams, group)
        ctx.env.process(arrivals(ctx, group, draws))
    for role, cfg in scenario.staff.items():
        if cfg.turnover is not None:
            ctx.env.process(staff_turnover(ctx, ctx.pools[role], cfg))
    horizon = scenario.horizon_days
    with _fewer_gc_passes():
        ctx.env.run(until=horizon)
    for pid in sorted(ctx.active):
        p = ctx.active[pid]
        ctx.append((horizon, pid, p.group, Kind.IN_SYSTEM_AT_END, p.stage, "", "", NAN))
    if log.isEnabledFor(logging.DEBUG):
        log.debug(
            "replication %d: %d records, %d in system at end",
            replication,
            len(ctx.log.records),
            len(ctx.active),
        )
    return ctx.log
