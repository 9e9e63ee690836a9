"""One replication: build the world, start arrivals and staff turnover, follow each participant.

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

from samflode.config.distributions import Exponential
from samflode.config.scenario import Scenario
from samflode.eventlog.log import NAN, EventLog, Kind
from samflode.model import casework, outcome
from samflode.model.caseload import open_case
from samflode.model.participant import TRACK_COMPLEX, TRACK_SIMPLE, GroupDraws, Participant
from samflode.model.stages import exit as exit_stage
from samflode.model.stages import forum, insatsmarknad, konsultation
from samflode.model.turnover import turnover as staff_turnover
from samflode.model.world import World

log = logging.getLogger(__name__)


def build(scenario: Scenario, *, seed: int, replication: int) -> World:
    """The world of one replication with every stage set up, in a fixed order.

    The order matters only for processes a setup starts (a provider opening its places later):
    SimPy runs processes created at the same time in creation order.
    """
    world = World(scenario, seed=seed, replication=replication)
    world.forum = forum.setup(world)
    world.konsultation = konsultation.setup(world)
    world.insatsmarknad = insatsmarknad.setup(world)
    world.exit = exit_stage.setup(world)
    world.casework = casework.setup(world)
    world.outcome = outcome.setup(world)
    return world


def arrivals(world: World, group: str, draws: GroupDraws) -> Generator[simpy.Event, object, None]:
    """Poisson arrivals of one target group; with a calendar, only within office hours."""
    cfg = world.scenario.groups[group]
    if cfg.inflow_per_week <= 0:
        return
    env = world.env
    cal = world.calendar
    open_days_per_week = len(world.scenario.calendar.weekdays) if cal.enabled else 7.0
    gap = world.streams.sampler(
        f"arrivals.{group}",
        _exponential_days(open_days_per_week / cfg.inflow_per_week),
    )
    horizon = world.scenario.horizon_days
    if world.scenario.intake_until_days is not None:
        horizon = min(horizon, world.scenario.intake_until_days)
    to_time = cal.open_days_to_time if cal.enabled else None
    clock = 0.0
    while True:
        clock += gap.draw()
        t = to_time(clock) if to_time is not None else clock
        if t >= horizon:
            return
        yield env.timeout(t - env.now)
        pid = world.next_pid
        world.next_pid = pid + 1
        p = draws.new(pid)
        env.process(participant(world, p, draws))


def _exponential_days(mean_days: float) -> Exponential:
    return Exponential(dist="exponential", mean=mean_days, unit="days")


def participant(world: World, p: Participant, draws: GroupDraws) -> Generator:
    """One participant's path from arrival to exit and follow-up."""
    env = world.env
    sc = world.scenario
    world.active[p.pid] = p
    p.arrived_at = env.now
    world.record(env.now, p.pid, p.group, Kind.ARRIVED, "arrival", "", p.channel, p.difficulty)
    if p.channel == "direct_konsultation":
        p.track = TRACK_COMPLEX
    else:
        met = yield from forum.first_meeting(world, p)
        if not met:
            yield from _drop_out(world, p)
            return
    if p.group in world.handlaggare:
        opened = yield from open_case(world, p)
        if not opened:
            yield from _drop_out(world, p)
            return
    first = True
    first_type = p.intervention
    while True:
        if p.track == TRACK_SIMPLE or world.konsultation is None:
            signed = yield from forum.kontrakt(world, p, first=first)
        else:
            signed = yield from konsultation.run(world, p)
        if not signed:
            yield from _drop_out(world, p)
            return
        if world.insatsmarknad is not None:
            insatsmarknad.issue_check(world, p)
            state = yield from insatsmarknad.run(world, p)
            itype = sc.insatsmarknad.types[p.intervention]
            if itype.then is not None and state in itype.continue_on:
                # On to the follow-on intervention (AMiA: ALI), with its own outcome number.
                p.intervention = itype.then
                p.u_exit = p.u_phase
                p.insats_duration = p.phase_duration
                insatsmarknad.issue_check(world, p)
                state = yield from insatsmarknad.run(world, p)
            if state == "dropout_waiting":
                yield from _drop_out(world, p)
                return
        elif world.outcome is not None:
            state = exit_stage.end_of_support_state(world, p, dropout_decided=False)
        else:
            state = exit_stage.draw_exit_state(world, p)
        if state != "restart":
            break
        if p.restarts >= sc.exit.restart_limit:
            # No more new kontrakt in this flow: the case goes back to the ordinary support of
            # its organisation. Permanent support only "då det är tydligt klargjort att inga
            # möjligheter återstår" (000 S10), which a number of failed kontrakt does not show.
            state = "benefits"
            break
        p.restarts += 1
        p.intervention = first_type
        world.record(env.now, p.pid, p.group, Kind.RESTARTED, p.stage, "", p.track, p.restarts)
        draws.redraw_for_restart(p)
        first = False
    exit_stage.leave(world, p, state)
    if world.exit.follow_up:
        yield from exit_stage.follow_up(world, p, state)


def _drop_out(world: World, p: Participant) -> Generator:
    world.record(world.env.now, p.pid, p.group, Kind.DROPPED_OUT, p.stage, "", "", NAN)
    exit_stage.leave(world, p, "dropout")
    if world.exit.follow_up:
        yield from exit_stage.follow_up(world, p, "dropout")


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
    world = build(scenario, seed=seed, replication=replication)
    for group in scenario.groups:
        draws = GroupDraws(scenario, world.streams, group)
        world.env.process(arrivals(world, group, draws))
    for role, cfg in scenario.staff.items():
        if cfg.turnover is not None:
            world.env.process(staff_turnover(world, world.pools[role], cfg))
    if world.casework is not None:
        world.casework.start_admin()
    horizon = scenario.horizon_days
    with _fewer_gc_passes():
        world.env.run(until=horizon)
    for pid in sorted(world.active):
        p = world.active[pid]
        world.record(horizon, pid, p.group, Kind.IN_SYSTEM_AT_END, p.stage, "", "", NAN)
    if log.isEnabledFor(logging.DEBUG):
        log.debug(
            "replication %d: %d records, %d in system at end",
            replication,
            len(world.log),
            len(world.active),
        )
    return world.log
