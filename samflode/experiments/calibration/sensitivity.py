"""Which parameters matter: Morris screening on the simulator, Sobol indices on an emulator.

Both use SALib. **Morris** (elementary effects) runs the simulator itself along r trajectories of
d + 1 points: μ* says how much a parameter moves a KPI on average over the box, σ how much that
effect depends on the others (interaction or curvature). **Sobol** needs thousands of evaluations,
too many simulations, so it is computed on Gaussian-process emulators fitted to a Latin hypercube
of 10·d points: S1 is the share of the KPI's variance a parameter explains alone, ST with all its
interactions. Both work in the unit cube of :class:`~.space.Space` (so a log-uniform parameter is
screened over its orders of magnitude).

A stochastic simulator adds its own noise, which no parameter explains: ``noise_share`` is the
part of the variance of the point means (over replications) that is run-to-run noise — near 0 the
ranking is the parameters', near 1 the KPI is noise at this number of replications.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample

from samflode.config.calibration import ParametersFile, check_parameters
from samflode.config.scenario import Scenario
from samflode.execution.checkpoint import Checkpoint, scenario_digest
from samflode.execution.units import KpiStore, check_counts
from samflode.experiments.calibration.emulator import fit_emulator
from samflode.experiments.calibration.runs import Simulator
from samflode.experiments.calibration.space import Space
from samflode.rng.streams import stream

METHODS = ("morris", "sobol")
DEFAULT_TRAJECTORIES = 10
SOBOL_BASE = 1024  # Saltelli base sample on the emulator: N·(d + 2) evaluations, all cheap
COLUMNS = ["kpi", "parameter", "method", "index", "value", "conf", "noise_share"]


@dataclass
class Sensitivity:
    """The indices per KPI and parameter, long form (``COLUMNS``), and the runs behind them."""

    table: pd.DataFrame
    points: pd.DataFrame
    facts: dict


def _noise_share(runs: np.ndarray) -> float:
    """Run-to-run variance of a point's mean over the variance of the point means."""
    with np.errstate(all="ignore"):
        means = np.nanmean(runs, axis=1)
        counts = np.isfinite(runs).sum(axis=1)
        within = np.nanmean(np.nanvar(runs, axis=1, ddof=1) / counts)
        total = np.nanvar(means, ddof=1)
    if not np.isfinite(total) or total <= 0:
        return 1.0
    return float(min(1.0, within / total))


def sensitivity(
    scenario_key: str,
    scenario: Scenario,
    params: ParametersFile,
    kpis: Sequence[str],
    *,
    method: str = "morris",
    trajectories: int = DEFAULT_TRAJECTORIES,
    seed: int = 1,
    replications: int = 2,
    workers: int = 1,
    scheduler: str | None = None,
    checkpoint_dir: str | Path | None = None,
    resume: bool = False,
    progress: Callable[[int, int], None] | None = None,
    origin: str = "sensitivity",
) -> Sensitivity:
    """Screen ``params`` for their effect on ``kpis`` of one scenario (module docstring)."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS} (got {method!r})")
    check_counts(replications, workers)
    scenarios = {scenario_key: scenario}
    check_parameters(params, scenarios, origin)
    space = Space.of(params)
    problem = {"num_vars": space.dim, "names": space.names, "bounds": [[0.0, 1.0]] * space.dim}
    rng = stream(seed, 0, f"sensitivity/{method}")
    if method == "morris":
        unit = morris_sample.sample(problem, trajectories, num_levels=4, seed=rng)
    else:
        unit = space.to_unit(space.design(10 * space.dim, rng))
    points = space.from_unit(unit)
    store = None
    if checkpoint_dir is not None:
        manifest = {
            "experiment": f"sensitivity-{method}",
            "scenario": scenario_digest(scenario),
            "parameters": params.model_dump(mode="json"),
            "kpis": list(kpis),
            "seed": seed,
            "replications": replications,
            "trajectories": trajectories,
        }
        store = KpiStore(Checkpoint(checkpoint_dir, manifest, resume=resume))
    total = len(points) * replications
    sim = Simulator(
        scenarios, params, {scenario_key: list(kpis)}, seed, replications, origin, workers,
        scheduler, store,
        progress=None if progress is None else (lambda done: progress(done, total)),
    )  # fmt: skip
    values = sim.run(space.table(points), 0)
    rows = []
    table_points = pd.DataFrame(points, columns=space.names)
    for kpi in kpis:
        runs = np.vstack([values[i, scenario_key, kpi] for i in range(len(points))])
        with np.errstate(all="ignore"):
            means = np.nanmean(runs, axis=1)
        table_points[kpi] = means
        noise = _noise_share(runs)
        if not np.isfinite(means).all():
            raise ValueError(
                f"{kpi}: no value at {int((~np.isfinite(means)).sum())} of {len(means)} points "
                "(the KPI is empty there); choose a KPI every run defines"
            )
        if method == "morris":
            result = morris_analyze.analyze(problem, unit, means, num_levels=4, seed=rng)
            for j, name in enumerate(space.names):
                for index, conf in (("mu_star", "mu_star_conf"), ("sigma", None)):
                    rows.append(
                        [kpi, name, method, index, float(result[index][j]),
                         float(result[conf][j]) if conf else np.nan, noise]
                    )  # fmt: skip
        else:
            emulator = fit_emulator(kpi, unit, runs, random_state=seed)
            base = sobol_sample.sample(problem, SOBOL_BASE, calc_second_order=False, seed=rng)
            predicted, _ = emulator.predict(base)  # type: ignore[union-attr]
            result = sobol_analyze.analyze(problem, predicted, calc_second_order=False, seed=rng)
            for j, name in enumerate(space.names):
                for index in ("S1", "ST"):
                    rows.append(
                        [kpi, name, method, index, float(result[index][j]),
                         float(result[f"{index}_conf"][j]), noise]
                    )  # fmt: skip
    facts = {
        "method": method,
        "scenario": scenario_key,
        "seed": seed,
        "replications": replications,
        "points": len(points),
        "simulations": sim.runs,
        "trajectories": trajectories if method == "morris" else None,
    }
    return Sensitivity(pd.DataFrame(rows, columns=COLUMNS), table_points, facts)


def ranking(table: pd.DataFrame) -> Mapping[str, list[str]]:
    """Per KPI, the parameters from most to least influential (μ* or ST)."""
    main = table[table["index"].isin(["mu_star", "ST"])]
    return {
        kpi: list(group.sort_values("value", ascending=False)["parameter"])
        for kpi, group in main.groupby("kpi", sort=False)
    }
