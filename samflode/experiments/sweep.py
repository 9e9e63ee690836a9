"""Factorial sweeps: run a grid of scenario variants with common random numbers, tabulate KPIs.

A grid is one or more ``KEY=V1,V2,…`` options, KEY a dotted path into the scenario (for example
``staff.forum_bedomare.headcount`` or ``groups.arbetslosa.inflow_per_week``). Every grid point is
a validated variant (:func:`samflode.config.variants.variant`), and
every point runs with the same seed, so replication r of each sees the same participants. The
result is a tidy table, one row per grid point and KPI, and a heat map of one KPI.
"""

from __future__ import annotations

import difflib
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from samflode.analysis.kpi import kpi_names
from samflode.analysis.stats import SUMMARY_COLUMNS, confidence_interval, kpi_range
from samflode.config.loader import ScenarioError
from samflode.config.scenario import Scenario
from samflode.config.variants import variant
from samflode.execution.checkpoint import Checkpoint, scenario_digest
from samflode.execution.tasks import run_one_kpis
from samflode.execution.units import KpiStore, Progress, Unit, check_counts, run_units

DEFAULT_KPI = "days_to_first_meeting_mean"


class SweepError(ValueError):
    """A grid option that does not parse or gives an invalid scenario; the message says why."""


@dataclass(frozen=True)
class Axis:
    """One grid dimension: a dotted scenario path and the values it takes."""

    key: str
    values: tuple[int | float, ...]


def _number(text: str) -> int | float:
    text = text.strip()
    try:
        return int(text)
    except ValueError:
        pass
    x = float(text)  # ValueError for text that is no number
    if not math.isfinite(x):
        raise ValueError(text)
    return x


def parse_grid(options: Sequence[str]) -> list[Axis]:
    """Parse ``KEY=V1,V2,…`` options into axes; SweepError names the option and what is wrong."""
    if not options:
        raise SweepError("--grid: give at least one KEY=V1,V2,… (e.g. staff.X.headcount=2,3)")
    axes: list[Axis] = []
    for option in options:
        key, sep, rest = option.rpartition("=")  # a key may hold one: outcomes[intervention=ali]
        key = key.strip()
        if not sep or not key or not rest.strip():
            raise SweepError(f"--grid {option!r}: expected KEY=V1,V2,… (numbers)")
        try:
            values = tuple(_number(v) for v in rest.split(","))
        except ValueError:
            raise SweepError(
                f"--grid {key}: values must be numbers separated by commas (got {rest!r})"
            ) from None
        if len(set(values)) != len(values):
            raise SweepError(f"--grid {key}: a value is repeated ({rest})")
        if key in (a.key for a in axes):
            raise SweepError(f"--grid {key}: the key is given twice")
        axes.append(Axis(key, values))
    return axes


def with_value(base: Scenario, key: str, value: Any) -> Scenario:
    """``base`` with the field at dotted ``key`` set to ``value``, validated; else SweepError."""
    try:
        return variant(
            base, {key: value}, origin=f"--grid {key}", validation_origin=f"--grid {key}={value}"
        )
    except ScenarioError as exc:
        raise SweepError(str(exc)) from None


def grid_points(base: Scenario, axes: Sequence[Axis]) -> list[tuple[dict, Scenario]]:
    """Every combination of the axes' values (first axis slowest) with its validated variant."""
    points = []
    for combo in itertools.product(*(a.values for a in axes)):
        sc = base
        for axis, value in zip(axes, combo, strict=True):
            sc = with_value(sc, axis.key, value)
        points.append((dict(zip((a.key for a in axes), combo, strict=True)), sc))
    return points


def sweep(
    base: Scenario,
    axes: Sequence[Axis],
    *,
    seed: int,
    replications: int,
    workers: int = 1,
    scheduler: str | None = None,
    progress: Progress | None = None,
    checkpoint_dir: str | Path | None = None,
    resume: bool = False,
) -> pd.DataFrame:
    """Run every grid point; return the tidy table (grid columns, kpi, mean, ci_low, ci_high, n).

    All replications of all points share one pool or cluster; only KPIs come back from workers. With
    ``checkpoint_dir`` each finished replication's KPIs are written there at once
    (:class:`~samflode.execution.checkpoint.Checkpoint`); with ``resume`` those already there are
    not run again, and the table is the same as after an uninterrupted sweep.
    """
    check_counts(replications, workers)
    points = grid_points(base, axes)
    keys = {
        (i, r): Checkpoint.key(r, f"point-{i:04d}")
        for i in range(len(points))
        for r in range(replications)
    }
    store = None
    if checkpoint_dir is not None:
        manifest = {
            "scenario": base.name,
            "sha256": scenario_digest(base),
            "grid": [[a.key, list(a.values)] for a in axes],
            "seed": seed,
        }
        store = KpiStore(Checkpoint(checkpoint_dir, manifest, resume=resume))
    units = [Unit(key, run_one_kpis, (points[i][1], seed, r)) for (i, r), key in keys.items()]
    values = run_units(units, workers=workers, scheduler=scheduler, store=store, progress=progress)
    rows = []
    for i, (grid, _) in enumerate(points):
        per_rep = [values[keys[i, r]] for r in range(replications)]
        for kpi in dict.fromkeys(k for kp in per_rep for k in kp):
            column = (kp.get(kpi, math.nan) for kp in per_rep)
            mean, low, high, n = confidence_interval(column, bounds=kpi_range(kpi))
            rows.append(grid | {"kpi": kpi, "mean": mean, "ci_low": low, "ci_high": high, "n": n})
    return pd.DataFrame(rows, columns=[a.key for a in axes] + SUMMARY_COLUMNS)


def check_kpi(base: Scenario, kpi: str) -> None:
    """SweepError unless ``kpi`` is a KPI of ``base`` (checked before any run, not after)."""
    names = kpi_names(base)
    if kpi not in names:
        near = difflib.get_close_matches(kpi, names, n=3)
        hint = f"; did you mean {', '.join(near)}?" if near else f"; allowed: {', '.join(names)}"
        raise SweepError(f"--kpi {kpi!r}: not a KPI of {base.name}{hint}")
