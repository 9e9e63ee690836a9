"""Staff turnover: people leave a pool at random, the post stands vacant, a newcomer learns.

A vacant post is neither paid nor available; while newcomers learn, the pool's meetings take
longer (:func:`samflode.model.staff.learning_factor`).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

import simpy

from samflode.config.distributions import Exponential
from samflode.config.scenario import StaffPool
from samflode.eventlog.log import NAN, Kind
from samflode.model.resources import post_of
from samflode.model.staff import Pool

if TYPE_CHECKING:
    from samflode.model.world import World

_LEFT = Kind.STAFF_LEFT
_JOINED = Kind.STAFF_JOINED


def turnover(world: World, pool: Pool, cfg: StaffPool) -> Generator[simpy.Event, object, None]:
    """People leave the pool at random; each post stands vacant, then a newcomer learns."""
    env = world.env
    t = cfg.turnover
    if t.per_year <= 0:
        return
    gaps = world.streams.sampler(
        f"turnover.{pool.role}",
        Exponential(dist="exponential", mean=365.0 / (t.per_year * cfg.headcount), unit="days"),
    )
    vacancies = world.streams.sampler(f"turnover.{pool.role}.vacancy", t.vacancy)
    while True:
        yield env.timeout(gaps.draw())
        env.process(_vacancy(world, pool, vacancies.draw(), t.learning_days))


def _vacancy(world: World, pool: Pool, vacancy: float, learning_days: float):  # noqa: ANN202
    env = world.env
    claim = pool.servers.seize_first()
    if claim.__class__ is not int:
        yield claim  # the leaver finishes the meeting in hand
    post = post_of(claim)
    world.record(env.now, -1, "", _LEFT, "staff", pool.role, "", vacancy)
    if world.casework is not None:
        world.casework.post_vacated(pool, post)
    yield env.timeout(vacancy)
    pool.persons[post] += 1  # a new person in the post: someone the participants have not met
    pool.servers.release(post)
    if world.casework is not None:
        world.casework.post_filled(pool, post)
    pool.learners.append(env.now + learning_days)
    world.record(env.now, -1, "", _JOINED, "staff", pool.role, "", NAN)
