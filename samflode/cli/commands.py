"""The ``samflode`` command line: run, compare, sweep, validate, and dashboard (the Streamlit page).

Bad input (a scenario that does not validate, a bad option) ends with exit code 2 and one clear
message naming the file, the field and the allowed range — never a traceback, never a
half-written result.
"""

from __future__ import annotations

import logging
import math
import os
import shutil
import sys
from importlib import resources
from pathlib import Path
from typing import Annotated

import typer

from samflode.cli.errors import experiment, fail, warn
from samflode.cli.render import (
    console,
    print_checks,
    print_comparison,
    print_summary,
    print_sweep,
    progress_bar,
)
from samflode.config.checks import unused_pool_warnings
from samflode.config.loader import BUNDLED_DIR, ScenarioError, load_scenario, uncited_in_file
from samflode.config.overrides import check_inflow_scale, parse_sets, with_overrides
from samflode.config.scenario import Scenario
from samflode.execution.checkpoint import scenario_digest
from samflode.execution.outdir import OutputFolderError, check_out_path, write_manifest
from samflode.execution.parallel import SchedulerError, check_scheduler
from samflode.execution.runner import REPLICATIONS_DIR, run_to_directory
from samflode.experiments.comparison import DEFAULT_TARGET_HALF_WIDTH, compare
from samflode.experiments.sweep import (
    DEFAULT_KPI,
    SweepError,
    check_kpi,
    grid_points,
    parse_grid,
    sweep,
)
from samflode.report.files import write_comparison, write_sweep

log = logging.getLogger(__name__)
app = typer.Typer(
    help="samflode: simulate and plan labour-market rehabilitation in samverkan.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
DEFAULT_SCENARIO = "nacka-forum.yaml"
# Every core by default (the CLI; the Python API defaults to one process).
# The cores this process may run on (a container's CPU set, not the machine's count).
DEFAULT_WORKERS = max(1, min(512, len(os.sched_getaffinity(0))))
SCHEDULER_HELP = (
    "Dask scheduler: 'local' starts a local cluster of WORKERS processes, tcp://HOST:PORT uses an "
    "existing one (default: a process pool of WORKERS processes)"
)

# Options shared by run, compare and sweep.
Workers = Annotated[int, typer.Option(help="worker processes (1–512; default: every core)")]
Scheduler = Annotated[str | None, typer.Option(help=SCHEDULER_HELP)]
Resume = Annotated[
    bool, typer.Option(help="keep the replications already in OUT/replications; run only the rest")
]
# What-ifs without a new file, shared by run, compare, sweep, plan and calibrate.
Sets = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        help="PATH=VALUE: change one scenario field for this run, e.g. "
        "staff.forum_bedomare.headcount=6 (repeatable; list entries as outcomes[intervention=ali])",
    ),
]
InflowScale = Annotated[
    float | None,
    typer.Option(help="multiply every target group's inflow_per_week by this (e.g. 2 = double)"),
]
# Grid points × replications a sweep may plan (checked before any point is built).
MAX_SWEEP_UNITS = 1_000_000
# Beyond this many designs the comparison figures' legends and colours stop being readable.
READABLE_DESIGNS = 8


def default_scenario_path() -> Path:
    """The bundled default scenario (package data, so it is there in any installed samflode)."""
    return BUNDLED_DIR / DEFAULT_SCENARIO


@app.callback()
def main(verbose: Annotated[bool, typer.Option("--verbose", "-v", help="debug logging")] = False):
    """Simulate Forum → Konsultation → Insatsmarknad → exit for one or more designs."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )


@app.command()
def run(
    scenario: Annotated[
        Path | None, typer.Argument(help="scenario YAML (default: the bundled nacka-forum)")
    ] = None,
    replications: Annotated[int, typer.Option(help="independent replications (1–10000)")] = 10,
    seed: Annotated[int, typer.Option(help="experiment seed (≥ 0)")] = 1,
    workers: Workers = DEFAULT_WORKERS,
    scheduler: Scheduler = None,
    resume: Resume = False,
    out: Annotated[str, typer.Option(help="output directory")] = "results",
    set_: Sets = None,
    inflow_scale: InflowScale = None,
) -> None:
    """Run a scenario; write events.parquet, kpis.csv and summary.json into OUT.

    Each replication is written to OUT/replications/ as it finishes, so an interrupted run can be
    continued with --resume; the final files are the same as after an uninterrupted run.
    """
    if not 1 <= replications <= 10_000:
        raise fail(f"--replications: must be between 1 and 10000 (got {replications})")
    if seed < 0:
        raise fail(f"--seed: must be ≥ 0 (got {seed})")
    _check_workers(workers, scheduler)
    sets = check_overrides(set_, inflow_scale)
    folder = _out_folder(out)
    path = scenario or default_scenario_path()
    try:
        sc = load_overridden(path, sets, inflow_scale)
    except ScenarioError as exc:
        raise fail(str(exc)) from None
    warn_about_design(path, sc)
    with experiment(folder):
        with progress_bar() as bar:
            task = bar.add_task(f"{sc.name}", total=replications)
            result, written = run_to_directory(
                sc,
                folder,
                seed=seed,
                replications=replications,
                workers=workers,
                scheduler=scheduler,
                resume=resume,
                progress=lambda done, total: bar.update(task, completed=done),
            )
        written.append(
            write_manifest(
                folder,
                written,
                seed=seed,
                replications=replications,
                scenarios={sc.name: scenario_digest(sc)},
                **override_facts(sets, inflow_scale),
            )
        )
    print_summary(result, path)
    console.print(f"wrote {', '.join(os.fspath(p) for p in written)}", highlight=False)


def check_overrides(sets: list[str] | None, inflow_scale: float | None) -> dict:
    """The parsed ``--set`` options (exit 2 if one does not parse or the scale is out of range)."""
    try:
        parsed = parse_sets(sets or [])
        if inflow_scale is not None:
            check_inflow_scale(inflow_scale)
    except ScenarioError as exc:
        raise fail(str(exc)) from None
    return parsed


def load_overridden(path: Path, sets: dict, inflow_scale: float | None) -> Scenario:
    """The scenario at ``path`` with the command's overrides applied (ScenarioError if bad)."""
    return with_overrides(load_scenario(path), sets, inflow_scale, origin=os.fspath(path))


def override_facts(sets: dict, inflow_scale: float | None) -> dict:
    """What the manifest records of the overrides (nothing if there were none)."""
    facts: dict = {}
    if sets:
        facts["set"] = sets
    if inflow_scale is not None:
        facts["inflow_scale"] = inflow_scale
    return {"overrides": facts} if facts else {}


def warn_about_design(path: Path, sc: Scenario) -> None:
    """Warn (never fail) about what a valid scenario probably did not mean: staff pools that
    no stage uses, paid for doing nothing.
    """
    for message in unused_pool_warnings(sc):
        warn(f"{path}: {message}")


def _check_workers(workers: int, scheduler: str | None) -> None:
    if not 1 <= workers <= 512:
        raise fail(f"--workers: must be between 1 and 512 (got {workers})")
    try:
        check_scheduler(scheduler)
    except SchedulerError as exc:
        raise fail(str(exc)) from None


def _out_folder(out: str) -> Path:
    try:
        return check_out_path(out)
    except OutputFolderError as exc:
        raise fail(str(exc)) from None


def _check_paired_run(replications: int, seed: int) -> None:
    """Options shared by compare and sweep: a CI needs at least two replications."""
    if not 2 <= replications <= 10_000:
        raise fail(
            f"--replications: must be between 2 and 10000 (got {replications}); "
            "a confidence interval needs at least two"
        )
    if seed < 0:
        raise fail(f"--seed: must be ≥ 0 (got {seed})")


@app.command("compare")
def compare_command(
    scenarios: Annotated[
        list[Path],
        typer.Argument(help="two or more scenario YAML files; the first is the reference"),
    ],
    replications: Annotated[int, typer.Option(help="replications per design (2–10000)")] = 10,
    seed: Annotated[int, typer.Option(help="experiment seed, the same for every design (≥ 0)")] = 1,
    workers: Workers = DEFAULT_WORKERS,
    scheduler: Scheduler = None,
    out: Annotated[str, typer.Option(help="output directory")] = "comparison",
    resume: Resume = False,
    target_half_width: Annotated[
        float,
        typer.Option(
            help="target 95 % CI half-width relative to |mean|, for the replication check"
        ),
    ] = DEFAULT_TARGET_HALF_WIDTH,
    set_: Sets = None,
    inflow_scale: InflowScale = None,
) -> None:
    """Compare designs with common random numbers; write comparison.csv, checks and plots to OUT.

    Every design runs with the same seed, so replication r of each sees the same participants.
    Differences are paired per replication against the first design (whose own difference is 0).
    Each replication's KPIs and figure data go to OUT/replications/ as it finishes (event logs are
    not kept), so an interrupted comparison can be continued with --resume.
    """
    if len(scenarios) < 2:
        raise fail(f"compare needs at least two scenarios (got {len(scenarios)})")
    _check_paired_run(replications, seed)
    _check_workers(workers, scheduler)
    if not 0 < target_half_width <= 1:
        raise fail(f"--target-half-width: must be > 0 and ≤ 1 (got {target_half_width})")
    sets = check_overrides(set_, inflow_scale)
    folder = _out_folder(out)
    loaded, errors = [], []
    for path in scenarios:
        try:
            loaded.append(load_overridden(path, sets, inflow_scale))
        except ScenarioError as exc:
            errors.append(str(exc))
    if errors:
        raise fail("\n".join(errors))
    seen: dict[str, Path] = {}
    for path, sc in zip(scenarios, loaded, strict=True):
        if sc.name in seen:
            raise fail(
                f"{path}: scenario name {sc.name!r} is also the name in {seen[sc.name]}; "
                "designs are compared by name, so give each a distinct `name:`"
            )
        seen[sc.name] = path
    for path, sc in zip(scenarios, loaded, strict=True):
        warn_about_design(path, sc)
    if len(loaded) > READABLE_DESIGNS:
        warn(
            f"{len(loaded)} designs: the tables are complete, but the figures are hard to read "
            f"beyond {READABLE_DESIGNS} designs; compare fewer at a time for figures"
        )
    with experiment(folder):
        with progress_bar() as bar:
            task = bar.add_task(f"{len(loaded)} designs", total=len(loaded) * replications)
            comparison = compare(
                loaded,
                seed=seed,
                replications=replications,
                workers=workers,
                scheduler=scheduler,
                progress=lambda done, total: bar.update(task, completed=done),
                keep_events=False,
                checkpoint_dir=folder / REPLICATIONS_DIR,
                resume=resume,
            )
        written = write_comparison(
            comparison,
            folder,
            target_half_width=target_half_width,
            sources={sc.name: os.fspath(path) for path, sc in zip(scenarios, loaded, strict=True)},
        )
        # The checkpoint has done its job once the final files are in place.
        shutil.rmtree(folder / REPLICATIONS_DIR, ignore_errors=True)
        written.append(
            write_manifest(
                folder,
                written,
                seed=seed,
                replications=replications,
                scenarios={sc.name: scenario_digest(sc) for sc in loaded},
                **override_facts(sets, inflow_scale),
            )
        )
    print_comparison(comparison)
    print_checks(comparison, target_half_width)
    console.print(f"wrote {', '.join(os.fspath(p) for p in written)}", highlight=False)


@app.command("sweep")
def sweep_command(
    scenario: Annotated[Path, typer.Argument(help="scenario YAML, the base of every grid point")],
    grid: Annotated[
        list[str],
        typer.Option(
            help="KEY=V1,V2,… with KEY a dotted scenario field, e.g. "
            "staff.forum_bedomare.headcount=2,3,4 (repeat for a factorial grid)"
        ),
    ],
    replications: Annotated[int, typer.Option(help="replications per grid point (2–10000)")] = 10,
    seed: Annotated[int, typer.Option(help="experiment seed, the same for every point (≥ 0)")] = 1,
    workers: Workers = DEFAULT_WORKERS,
    scheduler: Scheduler = None,
    kpi: Annotated[str, typer.Option(help="the KPI of the heat map")] = DEFAULT_KPI,
    out: Annotated[str, typer.Option(help="output directory")] = "sweep",
    resume: Resume = False,
    set_: Sets = None,
    inflow_scale: InflowScale = None,
) -> None:
    """Run a factorial grid of variants with common random numbers; write sweep.csv and a heat map.

    sweep.csv has one row per grid point and KPI: the grid values, kpi, mean, ci_low, ci_high, n.
    Each replication's KPIs go to OUT/replications/ as it finishes, so an interrupted sweep can be
    continued with --resume.
    """
    _check_paired_run(replications, seed)
    _check_workers(workers, scheduler)
    sets = check_overrides(set_, inflow_scale)
    folder = _out_folder(out)
    try:
        base = load_overridden(scenario, sets, inflow_scale)
    except ScenarioError as exc:
        raise fail(str(exc)) from None
    try:
        axes = parse_grid(grid)
        # Counted before any point is built: a 1000 × 1000 grid is refused, not validated.
        planned = math.prod(len(axis.values) for axis in axes)
        if planned * replications > MAX_SWEEP_UNITS:
            raise SweepError(
                f"--grid: {planned:,} points × {replications} replications = "
                f"{planned * replications:,} runs is too many (at most {MAX_SWEEP_UNITS:,})"
            )
        check_kpi(base, kpi)
        points = grid_points(base, axes)
    except SweepError as exc:
        raise fail(str(exc)) from None
    with experiment(folder):
        with progress_bar() as bar:
            task = bar.add_task(f"{len(points)} grid points", total=len(points) * replications)
            table = sweep(
                base,
                axes,
                seed=seed,
                replications=replications,
                workers=workers,
                scheduler=scheduler,
                progress=lambda done, total: bar.update(task, completed=done),
                checkpoint_dir=folder / REPLICATIONS_DIR,
                resume=resume,
            )
        written = write_sweep(table, axes, folder, kpi)
        shutil.rmtree(folder / REPLICATIONS_DIR, ignore_errors=True)
        written.append(
            write_manifest(
                folder,
                written,
                seed=seed,
                replications=replications,
                scenarios={base.name: scenario_digest(base)},
                grid={axis.key: list(axis.values) for axis in axes},
                **override_facts(sets, inflow_scale),
            )
        )
    print_sweep(table, axes, kpi, f"{base.name}: {kpi} over {len(points)} grid points")
    console.print(f"wrote {', '.join(os.fspath(p) for p in written)}", highlight=False)


@app.command()
def validate(scenario: Annotated[Path, typer.Argument(help="scenario YAML")]) -> None:
    """Check a scenario file; exit 0 if valid, else 2 with the field and the allowed range."""
    try:
        sc = load_scenario(scenario)
    except ScenarioError as exc:
        raise fail(str(exc)) from None
    console.print(f"{scenario}: valid scenario {sc.name!r}", highlight=False)
    uncited = uncited_in_file(scenario)
    if uncited:
        more = f" … and {len(uncited) - 8} more" if len(uncited) > 8 else ""
        shown = ", ".join(uncited[:8]) + more
        warn(
            f"{scenario}: {len(uncited)} number(s) carry no source or assumption: {shown} "
            "(write {value: …, source: …} or {value: …, assumption: …}; see docs/sources.md)"
        )
    warn_about_design(scenario, sc)


def dashboard_command(port: int) -> list[str]:
    """The command that serves the dashboard on ``127.0.0.1:port`` (localhost only, headless)."""
    app_path = Path(str(resources.files("samflode.dashboard") / "app.py"))
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        os.fspath(app_path),
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--server.maxUploadSize",
        "2",  # MB; the loader's own cap (1 MB) gives the message
        "--browser.gatherUsageStats",
        "false",
        # An unexpected error shows a generic message in the page, never a traceback with the
        # server's paths (the full text goes to the server's log).
        "--client.showErrorDetails",
        "none",
        # The page is for a board, not for developers: no Deploy button, no rerun or clear-cache
        # entries and no menu. "minimal" hides the menu unless the page sets items in it (it sets
        # none); "viewer" would still show a menu of print, record and settings.
        "--client.toolbarMode",
        "minimal",
    ]


@app.command()
def dashboard(
    port: Annotated[int, typer.Option(help="port on 127.0.0.1 (1024–65535)")] = 8501,
) -> None:
    """Serve the dashboard on http://127.0.0.1:PORT until Ctrl-C."""
    if not 1024 <= port <= 65535:
        raise fail(f"--port: must be between 1024 and 65535 (got {port})")
    command = dashboard_command(port)
    console.print(f"samflode dashboard on http://127.0.0.1:{port} (Ctrl-C stops it)")
    console.file.flush()
    # Streamlit replaces this process (same pid): a SIGTERM or Ctrl-C sent to `samflode dashboard`
    # reaches the server itself, so no child is left holding the port.
    os.execv(command[0], command)
