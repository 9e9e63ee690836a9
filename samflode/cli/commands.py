"""The ``samflode`` command line: run, compare, sweep, validate, and dashboard (the Streamlit page).

Bad input (a scenario that does not validate, a bad option) ends with exit code 2 and one clear
message naming the file, the field and the allowed range — never a traceback, never a
half-written result.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn
from rich.table import Table

from samflode.config.loader import BUNDLED_DIR, ScenarioError, load_scenario
from samflode.execution.parallel import WorkerLost
from samflode.execution.runner import REPLICATIONS_DIR, run_to_directory
from samflode.experiments.comparison import DEFAULT_TARGET_HALF_WIDTH, Comparison, compare
from samflode.experiments.sweep import (
    DEFAULT_KPI,
    SweepError,
    check_kpi,
    grid_points,
    parse_grid,
    sweep,
)
from samflode.report.files import write_comparison, write_sweep
from samflode.report.labels import MAIN_KPIS, kpi_label

log = logging.getLogger(__name__)
app = typer.Typer(
    help="samflode: simulate and plan labour-market rehabilitation in samverkan.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
# Off a terminal (pipes, CI logs) rich assumes 80 columns; the summary table reads better wider.
console = Console() if sys.stdout.isatty() else Console(width=110)
err_console = Console(stderr=True)
DEFAULT_SCENARIO = "nacka-forum.yaml"
# Every core by default (the CLI; the Python API defaults to one process).
DEFAULT_WORKERS = max(1, min(512, os.cpu_count() or 1))
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


def default_scenario_path() -> Path:
    """The bundled default scenario (package data, so it is there in any installed samflode)."""
    return BUNDLED_DIR / DEFAULT_SCENARIO


def _fail(message: str) -> typer.Exit:
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code=2)


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
    out: Annotated[Path, typer.Option(help="output directory")] = Path("results"),
) -> None:
    """Run a scenario; write events.parquet, kpis.csv and summary.json into OUT.

    Each replication is written to OUT/replications/ as it finishes, so an interrupted run can be
    continued with --resume; the final files are the same as after an uninterrupted run.
    """
    if not 1 <= replications <= 10_000:
        raise _fail(f"--replications: must be between 1 and 10000 (got {replications})")
    if seed < 0:
        raise _fail(f"--seed: must be ≥ 0 (got {seed})")
    _check_workers(workers, scheduler)
    path = scenario or default_scenario_path()
    try:
        sc = load_scenario(path)
    except ScenarioError as exc:
        raise _fail(str(exc)) from None
    if out.exists() and not out.is_dir():
        raise _fail(f"--out: {out} exists and is not a directory")
    with _progress() as bar, _run_errors(out):
        task = bar.add_task(f"{sc.name}", total=replications)
        result, written = run_to_directory(
            sc,
            out,
            seed=seed,
            replications=replications,
            workers=workers,
            scheduler=scheduler,
            resume=resume,
            progress=lambda done, total: bar.update(task, completed=done),
        )
    _print_summary(result, path)
    console.print(f"wrote {', '.join(os.fspath(p) for p in written)}", highlight=False)


def _check_workers(workers: int, scheduler: str | None) -> None:
    if not 1 <= workers <= 512:
        raise _fail(f"--workers: must be between 1 and 512 (got {workers})")
    if scheduler is not None and scheduler != "local" and "://" not in scheduler:
        raise _fail(
            f"--scheduler: 'local' or a Dask scheduler address such as tcp://HOST:8786 "
            f"(got {scheduler!r})"
        )


def _check_paired_run(replications: int, seed: int) -> None:
    """Options shared by compare and sweep: a CI needs at least two replications."""
    if not 2 <= replications <= 10_000:
        raise _fail(
            f"--replications: must be between 2 and 10000 (got {replications}); "
            "a confidence interval needs at least two"
        )
    if seed < 0:
        raise _fail(f"--seed: must be ≥ 0 (got {seed})")


def _progress() -> Progress:
    return Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,
    )


@contextmanager
def _run_errors(out: Path) -> Iterator[None]:
    """Turn what can go wrong during a run into exit code 2 (or 130 for Ctrl-C) and a message."""
    try:
        yield
    except KeyboardInterrupt:
        err_console.print(
            f"interrupted; finished replications are kept in {out / 'replications'}: "
            "rerun the same command with --resume to continue",
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(code=130) from None
    except WorkerLost as exc:
        # Not bad input (so not exit 2): the machine lost a worker; what finished is on disk.
        err_console.print(
            f"[bold red]error:[/] {exc}; the finished replications are in {out / 'replications'}",
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(code=1) from None
    except SweepError as exc:
        raise _fail(str(exc)) from None
    except ValueError as exc:
        raise _fail(str(exc)) from None
    except (OSError, TimeoutError) as exc:
        raise _fail(f"--out: cannot write results to {out} ({exc})") from None


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
    out: Annotated[Path, typer.Option(help="output directory")] = Path("comparison"),
    resume: Resume = False,
    target_half_width: Annotated[
        float,
        typer.Option(
            help="target 95 % CI half-width relative to |mean|, for the replication check"
        ),
    ] = DEFAULT_TARGET_HALF_WIDTH,
) -> None:
    """Compare designs with common random numbers; write comparison.csv, checks and plots to OUT.

    Every design runs with the same seed, so replication r of each sees the same participants.
    Differences are paired per replication against the first design (whose own difference is 0).
    Each replication's KPIs and figure data go to OUT/replications/ as it finishes (event logs are
    not kept), so an interrupted comparison can be continued with --resume.
    """
    if len(scenarios) < 2:
        raise _fail(f"compare needs at least two scenarios (got {len(scenarios)})")
    _check_paired_run(replications, seed)
    _check_workers(workers, scheduler)
    if not 0 < target_half_width <= 1:
        raise _fail(f"--target-half-width: must be > 0 and ≤ 1 (got {target_half_width})")
    loaded, errors = [], []
    for path in scenarios:
        try:
            loaded.append(load_scenario(path))
        except ScenarioError as exc:
            errors.append(str(exc))
    if errors:
        raise _fail("\n".join(errors))
    seen: dict[str, Path] = {}
    for path, sc in zip(scenarios, loaded, strict=True):
        if sc.name in seen:
            raise _fail(
                f"{path}: scenario name {sc.name!r} is also the name in {seen[sc.name]}; "
                "designs are compared by name, so give each a distinct `name:`"
            )
        seen[sc.name] = path
    if out.exists() and not out.is_dir():
        raise _fail(f"--out: {out} exists and is not a directory")
    with _progress() as bar, _run_errors(out):
        task = bar.add_task(f"{len(loaded)} designs", total=len(loaded) * replications)
        comparison = compare(
            loaded,
            seed=seed,
            replications=replications,
            workers=workers,
            scheduler=scheduler,
            progress=lambda done, total: bar.update(task, completed=done),
            keep_events=False,
            checkpoint_dir=out / REPLICATIONS_DIR,
            resume=resume,
        )
    try:
        written = write_comparison(comparison, out, target_half_width=target_half_width)
    except OSError as exc:
        raise _fail(f"--out: cannot write results to {out} ({exc})") from None
    # The checkpoint has done its job once the final files are in place.
    shutil.rmtree(out / REPLICATIONS_DIR, ignore_errors=True)
    _print_comparison(comparison)
    _print_checks(comparison, target_half_width)
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
    out: Annotated[Path, typer.Option(help="output directory")] = Path("sweep"),
    resume: Resume = False,
) -> None:
    """Run a factorial grid of variants with common random numbers; write sweep.csv and a heat map.

    sweep.csv has one row per grid point and KPI: the grid values, kpi, mean, ci_low, ci_high, n.
    Each replication's KPIs go to OUT/replications/ as it finishes, so an interrupted sweep can be
    continued with --resume.
    """
    _check_paired_run(replications, seed)
    _check_workers(workers, scheduler)
    try:
        base = load_scenario(scenario)
    except ScenarioError as exc:
        raise _fail(str(exc)) from None
    try:
        axes = parse_grid(grid)
        points = grid_points(base, axes)
        check_kpi(base, kpi)
    except SweepError as exc:
        raise _fail(str(exc)) from None
    if len(points) * replications > 1_000_000:
        raise _fail(f"--grid: {len(points)} points × {replications} replications is too many")
    if out.exists() and not out.is_dir():
        raise _fail(f"--out: {out} exists and is not a directory")
    with _progress() as bar, _run_errors(out):
        task = bar.add_task(f"{len(points)} grid points", total=len(points) * replications)
        table = sweep(
            base,
            axes,
            seed=seed,
            replications=replications,
            workers=workers,
            scheduler=scheduler,
            progress=lambda done, total: bar.update(task, completed=done),
            checkpoint_dir=out / REPLICATIONS_DIR,
            resume=resume,
        )
        written = write_sweep(table, axes, out, kpi)
    shutil.rmtree(out / REPLICATIONS_DIR, ignore_errors=True)
    shown = table[table["kpi"] == kpi]
    summary = Table(
        title=f"{base.name}: {kpi} over {len(points)} grid points", title_justify="left"
    )
    for axis in axes:
        summary.add_column(axis.key, justify="right")
    summary.add_column("mean", justify="right")
    summary.add_column("95 % CI", justify="right")
    for row in shown.itertuples(index=False):
        cells = [str(v) for v in row[: len(axes)]]
        summary.add_row(*cells, _fmt(kpi, row.mean), _ci(kpi, row.ci_low, row.ci_high))
    console.print(summary)
    console.print(f"wrote {', '.join(os.fspath(p) for p in written)}", highlight=False)


@app.command()
def validate(scenario: Annotated[Path, typer.Argument(help="scenario YAML")]) -> None:
    """Check a scenario file; exit 0 if valid, else 2 with the field and the allowed range."""
    try:
        sc = load_scenario(scenario)
    except ScenarioError as exc:
        raise _fail(str(exc)) from None
    console.print(f"{scenario}: valid scenario {sc.name!r}", highlight=False)


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
    ]


@app.command()
def dashboard(
    port: Annotated[int, typer.Option(help="port on 127.0.0.1 (1024–65535)")] = 8501,
) -> None:
    """Serve the dashboard on http://127.0.0.1:PORT until Ctrl-C."""
    if not 1024 <= port <= 65535:
        raise _fail(f"--port: must be between 1024 and 65535 (got {port})")
    command = dashboard_command(port)
    console.print(f"samflode dashboard on http://127.0.0.1:{port} (Ctrl-C stops it)")
    console.file.flush()
    # Streamlit replaces this process (same pid): a SIGTERM or Ctrl-C sent to `samflode dashboard`
    # reaches the server itself, so no child is left holding the port.
    os.execv(command[0], command)


def _print_summary(result, path: Path) -> None:  # noqa: ANN001
    summary = result.summary()
    n = int(result.kpis["replication"].nunique())
    table = Table(
        title=f"{result.scenario.name} — {n} replications, seed {result.seed} ({path})",
        title_justify="left",
    )
    table.add_column("KPI")
    table.add_column("mean", justify="right")
    table.add_column("95 % CI", justify="right")
    for row in summary.itertuples(index=False):
        label = kpi_label(row.kpi)
        table.add_row(label, _fmt(row.kpi, row.mean), _ci(row.kpi, row.ci_low, row.ci_high))
    console.print(table)


def _print_comparison(comparison: Comparison) -> None:
    """One row per main KPI: each design's mean and CI, and the paired difference to the first."""
    table_rows = comparison.table.set_index(["kpi", "scenario"])
    names = comparison.names
    table = Table(
        title=(
            f"{' vs '.join(names)} — {comparison.replications} replications, seed "
            f"{comparison.seed}, common random numbers"
        ),
        title_justify="left",
        caption=(
            f"mean [95 % CI]; Δ = paired difference to {names[0]} [95 % CI]; "
            "* the CI excludes 0; pp = percentage points"
        ),
        caption_justify="left",
    )
    table.add_column("KPI")
    table.add_column(f"{names[0]}", justify="right")
    for name in names[1:]:
        table.add_column(name, justify="right")
        table.add_column(f"Δ {name}", justify="right")
    kpis = [k for k in MAIN_KPIS if (k, names[0]) in table_rows.index]
    for kpi in kpis:
        cells = [kpi_label(kpi)]
        # One unit per row: Mkr when the reference design's cost is a million kronor or more.
        mega = kpi.startswith("cost_") and abs(table_rows.loc[(kpi, names[0]), "mean"]) >= 1e6
        for i, name in enumerate(names):
            row = table_rows.loc[(kpi, name)]
            low, high = row["ci_low"], row["ci_high"]
            ci = (
                "–"
                if low != low or high != high
                else f"{_short(kpi, low, mega)} – {_short(kpi, high, mega)}"
            )
            cells.append(f"{_short(kpi, row['mean'], mega)}\n[{ci}]")
            if i == 0:
                continue
            low, high = row["diff_ci_low"], row["diff_ci_high"]
            star = " *" if low > 0 or high < 0 else ""
            cells.append(
                f"{_delta(kpi, row['diff_vs_first'], mega)}{star}\n"
                f"[{_delta(kpi, low, mega)}, {_delta(kpi, high, mega)}]"
            )
        table.add_row(*cells)
    # Off a terminal nothing limits the width, so give each design's columns room (about 26
    # characters each) rather than wrapping every cell at 110 columns.
    wide = (
        console if sys.stdout.isatty() else Console(width=max(110, 30 + 26 * (2 * len(names) - 1)))
    )
    wide.print(table)


def _print_checks(comparison: Comparison, target_half_width: float) -> None:
    """Warn when a design's warm-up looks too short, and summarise the replication check."""
    for row in comparison.warmup_check().itertuples(index=False):
        if row.warmup_too_short:
            limit = " (at the search limit: the run may be too short to tell)" * row.at_search_limit
            err_console.print(
                f"[bold yellow]warning:[/] {row.scenario}: MSER-5 on the daily number in the "
                f"system (replication 0) suggests a warm-up of {row.mser5_warmup_days:g} days; "
                f"the scenario uses {row.warmup_days:g}{limit}",
                highlight=False,
                soft_wrap=True,
            )
    checks = comparison.replications_check(target_half_width)
    checks = checks[checks["kpi"].isin(MAIN_KPIS) & checks["mean"].notna()]
    short = checks[~checks["target_met"]]
    if not len(short):
        return
    text = (
        f"{len(short)} of {len(checks)} CIs in the table are wider than ±"
        f"{100 * target_half_width:g} % of the mean"
    )
    needed = short.dropna(subset=["replications_needed"])
    if len(needed):
        worst = needed.loc[needed["replications_needed"].astype(int).idxmax()]
        text += (
            f"; the widest relative to its target: {worst['scenario']}, "
            f"{kpi_label(worst['kpi'])} (about {int(worst['replications_needed'])} replications)"
        )
    console.print(f"{text}. See replications_check.csv.", highlight=False)


def _delta(kpi: str, x: float, mega: bool = False) -> str:
    """A signed difference; shares and utilisations in percentage points."""
    if x != x:  # NaN
        return "–"
    sign = "+" if x > 0 else "−" if x < 0 else "±"
    return sign + _short(kpi, abs(x), mega).replace(" %", " pp")


def _short(kpi: str, x: float, mega: bool = False) -> str:
    """As :func:`_fmt`; with ``mega``, kronor in Mkr (10 000 kr resolution, narrow cells)."""
    if mega and x == x:
        return f"{x / 1e6:,.2f} Mkr".replace(",", " ")
    return _fmt(kpi, x)


def _fmt(kpi: str, x: float) -> str:
    if x != x:  # NaN
        return "–"
    if kpi.startswith(("share_", "utilisation_")):
        return f"{100 * x:.1f} %"
    if kpi.startswith("cost_"):
        return f"{x:,.0f} kr".replace(",", " ")
    if kpi.startswith("days_"):
        return f"{x:.1f} d"
    return f"{x:,.1f}".replace(",", " ")


def _ci(kpi: str, low: float, high: float) -> str:
    if low != low or high != high:
        return "–"
    return f"{_fmt(kpi, low)} – {_fmt(kpi, high)}"
