"""The capacity planner: the least costly lever values that meet every target, by simulation.

The search rests on one assumption, stated in the README: more of a resource never makes a
lead-time target worse (monotonicity). Then, for each inflow scale:

1. **today** and **top** (every lever at its maximum) are run. If top misses a target, no plan
   inside the bounds can meet it: the answer is "no solution", with top as the best reachable.
2. **One lever at a time**, the others at their maximum: the least value that still meets every
   target, found from an analytic guess (:mod:`~samflode.experiments.planning.bracket`) by
   stepping once and then bisecting. By monotonicity no feasible plan has less of that lever,
   so these minima are a lower corner of the feasible set.
3. If the corner itself is feasible it is the cheapest plan. Otherwise one unit is added where it
   buys the most progress per krona (the fall in the targets' total shortfall divided by the
   lever's price per year; free levers first) until every target holds; then units are taken
   away again, dearest first, while every target still holds.
4. The winner is **confirmed** on fresh replications (numbered from ``CONFIRM_OFFSET``, so they
   share no random numbers with the search; half the cap at first, more while undecided). If it
   fails there, the planner adds the unit that helps most on those replications, and confirms
   again.

Every candidate runs the same replications (common random numbers: replication r of every
candidate sees the same participants), so neighbours differ by the staffing, not by luck. A
candidate starts with ``start`` replications and doubles them, up to ``cap``, only while a
target's decision is unclear (:mod:`~samflode.experiments.planning.decide`).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from samflode.analysis.costs import DAYS_PER_YEAR
from samflode.config.calendar import staff_hours
from samflode.config.overrides import scale_inflow
from samflode.config.scenario import PARTIES, Scenario
from samflode.config.variants import variant
from samflode.execution.checkpoint import Checkpoint
from samflode.execution.tasks import run_one_kpis
from samflode.execution.units import Store, Unit, run_units
from samflode.experiments.planning.bracket import Guess, guess
from samflode.experiments.planning.decide import Estimate, Mode, judge
from samflode.experiments.planning.spec import Lever, PlanError, Target

log = logging.getLogger(__name__)

DEFAULT_START = 5
DEFAULT_CAP = 20
# Confirmation replications are numbered from here: fresh random numbers, same experiment seed.
CONFIRM_OFFSET = 50_000
# At most this many units are added after a failed confirmation before the plan says so.
MAX_CONFIRM_STEPS = 5
# A free lever's price in the cost-per-improvement ratio (so free units are tried first).
FREE = 1e-6


@dataclass
class Candidate:
    """One evaluated staffing: lever values, its replications' KPIs and the decision."""

    values: tuple[int, ...]
    fresh: bool
    kpis: list[dict] = field(default_factory=list)
    estimates: list[Estimate] = field(default_factory=list)
    cost_per_year: float = math.nan
    cost_by_party: dict[str, float] = field(default_factory=dict)
    order: int = 0

    @property
    def n(self) -> int:
        """Replications run."""
        return len(self.kpis)

    @property
    def met(self) -> bool:
        """Every target holds."""
        return bool(self.estimates) and all(e.met for e in self.estimates)

    @property
    def clear(self) -> bool:
        """Decided: every target clear, or one clearly missed (more runs cannot rescue it)."""
        return all(e.clear for e in self.estimates) or any(
            e.clear and not e.met for e in self.estimates
        )

    def mean(self, kpi: str) -> float:
        """The KPI's mean over the replications (NaN ones left out)."""
        vals = [k.get(kpi, math.nan) for k in self.kpis]
        vals = [v for v in vals if not math.isnan(v)]
        return sum(vals) / len(vals) if vals else math.nan


@dataclass
class ScalePlan:
    """The answer at one inflow scale."""

    inflow_scale: float
    met: bool
    reason: str
    chosen: Candidate
    today: Candidate
    top: Candidate
    confirmation: Candidate | None
    confirmed: bool
    guesses: list[Guess]
    corner: tuple[int, ...] | None
    neighbours: dict[str, Candidate]
    candidates: list[Candidate]
    simulations: int


@dataclass
class Plan:
    """A whole plan: the question, and one :class:`ScalePlan` per inflow scale."""

    scenario: Scenario
    targets: list[Target]
    levers: list[Lever]
    mode: Mode
    confidence: float
    seed: int
    start: int
    cap: int
    budget_sek: float | None
    scales: list[ScalePlan]

    @property
    def met(self) -> bool:
        """Every inflow scale has a plan."""
        return all(s.met for s in self.scales)

    @property
    def simulations(self) -> int:
        """Replications run in all."""
        return sum(s.simulations for s in self.scales)


def staff_cost_per_year(scenario: Scenario, priced: dict[str, float]) -> dict[str, float]:
    """The scenario's paid staff time per year by party (SEK), for pools no lever prices itself.

    Deterministic: headcount × working hours × share on the method × cost per hour, as in the
    staff-cost KPI but without vacancies, so candidates compare without noise.
    """
    years = (scenario.horizon_days - scenario.warmup_days) / DAYS_PER_YEAR
    out = dict.fromkeys(PARTIES, 0.0)
    for pool, hours in staff_hours(scenario).items():
        if pool in priced:
            continue
        sc = scenario.staff[pool]
        for party, share in sc.party_shares().items():
            out[party] += hours * sc.cost_per_hour_sek * share / years
    return out


class Evaluator:
    """Runs candidates for one inflow scale, caching each by its lever values."""

    def __init__(
        self,
        base: Scenario,
        levers: Sequence[Lever],
        targets: Sequence[Target],
        *,
        label: str,
        mode: Mode,
        confidence: float,
        seed: int,
        start: int,
        cap: int,
        store: Store | None,
        on: Any,
        progress: Callable[[int], None] | None,
    ) -> None:
        self.base, self.levers, self.targets = base, list(levers), list(targets)
        self.label, self.mode, self.confidence = label, mode, confidence
        self.seed, self.start, self.cap = seed, start, cap
        self.store, self.on, self.progress = store, on, progress
        self.cache: dict[tuple[tuple[int, ...], bool], Candidate] = {}
        self.simulations = 0
        # Pools whose cost a priced lever (@SEK) replaces.
        self.priced = {
            pool: lever.unit_cost_per_year
            for lever in self.levers
            if lever.priced
            for pool in lever.pools
        }

    def scenario_at(self, values: Sequence[int]) -> Scenario:
        """The scenario with the levers at ``values``, validated."""
        changes = {
            path: int(v)
            for lever, v in zip(self.levers, values, strict=True)
            for path in lever.paths
        }
        return variant(self.base, changes, origin="--lever", validation_origin="--lever")

    def _cost(self, values: Sequence[int], scenario: Scenario) -> tuple[float, dict[str, float]]:
        by_party = staff_cost_per_year(scenario, self.priced)
        for lever, v in zip(self.levers, values, strict=True):
            if lever.priced:
                for party, amount in lever.unit_cost_by_party.items():
                    by_party[party] += amount * v
        return sum(by_party.values()), by_party

    def _key(self, values: Sequence[int], r: int) -> str:
        return Checkpoint.key(r, f"{self.label}-" + "_".join(map(str, values)))

    def evaluate_many(self, points: Sequence[tuple[int, ...]], *, fresh: bool = False) -> list:
        """Candidates at ``points``, each run until its decision is clear or at the cap."""
        todo = []
        for values in points:
            key = (tuple(values), fresh)
            if key not in self.cache:
                sc = self.scenario_at(values)
                cost, parts = self._cost(values, sc)
                cand = Candidate(tuple(values), fresh, cost_per_year=cost, cost_by_party=parts)
                cand.order = len(self.cache)
                self.cache[key] = cand
                todo.append((cand, sc))
        # First round: `start` replications (half the cap on fresh ones: a confirmation is
        # judged on more than the search's first look); then double while undecided.
        first_round = max(self.start, self.cap // 2) if fresh else self.start
        want = {id(c): min(first_round, self.cap) for c, _ in todo}
        while todo:
            units, owners = [], {}
            for cand, sc in todo:
                first = CONFIRM_OFFSET if fresh else 0
                for r in range(first + cand.n, first + want[id(cand)]):
                    key = self._key(cand.values, r)
                    units.append(Unit(key, run_one_kpis, (sc, self.seed, r)))
                    owners[key] = cand
            out = run_units(units, store=self.store, on=self.on)
            for key in sorted(out):
                owners[key].kpis.append(out[key])
            self.simulations += len(units)
            if self.progress is not None:
                self.progress(len(units))
            still = []
            for cand, sc in todo:
                cand.estimates = [
                    judge(t, [k.get(t.kpi, math.nan) for k in cand.kpis], self.mode,
                          self.confidence)
                    for t in self.targets
                ]  # fmt: skip
                if not cand.clear and cand.n < self.cap:
                    want[id(cand)] = min(self.cap, 2 * cand.n)
                    still.append((cand, sc))
            todo = still
        return [self.cache[tuple(v), fresh] for v in points]

    def evaluate(self, values: Sequence[int], *, fresh: bool = False) -> Candidate:
        """One candidate (see :meth:`evaluate_many`)."""
        return self.evaluate_many([tuple(values)], fresh=fresh)[0]

    def shortfall(self, cand: Candidate) -> float:
        """How far a candidate is from meeting every target (0 when it does)."""
        total = 0.0
        for e in cand.estimates:
            if self.mode == "probability":
                total += max(self.confidence - e.p_met, 0.0)
            else:
                near = e.low if e.target.sense == ">=" else e.high
                total += e.target.shortfall(near)
        return total


def _with(values: tuple[int, ...], i: int, v: int) -> tuple[int, ...]:
    return values[:i] + (v,) + values[i + 1 :]


def least_feasible(ok: Callable[[int], bool], low: int, high: int, start: int) -> int:
    """The least v in [low, high] with ok(v), given ok(high) and ok monotone in v.

    Tries ``start`` and its neighbour first (a good guess costs two evaluations), then bisects.
    """
    g = min(max(start, low), high)
    if ok(g):
        if g == low or not ok(g - 1):
            return g
        lo, hi = low, g - 1
    else:
        lo, hi = g + 1, high
    while lo < hi:
        mid = (lo + hi) // 2
        if ok(mid):
            hi = mid
        else:
            lo = mid + 1
    return lo


def _cheaper(a: Candidate, b: Candidate) -> bool:
    """True if ``a`` is a better plan than ``b``: less cost a year, then fewer units."""
    return (round(a.cost_per_year, 2), sum(a.values)) < (round(b.cost_per_year, 2), sum(b.values))


def _step_up(ev: Evaluator, x: tuple[int, ...], *, fresh: bool) -> tuple[int, ...] | None:
    """The one-unit step from ``x`` that buys the most progress per krona (None at the top)."""
    levers = ev.levers
    steps = [_with(x, i, x[i] + 1) for i in range(len(levers)) if x[i] < levers[i].high]
    if not steps:
        return None
    here = ev.evaluate(x, fresh=fresh)
    cands = ev.evaluate_many(steps, fresh=fresh)
    met = [c for c in cands if c.met]
    if met:
        best = met[0]
        for c in met[1:]:
            if _cheaper(c, best):
                best = c
        return best.values

    def score(c: Candidate) -> tuple[float, float]:
        i = next(j for j in range(len(x)) if c.values[j] != x[j])
        price = max(levers[i].unit_cost_per_year, FREE)
        return ((ev.shortfall(here) - ev.shortfall(c)) / price, -price)

    return max(cands, key=score).values


def plan_scale(ev: Evaluator, scale: float, budget_sek: float | None) -> ScalePlan:
    """Steps 1–4 of the module docstring at one inflow scale."""
    levers = ev.levers
    today_values = tuple(lv.today for lv in levers)
    top_values = tuple(lv.high for lv in levers)
    today, top = ev.evaluate_many([today_values, top_values])
    guesses = [guess(lv, ev.base, ev.targets, _means(top), lv.high) for lv in levers]

    def finish(chosen: Candidate, met: bool, reason: str, **extra: Any) -> ScalePlan:
        return ScalePlan(
            inflow_scale=scale, met=met, reason=reason, chosen=chosen, today=today, top=top,
            confirmation=extra.get("confirmation"), confirmed=extra.get("confirmed", False),
            guesses=guesses, corner=extra.get("corner"), neighbours=extra.get("neighbours", {}),
            candidates=sorted(ev.cache.values(), key=lambda c: c.order),
            simulations=ev.simulations,
        )  # fmt: skip

    if not top.met:
        return finish(top, False, "no solution inside the lever bounds: every lever at its "
                      "maximum still misses a target")  # fmt: skip
    corner = []
    for i, lever in enumerate(levers):

        def ok(v: int, i: int = i) -> bool:
            return ev.evaluate(_with(top_values, i, v)).met

        corner.append(least_feasible(ok, lever.low, lever.high, guesses[i].value))
    x = tuple(corner)
    while not ev.evaluate(x).met:
        step = _step_up(ev, x, fresh=False)
        if step is None:  # pragma: no cover - top is feasible, so a step always exists
            break
        x = step
    improved = True
    while improved:
        improved = False
        for i in sorted(range(len(levers)), key=lambda j: -levers[j].unit_cost_per_year):
            if x[i] > levers[i].low and ev.evaluate(_with(x, i, x[i] - 1)).met:
                x, improved = _with(x, i, x[i] - 1), True
                break
    chosen = ev.evaluate(x)
    inside = all(lv.low <= v <= lv.high for lv, v in zip(levers, today_values, strict=True))
    if today.met and inside and _cheaper(today, chosen):
        chosen = today
    confirmation = ev.evaluate(chosen.values, fresh=True)
    for _ in range(MAX_CONFIRM_STEPS):
        if confirmation.met:
            break
        step = _step_up(ev, chosen.values, fresh=True)
        if step is None:
            break
        chosen = ev.evaluate(step)
        confirmation = ev.evaluate(step, fresh=True)
    neighbours = {
        lever.name: ev.evaluate(_with(chosen.values, i, chosen.values[i] - 1))
        for i, lever in enumerate(levers)
        if chosen.values[i] > lever.low
    }
    extra = {"confirmation": confirmation, "confirmed": confirmation.met, "corner": tuple(corner),
             "neighbours": neighbours}  # fmt: skip
    if budget_sek is not None and chosen.cost_per_year > budget_sek:
        return finish(chosen, False, f"over budget: the least costly plan that meets every target "
                      f"costs {chosen.cost_per_year:,.0f} SEK a year, more than --budget-sek "
                      f"{budget_sek:,.0f}", **extra)  # fmt: skip
    if not confirmation.met:
        return finish(chosen, False, "not confirmed: the plan missed a target on fresh "
                      "replications even after more units", **extra)  # fmt: skip
    return finish(chosen, True, "met", **extra)


def _means(cand: Candidate) -> dict[str, float]:
    keys = dict.fromkeys(k for kp in cand.kpis for k in kp)
    return {k: cand.mean(k) for k in keys}


def plan(
    base: Scenario,
    targets: Sequence[Target],
    levers: Sequence[Lever],
    *,
    mode: Mode = "mean",
    confidence: float = 0.95,
    inflow_scales: Sequence[float] = (1.0,),
    budget_sek: float | None = None,
    seed: int = 1,
    start: int = DEFAULT_START,
    cap: int = DEFAULT_CAP,
    store: Store | None = None,
    on: Any = None,
    progress: Callable[[int], None] | None = None,
) -> Plan:
    """Plan at every inflow scale (module docstring); ``on`` is an open executor.

    ``store`` keeps every replication's KPIs (a checkpoint for ``--resume``); the search is
    deterministic given them, so a resumed plan takes the same path and gives the same answer.
    """
    if not 0.5 <= confidence < 1:
        raise PlanError(f"--confidence: must be at least 0.5 and below 1 (got {confidence})")
    if not 2 <= start <= cap:
        raise PlanError(f"replications: need 2 ≤ start ≤ cap (got start {start}, cap {cap})")
    scales = []
    for k, scale in enumerate(inflow_scales):
        scaled = scale_inflow(base, scale, origin=f"--inflow-scale {scale:g}")
        ev = Evaluator(
            scaled, levers, targets, label=f"plan-{k:02d}", mode=mode, confidence=confidence,
            seed=seed, start=start, cap=cap, store=store, on=on, progress=progress,
        )  # fmt: skip
        scales.append(plan_scale(ev, scale, budget_sek))
        log.info("inflow × %g: %s after %d simulations", scale, scales[-1].reason, ev.simulations)
    return Plan(base, list(targets), list(levers), mode, confidence, seed, start, cap, budget_sek,
                scales)  # fmt: skip
