"""Insatsmarknad: authorised providers with places, customer choice, check-ins, bonuses (000 §6.3).

With a signed kontrakt the participant picks a provider offering the intervention type among those
with a free place, weighted by the providers' preference (customer choice, "kundval"). If every
such provider is full, the participant waits first-in first-out for the first place that frees up.
The provider is paid a base fee per hour while the intervention runs, and result bonuses at the
sub-goal, at a job and at 6 months in work (the amounts and who pays are :mod:`sim.costs`' job).
The handläggare holding the kontrakt meets the participant once a month while it runs.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Generator
from typing import TYPE_CHECKING

import simpy

from sim.eventlog import Kind
from sim.exit import draw_exit_state, dropout_fraction
from sim.scenario import Insatsmarknad
from sim.staff import NAN, Team, meet, wait_patiently

if TYPE_CHECKING:
    from sim.model import Context
    from sim.participant import Participant

STAGE = "insatsmarknad"
SUBGOAL_STATES = ("work", "studies", "af_programme")


class Market:
    """Free places per provider and the queue of participants waiting for any place."""

    def __init__(self, env: simpy.Environment, cfg: Insatsmarknad) -> None:
        self.env = env
        self.free = {
            name: (prov.places if prov.places is not None else float("inf"))
            for name, prov in cfg.providers.items()
        }
        self.offers = {
            itype: [name for name, prov in cfg.providers.items() if itype in prov.offers]
            for itype in cfg.types
        }
        self.preference = {name: prov.preference for name, prov in cfg.providers.items()}
        self.offered_by = {name: set(prov.offers) for name, prov in cfg.providers.items()}
        self.waiting: deque[tuple[str, simpy.Event]] = deque()

    def take(self, itype: str, u: float) -> str | None:
        """Choose among providers with a free place by preference; None if all are full."""
        free = self.free
        candidates = [name for name in self.offers[itype] if free[name] > 0]
        if not candidates:
            return None
        chosen = candidates[-1]
        if len(candidates) > 1:
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


def issue_check(ctx: Context, p: Participant) -> None:
    """Record the check (voucher) that comes with the kontrakt: the intervention type it is valid
    for and the provider hours it buys (hours per week × planned weeks).
    """
    itype = ctx.scenario.insatsmarknad.types[p.intervention]
    hours = itype.hours_per_week * p.insats_duration / 7.0
    ctx.append((ctx.env.now, p.pid, p.group, Kind.CHECK_ISSUED, STAGE, "", p.intervention, hours))


def run(ctx: Context, p: Participant) -> Generator[simpy.Event, object, str]:
    """Find a place, run the intervention, and return the state the kontrakt ends in."""
    env = ctx.env
    market = ctx.market
    p.stage = STAGE
    pid, group, itype, append = p.pid, p.group, p.intervention, ctx.append
    append((env.now, pid, group, Kind.INSATS_QUEUED, STAGE, "", itype, NAN))
    provider = market.take(itype, p.u_provider)
    if provider is None:
        wanted = market.wait(itype)
        served = yield from wait_patiently(env, wanted, p.patience)
        if not served:
            market.cancel(wanted)
            return "dropout_waiting"
        provider = wanted.value
    itype_cfg = ctx.scenario.insatsmarknad.types[itype]
    append(
        (
            env.now,
            pid,
            group,
            Kind.INSATS_STARTED,
            STAGE,
            provider,
            itype,
            itype_cfg.hours_per_week,
        )
    )
    state = draw_exit_state(ctx, p)
    planned = p.insats_duration
    duration = planned * dropout_fraction(ctx, p) if state == "dropout" else planned
    end = env.now + duration
    team = ctx.handlaggare.get(group)
    if team is not None:
        env.process(_checkins(ctx, p, team, end))
    subgoal_at = itype_cfg.subgoal_at * planned
    if state in SUBGOAL_STATES and subgoal_at < duration:
        yield env.timeout(subgoal_at)
        append((env.now, pid, group, Kind.SUBGOAL_REACHED, STAGE, provider, itype, NAN))
        yield env.timeout(duration - subgoal_at)
    else:
        yield env.timeout(duration)
    append((env.now, pid, group, Kind.INSATS_ENDED, STAGE, provider, state, NAN))
    market.release(provider)
    return state


def _checkins(ctx: Context, p: Participant, team: Team, end: float):  # noqa: ANN202
    """Monthly follow-up meetings with the handläggare while the intervention runs."""
    env = ctx.env
    interval = ctx.scenario.insatsmarknad.followup_interval_days
    while env.now + interval < end:
        yield env.timeout(interval)
        duration = ctx.checkin_duration.draw()
        # A check-in that cannot be over before the intervention ends is not held.
        yield from meet(
            ctx, p, STAGE, "checkin", team, duration, patient=False, until=end - duration
        )
