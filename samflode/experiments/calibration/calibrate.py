"""Calibrate: fit parameters to targets by history matching on emulators, then importance sampling.

The plan, for d parameters, S scenarios and R replications a point (one point costs S·R
simulations):

1. **Wave 1**: a Latin hypercube of 10·d points over the box; fit one Gaussian-process emulator per
   fitted target (:mod:`.emulator`).
2. **Wave 2**: 20·d points spread (maximin) over what wave 1 does not rule out (implausibility < 3
   on every fitted target, :mod:`.posterior`); the wave-1 emulators are checked against them;
   the emulators are refitted on both waves.
3. **Posterior**: importance sampling on the final emulators (prior × Gaussian likelihood whose
   variance counts the observation, the simulator's run-to-run noise, the discrepancy and the
   emulator's uncertainty).
4. **Check**: the simulator itself runs at 20 posterior draws; the fit of every target, held-out
   ones included, is read from those runs, not from the emulators.

``--budget`` caps the simulations; the waves and the check shrink in proportion when it is below
the plan, and a budget too small for a first emulator is refused before anything runs.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from samflode.analysis.kpi import kpi_names
from samflode.config.calibration import (
    ParametersFile,
    Target,
    TargetsFile,
    check_parameters,
    check_targets,
)
from samflode.config.loader import ScenarioError
from samflode.config.scenario import Scenario
from samflode.execution.checkpoint import Checkpoint, scenario_digest
from samflode.execution.units import KpiStore, check_counts
from samflode.experiments.calibration.emulator import Emulator, fit_emulator
from samflode.experiments.calibration.posterior import (
    CUTOFF,
    Matched,
    Posterior,
    importance_posterior,
    matched_of,
    nroy_points,
)
from samflode.experiments.calibration.runs import Simulator
from samflode.experiments.calibration.space import Space, maximin_subset
from samflode.rng.streams import stream

log = logging.getLogger(__name__)

WAVE_1_PER_PARAMETER = 10
WAVE_2_PER_PARAMETER = 20
CHECK_DRAWS = 20
CANDIDATES = 20_000
DEFAULT_REPLICATIONS = 4
SUMMARY_COLUMNS = [
    "parameter", "prior_low", "prior_high", "mean", "sd",
    "q05", "q25", "q50", "q75", "q95", "shrinkage",
]  # fmt: skip
ORDER_COLUMNS = [
    "order", "kpi", "higher", "lower", "means", "holds_in_mean", "share_runs_holding",
]  # fmt: skip
POOL_WEIGHT = "arrivals"
FIT_COLUMNS = [
    "target", "scenario", "kpi", "holdout", "observed", "observed_sd", "predicted_mean",
    "predicted_q05", "predicted_q95", "implausibility", "within_90",
]  # fmt: skip


class CalibrationError(ScenarioError):
    """A calibration that cannot be run as asked (a KPI no scenario has, a budget too small)."""


@dataclass(frozen=True)
class Plan:
    """How many points each stage runs."""

    wave_1: int
    wave_2: int
    check: int
    per_point: int  # simulations a point costs

    @property
    def simulations(self) -> int:
        """Every simulation the plan runs."""
        return (self.wave_1 + self.wave_2 + self.check) * self.per_point


def make_plan(dim: int, scenarios: int, replications: int, budget: int | None) -> Plan:
    """The plan of the module docstring, shrunk to ``budget`` simulations if one is given."""
    per_point = scenarios * replications
    n1, n2, nc = WAVE_1_PER_PARAMETER * dim, WAVE_2_PER_PARAMETER * dim, CHECK_DRAWS
    if budget is None or budget >= (n1 + n2 + nc) * per_point:
        return Plan(n1, n2, nc, per_point)
    least = max(2 * dim + 2, 6)  # points a first emulator needs, at the very least
    minimum = (least + least + 5) * per_point
    if budget < minimum:
        raise CalibrationError(
            f"--budget: {budget} simulations is too few for {dim} parameters, {scenarios} "
            f"scenarios and {replications} replications a point: at least {minimum} "
            f"(the full plan is {(n1 + n2 + nc) * per_point})"
        )
    points = budget // per_point
    scale = points / (n1 + n2 + nc)
    nc = max(5, int(nc * scale))
    n1 = max(least, int(n1 * scale))
    n2 = max(least, points - n1 - nc)
    return Plan(n1, n2, nc, per_point)


@dataclass
class Calibration:
    """What a calibration found, and everything needed to read how it found it."""

    space: Space
    targets: TargetsFile
    plan: Plan
    points: pd.DataFrame  # one row per point: number, stage, parameters, mean of each target
    posterior: pd.DataFrame  # equally weighted draws, one column per parameter
    summary: pd.DataFrame
    fit: pd.DataFrame
    checks: pd.DataFrame  # the check runs: draw, replication, target, value
    orders: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=ORDER_COLUMNS))
    facts: dict = field(default_factory=dict)

    @property
    def runs(self) -> int:
        """Simulations run (or loaded from the checkpoint)."""
        return int(self.facts["simulations"])


def check_target_kpis(targets: TargetsFile, scenarios: Mapping[str, Scenario], origin: str) -> None:
    """Every target names a KPI its scenario computes; ScenarioError naming the target if not."""
    import difflib

    names = {key: set(kpi_names(sc)) for key, sc in scenarios.items()}
    named = [(f"targets[{i}]", t.kpi, t.keys) for i, t in enumerate(targets.targets)]
    named += [(f"orders[{i}]", o.kpi, [*o.higher, *o.lower]) for i, o in enumerate(targets.orders)]
    for where, kpi, keys in named:
        for key in keys:
            if kpi not in names[key]:
                near = difflib.get_close_matches(kpi, sorted(names[key]), n=3)
                hint = f"; did you mean {', '.join(near)}?" if near else ""
                raise CalibrationError(
                    f"{origin}: {where}.kpi: {kpi!r} is not a KPI of scenario {key!r}{hint}"
                )


def validate_inputs(
    scenarios: Mapping[str, Scenario],
    targets: TargetsFile,
    params: ParametersFile,
    *,
    targets_origin: str,
    params_origin: str,
) -> None:
    """Everything checkable before a run: scenarios, KPIs and paths (ScenarioError if not)."""
    check_targets(targets, scenarios, targets_origin)
    check_target_kpis(targets, scenarios, targets_origin)
    check_parameters(params, scenarios, params_origin)


def _target_runs(
    values: Mapping[tuple[int, str, str], np.ndarray], target: Target, points: range
) -> np.ndarray:
    """Per point, the target's value in each replication (a pooled target: the scenarios' values
    weighted by their arrivals in that replication, the same people a project report pools).
    """
    if target.pooled is None:
        return np.vstack([values[i, target.scenario, target.kpi] for i in points])
    rows = []
    for i in points:
        v = np.vstack([values[i, key, target.kpi] for key in target.pooled])
        w = np.vstack([values[i, key, POOL_WEIGHT] for key in target.pooled])
        w = np.where(np.isfinite(v), w, 0.0)
        with np.errstate(all="ignore"):
            rows.append(np.nansum(v * w, axis=0) / w.sum(axis=0))
    return np.vstack(rows)


def kpis_needed(targets: TargetsFile, keys: list[str]) -> dict[str, list[str]]:
    """Per scenario, the KPIs the targets and orders read (and arrivals, to pool by)."""
    need: dict[str, set[str]] = {key: set() for key in keys}
    for t in targets.targets:
        for key in t.keys:
            need[key].add(t.kpi)
            if t.pooled is not None:
                need[key].add(POOL_WEIGHT)
    for o in targets.orders:
        for key in [*o.higher, *o.lower]:
            need[key].add(o.kpi)
    return {key: sorted(names) for key, names in need.items()}


def order_table(targets: TargetsFile, values: Mapping, points: range) -> pd.DataFrame:
    """Each documented ranking against the check runs: the KPI's mean per scenario, whether the
    means keep the order, and the share of (posterior draw, replication) pairs that keep it —
    the chance that one project like the model would have shown it.
    """
    rows = []
    for order in targets.orders:
        runs = {
            key: np.vstack([values[i, key, order.kpi] for i in points])
            for key in [*order.higher, *order.lower]
        }
        means = {key: float(np.nanmean(r)) for key, r in runs.items()}
        low = np.min([runs[k] for k in order.higher], axis=0)
        high = np.max([runs[k] for k in order.lower], axis=0)
        ok = np.isfinite(low) & np.isfinite(high)
        rows.append(
            {
                "order": order.name,
                "kpi": order.kpi,
                "higher": ",".join(order.higher),
                "lower": ",".join(order.lower),
                "means": "; ".join(f"{k} {v:.4g}" for k, v in means.items()),
                "holds_in_mean": min(means[k] for k in order.higher)
                > max(means[k] for k in order.lower),
                "share_runs_holding": float(np.mean(low[ok] > high[ok])) if ok.any() else math.nan,
            }
        )
    return pd.DataFrame(rows, columns=ORDER_COLUMNS)


def _fit_all(
    targets: list[Target], unit: np.ndarray, values: Mapping, points: range, seed: int
) -> Matched:
    emulators: list[Emulator | None] = []
    for target in targets:
        emulator = fit_emulator(
            target.name, unit, _target_runs(values, target, points), random_state=seed
        )
        if emulator is None:
            log.warning("target %s: fewer than 3 points have a value; not fitted", target.name)
        emulators.append(emulator)
    matched = matched_of(targets, emulators)
    if not matched.targets:
        raise CalibrationError(
            "no fitted target has a value at three or more design points: the KPIs they name "
            "are empty in these scenarios (check the targets' KPIs and the horizon)"
        )
    return matched


def _emulator_check(
    matched: Matched, unit: np.ndarray, values: Mapping, points: range, replications: int
) -> dict[str, float]:
    """The share of new points whose simulated mean lies within 3 sd of the old emulator."""
    shares = {}
    for target, emulator in zip(matched.targets, matched.emulators, strict=True):
        runs = _target_runs(values, target, points)
        with np.errstate(all="ignore"):
            observed = np.nanmean(runs, axis=1)
        mean, sd = emulator.predict(unit)
        scale = np.sqrt(sd**2 + emulator.run_variance / replications)
        ok = np.isfinite(observed)
        shares[target.name] = (
            float(np.mean(np.abs(observed[ok] - mean[ok]) <= 3 * scale[ok])) if ok.any() else 1.0
        )
    return shares


def calibrate(
    scenarios: Mapping[str, Scenario],
    targets: TargetsFile,
    params: ParametersFile,
    *,
    seed: int = 1,
    replications: int = DEFAULT_REPLICATIONS,
    budget: int | None = None,
    workers: int = 1,
    scheduler: str | None = None,
    checkpoint_dir: str | Path | None = None,
    resume: bool = False,
    progress: Callable[[int, int], None] | None = None,
    origin: str = "calibration",
) -> Calibration:
    """Calibrate ``params`` to ``targets`` over ``scenarios`` (keyed as the targets name them).

    Same seed, same result, whatever ``workers`` or ``scheduler``: every random choice (designs,
    proposals, draws) comes from a stream of ``seed``, and the simulations are keyed by point,
    scenario and replication. With ``checkpoint_dir`` every finished simulation is kept there and
    ``resume`` loads them instead of running them again.
    """
    check_counts(replications, workers)
    validate_inputs(scenarios, targets, params, targets_origin=origin, params_origin=origin)
    space = Space.of(params)
    plan = make_plan(space.dim, len(scenarios), replications, budget)
    kpis = kpis_needed(targets, list(scenarios))
    store = None
    if checkpoint_dir is not None:
        manifest = {
            "experiment": "calibrate",
            "scenarios": {key: scenario_digest(sc) for key, sc in scenarios.items()},
            "targets": targets.model_dump(mode="json"),
            "parameters": params.model_dump(mode="json"),
            "seed": seed,
            "replications": replications,
            "plan": [plan.wave_1, plan.wave_2, plan.check],
        }
        store = KpiStore(Checkpoint(checkpoint_dir, manifest, resume=resume))
    done_before = 0

    def tell(done: int) -> None:
        if progress is not None:
            progress(done_before + done, plan.simulations)

    sim = Simulator(
        scenarios, params, kpis, seed, replications, origin, workers, scheduler, store,
        progress=tell,
    )  # fmt: skip
    tell(0)
    fitted = [t for t in targets.targets if not t.holdout]

    # Wave 1: a Latin hypercube over the box.
    wave_1 = space.design(plan.wave_1, stream(seed, 0, "calibration/wave-1"))
    values = sim.run(space.table(wave_1), 0)
    done_before = sim.runs
    first = range(plan.wave_1)
    unit_1 = space.to_unit(wave_1)
    matched_1 = _fit_all(fitted, unit_1, values, first, seed)

    # Wave 2: spread over what wave 1 does not rule out.
    rng_2 = stream(seed, 0, "calibration/wave-2")
    nroy, nroy_1 = nroy_points(space, matched_1, rng_2, CANDIDATES)
    if len(nroy) == 0:
        log.warning(
            "wave 1 rules out the whole box (no point has implausibility < %s on every target): "
            "wave 2 goes to the least implausible points; the model may not be able to fit the "
            "targets",
            CUTOFF,
        )
        cloud = space.to_unit(space.design(CANDIDATES, rng_2))
        worst = matched_1.implausibility(cloud).max(axis=1)
        nroy = cloud[np.argsort(worst)[: max(plan.wave_2 * 5, 100)]]
    unit_2 = nroy[maximin_subset(nroy, plan.wave_2, rng_2)]
    wave_2 = space.from_unit(unit_2)
    values |= sim.run(space.table(wave_2), plan.wave_1)
    done_before = sim.runs
    second = range(plan.wave_1, plan.wave_1 + len(wave_2))
    emulator_check = _emulator_check(matched_1, space.to_unit(wave_2), values, second, replications)
    both = range(plan.wave_1 + len(wave_2))
    unit_all = np.vstack([unit_1, space.to_unit(wave_2)])
    matched = _fit_all(fitted, unit_all, values, both, seed)

    # The posterior, on the emulators.
    posterior = importance_posterior(space, matched, stream(seed, 0, "calibration/posterior"))
    _, nroy_final = nroy_points(space, matched, stream(seed, 0, "calibration/nroy"), CANDIDATES)

    # The check: the simulator at posterior draws.
    rng_c = stream(seed, 0, "calibration/check")
    distinct = np.unique(posterior.draws, axis=0)
    pick = rng_c.permutation(len(distinct))[: plan.check]
    check_points = distinct[pick]
    start = both.stop
    values |= sim.run(space.table(check_points), start)
    check_range = range(start, start + len(check_points))

    points = _points_table(space, targets, values, [wave_1, wave_2, check_points])
    summary = summarise_posterior(space, posterior.draws)
    fit, checks = fit_table(targets, values, check_range, replications)
    facts = {
        "seed": seed,
        "replications": replications,
        "budget": budget,
        "plan": {"wave_1": plan.wave_1, "wave_2": plan.wave_2, "check": plan.check},
        "simulations": sim.runs,
        "nroy_share_after_wave_1": nroy_1,
        "nroy_share_final": nroy_final,
        "posterior_nroy_share_of_prior": posterior.nroy_share,
        "effective_sample_size": posterior.ess,
        "proposals": posterior.proposals,
        "emulator_check_wave_2_within_3sd": emulator_check,
        "emulators": {
            e.name: {"kernel": e.kernel, "points": e.points, "run_sd": math.sqrt(e.run_variance)}
            for e in matched.emulators
        },
        "posterior_correlation": _correlation(space, posterior.draws),
        "cutoff": CUTOFF,
        "scenarios": {key: scenario_digest(sc) for key, sc in scenarios.items()},
        "targets": targets.model_dump(mode="json"),
        "parameters": params.model_dump(mode="json"),
    }
    orders = order_table(targets, values, check_range)
    return Calibration(
        space, targets, plan, points, _draws_frame(space, posterior), summary, fit, checks,
        orders, facts,
    )  # fmt: skip


def _draws_frame(space: Space, posterior: Posterior) -> pd.DataFrame:
    frame = pd.DataFrame(posterior.draws, columns=space.names)
    frame.insert(0, "draw", np.arange(len(frame)))
    return frame


def _correlation(space: Space, draws: np.ndarray) -> dict[str, dict[str, float]]:
    if space.dim < 2:
        return {}
    with np.errstate(all="ignore"):
        corr = np.corrcoef(draws, rowvar=False)
    return {
        a: {b: round(float(corr[i, j]), 4) for j, b in enumerate(space.names) if j != i}
        for i, a in enumerate(space.names)
    }


def _points_table(
    space: Space, targets: TargetsFile, values: Mapping, stages: list[np.ndarray]
) -> pd.DataFrame:
    rows, number = [], 0
    for stage, points in zip(("wave_1", "wave_2", "check"), stages, strict=True):
        for row in points:
            record = {"point": number, "stage": stage}
            record |= dict(zip(space.names, map(float, row), strict=True))
            for t in targets.targets:
                with np.errstate(all="ignore"):
                    runs = _target_runs(values, t, range(number, number + 1))
                    record[t.name] = float(np.nanmean(runs))
            rows.append(record)
            number += 1
    return pd.DataFrame(rows)


def summarise_posterior(space: Space, draws: np.ndarray) -> pd.DataFrame:
    """Per parameter: the prior box, the posterior mean, sd and quantiles, and the shrinkage
    (1 − posterior variance / prior variance: 0 = the data say nothing, 1 = pinned down).
    """
    from samflode.experiments.calibration.space import frozen_prior

    rows = []
    for j, param in enumerate(space.parameters):
        x = draws[:, j]
        q = np.quantile(x, [0.05, 0.25, 0.5, 0.75, 0.95])
        prior_var = float(frozen_prior(param).var())
        rows.append(
            {
                "parameter": param.name,
                "prior_low": param.bounds[0],
                "prior_high": param.bounds[1],
                "mean": float(x.mean()),
                "sd": float(x.std(ddof=1)) if len(x) > 1 else 0.0,
                "q05": q[0], "q25": q[1], "q50": q[2], "q75": q[3], "q95": q[4],
                "shrinkage": 1.0 - float(x.var()) / prior_var if prior_var > 0 else math.nan,
            }
        )  # fmt: skip
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


def fit_table(
    targets: TargetsFile, values: Mapping, points: range, replications: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The fit of every target from the check runs, and the check runs themselves (long form).

    The predictive interval is that of one new project: the 5 % and 95 % quantiles over the
    replications at every posterior draw (parameter uncertainty and run-to-run noise together).
    The implausibility uses the variance of the module :mod:`.posterior`, with the spread of the
    draws' means in place of the emulator's uncertainty.
    """
    rows, long = [], []
    for target in targets.targets:
        runs = _target_runs(values, target, points)
        for d, row in enumerate(runs):
            for r, value in enumerate(row):
                long.append({"draw": d, "replication": r, "target": target.name, "value": value})
        flat = runs[np.isfinite(runs)]
        if flat.size == 0:
            mean = q05 = q95 = implausibility = math.nan
        else:
            mean = float(flat.mean())
            q05, q95 = (float(v) for v in np.quantile(flat, [0.05, 0.95]))
            with np.errstate(all="ignore"):
                draw_means = np.nanmean(runs, axis=1)
                run_var = (
                    float(np.nanmean(np.nanvar(runs, axis=1, ddof=1))) if replications > 1 else 0.0
                )
            draw_var = float(np.nanvar(draw_means)) if np.isfinite(draw_means).sum() > 1 else 0.0
            run_var = 0.0 if not math.isfinite(run_var) else run_var
            total = max(target.sd**2, run_var) + target.discrepancy**2 + draw_var
            implausibility = (
                abs(target.observed - mean) / math.sqrt(total) if total > 0 else math.inf
            )
        rows.append(
            {
                "target": target.name,
                "scenario": ",".join(target.keys),
                "kpi": target.kpi,
                "holdout": target.holdout,
                "observed": target.observed,
                "observed_sd": target.sd,
                "predicted_mean": mean,
                "predicted_q05": q05,
                "predicted_q95": q95,
                "implausibility": implausibility,
                "within_90": bool(q05 <= target.observed <= q95) if flat.size else False,
            }
        )
    return pd.DataFrame(rows, columns=FIT_COLUMNS), pd.DataFrame(long)
