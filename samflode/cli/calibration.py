"""The researchers' commands: ``calibrate`` (fit parameters to targets), ``sensitivity`` and
``counterfactual``. Same conventions as the other commands: bad input exits 2 before anything
runs, progress on stderr, checkpoints and ``--resume``, results written atomically.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from samflode.cli.commands import (
    DEFAULT_WORKERS,
    Resume,
    Scheduler,
    Workers,
    _check_workers,
    _out_folder,
    app,
)
from samflode.cli.errors import experiment, fail
from samflode.cli.render import console, progress_bar
from samflode.config.calibration import check_parameters, load_parameters, load_targets
from samflode.config.loader import ScenarioError, load_scenario
from samflode.config.scenario import Scenario
from samflode.execution.checkpoint import scenario_digest
from samflode.execution.outdir import write_manifest
from samflode.execution.runner import REPLICATIONS_DIR
from samflode.experiments.calibration import calibrate, validate_inputs
from samflode.experiments.calibration.calibrate import DEFAULT_REPLICATIONS, make_plan
from samflode.experiments.calibration.sensitivity import METHODS, sensitivity
from samflode.experiments.sweep import SweepError, check_kpi
from samflode.report.calibration import write_calibration, write_sensitivity

Replications = Annotated[
    int, typer.Option(help="replications of every scenario at each point (2–1000)")
]


def load_keyed(paths: list[Path]) -> dict[str, Scenario]:
    """Scenario files keyed by their stems (the names targets and parameters use); exit 2 if one
    is bad or two share a stem.
    """
    loaded: dict[str, Scenario] = {}
    origin: dict[str, Path] = {}
    errors = []
    for path in paths:
        key = path.stem.replace("-", "_")
        if key in origin:
            raise fail(
                f"{path}: its key {key!r} (the file's stem) is also that of {origin[key]}; "
                "targets name scenarios by stem, so give each file a distinct name"
            )
        origin[key] = path
        try:
            loaded[key] = load_scenario(path)
        except ScenarioError as exc:
            errors.append(str(exc))
    if errors:
        raise fail("\n".join(errors))
    return loaded


def _check_run(replications: int, seed: int, budget: int | None) -> None:
    if not 2 <= replications <= 1000:
        raise fail(
            f"--replications: must be between 2 and 1000 (got {replications}); the emulators "
            "need at least two to know the simulator's own noise"
        )
    if seed < 0:
        raise fail(f"--seed: must be ≥ 0 (got {seed})")
    if budget is not None and not 1 <= budget <= 10_000_000:
        raise fail(f"--budget: must be between 1 and 10000000 simulations (got {budget})")


@app.command("calibrate")
def calibrate_command(
    scenarios: Annotated[
        list[Path],
        typer.Argument(help="scenario YAML files; targets and parameters name them by file stem"),
    ],
    targets: Annotated[Path, typer.Option(help="targets YAML (README, 'Calibration files')")],
    params: Annotated[Path, typer.Option(help="parameters YAML (README, 'Calibration files')")],
    budget: Annotated[
        int | None,
        typer.Option(help="most simulations to run (default: the full plan, see the README)"),
    ] = None,
    replications: Replications = DEFAULT_REPLICATIONS,
    seed: Annotated[int, typer.Option(help="calibration seed (≥ 0)")] = 1,
    workers: Workers = DEFAULT_WORKERS,
    scheduler: Scheduler = None,
    out: Annotated[str, typer.Option(help="output directory")] = "calibration",
    resume: Resume = False,
) -> None:
    """Fit parameters to targets: history matching on emulators, then importance sampling.

    Writes posterior.parquet, summary.csv (per parameter), fit.csv (per target, held-out ones
    marked), points.parquet, checks.parquet, calibration.json and three figures to OUT. Every
    simulation goes to OUT/replications/ as it finishes, so an interrupted calibration can be
    continued with --resume.
    """
    _check_run(replications, seed, budget)
    _check_workers(workers, scheduler)
    folder = _out_folder(out)
    loaded = load_keyed(scenarios)
    try:
        target_file = load_targets(targets)
        param_file = load_parameters(params)
        validate_inputs(
            loaded, target_file, param_file,
            targets_origin=os.fspath(targets), params_origin=os.fspath(params),
        )  # fmt: skip
        plan = make_plan(len(param_file.parameters), len(loaded), replications, budget)
    except ScenarioError as exc:
        raise fail(str(exc)) from None
    started = time.monotonic()
    with experiment(folder):
        with progress_bar() as bar:
            task = bar.add_task("calibration", total=plan.simulations)
            cal = calibrate(
                loaded,
                target_file,
                param_file,
                seed=seed,
                replications=replications,
                budget=budget,
                workers=workers,
                scheduler=scheduler,
                checkpoint_dir=folder / REPLICATIONS_DIR,
                resume=resume,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
                origin=os.fspath(params),
            )
        elapsed = time.monotonic() - started
        written = write_calibration(
            cal,
            folder,
            elapsed_seconds=round(elapsed, 1),
            workers=workers,
            scenario_files={key: os.fspath(p.resolve()) for key, p in zip(loaded, scenarios,
                                                                          strict=True)},
        )  # fmt: skip
        shutil.rmtree(folder / REPLICATIONS_DIR, ignore_errors=True)
        written.append(
            write_manifest(
                folder,
                written,
                seed=seed,
                replications=replications,
                scenarios={key: scenario_digest(sc) for key, sc in loaded.items()},
            )
        )
    print_calibration(cal, elapsed)
    console.print(f"wrote {', '.join(os.fspath(p) for p in written)}", highlight=False)


def print_calibration(cal, elapsed: float) -> None:  # noqa: ANN001 - a Calibration
    """The posterior summary and the fit per target, as two tables."""
    params = Table(title="Posterior per parameter", title_justify="left")
    for col in ("parameter", "mean", "50 %", "90 %", "shrinkage"):
        params.add_column(col, justify="left" if col == "parameter" else "right")
    for row in cal.summary.itertuples(index=False):
        params.add_row(
            row.parameter,
            f"{row.mean:.4g}",
            f"[{row.q25:.4g}, {row.q75:.4g}]",
            f"[{row.q05:.4g}, {row.q95:.4g}]",
            f"{row.shrinkage:.0%}",
        )
    console.print(params)
    fit = Table(
        title="Fit per target (predicted: 90 % interval of one project)", title_justify="left"
    )
    for col in ("target", "observed", "predicted", "90 %", "I", ""):
        fit.add_column(col, justify="left" if col in ("target", "") else "right")
    for row in cal.fit.itertuples(index=False):
        fit.add_row(
            row.target,
            f"{row.observed:.4g}",
            f"{row.predicted_mean:.4g}",
            f"[{row.predicted_q05:.4g}, {row.predicted_q95:.4g}]",
            f"{row.implausibility:.2f}",
            "held out" if row.holdout else "",
        )
    console.print(fit)
    console.print(
        f"{cal.runs} simulations in {elapsed:.0f} s; effective sample size "
        f"{cal.facts['effective_sample_size']:.0f}; not ruled out: "
        f"{cal.facts['nroy_share_final']:.1%} of the box",
        highlight=False,
    )


@app.command("sensitivity")
def sensitivity_command(
    scenario: Annotated[Path, typer.Argument(help="scenario YAML")],
    params: Annotated[Path, typer.Option(help="parameters YAML (README, 'Calibration files')")],
    kpi: Annotated[list[str], typer.Option(help="a KPI to explain (repeat for several)")],
    method: Annotated[
        str, typer.Option(help="morris (on the simulator) or sobol (on emulators)")
    ] = "morris",
    trajectories: Annotated[int, typer.Option(help="Morris trajectories (2–1000)")] = 10,
    replications: Replications = 2,
    seed: Annotated[int, typer.Option(help="seed (≥ 0)")] = 1,
    workers: Workers = DEFAULT_WORKERS,
    scheduler: Scheduler = None,
    out: Annotated[str, typer.Option(help="output directory")] = "sensitivity",
    resume: Resume = False,
) -> None:
    """Which parameters matter for which KPI: Morris screening or Sobol indices (SALib).

    Writes sensitivity.csv (kpi, parameter, method, index, value, conf, noise_share),
    sensitivity_points.csv, sensitivity.json and sensitivity.png to OUT.
    """
    _check_run(replications, seed, None)
    _check_workers(workers, scheduler)
    if method not in METHODS:
        raise fail(f"--method: one of {', '.join(METHODS)} (got {method!r})")
    if not 2 <= trajectories <= 1000:
        raise fail(f"--trajectories: must be between 2 and 1000 (got {trajectories})")
    folder = _out_folder(out)
    loaded = load_keyed([scenario])
    key, sc = next(iter(loaded.items()))
    try:
        param_file = load_parameters(params)
        for name in kpi:
            check_kpi(sc, name)
        check_parameters(param_file, loaded, os.fspath(params))
    except (ScenarioError, SweepError) as exc:
        raise fail(str(exc)) from None
    with experiment(folder):
        with progress_bar() as bar:
            task = bar.add_task(f"sensitivity ({method})", total=None)
            result = sensitivity(
                key, sc, param_file, kpi, method=method, trajectories=trajectories, seed=seed,
                replications=replications, workers=workers, scheduler=scheduler,
                checkpoint_dir=folder / REPLICATIONS_DIR, resume=resume,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
                origin=os.fspath(params),
            )  # fmt: skip
        written = write_sensitivity(result.table, result.points, result.facts, folder)
        shutil.rmtree(folder / REPLICATIONS_DIR, ignore_errors=True)
        written.append(
            write_manifest(
                folder,
                written,
                seed=seed,
                replications=replications,
                scenarios={key: scenario_digest(sc)},
            )  # fmt: skip
        )
    table = Table(title=f"Sensitivity of {sc.name} ({method})", title_justify="left")
    for col in ("kpi", "parameter", "index", "value", "± 95 %", "run noise"):
        table.add_column(col, justify="left" if col in ("kpi", "parameter", "index") else "right")
    for row in result.table.itertuples(index=False):
        table.add_row(row.kpi, row.parameter, row.index, f"{row.value:.4g}",
                      "" if row.conf != row.conf else f"{row.conf:.3g}",
                      f"{row.noise_share:.0%}")  # fmt: skip
    console.print(table)
    console.print(f"{result.facts['simulations']} simulations", highlight=False)
    console.print(f"wrote {', '.join(os.fspath(p) for p in written)}", highlight=False)
