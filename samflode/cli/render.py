"""What the command line prints: summary tables, the comparison table, warnings, progress.

Numbers are formatted by :mod:`samflode.report.format`, the dashboard's rules too.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from samflode.report.format import excludes_zero, fmt, fmt_ci, fmt_delta
from samflode.report.labels import MAIN_KPIS, kpi_label

if TYPE_CHECKING:
    from samflode.execution.results import Result
    from samflode.experiments.comparison import Comparison
    from samflode.experiments.sweep import Axis

# Off a terminal (pipes, CI logs) rich assumes 80 columns; the summary table reads better wider.
# Markup is off: paths, keys and values from the user are printed as they are, "[" included.
console = Console(markup=False) if sys.stdout.isatty() else Console(width=110, markup=False)
err_console = Console(stderr=True, markup=False)


def progress_bar() -> Progress:
    """A progress bar on stderr (off when stderr is no terminal, e.g. in CI logs)."""
    return Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,
    )


def print_summary(result: Result, path: Path) -> None:
    """The summary table of a run: mean and 95 % CI per KPI."""
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
        table.add_row(label, fmt(row.kpi, row.mean), fmt_ci(row.kpi, row.ci_low, row.ci_high))
    console.print(table)


def print_comparison(comparison: Comparison) -> None:
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
            ci = fmt_ci(kpi, low, high, mega=mega)
            cells.append(f"{fmt(kpi, row['mean'], mega=mega)}\n[{ci}]")
            if i == 0:
                continue
            low, high = row["diff_ci_low"], row["diff_ci_high"]
            star = " *" if excludes_zero(low, high) else ""
            cells.append(
                f"{fmt_delta(kpi, row['diff_vs_first'], mega=mega)}{star}\n"
                f"[{fmt_delta(kpi, low, mega=mega)}, {fmt_delta(kpi, high, mega=mega)}]"
            )
        table.add_row(*cells)
    # Off a terminal nothing limits the width, so give each design's columns room (about 26
    # characters each) rather than wrapping every cell at 110 columns.
    wide = (
        console
        if sys.stdout.isatty()
        else Console(width=max(110, 30 + 26 * (2 * len(names) - 1)), markup=False)
    )
    wide.print(table)


def print_checks(comparison: Comparison, target_half_width: float) -> None:
    """Warn when a design's warm-up looks too short, and summarise the replication check."""
    for row in comparison.warmup_check().itertuples(index=False):
        if row.warmup_too_short:
            limit = " (at the search limit: the run may be too short to tell)" * row.at_search_limit
            err_console.print(
                Text.assemble(
                    ("warning:", "bold yellow"),
                    f" {row.scenario}: MSER-5 on the daily number in the system (mean over "
                    f"replications) suggests a warm-up of {row.mser5_warmup_days:g} days; the "
                    f"scenario uses {row.warmup_days:g}{limit}",
                ),
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


def print_sweep(table: pd.DataFrame, axes: list[Axis], kpi: str, title: str) -> None:
    """One row per grid point: the grid values, and the mean and 95 % CI of ``kpi``."""
    summary = Table(title=title, title_justify="left")
    for axis in axes:
        summary.add_column(axis.key, justify="right")
    summary.add_column("mean", justify="right")
    summary.add_column("95 % CI", justify="right")
    for row in table[table["kpi"] == kpi].itertuples(index=False):
        cells = [str(v) for v in row[: len(axes)]]
        summary.add_row(*cells, fmt(kpi, row.mean), fmt_ci(kpi, row.ci_low, row.ci_high))
    console.print(summary)
