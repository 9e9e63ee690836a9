"""Leave one scenario out: fit on the others, predict the one left out.

With several sites sharing global parameters (the four AMiA sites share the outcome model's
coefficients), a fit is believable if the parameters learned on three sites predict the fourth:
the site's own inputs (staffing, caseload, pairing, inflow) are fixed from the source, so what the
prediction tests is whether the *mechanisms* carry from one site to another, not whether a site's
own number was fitted. For each scenario in turn: a calibration on the others (their fitted
targets only), then the left-out scenario runs at that posterior's draws, and its targets —
fitted or held out in the full calibration — are compared with the prediction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from samflode.config.calibration import Parameter, ParametersFile, TargetsFile
from samflode.config.scenario import Scenario
from samflode.execution.checkpoint import Checkpoint
from samflode.execution.units import KpiStore
from samflode.experiments.calibration.calibrate import (
    CHECK_DRAWS,
    CalibrationError,
    calibrate,
    fit_table,
    kpis_needed,
)
from samflode.experiments.calibration.runs import Simulator
from samflode.rng.streams import stream

log = logging.getLogger(__name__)

LOO_COLUMNS = [
    "left_out", "target", "kpi", "observed", "observed_sd", "predicted_mean", "predicted_q05",
    "predicted_q95", "implausibility", "within_90", "holdout",
]  # fmt: skip


def _restricted(params: ParametersFile, keys: list[str], left: str) -> ParametersFile:
    """The parameters as set in ``keys`` only; an error if one is set in ``left`` alone."""
    kept: list[Parameter] = []
    for p in params.parameters:
        if p.scenarios is None:
            kept.append(p)
            continue
        inside = [k for k in p.scenarios if k in keys]
        if not inside:
            raise CalibrationError(
                f"parameter {p.name!r} is set only in scenario {left!r}: without it, nothing can "
                "learn it, so leaving it out cannot predict it"
            )
        kept.append(p.model_copy(update={"scenarios": inside}))
    return ParametersFile(parameters=kept)


def _set_in(params: ParametersFile, key: str) -> ParametersFile:
    """The parameters that are set in scenario ``key``, as set there."""
    kept = [
        p.model_copy(update={"scenarios": None})
        for p in params.parameters
        if p.scenarios is None or key in p.scenarios
    ]
    if not kept:
        raise CalibrationError(f"no parameter is set in scenario {key!r}: nothing to predict with")
    return ParametersFile(parameters=kept)


def leave_one_out(
    scenarios: Mapping[str, Scenario],
    targets: TargetsFile,
    params: ParametersFile,
    *,
    seed: int = 1,
    replications: int = 4,
    budget: int | None = None,
    workers: int = 1,
    scheduler: str | None = None,
    checkpoint_dir: str | Path | None = None,
    resume: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
    origin: str = "leave-one-out",
) -> tuple[pd.DataFrame, dict]:
    """For every scenario, the prediction of its targets from a fit to the others.

    Returns the table (LOO_COLUMNS, one row per target of a left-out scenario) and facts (per
    left-out scenario: the posterior summary and simulations run).
    """
    if len(scenarios) < 2:
        raise CalibrationError("--leave-one-out needs at least two scenarios")
    frames, facts = [], {}
    for left in scenarios:
        rest = {k: v for k, v in scenarios.items() if k != left}
        fitted = [t for t in targets.targets if not t.holdout and left not in t.keys]
        mine = [t for t in targets.targets if t.keys == [left]]
        if not fitted or not mine:
            log.warning("leave-one-out: %s has no targets of its own or none left to fit", left)
            continue
        sub = TargetsFile(targets=fitted)

        def tell(done: int, total: int, _left: str = left) -> None:
            if progress is not None:
                progress(_left, done, total)

        folder = None if checkpoint_dir is None else Path(checkpoint_dir) / f"without-{left}"
        cal = calibrate(
            rest, sub, _restricted(params, list(rest), left), seed=seed,
            replications=replications, budget=budget, workers=workers, scheduler=scheduler,
            checkpoint_dir=folder, resume=resume, progress=tell,
            origin=f"{origin} (without {left})",
        )  # fmt: skip
        own = TargetsFile(targets=mine)
        names = [p.name for p in params.parameters]
        rng = stream(seed, 0, f"leave-one-out/{left}")
        distinct = np.unique(cal.posterior[names].to_numpy(), axis=0)
        chosen = distinct[rng.permutation(len(distinct))[:CHECK_DRAWS]]
        points = [dict(zip(names, map(float, row), strict=True)) for row in chosen]
        store = None
        if folder is not None:
            manifest = {"experiment": "leave-one-out prediction", "left_out": left, "seed": seed,
                        "replications": replications, "points": points}  # fmt: skip
            store = KpiStore(Checkpoint(folder / "prediction", manifest, resume=resume))
        sim = Simulator(
            {left: scenarios[left]}, _set_in(params, left), kpis_needed(own, [left]), seed,
            replications, f"{origin} (predict {left})", workers, scheduler, store,
        )  # fmt: skip
        values = sim.run(points, 0)
        fit, _ = fit_table(own, values, range(len(points)), replications)
        fit.insert(0, "left_out", left)
        frames.append(fit[LOO_COLUMNS])
        facts[left] = {
            "simulations": cal.runs + sim.runs,
            "summary": cal.summary.to_dict(orient="records"),
        }
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=LOO_COLUMNS)
    return table, facts
