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
from samflode.model.stages.exit import draw_exit_state, dropout_fraction

if TYPE_CHECKING:
    from samflode.model.participant import Participant
    from samflode.model.world import World

STAGE = "insatsmarknad"
SUBGOAL_STATES = ("work", "studies", "af_programme")


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

    __slots__ = ("market", "checkin_duration", "continuity", "change_delay")

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
        p.waited += p.placement_delay
        assigned = True
    provider = market.take(itype, p.u_provider, assigned=assigned)
    if provider is None:
        wanted = market.wait(itype)
        t0 = env.now
        served = yield from wait_patiently(env, wanted, p.patience)
        p.waited += env.now - t0
        if not served:
            market.cancel(wanted)
            return "dropout_waiting"
        provider = wanted.value
    itype_cfg = world.scenario.insatsmarknad.types[itype]
    hours = itype_cfg.hours_per_week
    append(env.now, pid, group, Kind.INSATS_STARTED, STAGE, provider, itype, hours)
    planned = p.insats_duration
    # Changes of handläggare pause the case and lower the chance of work (001, 004 BIP).
    timeline: list[tuple[float, str, float]] = []
    if stage.continuity is not None:
        n = continuity_changes(world, p, planned / DAYS_PER_UNIT["months"])
        p.changes += n
        for i in range(n):
            timeline.append(((i + 1) * planned / (n + 1), Kind.HANDLAGGARE_CHANGED, 0.0))
    state = draw_exit_state(world, p)
    duration = planned * dropout_fraction(world, p) if state == "dropout" else planned
    subgoal_at = itype_cfg.subgoal_at * planned
    if state in SUBGOAL_STATES and subgoal_at < duration:
        timeline.append((subgoal_at, Kind.SUBGOAL_REACHED, NAN))
    timeline.sort()
    start = env.now
    pause = 0.0
    for offset, kind, _ in timeline:
        if offset >= duration:
            break
        at = start + offset + pause
        if at > env.now:
            yield env.timeout(at - env.now)
        if kind == Kind.HANDLAGGARE_CHANGED:
            delay = stage.change_delay.draw()
            pause += delay
            append(env.now, pid, group, kind, STAGE, "", itype, delay)
        else:
            append(env.now, pid, group, kind, STAGE, provider, itype, NAN)
    end = start + duration + pause
    team = world.handlaggare.get(group)
    if team is not None:
        env.process(_checkins(world, p, team, end))
    yield env.timeout(end - env.now)
    append(env.now, pid, group, Kind.INSATS_ENDED, STAGE, provider, state, NAN)
    market.release(provider)
    return state


def _checkins(world: World, p: Participant, team: Team, end: float):  # noqa: ANN202
    """Monthly follow-up meetings with the handläggare while the intervention runs."""
    env = world.env
    interval = world.scenario.insatsmarknad.followup_interval_days
    while env.now + interval < end:
        yield env.timeout(interval)
        duration = world.insatsmarknad.checkin_duration.draw()
        # A check-in that cannot be over before the intervention ends is not held.
        yield from meet(
            world, p, STAGE, "checkin", team, duration, patient=False, until=end - duration
        )
