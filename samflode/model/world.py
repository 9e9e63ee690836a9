"""The world of one replication: what every stage shares, and nothing that belongs to one stage.

The clock (a SimPy environment), the design (the frozen scenario), the random streams, the event
log, the staff (pools, one-person teams, each group's handläggare) and who is in the system. Each
stage owns the rest of its state: :func:`samflode.model.replication.build` calls every stage's
``setup(world)`` and hangs the result on ``world.forum``, ``world.konsultation``,
``world.insatsmarknad`` (``None`` when a design has no such stage) and ``world.exit``. This module
imports no stage, so a stage is read beside this page and its own module only.
"""

from __future__ import annotations

from typing import Any

import simpy

from samflode.config.calendar import shared_calendar
from samflode.config.distributions import DAYS_PER_UNIT
from samflode.config.scenario import Scenario
from samflode.eventlog.log import EventLog
from samflode.model.participant import Participant
from samflode.model.staff import Pool, Team
from samflode.rng.streams import Streams


class World:
    """One replication's shared state; see the module docstring for what lives where."""

    __slots__ = (
        "scenario",
        "env",
        "streams",
        "log",
        "record",
        "calendar",
        "calendar_enabled",
        "pools",
        "single",
        "handlaggare",
        "track_waits",
        "active",
        "next_pid",
        "forum",
        "konsultation",
        "insatsmarknad",
        "exit",
        "casework",
        "outcome",
        "pause_grace",
    )

    def __init__(self, scenario: Scenario, *, seed: int, replication: int) -> None:
        self.scenario = scenario
        self.env = simpy.Environment()
        self.streams = Streams(seed, replication)
        self.log = EventLog()
        # Recording an event appends to the log's eight columns: the hot path's only log cost.
        self.record = self.log.record
        self.calendar = shared_calendar(scenario.calendar, scenario.horizon_days)
        self.calendar_enabled = self.calendar.enabled
        self.pools = _pools(self.env, scenario)
        coordination = scenario.coordination
        handoff_minutes = coordination.handoff_minutes if coordination else 0.0
        # One team per pool for one-person meetings; the hand-off write-up is their overhead.
        self.single = {
            role: Team((pool,), handoff_days=handoff_minutes * DAYS_PER_UNIT["minutes"])
            for role, pool in self.pools.items()
        }
        # The handläggare who holds each group's case (open_case, monthly check-ins).
        self.handlaggare = {
            g: Team((self.pools[cfg.handlaggare],))
            for g, cfg in scenario.groups.items()
            if cfg.handlaggare is not None
        }
        # Waiting time per participant is only needed when long waits lower the chance of work.
        self.track_waits = scenario.pauses is not None or scenario.outcome_model is not None
        self.active: dict[int, Participant] = {}
        self.next_pid = 0
        self.forum: Any = None
        self.konsultation: Any = None
        self.insatsmarknad: Any = None
        self.exit: Any = None
        # Officers who hold cases, and their administration time (None: anonymous pools).
        self.casework: Any = None
        # The outcome model (None: the legacy draw from the table when support starts).
        self.outcome: Any = None
        om = scenario.outcome_model
        self.pause_grace = om.pause_grace_days if om is not None else None

    def waited(self, p: Participant, days: float) -> None:
        """Note that ``p`` waited ``days`` in one go; beyond the grace period it is a pause."""
        p.waited += days
        grace = self.pause_grace
        if grace is not None and days > grace:
            p.paused += days - grace


def _pools(env: simpy.Environment, scenario: Scenario) -> dict[str, Pool]:
    """Every staff pool; pools with equal calendars share one (calendars never change)."""
    horizon = scenario.horizon_days
    pools = {
        role: Pool(env, role, cfg, shared_calendar(scenario.pool_calendar(role), horizon))
        for role, cfg in scenario.staff.items()
    }
    for role, cfg in scenario.staff.items():
        pools[role].health = cfg.health_staff
    return pools
