"""Staff at run time: pools of people and the teams that meet together.

A pool's people are numbered posts (:class:`~samflode.model.resources.Officers`), its caseload
slots :class:`~samflode.model.resources.Servers`. How a
meeting claims a team is :mod:`samflode.model.meeting`'s job; caseload slots are
:mod:`samflode.model.caseload`'s, leavers and newcomers :mod:`samflode.model.turnover`'s.
"""

from __future__ import annotations

import simpy

from samflode.config.calendar import WorkCalendar
from samflode.config.scenario import StaffPool
from samflode.model.resources import Officers, Servers


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
        "parties",
        "persons",
        "health",
    )

    def __init__(
        self, env: simpy.Environment, role: str, cfg: StaffPool, calendar: WorkCalendar
    ) -> None:
        self.role = role
        self.calendar = calendar
        self.headcount = cfg.headcount
        self.learners: list[float] = []  # end of each newcomer's learning period
        self.slowdown = cfg.turnover.learning_slowdown if cfg.turnover else 1.0
        self.servers = Officers(env, cfg.headcount)
        self.parties = frozenset(cfg.party_shares())
        # Who holds each post: a number that grows when a newcomer fills it after a vacancy.
        self.persons = [0] * cfg.headcount
        self.health = False  # health staff: meeting them is a health activity (outcome model)
        self.share = cfg.share_on_method
        self.caseload = (
            Servers(env, cfg.headcount * cfg.caseload_cap) if cfg.caseload_cap is not None else None
        )


def learning_factor(pool: Pool, now: float) -> float:
    """How much longer this pool's meetings take while newcomers learn (1 = no newcomers)."""
    if not pool.learners:
        return 1.0
    # Newcomers still learning, at most one per post: with frequent turnover a newcomer can leave
    # again while learning, so only the latest ``headcount`` newcomers can still be there.
    pool.learners = [end for end in pool.learners if end > now][-pool.headcount :]
    return 1.0 + (pool.slowdown - 1.0) * len(pool.learners) / pool.headcount


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
        "joint",
        "health",
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
        # A joint meeting: officers of more than one organisation meet the participant together.
        # (one person, even in a pool that several organisations pay for, is not a joint meeting).
        self.joint = len(pools) > 1 and len(frozenset().union(*(p.parties for p in pools))) > 1
        self.health = any(pool.health for pool in pools)
        # A one-person meeting with no newcomers and no time after it: the fast path in meet().
        self.plain = self.single is not None and not self.learning and after_meeting_days == 0
