"""Cases held by a handläggare: opening one takes a caseload slot (when capped) until the exit."""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

import simpy

from samflode.eventlog.log import NAN, Kind
from samflode.model.resources import wait_patiently

if TYPE_CHECKING:
    from samflode.model.participant import Participant
    from samflode.model.world import World

_OPENED = Kind.CASE_OPENED
_QUEUED = Kind.QUEUED


def open_case(world: World, p: Participant) -> Generator[simpy.Event, object, bool]:
    """Give the case to a handläggare (taking a caseload slot if capped); False if ``p`` gave up.

    Call only for groups with a handläggare pool (``world.handlaggare``).
    """
    pool = world.handlaggare[p.group].single
    env = world.env
    if pool.caseload is not None:
        claim = pool.caseload.seize()
        if claim is not None:
            world.record(env.now, p.pid, p.group, _QUEUED, p.stage, pool.role, "caseload", NAN)
            t0 = env.now
            served = yield from wait_patiently(env, claim, p.patience)
            world.waited(p, env.now - t0)
            if not served:
                pool.caseload.withdraw(claim)
                return False
        p.slot = pool.caseload
    if world.casework is not None:
        world.casework.opened(p, pool)
    world.record(env.now, p.pid, p.group, _OPENED, p.stage, pool.role, "", NAN)
    return True


def close_case(p: Participant) -> None:
    """Free the participant's caseload slot, if any."""
    if p.slot is not None:
        p.slot.release()
        p.slot = None
