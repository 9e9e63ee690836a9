"""Officers who hold cases: assigned to a pair, a team, an area or anyone; case administration.

With a ``casework`` section the posts of the listed pools are individuals. The first time a
participant needs such a pool, the case is assigned (:meth:`CaseworkState.eligible`): to the
least-loaded fixed pair or team, to the officers of the area the participant lives in, or to
nobody in particular (any free officer, meeting by meeting). Every meeting then claims one of the
case's own officers, so how many different officers a person meets — continuity — follows from
the design and from turnover instead of being typed in: a leaver's cases go to the colleague with
the fewest (:meth:`CaseworkState.post_vacated`), and the newcomer in the post is a new person.

Each open case also costs its officers administration time every week. Once per working day
each officer sits down to their share of it, at the start of the day, before any meeting that
was not already waiting; an officer with many cases, or little time on the method, has less of
the day left for meetings, so follow-ups slip and fewer are held. A day's administration never
exceeds the officer's working time that day: what does not fit is not done (documentation
catches up later, outside the model).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

import simpy

from samflode.config.casework import Casework
from samflode.config.distributions import DAYS_PER_UNIT
from samflode.eventlog.log import Kind
from samflode.model.resources import Seat
from samflode.model.staff import Pool, Team

if TYPE_CHECKING:
    from samflode.model.participant import Participant
    from samflode.model.world import World

_MINUTE = DAYS_PER_UNIT["minutes"]
_ADMIN = Kind.ADMIN


def _blocks(n_posts: int, n_blocks: int) -> list[frozenset[int]]:
    """Posts 0…n−1 split into ``n_blocks`` contiguous groups as even as possible."""
    size, extra = divmod(n_posts, n_blocks)
    out, start = [], 0
    for b in range(n_blocks):
        end = start + size + (1 if b < extra else 0)
        out.append(frozenset(range(start, end)))
        start = end
    return out


class CaseworkState:
    """Assignments, each post's open cases, vacant posts, and the daily administration."""

    def __init__(self, world: World, cfg: Casework) -> None:
        self.world = world
        self.cfg = cfg
        self.roles = frozenset(cfg.pools)
        self.mode = cfg.assignment
        self.extra = cfg.new_officer_minutes * _MINUTE
        self.travel = cfg.travel_minutes * _MINUTE
        pools = world.pools
        # Open cases per post (a case held by a team or area counts 1/n for each of its n posts).
        self.load: dict[str, list[float]] = {
            role: [0.0] * pools[role].headcount
            for role in {*cfg.pools, *cfg.admin_minutes_per_case_week}
        }
        self.vacant: dict[str, set[int]] = {role: set() for role in pools}
        # Cases held by one officer alone in a pool (fixed pairs), to hand on when they leave.
        self.holders: dict[tuple[str, int], dict[int, Participant]] = {}
        self.units: list[dict[str, frozenset[int]]] = []
        if self.mode == "pair":
            n = pools[cfg.pools[0]].headcount
            self.units = [{role: frozenset({k}) for role in cfg.pools} for k in range(n)]
        elif self.mode == "team":
            n = min(pools[r].headcount for r in cfg.pools) // cfg.team_size
            split = {r: _blocks(pools[r].headcount, n) for r in cfg.pools}
            self.units = [{r: split[r][t] for r in cfg.pools} for t in range(n)]
        self.areas = {r: _blocks(pools[r].headcount, k) for r, k in cfg.areas.items()}
        # Where each post's office lies: the centre of its area, on a region of length 1.
        self.centre = {
            r: {post: (j + 0.5) / len(blocks) for j, b in enumerate(blocks) for post in b}
            for r, blocks in self.areas.items()
        }
        self.admin_days = {
            role: minutes * _MINUTE for role, minutes in cfg.admin_minutes_per_case_week.items()
        }
        # Office time per person and calendar week, in days (before the share on the method).
        cal = world.scenario.calendar
        self.week_days = {}
        for role in pools:
            own = world.scenario.pool_calendar(role)
            days = len(own.weekdays) if cal.enabled else 7.0
            hours = own.hours_per_day if cal.enabled else 24.0
            self.week_days[role] = days * hours / 24.0

    # ---- assignment -------------------------------------------------------------------------

    def eligible(self, p: Participant, pool: Pool) -> Seat | None:
        """The posts of ``pool`` that may meet ``p``: the case's own, or None for anyone."""
        if pool.role not in self.roles:
            return None
        case = p.case
        if case is None:
            case = self._assign(p)
        return case.get(pool.role)

    def _assign(self, p: Participant) -> dict[str, Seat | None]:
        if self.mode == "any":
            case: dict[str, frozenset[int] | None] = dict.fromkeys(self.cfg.pools)
        elif self.mode == "area":
            # The first pool's office covers the participant's home; the other pools' officers
            # come from every office whose area overlaps that one (mismatched boundaries: one
            # office may have three counterpart offices, AMiA 2013 p. 160–161).
            first = self.cfg.pools[0]
            n = len(self.areas[first])
            i = min(int(p.u_location * n), n - 1)
            low, high = i / n, (i + 1) / n
            case = {first: self.areas[first][i]}
            for role in self.cfg.pools[1:]:
                blocks = self.areas[role]
                m = len(blocks)
                overlap = [b for j, b in enumerate(blocks) if j / m < high and (j + 1) / m > low]
                case[role] = frozenset().union(*overlap)
        elif self.mode == "team":
            # The team with the fewest cases; in it, each pool's officer with the fewest.
            unit = self.units[self._least_loaded_unit()]
            case = {}
            for role, posts in unit.items():
                load, vacant = self.load[role], self.vacant[role]
                open_posts = [q for q in posts if q not in vacant] or sorted(posts)
                case[role] = frozenset({min(open_posts, key=lambda q: (load[q], q))})
        else:
            case = dict(self.units[self._least_loaded_unit()])
        # Each pool's posts as a Seat, so a hand-over can retarget a claim already waiting.
        case = {role: None if posts is None else Seat(posts) for role, posts in case.items()}
        p.case = case
        p.met = {} if p.met is None else p.met
        for role, seat in case.items():
            self._add(p, role, seat, 1.0)
        return case

    def _least_loaded_unit(self) -> int:
        best, best_load = 0, None
        for k, unit in enumerate(self.units):
            if any(post in self.vacant[r] for r, posts in unit.items() for post in posts) and (
                len(self.units) > 1
            ):
                continue
            load = sum(self.load[r][post] for r, posts in unit.items() for post in posts)
            if best_load is None or load < best_load:
                best, best_load = k, load
        return best

    def _add(self, p: Participant, role: str, posts: Seat | None, sign: float) -> None:
        """Count (sign 1) or uncount (−1) a case on the posts that hold it."""
        load = self.load.get(role)
        if load is None:
            return
        if posts is None:
            share = sign / len(load)
            for i in range(len(load)):
                load[i] += share
            return
        share = sign / len(posts)
        for post in posts:
            load[post] += share
        if len(posts) == 1:
            (post,) = posts.posts
            held = self.holders.setdefault((role, post), {})
            if sign > 0:
                held[p.pid] = p
            else:
                held.pop(p.pid, None)

    def opened(self, p: Participant, pool: Pool) -> None:
        """A case opened with a plain handläggare pool: count it for that pool's administration."""
        if pool.role in self.load and pool.role not in self.roles:
            self._add(p, pool.role, None, 1.0)
            p.admin_pool = pool.role

    def closed(self, p: Participant) -> None:
        """The case leaves the flow: its officers' loads fall."""
        if p.case is not None:
            for role, posts in p.case.items():
                self._add(p, role, posts, -1.0)
            p.case = {}
        if p.admin_pool is not None:
            self._add(p, p.admin_pool, None, -1.0)
            p.admin_pool = None

    def known(self, p: Participant, pool: Pool) -> set[int] | None:
        """Posts of ``pool`` whose present holder ``p`` has met: booked first when free."""
        if p.met is None or pool.role not in self.roles:
            return None
        people = p.met.get(pool.role)
        if not people:
            return None
        persons = pool.persons
        return {post for post, person in people if persons[post] == person}

    def met(self, p: Participant, team: Team, posts: tuple[int, ...]) -> tuple[float, float]:
        """Note who met ``p``; return the extra meeting time for re-building contact with a new
        officer, and the officers' travel to the meeting (days).
        """
        met = p.met
        if met is None:
            met = p.met = {}
        travel = self._travel(team, posts) if self.travel else 0.0
        p.travel = travel
        extra = 0.0
        for pool, post in zip(team.pools, posts, strict=True):
            if pool.role not in self.roles:
                continue
            person = (post, pool.persons[post])
            people = met.get(pool.role)
            if people is None:
                met[pool.role] = {person: 1}
            elif person in people:
                people[person] += 1
            else:
                if self.extra:
                    extra = self.extra
                people[person] = 1
        return extra, travel

    def _travel(self, team: Team, posts: tuple[int, ...]) -> float:
        """Travel of a joint meeting between the offices of the officers who hold it."""
        centres = [
            self.centre[pool.role][post]
            for pool, post in zip(team.pools, posts, strict=True)
            if pool.role in self.centre
        ]
        return self.travel * (max(centres) - min(centres)) if len(centres) > 1 else 0.0

    # ---- service intensity ------------------------------------------------------------------

    def followup_interval(self, p: Participant, team: Team, nominal: float, length: float) -> float:
        """Days to the next follow-up of ``p`` with ``team``, from its officers' time per case.

        ``length``: the follow-up's mean duration, days. Without ``client_share``: ``nominal``.
        """
        share = self.cfg.client_share
        if share is None:
            return nominal
        low, high = self.cfg.followup_range_days
        interval = low
        for pool in team.pools:
            load = self.load.get(pool.role)
            if load is None:
                continue
            seat = p.case.get(pool.role) if p.case else None
            posts = list(seat) if seat is not None else range(len(load))
            cases = sum(load[q] for q in posts) / len(posts)
            if cases <= 0:
                continue
            # Days of client time per officer per calendar week, less administration per case;
            # a follow-up costs its length and the travel to the last joint meeting.
            week = self.week_days[pool.role] * pool.share * share
            per_case = week / cases - self.admin_days.get(pool.role, 0.0)
            needed = 7.0 * (length + p.travel) / per_case if per_case > 0 else high
            interval = max(interval, needed)
        return min(interval, high)

    # ---- turnover ---------------------------------------------------------------------------

    def post_vacated(self, pool: Pool, post: int) -> None:
        """The officer in ``post`` left: cases only they held go to the least-loaded colleague."""
        role = pool.role
        self.vacant[role].add(post)
        held = self.holders.pop((role, post), None)
        if not held or role not in self.load:
            return
        load = self.load[role]
        # A team's cases stay in the team; otherwise any colleague of the pool.
        team = next((u[role] for u in self.units if post in u[role]), None)
        colleagues = team if self.mode == "team" and len(team) > 1 else range(len(load))
        for pid in sorted(held):
            p = held[pid]
            others = [i for i in colleagues if i != post and i not in self.vacant[role]]
            if not others:
                self.holders.setdefault((role, post), {})[pid] = p
                continue
            to = min(others, key=lambda i: (load[i], i))
            load[post] -= 1.0
            load[to] += 1.0
            p.case[role].posts = frozenset({to})
            self.holders.setdefault((role, to), {})[pid] = p
        pool.servers.retry()

    def post_filled(self, pool: Pool, post: int) -> None:
        """A newcomer fills ``post``; new cases can go there again."""
        self.vacant[pool.role].discard(post)

    # ---- administration ---------------------------------------------------------------------

    def start_admin(self) -> None:
        """One process per pool with administration time, working day by working day."""
        for role, per_case in self.admin_days.items():
            if per_case > 0:
                self.world.env.process(self._admin_days(self.world.pools[role], per_case))

    def _admin_days(self, pool: Pool, per_case_week: float) -> Generator[simpy.Event, object, None]:
        world = self.world
        env = world.env
        cal = pool.calendar
        scenario = world.scenario
        days_per_week = len(scenario.calendar.weekdays) if cal.enabled else 7.0
        per_case_day = per_case_week / days_per_week
        load = self.load[pool.role]
        vacant = self.vacant[pool.role]
        day = 0
        while True:
            if cal.enabled:
                if day >= len(cal.is_working):
                    return
                if not cal.is_working[day]:
                    day += 1
                    continue
                start = day + cal.open
                room = cal.day_fraction * pool.share * cal.staff_share[day]
            else:
                start = float(day)
                room = pool.share
            if start > env.now:
                yield env.timeout(start - env.now)
            close = start + room
            for post, cases in enumerate(load):
                if cases > 1e-9 and post not in vacant:
                    env.process(_admin_block(world, pool, post, per_case_day * cases, close))
            day += 1


def _admin_block(
    world: World, pool: Pool, post: int, duration: float, close: float
) -> Generator[simpy.Event, object, None]:
    """One officer's administration for the day: the officer is busy, no participant present.

    It waits for the officer's meetings and ends by ``close``, the end of the officer's time on
    the method that day: what does not fit is not done (the officer's caseload is beyond what
    the hours allow, and ``share_followups_held`` and the waits show it), so an officer is never
    busy for longer than the hours paid.
    """
    env = world.env
    claim = pool.servers.seize(frozenset({post}))
    if claim.__class__ is not int:
        yield claim
    duration = min(duration, close - env.now)
    if duration <= 0:
        pool.servers.release(post)
        return
    yield env.timeout(duration)
    pool.servers.release(post)
    world.record(env.now, -1, "", _ADMIN, "staff", pool.role, "", duration)


def setup(world: World) -> CaseworkState | None:
    """The casework state, or None for a design whose pools are anonymous."""
    cfg = world.scenario.casework
    return CaseworkState(world, cfg) if cfg is not None else None
