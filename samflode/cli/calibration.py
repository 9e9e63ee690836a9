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

import pandas as pd
import typer
from rich.table import Table

from samflode.analysis.kpi import kpi_names
from samflode.cli.commands import (
    DEFAULT_WORKERS,
    InflowScale,
    Resume,
    Scheduler,
    Sets,
    Workers,
    _check_workers,
    _out_folder,
    app,
    check_overrides,
    load_overridden,
    override_facts,
)
from samflode.cli.errors import experiment, fail
from samflode.cli.render import console, progress_bar
from samflode.config.calibration import (
    ParametersFile,
    check_parameters,
    load_parameters,
    load_targets,
)
from samflode.config.loader import ScenarioError
from samflode.config.scenario import Scenario
from samflode.config.variants import graft
from samflode.execution.checkpoint import scenario_digest
from samflode.execution.outdir import write_manifest
from samflode.execution.runner import REPLICATIONS_DIR
from samflode.experiments.calibration import calibrate, validate_inputs
from samflode.experiments.calibration.calibrate import DEFAULT_REPLICATIONS, make_plan
from samflode.experiments.calibration.counterfactual import (
    DEFAULT_DRAWS,
    DEFAULT_TAKE,
    counterfactual,
)
from samflode.experiments.calibration.holdout import leave_one_out as run_leave_one_out
from samflode.experiments.calibration.sensitivity import METHODS, sensitivity
from samflode.experiments.sweep import SweepError, check_kpi
from samflode.report.calibration import (
    COUNTERFACTUAL_PREFIX,
    write_calibration,
    write_counterfactual,
    write_leave_one_out,
    write_sensitivity,
)

Replications = Annotated[
    int, typer.Option(help="replications of every scenario at each point (2–1000)")
]


def load_keyed(
    paths: list[Path], sets: dict | None = None, inflow_scale: float | None = None
) -> dict[str, Scenario]:
    """Scenario files keyed by their stems (the names targets and parameters use), with the
    command's overrides applied; exit 2 if one is bad or two share a stem.
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
            loaded[key] = load_overridden(path, sets or {}, inflow_scale)
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
    leave_one_out: Annotated[
        bool,
        typer.Option(
            "--leave-one-out",
            help="also fit on all scenarios but one and predict that one, for each (--budget each)",
        ),
    ] = False,
    set_: Sets = None,
    inflow_scale: InflowScale = None,
) -> None:
    """Fit parameters to targets: history matching on emulators, then importance sampling.

    Writes posterior.parquet, summary.csv (per parameter), fit.csv (per target, held-out ones
    marked), points.parquet, checks.parquet, calibration.json and three figures to OUT. Every
    simulation goes to OUT/replications/ as it finishes, so an interrupted calibration can be
    continued with --resume.
    """
    _check_run(replications, seed, budget)
    _check_workers(workers, scheduler)
    sets = check_overrides(set_, inflow_scale)
    folder = _out_folder(out)
    loaded = load_keyed(scenarios, sets, inflow_scale)
    try:
        target_file = load_targets(targets)
        param_file = load_parameters(params)
        validate_inputs(
            loaded, target_file, param_file,
            targets_origin=os.fspath(targets), params_origin=os.fspath(params),
        )  # fmt: skip
        plan = make_plan(len(param_file.parameters), len(loaded), replications, budget)
        if leave_one_out:
            if len(loaded) < 2:
                raise fail("--leave-one-out: needs at least two scenarios")
            make_plan(len(param_file.parameters), len(loaded) - 1, replications, budget)
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
        loo = None
        if leave_one_out:
            with progress_bar() as bar:
                task = bar.add_task("leave one out", total=None)
                loo = run_leave_one_out(
                    loaded, target_file, param_file, seed=seed, replications=replications,
                    budget=budget, workers=workers, scheduler=scheduler,
                    checkpoint_dir=folder / REPLICATIONS_DIR / "leave-one-out", resume=resume,
                    progress=lambda left, done, total: bar.update(
                        task, completed=done, total=total, description=f"without {left}"
                    ),
                    origin=os.fspath(params),
                )  # fmt: skip
        written = write_calibration(
            cal,
            folder,
            elapsed_seconds=round(elapsed, 1),
            workers=workers,
            scenario_files={key: os.fspath(p.resolve()) for key, p in zip(loaded, scenarios,
                                                                          strict=True)},
            **override_facts(sets, inflow_scale),
        )  # fmt: skip
        if loo is not None:
            loo_facts = loo[1] | {"elapsed_seconds": round(time.monotonic() - started - elapsed, 1)}
            written += write_leave_one_out(loo[0], loo_facts, folder)
        shutil.rmtree(folder / REPLICATIONS_DIR, ignore_errors=True)
        written.append(
            write_manifest(
                folder,
                written,
                seed=seed,
                replications=replications,
                scenarios={key: scenario_digest(sc) for key, sc in loaded.items()},
                **override_facts(sets, inflow_scale),
            )
        )
    print_calibration(cal, elapsed)
    if loo is not None:
        print_leave_one_out(loo[0])
    console.print(f"wrote {', '.join(os.fspath(p) for p in written)}", highlight=False)


def print_leave_one_out(table: pd.DataFrame) -> None:
    """Each left-out scenario's targets against the prediction from the others."""
    shown = Table(
        title="Leave one out: fit on the others, predict this one (90 % of one project)",
        title_justify="left",
    )
    for col in ("left out", "target", "observed", "predicted", "90 %", "I", ""):
        shown.add_column(col, justify="left" if col in ("left out", "target", "") else "right")
    for row in table.itertuples(index=False):
        shown.add_row(
            row.left_out, row.target, f"{row.observed:.4g}", f"{row.predicted_mean:.4g}",
            f"[{row.predicted_q05:.4g}, {row.predicted_q95:.4g}]", f"{row.implausibility:.2f}",
            "held out" if row.holdout else "",
        )  # fmt: skip
    console.print(shown)


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
    if len(cal.orders):
        orders = Table(title="Documented rankings (held out)", title_justify="left")
        for col in ("order", "kpi", "means", "holds", "share of runs"):
            orders.add_column(col)
        for row in cal.orders.itertuples(index=False):
            orders.add_row(
                row.order, row.kpi, row.means, "yes" if row.holds_in_mean else "no",
                f"{row.share_runs_holding:.0%}",
            )  # fmt: skip
        console.print(orders)
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


# KPIs drawn in the counterfactual's figure when --kpi is not given (those the scenario has).
HEADLINE_KPIS = (
    "share_active_90d_after_ali", "share_entered_ali", "share_work_or_studies_90d",
    "share_work_or_studies_6m", "distinct_officers_mean", "support_hours_per_participant_month",
    "days_waiting_for_slot_mean", "cost_total_sek_per_year",
)  # fmt: skip


def _read_posterior(folder: Path) -> tuple[ParametersFile, pd.DataFrame]:
    """A calibration folder's parameters and posterior draws; exit 2 if it is not one."""
    import json

    posterior, facts = folder / "posterior.parquet", folder / "calibration.json"
    if not posterior.is_file() or not facts.is_file():
        raise fail(
            f"{folder}: not a calibration folder (no posterior.parquet and calibration.json; "
            "run samflode calibrate first)"
        )
    try:
        record = json.loads(facts.read_text(encoding="utf-8"))
        params = ParametersFile.model_validate(record["parameters"])
        draws = pd.read_parquet(posterior)
    except (ValueError, KeyError, OSError) as exc:
        raise fail(f"{facts}: cannot be read as a calibration's record ({exc})") from None
    missing = [p.name for p in params.parameters if p.name not in draws.columns]
    if missing or draws.empty:
        raise fail(f"{posterior}: no draws of {missing or 'any parameter'}")
    return params, draws


@app.command("counterfactual")
def counterfactual_command(
    calibration: Annotated[Path, typer.Argument(help="a calibrate output folder")],
    site: Annotated[Path, typer.Option(help="the site's scenario YAML (its people and inflow)")],
    design: Annotated[Path, typer.Option(help="the scenario YAML whose way of working is used")],
    take: Annotated[
        str, typer.Option(help="the design's sections to use, comma-separated")
    ] = ",".join(DEFAULT_TAKE),
    draws: Annotated[int, typer.Option(help="posterior draws (1–1000)")] = DEFAULT_DRAWS,
    replications: Annotated[int, typer.Option(help="paired replications per draw (1–1000)")] = 4,
    kpi: Annotated[
        list[str] | None, typer.Option(help="a KPI for the figure (repeat; default: headline)")
    ] = None,
    seed: Annotated[int, typer.Option(help="seed (≥ 0)")] = 1,
    workers: Workers = DEFAULT_WORKERS,
    scheduler: Scheduler = None,
    out: Annotated[
        str | None,
        typer.Option(
            help="output directory (default: CALIBRATION/counterfactual-SITE-under-DESIGN)"
        ),
    ] = None,
) -> None:
    """One site's participants under another design, over posterior draws, paired by CRN.

    The site keeps its groups, inflow, horizon and outcome model; the sections in --take come from
    --design. Writes counterfactual.csv (per KPI: both means, the mean paired difference, its
    expected and one-project 90 % intervals), counterfactual_runs.parquet,
    counterfactual_draws.parquet, counterfactual.json and counterfactual.png.
    """
    if not 1 <= draws <= 1000:
        raise fail(f"--draws: must be between 1 and 1000 (got {draws})")
    if not 1 <= replications <= 1000:
        raise fail(f"--replications: must be between 1 and 1000 (got {replications})")
    if seed < 0:
        raise fail(f"--seed: must be ≥ 0 (got {seed})")
    _check_workers(workers, scheduler)
    sections = [s.strip() for s in take.split(",") if s.strip()]
    if not sections:
        raise fail("--take: name at least one section of the design (e.g. staff,casework)")
    params, posterior = _read_posterior(calibration)
    sites = load_keyed([site])
    ((site_key, site_sc),) = sites.items()
    design_sc = next(iter(load_keyed([design]).values()))
    figure_kpis = list(kpi) if kpi else None
    try:
        for name in figure_kpis or []:
            check_kpi(site_sc, name)
        applying = [
            p.model_dump() | {"scenarios": None}
            for p in params.parameters
            if p.scenarios is None or site_key in p.scenarios
        ]
        if applying:
            check_parameters(
                ParametersFile.model_validate({"parameters": applying}),
                {site_key: site_sc},
                os.fspath(calibration / "calibration.json"),
            )
        graft(site_sc, design_sc, sections, origin=f"--take ({design})")
    except (ScenarioError, SweepError) as exc:
        raise fail(str(exc)) from None
    if figure_kpis is None:
        names = set(kpi_names(site_sc))
        figure_kpis = [k for k in HEADLINE_KPIS if k in names]
    default_out = calibration / f"{COUNTERFACTUAL_PREFIX}{site_key}-under-{design.stem}"
    folder = _out_folder(out if out is not None else os.fspath(default_out))
    with experiment(folder):
        with progress_bar() as bar:
            task = bar.add_task("counterfactual", total=draws * replications)
            result = counterfactual(
                site_sc, design_sc, site_key=site_key, params=params, posterior=posterior,
                take=sections, draws=draws, replications=replications, seed=seed,
                workers=workers, scheduler=scheduler,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
                origin=f"--take ({design})",
            )  # fmt: skip
        result.facts |= {
            "calibration": os.fspath(calibration.resolve()),
            "site_file": os.fspath(site.resolve()),
            "design_file": os.fspath(design.resolve()),
        }
        written = write_counterfactual(result, folder, figure_kpis)
        written.append(
            write_manifest(
                folder,
                written,
                seed=seed,
                replications=replications,
                scenarios={
                    site_key: scenario_digest(site_sc),
                    "design": scenario_digest(design_sc),
                },
            )  # fmt: skip
        )
    shown = result.table.set_index("kpi")
    table = Table(
        title=f"{site_sc.name} under {design_sc.name} ({', '.join(sections)}): "
        f"{result.facts['draws']} posterior draws × {replications} paired replications",
        title_justify="left",
    )
    for col in (
        "kpi",
        "factual",
        "counterfactual",
        "difference",
        "90 % expected",
        "90 % one project",
    ):
        table.add_column(col, justify="left" if col == "kpi" else "right")
    for name in figure_kpis:
        if name not in shown.index:
            continue
        row = shown.loc[name]
        table.add_row(
            name, f"{row.factual_mean:.4g}", f"{row.counterfactual_mean:.4g}",
            f"{row.difference_mean:+.4g}", f"[{row.expected_q05:+.4g}, {row.expected_q95:+.4g}]",
            f"[{row.project_q05:+.4g}, {row.project_q95:+.4g}]",
        )  # fmt: skip
    console.print(table)
    console.print(f"{result.facts['simulations']} simulations", highlight=False)
    console.print(f"wrote {', '.join(os.fspath(p) for p in written)}", highlight=False)
