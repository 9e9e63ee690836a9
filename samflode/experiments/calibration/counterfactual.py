"""Counterfactual replay: one site's participants under another design, over posterior draws.

"What would Väst's result have been under Öst's pairing and caseload?" The *factual* scenario is
the site as it was; the *counterfactual* is the same site with some top-level sections taken from
another design (:func:`samflode.config.variants.graft`: by default the staff, the casework, the
coordination, the Konsultation and the Insatsmarknad — the way of working — while the groups,
their inflow and mix, the horizon and the outcome model stay the site's). Both run with the same
seed and replication numbers, so the same people arrive on the same days with the same personal
draws (common random numbers): the difference between the two is the design's, not luck's.

Over posterior draws: each draw's parameter values (a calibration's ``posterior.parquet``) are
set in both scenarios, as the calibration set them for the site, and every draw runs
``replications`` paired replications. Two intervals are reported per KPI: that of the *expected*
difference (5 %–95 % over the draws of the draw's mean paired difference: what parameter
uncertainty leaves open) and that of *one project's* difference (over every draw × replication:
parameter uncertainty and a project's own luck together).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from samflode.config.calibration import ParametersFile
from samflode.config.scenario import Scenario
from samflode.config.variants import graft, variant
from samflode.execution.tasks import run_one_kpis
from samflode.execution.units import Unit, run_units
from samflode.rng.streams import stream

DEFAULT_TAKE = ("staff", "casework", "coordination", "konsultation", "insatsmarknad")
DEFAULT_DRAWS = 20
DEFAULT_REPLICATIONS = 4
ARMS = ("factual", "counterfactual")
TABLE_COLUMNS = [
    "kpi", "factual_mean", "counterfactual_mean", "difference_mean",
    "expected_q05", "expected_q95", "project_q05", "project_q95", "share_draws_positive",
]  # fmt: skip


@dataclass
class Counterfactual:
    """The paired runs and their summary."""

    table: pd.DataFrame  # one row per KPI (TABLE_COLUMNS)
    runs: pd.DataFrame  # draw, replication, arm, one column per KPI
    draws: pd.DataFrame  # the posterior draws used: draw, one column per parameter
    facts: dict = field(default_factory=dict)


def site_values(params: ParametersFile, key: str, theta: dict[str, float]) -> dict[str, float]:
    """The paths and values ``theta`` sets in the scenario keyed ``key``, as the calibration did."""
    changes: dict[str, float] = {}
    for param in params.parameters:
        if param.scenarios is None or key in param.scenarios:
            for path in param.paths:
                changes[path] = float(theta[param.name])
    return changes


def _run_pair(factual: Scenario, counter: Scenario, seed: int, replication: int) -> dict:
    return {
        "factual": run_one_kpis(factual, seed, replication),
        "counterfactual": run_one_kpis(counter, seed, replication),
    }


def counterfactual(
    site: Scenario,
    design: Scenario,
    *,
    site_key: str,
    params: ParametersFile,
    posterior: pd.DataFrame,
    take: Sequence[str] = DEFAULT_TAKE,
    draws: int = DEFAULT_DRAWS,
    replications: int = DEFAULT_REPLICATIONS,
    seed: int = 1,
    workers: int = 1,
    scheduler: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    origin: str = "counterfactual",
) -> Counterfactual:
    """Replay ``site`` under ``design``'s ``take`` sections over ``draws`` posterior draws.

    Same seed, same result, whatever ``workers``: the draws are picked by a stream of ``seed`` and
    each pair of runs is keyed by its draw and replication.
    """
    counter = graft(site, design, take, origin=origin)
    names = [p.name for p in params.parameters]
    missing = [n for n in names if n not in posterior.columns]
    if missing:
        raise ValueError(f"the posterior has no column for {missing}")
    rng = stream(seed, 0, "counterfactual/draws")
    pick = np.sort(rng.choice(len(posterior), size=min(draws, len(posterior)), replace=False))
    chosen = posterior.iloc[pick][names].reset_index(drop=True)
    units = []
    for d, row in chosen.iterrows():
        changes = site_values(params, site_key, {n: float(row[n]) for n in names})
        where = f"{origin} draw {d}"
        f_sc = variant(site, changes, origin=where) if changes else site
        c_sc = variant(counter, changes, origin=where) if changes else counter
        for r in range(replications):
            units.append(Unit(f"draw-{d:04d}/rep-{r:05d}", _run_pair, (f_sc, c_sc, seed, r)))
    outputs = run_units(units, workers=workers, scheduler=scheduler, store=None, progress=progress)
    rows = []
    for unit in units:
        d, r = (int(part.split("-")[1]) for part in unit.key.split("/"))
        for arm in ARMS:
            rows.append({"draw": d, "replication": r, "arm": arm} | outputs[unit.key][arm])
    runs = pd.DataFrame(rows)
    table = summarise(runs)
    chosen.insert(0, "draw", np.arange(len(chosen)))
    facts = {
        "site": site.name,
        "design": design.name,
        "site_key": site_key,
        "take": list(take),
        "draws": len(chosen),
        "replications": replications,
        "seed": seed,
        "simulations": 2 * len(units),
    }
    return Counterfactual(table, runs, chosen, facts)


def summarise(runs: pd.DataFrame) -> pd.DataFrame:
    """Per KPI: both arms' means, the mean paired difference and its two intervals."""
    kpis = [c for c in runs.columns if c not in ("draw", "replication", "arm")]
    f = runs[runs["arm"] == "factual"].set_index(["draw", "replication"]).sort_index()
    c = runs[runs["arm"] == "counterfactual"].set_index(["draw", "replication"]).sort_index()
    rows = []
    for kpi in kpis:
        fv = pd.to_numeric(f[kpi], errors="coerce")
        cv = pd.to_numeric(c[kpi], errors="coerce")
        diff = (cv - fv).dropna()
        if diff.empty:
            continue
        per_draw = diff.groupby(level="draw").mean()
        eq05, eq95 = np.quantile(per_draw, [0.05, 0.95])
        pq05, pq95 = np.quantile(diff, [0.05, 0.95])
        rows.append(
            {
                "kpi": kpi,
                "factual_mean": float(fv.mean()),
                "counterfactual_mean": float(cv.mean()),
                "difference_mean": float(diff.mean()),
                "expected_q05": float(eq05),
                "expected_q95": float(eq95),
                "project_q05": float(pq05),
                "project_q95": float(pq95),
                "share_draws_positive": float((per_draw > 0).mean()),
            }
        )
    table = pd.DataFrame(rows, columns=TABLE_COLUMNS)
    return table[table["difference_mean"].map(math.isfinite)].reset_index(drop=True)
