"""What a plan asks for: targets on KPIs and the levers it may turn, parsed and checked up front.

A *target* is ``KPI>=VALUE`` or ``KPI<=VALUE`` on any KPI of the scenario (``share_first_meeting_
within_7d>=0.9``, ``days_waiting_for_insats_mean<=5``). A *lever* is a whole-number resource of
the scenario that a planner can buy more of: a pool's ``headcount``, its ``caseload_cap``, a
provider's ``places``, or ``konsultation.teams`` — one more of every pool the Konsultation team
needs. It is written ``PATH[=MIN:MAX][@SEK]``; its price per unit and year comes from the scenario
(a pool's paid hours × cost per hour) unless ``@SEK`` gives one (places and caseload caps have no
price in the scenario format: they are free unless priced).

Everything here is checked before a single replication runs: an unknown KPI or field, a bound
outside the field's range, contradictory targets — :class:`PlanError`, exit 2 in the CLI.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from samflode.analysis.costs import DAYS_PER_YEAR
from samflode.analysis.kpi import kpi_names
from samflode.analysis.stats import kpi_range
from samflode.config.calendar import staff_hours
from samflode.config.loader import ScenarioError
from samflode.config.scenario import PARTIES, Scenario
from samflode.config.variants import get_path, variant

Sense = Literal[">=", "<="]
TEAMS = "konsultation.teams"
# The scenario fields that are resources a planner buys: the lever's last key.
RESOURCE_FIELDS = ("headcount", "caseload_cap", "places")
# Upper bound of a lever when none is given: three times today's value, at least four more.
DEFAULT_HIGH_FACTOR = 3
DEFAULT_HIGH_EXTRA = 4
FIELD_MAX = {"headcount": 10_000, "caseload_cap": 10_000, "places": 100_000}
_TARGET = re.compile(r"^\s*([A-Za-z0-9_]+)\s*(>=|<=)\s*(\S+)\s*$")
# Costs that every lever raises (staff time is paid busy or idle): a budget, not a target.
_STAFF_COST = re.compile(r"^cost_(total|staff|fk|af|region|municipality)_sek(_per_year)?$")
_LEVER = re.compile(r"^\s*([^=@\s]+)\s*(?:=\s*([^@\s]*))?\s*(?:@\s*(\S+))?\s*$")


class PlanError(ScenarioError):
    """A target, lever or option of a plan that cannot be used; the message says why."""


@dataclass(frozen=True)
class Target:
    """``kpi sense value``: e.g. share_first_meeting_within_7d >= 0.9."""

    kpi: str
    sense: Sense
    value: float

    @property
    def label(self) -> str:
        """The target as it was written (``kpi>=value``)."""
        return f"{self.kpi}{self.sense}{self.value:g}"

    def holds(self, x: float) -> bool:
        """True if the number ``x`` meets the target (NaN never does)."""
        if math.isnan(x):
            return False
        return x >= self.value if self.sense == ">=" else x <= self.value

    def shortfall(self, x: float) -> float:
        """How far ``x`` is from meeting the target, in units of the target (0 when met)."""
        if math.isnan(x):
            return 1.0
        scale = 1.0 if self.kpi.startswith("share_") else max(abs(self.value), 1e-9)
        gap = self.value - x if self.sense == ">=" else x - self.value
        return max(gap, 0.0) / scale


@dataclass(frozen=True)
class Lever:
    """A whole-number resource the plan may set between ``low`` and ``high``.

    ``paths`` are the scenario fields it moves together (one for a pool's headcount, one per
    role for Konsultation teams); ``unit_cost_per_year`` what one more unit costs a year, split
    by party in ``unit_cost_by_party``; ``cost_source`` says where that price came from.
    """

    name: str
    paths: tuple[str, ...]
    today: int
    low: int
    high: int
    unit_cost_per_year: float
    unit_cost_by_party: dict[str, float]
    cost_source: str
    priced: bool = False  # the price was given with @SEK (it replaces the pools' staff cost)

    @property
    def pools(self) -> tuple[str, ...]:
        """The staff pools this lever changes (none for provider places)."""
        return tuple(p.split(".")[1] for p in self.paths if p.startswith("staff."))


def parse_target(text: str, scenario: Scenario) -> Target:
    """``KPI>=VALUE`` or ``KPI<=VALUE`` checked against the scenario's KPIs and their ranges."""
    match = _TARGET.match(text)
    if not match:
        raise PlanError(
            f"--target {text!r}: expected KPI>=VALUE or KPI<=VALUE, e.g. "
            "share_first_meeting_within_7d>=0.9"
        )
    kpi, sense, raw = match.groups()
    names = kpi_names(scenario)
    if kpi not in names:
        near = difflib.get_close_matches(kpi, names, n=3)
        hint = f"; did you mean {', '.join(near)}?" if near else f"; allowed: {', '.join(names)}"
        raise PlanError(f"--target {kpi!r}: not a KPI of {scenario.name}{hint}")
    if _STAFF_COST.match(kpi):
        raise PlanError(
            f"--target {kpi}: costs rise with every lever, so a plan is never 'more' of them; "
            "cap the staff cost with --budget-sek instead"
        )
    try:
        value = float(raw)
    except ValueError:
        raise PlanError(f"--target {kpi}: the value must be a number (got {raw!r})") from None
    low, high = kpi_range(kpi)
    if not (math.isfinite(value) and low <= value <= high):
        raise PlanError(
            f"--target {kpi}: {value:g} is outside the values the KPI can take "
            f"({low:g} to {high:g})"
        )
    if (sense == ">=" and value <= low) or (sense == "<=" and value >= high):
        raise PlanError(f"--target {kpi}{sense}{value:g}: always met, so it asks for nothing")
    return Target(kpi, sense, value)


def parse_targets(texts: Sequence[str], scenario: Scenario) -> list[Target]:
    """Every ``--target``; PlanError for none, a repeat, or two that no value can meet."""
    if not texts:
        raise PlanError("--target: give at least one, e.g. share_first_meeting_within_7d>=0.9")
    targets = [parse_target(t, scenario) for t in texts]
    seen: dict[tuple[str, str], Target] = {}
    for t in targets:
        if (t.kpi, t.sense) in seen:
            raise PlanError(f"--target {t.kpi}{t.sense}: given twice")
        seen[t.kpi, t.sense] = t
    for t in targets:
        other = seen.get((t.kpi, "<="))
        if t.sense == ">=" and other is not None and other.value < t.value:
            raise PlanError(
                f"--target: {t.label} and {other.label} contradict each other: no value meets both"
            )
    return targets


def _hours_per_year(scenario: Scenario, pool: str) -> float:
    """Paid working hours on the method per person and year in the pool (the staff-cost base)."""
    window = scenario.horizon_days - scenario.warmup_days
    per_head = staff_hours(scenario)[pool] / scenario.staff[pool].headcount
    return per_head * DAYS_PER_YEAR / window


def _pool_price(scenario: Scenario, pool: str) -> tuple[float, dict[str, float]]:
    sc = scenario.staff[pool]
    total = _hours_per_year(scenario, pool) * sc.cost_per_hour_sek
    by_party = dict.fromkeys(PARTIES, 0.0)
    for party, share in sc.party_shares().items():
        by_party[party] += total * share
    return total, by_party


def default_high(today: int, field: str = "headcount") -> int:
    """A lever's upper bound when none is given: three times today's value, at least four more."""
    return min(FIELD_MAX[field], max(DEFAULT_HIGH_FACTOR * today, today + DEFAULT_HIGH_EXTRA))


def _bounds(raw: str | None, today: int, field: str, option: str) -> tuple[int, int]:
    top = FIELD_MAX[field]
    if raw is None or raw == "":
        return 1, default_high(today, field)
    low_text, sep, high_text = raw.partition(":")
    try:
        low, high = int(low_text), int(high_text)
    except ValueError:
        raise PlanError(
            f"{option}: bounds must be two whole numbers MIN:MAX, e.g. =2:12 (got {raw!r})"
        ) from None
    if not sep or not 1 <= low < high <= top:
        raise PlanError(f"{option}: need 1 ≤ MIN < MAX ≤ {top:,} for {field} (got {raw})")
    return low, high


def parse_lever(text: str, scenario: Scenario) -> Lever:
    """``PATH[=MIN:MAX][@SEK]`` checked against the scenario: a resource field with a value."""
    match = _LEVER.match(text)
    if not match:
        raise PlanError(f"--lever {text!r}: expected PATH[=MIN:MAX][@SEK_PER_UNIT_AND_YEAR]")
    name, raw_bounds, raw_price = match.groups()
    option = f"--lever {name}"
    if name == TEAMS:
        if scenario.konsultation is None:
            raise PlanError(f"{option}: {scenario.name} has no Konsultation")
        # A team is one of every pool that can sit in: the required roles and the optional ones.
        roles = [*scenario.konsultation.roles, *scenario.konsultation.optional_roles]
        counts = {r: scenario.staff[r].headcount for r in roles}
        if len(set(counts.values())) != 1:
            raise PlanError(
                f"{option}: the team's pools have different headcounts today ("
                + ", ".join(f"{r} {n}" for r, n in counts.items())
                + "); set each pool's headcount as its own lever instead"
            )
        paths = tuple(f"staff.{r}.headcount" for r in roles)
        field = "headcount"
        today = next(iter(counts.values()))
    else:
        field = name.rsplit(".", 1)[-1]
        if field not in RESOURCE_FIELDS:
            raise PlanError(
                f"{option}: not a resource a plan can buy; a lever is a pool's headcount or "
                f"caseload_cap, a provider's places, or {TEAMS} "
                "(e.g. staff.forum_bedomare.headcount)"
            )
        value = get_path(scenario.model_dump(), name, origin=option)
        if isinstance(value, bool) or not isinstance(value, int):
            raise PlanError(
                f"{option}: has no whole number today (it is {value!r}); give it one with "
                f"--set {name}=N first"
            )
        paths, today = (name,), value
    low, high = _bounds(raw_bounds, today, field, option)
    if raw_price is not None:
        try:
            price = float(raw_price)
        except ValueError:
            price = math.nan
        if not (math.isfinite(price) and 0 <= price <= 1e9):
            raise PlanError(
                f"{option}: @SEK must be a price from 0 to 1e9 a year (got {raw_price})"
            )
        source = "--lever @ (SEK per unit and year, paid from the samordningsförbund pot)"
        by_party = {p: price * scenario.financing.pot_shares.get(p, 0.0) for p in PARTIES}
    elif field == "headcount":
        pools = [p.split(".")[1] for p in paths]
        prices = [_pool_price(scenario, p) for p in pools]
        price = sum(total for total, _ in prices)
        by_party = {p: sum(parts[p] for _, parts in prices) for p in PARTIES}
        source = " + ".join(f"staff.{p}: paid hours a year × cost_per_hour_sek" for p in pools)
    else:
        price, by_party = 0.0, dict.fromkeys(PARTIES, 0.0)
        source = f"no price in the scenario for {field} (free unless priced with @SEK)"
    return Lever(name, paths, today, low, high, price, by_party, source, raw_price is not None)


def check_corners(levers: Sequence[Lever], scenario: Scenario) -> None:
    """PlanError unless the scenario stays valid with each lever at its bounds and all at the top.

    A lever can break a rule of the scenario that ties pools together (a casework pair needs
    equal headcounts): that is found here, before a run, not in the middle of the search.
    """
    corners = [{p: lv.high for lv in levers for p in lv.paths}]
    for lv in levers:
        for v in (lv.low, lv.high):
            corners.append({p: v for p in lv.paths})
    for changes in corners:
        try:
            variant(scenario, changes, origin="--lever")
        except ScenarioError as exc:
            shown = ", ".join(f"{k}={v}" for k, v in changes.items())
            raise PlanError(
                f"--lever: the scenario is not valid with {shown}: {exc}; move the tied fields "
                "together (konsultation.teams moves every Konsultation pool) or narrow the bounds"
            ) from None


def parse_levers(texts: Sequence[str], scenario: Scenario) -> list[Lever]:
    """Every ``--lever``; PlanError for none, two that move the same field, or bounds at which
    the scenario is not valid (:func:`check_corners`).
    """
    if not texts:
        raise PlanError("--lever: give at least one, e.g. staff.forum_bedomare.headcount=2:10")
    levers = [parse_lever(t, scenario) for t in texts]
    owner: dict[str, str] = {}
    for lever in levers:
        for path in lever.paths:
            if path in owner:
                raise PlanError(
                    f"--lever {lever.name}: moves {path}, which --lever {owner[path]} moves too"
                )
            owner[path] = lever.name
    check_corners(levers, scenario)
    return levers
