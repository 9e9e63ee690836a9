"""Insatsmarknad: authorised providers with places, customer choice, check-ins, bonuses (000 §6.3).

With a signed kontrakt the participant picks a provider offering the intervention type among those
with a free place, weighted by the providers' preference (customer choice, "kundval"). If every such
provider is full, the participant waits first-in first-out for the first place that frees up. The
provider is paid a base fee per hour while the intervention runs, and result bonuses at the
sub-goal, at a job and at 6 months in work (the amounts and who pays are
:mod:`samflode.analysis.costs`' job). The handläggare holding the kontrakt meets the participant
once a month while it runs.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Generator
from typing import TYPE_CHECKING

import simpy

from samflode.config.distributions import DAYS_PER_UNIT
from samflode.config.scenario import Insatsmarknad
from samflode.eventlog.log import NAN, Kind
from samflode.model.meeting import meet
from samflode.model.resources import wait_patiently
from samflode.model.staff import Team
from samflode.model.stages.exit import (
    decides_dropout,
    draw_exit_state,
    dropout_fraction,
    end_of_support_state,
    heading_for,
)

if TYPE_CHECKING:
    from samflode.model.participant import Participant
    from samflode.model.world import World

STAGE = "insatsmarknad"
SUBGOAL_STATES = ("work", "studies", "af_programme")
_SUBGOAL_CHECK = "subgoal_check"  # a timeline entry, never a record


class Market:
    """Free places per provider and the queue of participants waiting for any place.

    Providers with a procurement lag (``available_from_days``) open their places at that day.
    """

    def __init__(self, env: simpy.Environment, cfg: Insatsmarknad) -> None:
        self.env = env
        self.assigned = cfg.choice == "assigned"
        self.free: dict[str, float] = {}
        for name, prov in cfg.providers.items():
            places = prov.places if prov.places is not None else math.inf
            if prov.available_from_days > 0:
                self.free[name] = 0
                env.process(self._open_later(name, places, prov.available_from_days))
            else:
                self.free[name] = places
        self.offers = {
            itype: [name for name, prov in cfg.providers.items() if itype in prov.offers]
            for itype in cfg.types
        }
        self.preference = {name: prov.preference for name, prov in cfg.providers.items()}
        self.offered_by = {name: set(prov.offers) for name, prov in cfg.providers.items()}
        self.waiting: deque[tuple[str, simpy.Event]] = deque()

    def _open_later(self, provider: str, places: float, at: float):  # noqa: ANN202
        yield self.env.timeout(at)
        offered = self.offered_by[provider]
        for entry in list(self.waiting):
            if places <= 0:
                break
            if entry[0] in offered:
                self.waiting.remove(entry)
                entry[1].succeed(provider)
                places -= 1
        self.free[provider] = places

    def take(self, itype: str, u: float, *, assigned: bool = False) -> str | None:
        """A provider with a free place for ``itype``, or None if all are full.

        Customer choice picks by preference weight with the participant's own ``u``; an assigned
        place (procured programmes, or a place the handläggare arranges) is the first provider in
        the listed order with room.
        """
        free = self.free
        candidates = [name for name in self.offers[itype] if free[name] > 0]
        if not candidates:
            return None
        chosen = candidates[0] if assigned or self.assigned else candidates[-1]
        if len(candidates) > 1 and not (assigned or self.assigned):
            total = sum(self.preference[c] for c in candidates)
            acc = 0.0
            for name in candidates:
                acc += self.preference[name] / total
                if u < acc:
                    chosen = name
                    break
        free[chosen] -= 1
        return chosen

    def wait(self, itype: str) -> simpy.Event:
        """An event that succeeds with a provider name when a place frees up."""
        event = self.env.event()
        self.waiting.append((itype, event))
        return event

    def cancel(self, event: simpy.Event) -> None:
        """Withdraw a participant who gave up waiting."""
        self.waiting = deque(entry for entry in self.waiting if entry[1] is not event)

    def release(self, provider: str) -> None:
        """Free a place; hand it to the longest-waiting participant whose type it offers."""
        offered = self.offered_by[provider]
        for entry in self.waiting:
            if entry[0] in offered:
                self.waiting.remove(entry)
                entry[1].succeed(provider)
                return
        self.free[provider] += 1


class InsatsmarknadState:
    """The market, the check-in durations and, with continuity losses, the pauses they cause."""

    __slots__ = ("market", "checkin_duration", "continuity", "change_delay", "followup_team")

    def __init__(self, world: World, cfg: Insatsmarknad) -> None:
        sc = world.scenario
        self.continuity = sc.continuity
        self.change_delay = (
            world.streams.sampler("continuity.delay", sc.continuity.delay)
            if sc.continuity
            else None
        )
        self.market = Market(world.env, cfg)
        self.checkin_duration = world.streams.sampler(
            "insatsmarknad.followup_duration", cfg.followup_duration
        )
        # A joint follow-up: every listed pool attends (AMiA's monthly FK+AF meeting, p. 38),
        # with the documentation and reflection after a meeting that spans organisations.
        self.followup_team = None
        if cfg.followup_roles is not None:
            pools = tuple(world.pools[r] for r in cfg.followup_roles)
            parties = {party for r in cfg.followup_roles for party in sc.staff[r].party_shares()}
            joint_minutes = sc.coordination.joint_meeting_minutes if sc.coordination else 0.0
            overhead = joint_minutes * DAYS_PER_UNIT["minutes"] if len(parties) > 1 else 0.0
            self.followup_team = Team(pools, after_meeting_days=overhead)


def setup(world: World) -> InsatsmarknadState | None:
    """The Insatsmarknad's state, or None for a design without one (the exit is drawn at once)."""
    cfg = world.scenario.insatsmarknad
    return InsatsmarknadState(world, cfg) if cfg is not None else None


def refuses(world: World, p: Participant) -> bool:
    """Cream skimming: every provider turns this case away (flat 6-month bonus only)."""
    cream = world.scenario.insatsmarknad.cream_skimming
    if cream is None or p.difficulty <= 1:
        return False
    bonus = world.scenario.costs.bonus_6m_sek
    if len(set(bonus.values())) > 1:
        return False  # the bonus rises with difficulty: hard cases pay, nobody is turned away
    accept = 1.0 - cream.refusal_per_difficulty_step * (p.difficulty - 1)
    return p.u_accept >= accept


def continuity_changes(world: World, p: Participant, months: float) -> int:
    """Changes of handläggare during ``months``: Poisson, by inverse CDF of ``p.u_changes``."""
    mean = world.insatsmarknad.continuity.changes_per_month * months
    k = 0
    term = cum = math.exp(-mean)
    while p.u_changes >= cum and k < 100:
        k += 1
        term *= mean / k
        cum += term
    return k


def issue_check(world: World, p: Participant) -> None:
    """Record the check (voucher) that comes with the kontrakt: the intervention type it is valid
    for and the provider hours it buys (hours per week × planned weeks).
    """
    itype = world.scenario.insatsmarknad.types[p.intervention]
    hours = itype.hours_per_week * p.insats_duration / 7.0
    now = world.env.now
    world.record(now, p.pid, p.group, Kind.CHECK_ISSUED, STAGE, "", p.intervention, hours)


def run(world: World, p: Participant) -> Generator[simpy.Event, object, str]:
    """Find a place, run the intervention, and return the state the kontrakt ends in."""
    env = world.env
    stage = world.insatsmarknad
    market = stage.market
    p.stage = STAGE
    pid, group, itype, append = p.pid, p.group, p.intervention, world.record
    append(env.now, pid, group, Kind.INSATS_QUEUED, STAGE, "", itype, NAN)
    assigned = False
    if p.u_accept is not None and refuses(world, p):
        append(env.now, pid, group, Kind.INSATS_REFUSED, STAGE, "", itype, p.difficulty)
        yield env.timeout(p.placement_delay)
        world.waited(p, p.placement_delay)
        assigned = True
    provider = market.take(itype, p.u_provider, assigned=assigned)
    if provider is None:
        wanted = market.wait(itype)
        t0 = env.now
        served = yield from wait_patiently(env, wanted, p.patience)
        world.waited(p, env.now - t0)
        if not served:
            market.cancel(wanted)
            return "dropout_waiting"
        provider = wanted.value
    itype_cfg = world.scenario.insatsmarknad.types[itype]
    hours = itype_cfg.hours_per_week
    append(env.now, pid, group, Kind.INSATS_STARTED, STAGE, provider, itype, hours)
    planned = p.insats_duration
    if itype_cfg.ends_with_benefit and p.benefit_days is not None:
        # Until the benefit runs out: what is left of the clock when the intervention starts.
        planned = max(p.benefit_days - (env.now - p.arrived_at), 0.0)
    # Changes of handläggare pause the case and lower the chance of work (001, 004 BIP).
    timeline: list[tuple[float, str, float]] = []
    if stage.continuity is not None:
        n = continuity_changes(world, p, planned / DAYS_PER_UNIT["months"])
        p.changes += n
        for i in range(n):
            timeline.append(((i + 1) * planned / (n + 1), Kind.HANDLAGGARE_CHANGED, 0.0))
    subgoal_at = itype_cfg.subgoal_at * planned
    if world.outcome is None:
        # Legacy: the table decides the state now, before anything of the period happened.
        state = draw_exit_state(world, p)
        duration = planned * dropout_fraction(world, p) if state == "dropout" else planned
        if state in SUBGOAL_STATES and subgoal_at < duration:
            timeline.append((subgoal_at, Kind.SUBGOAL_REACHED, NAN))
    else:
        # Outcome model: only a drop-out is settled now; the state is drawn when support ends,
        # and the sub-goal is reached if the person is then heading for a progress state.
        if itype in world.outcome.health_types and p.health_at is None:
            p.health_at = env.now
        if itype in world.outcome.work_types and p.work_at is None:
            p.work_at = env.now
        state = "dropout" if decides_dropout(world, p) else None
        duration = planned * dropout_fraction(world, p) if state == "dropout" else planned
        if state is None and subgoal_at < duration:
            timeline.append((subgoal_at, _SUBGOAL_CHECK, NAN))
    timeline.sort()
    start = env.now
    pause = 0.0
    # The follow-ups run from the start; a pause (a change of handläggare) moves the end, which
    # they read from ``end_at``.
    end_at = [start + duration]
    team = stage.followup_team or world.handlaggare.get(group)
    if team is not None:
        env.process(_checkins(world, p, team, end_at))
    for offset, kind, _ in timeline:
        if offset >= duration:
            break
        at = start + offset + pause
        if at > env.now:
            yield env.timeout(at - env.now)
        if kind == Kind.HANDLAGGARE_CHANGED:
            delay = stage.change_delay.draw()
            pause += delay
            end_at[0] += delay
            append(env.now, pid, group, kind, STAGE, "", itype, delay)
        elif kind == _SUBGOAL_CHECK:
            if heading_for(world, p) in SUBGOAL_STATES:
                append(env.now, pid, group, Kind.SUBGOAL_REACHED, STAGE, provider, itype, NAN)
        else:
            append(env.now, pid, group, kind, STAGE, provider, itype, NAN)
    end = start + duration + pause
    yield env.timeout(end - env.now)
    if state is None:
        state = end_of_support_state(world, p, dropout_decided=True)
    append(env.now, pid, group, Kind.INSATS_ENDED, STAGE, provider, state, NAN)
    market.release(provider)
    return state


def _checkins(world: World, p: Participant, team: Team, end_at: list[float]):  # noqa: ANN202
    """Monthly follow-up meetings while the intervention runs (until ``end_at[0]``, which a pause
    moves). The next one is due a month after the last was held, so one that slips because the
    officers have no time delays the rest.
    """
    env = world.env
    nominal = world.scenario.insatsmarknad.followup_interval_days
    casework = world.casework
    # What one follow-up costs its officers: the meeting and the documentation after it.
    length = world.scenario.insatsmarknad.followup_duration.mean_days() + team.after_meeting_days
    interval = nominal
    if casework is not None:
        interval = casework.followup_interval(p, team, nominal, length)
    while env.now + interval < end_at[0]:
        yield env.timeout(interval)
        if casework is not None:
            interval = casework.followup_interval(p, team, nominal, length)
        duration = world.insatsmarknad.checkin_duration.draw()
        # A check-in that cannot be over before the intervention ends is not held.
        yield from meet(
            world, p, STAGE, "checkin", team, duration, patient=False, until=end_at[0] - duration
        )
