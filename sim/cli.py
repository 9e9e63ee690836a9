"""The ``samflode`` command line: run, validate.

Bad input (a scenario that does not validate, a bad option) ends with exit code 2 and one clear
message naming the file, the field and the allowed range — never a traceback, never a
half-written result.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn
from rich.table import Table

from sim.labels import kpi_label
from sim.loader import ScenarioError, load_scenario
from sim.runner import simulate, write_results

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


def default_scenario_path() -> Path:
    """The bundled default scenario: ./scenarios/ first, then the project's own folder."""
    for base in (Path.cwd(), Path(__file__).resolve().parent.parent):
        candidate = base / "scenarios" / DEFAULT_SCENARIO
        if candidate.exists():
            return candidate
    return Path("scenarios") / DEFAULT_SCENARIO


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
    workers: Annotated[int, typer.Option(help="worker processes (1–512)")] = 1,
    out: Annotated[Path, typer.Option(help="output directory")] = Path("results"),
) -> None:
    """Run a scenario; write events.parquet, kpis.csv and summary.json into OUT."""
    if not 1 <= replications <= 10_000:
        raise _fail(f"--replications: must be between 1 and 10000 (got {replications})")
    if seed < 0:
        raise _fail(f"--seed: must be ≥ 0 (got {seed})")
    if not 1 <= workers <= 512:
        raise _fail(f"--workers: must be between 1 and 512 (got {workers})")
    path = scenario or default_scenario_path()
    try:
        sc = load_scenario(path)
    except ScenarioError as exc:
        raise _fail(str(exc)) from None
    if out.exists() and not out.is_dir():
        raise _fail(f"--out: {out} exists and is not a directory")
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,
    ) as bar:
        task = bar.add_task(f"{sc.name}", total=replications)
        result = simulate(
            sc,
            seed=seed,
            replications=replications,
            workers=workers,
            progress=lambda done, total: bar.update(task, completed=done),
        )
    try:
        written = write_results(result, out)
    except OSError as exc:
        raise _fail(f"--out: cannot write results to {out} ({exc})") from None
    _print_summary(result, path)
    console.print(f"wrote {', '.join(os.fspath(p) for p in written)}", highlight=False)


@app.command()
def validate(scenario: Annotated[Path, typer.Argument(help="scenario YAML")]) -> None:
    """Check a scenario file; exit 0 if valid, else 2 with the field and the allowed range."""
    try:
        sc = load_scenario(scenario)
    except ScenarioError as exc:
        raise _fail(str(exc)) from None
    console.print(f"{scenario}: valid scenario {sc.name!r}", highlight=False)


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
