"""Result files of experiments: the tables and figures of a comparison and of a sweep.

Each function writes all of its files under temporary names first and renames them into place
only when every one is complete, so a folder never holds a mix of two runs' files.
matplotlib is imported lazily, on the first write: ``import samflode`` (also in every worker
process) and ``samflode validate`` should not pay for it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from samflode.analysis.stats import DEFAULT_TARGET_HALF_WIDTH
from samflode.execution.atomic import write_atomically

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from samflode.config.scenario import Scenario
    from samflode.execution.results import Result
    from samflode.experiments.comparison import Comparison
    from samflode.experiments.sweep import Axis


DESIGNS_NAME = "designs.json"
DESIGNS_FORMAT = "samflode-designs/1"


def design_record(
    scenario: Scenario, *, source: str, digest: str, reference: bool
) -> dict[str, Any]:
    """What a reader of the results needs to know of one design, without running anything:
    its name and description, where it came from, its whole validated content (so what differs
    from the reference can be shown) and the sources and assumptions its file cites.
    """
    return {
        "name": scenario.name,
        "title": scenario.label,
        "description": scenario.description,
        "source": source,
        "reference": reference,
        "sha256": digest,
        "horizon_days": scenario.horizon_days,
        "warmup_days": scenario.warmup_days,
        "scenario": scenario.model_dump(mode="json", exclude={"provenance"}),
        "provenance": dict(scenario.provenance),
    }


def designs_json(comparison: Comparison, sources: Mapping[str, str] | None = None) -> str:
    """``designs.json`` of a comparison: every design's :func:`design_record`, reference first."""
    from samflode.execution.checkpoint import scenario_digest

    sources = sources or {}
    records = [
        design_record(
            r.scenario,
            source=sources.get(r.scenario.name, r.scenario.name),
            digest=scenario_digest(r.scenario),
            reference=i == 0,
        )
        for i, r in enumerate(comparison.results)
    ]
    body = {
        "format": DESIGNS_FORMAT,
        "reference": comparison.names[0],
        "seed": comparison.seed,
        "replications": comparison.replications,
        "designs": records,
    }
    return json.dumps(body, ensure_ascii=False, indent=1)


def write_comparison(
    comparison: Comparison,
    out_dir: str | Path,
    *,
    target_half_width: float = DEFAULT_TARGET_HALF_WIDTH,
    sources: Mapping[str, str] | None = None,
    figures: bool = True,
) -> list[Path]:
    """Write comparison.csv, replications_check.csv, warmup_check.csv, designs.json and the
    figures, atomically.

    ``sources`` names each design's file (by design name) for designs.json; ``figures=False``
    leaves out the four PNGs (the board pack draws its own). All files are written
    under temporary names in ``out_dir`` first and renamed into place only when every one is
    complete (:func:`~samflode.execution.atomic.write_atomically`).
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
        DESIGNS_NAME: lambda p: p.write_text(designs_json(comparison, sources), encoding="utf-8"),
    }
    if figures:
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
