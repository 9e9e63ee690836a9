"""Result files of experiments: the tables and figures of a comparison and of a sweep.

Each function writes all of its files under temporary names first and renames them into place
only when every one is complete, so a folder never holds a mix of two runs' files.
matplotlib is imported lazily, on the first write: ``import samflode`` (also in every worker
process) and ``samflode validate`` should not pay for it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from samflode.analysis.stats import DEFAULT_TARGET_HALF_WIDTH
from samflode.execution.atomic import write_atomically

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from samflode.execution.results import Result
    from samflode.experiments.comparison import Comparison
    from samflode.experiments.sweep import Axis


def write_comparison(
    comparison: Comparison,
    out_dir: str | Path,
    *,
    target_half_width: float = DEFAULT_TARGET_HALF_WIDTH,
) -> list[Path]:
    """Write comparison.csv, replications_check.csv, warmup_check.csv and the figures, atomically.

    All files are written under temporary names in ``out_dir`` first and renamed into place only
    when every one is complete (:func:`~samflode.execution.atomic.write_atomically`).
    """
    from samflode.report import plots

    results = list(comparison.results)
    checks = comparison.replications_check(target_half_width)
    warmup = comparison.warmup_check()

    def csv(frame: pd.DataFrame) -> Callable[[Path], None]:
        return lambda p: frame.to_csv(p, index=False, float_format="%.10g")

    def png(make: Callable[[Sequence[Result]], Figure]) -> Callable[[Path], None]:
        return lambda p: make(results).savefig(p, format="png", dpi=plots.DPI)

    writers: dict[str, Callable[[Path], None]] = {
        "comparison.csv": csv(comparison.table),
        "replications_check.csv": csv(checks),
        "warmup_check.csv": csv(warmup),
    }
    writers.update({name: png(make) for name, make in plots.FIGURES.items()})
    return write_atomically(out_dir, writers)


def write_sweep(table: pd.DataFrame, axes: Sequence[Axis], out_dir: str | Path, kpi: str) -> list:
    """Write sweep.csv and ``sweep_<kpi>.png`` (a heat map over the first two axes), atomically."""
    from samflode.report import plots

    if kpi not in set(table["kpi"]):
        raise ValueError(f"--kpi {kpi!r}: not a KPI of this sweep (check_kpi says so before a run)")

    def heat_map(path: Path) -> None:
        plots.heat_map_figure(table, axes, kpi).savefig(path, format="png", dpi=plots.DPI)

    return write_atomically(
        out_dir,
        {
            "sweep.csv": lambda p: table.to_csv(p, index=False, float_format="%.10g"),
            f"sweep_{kpi}.png": heat_map,
        },
    )
