"""Factorial sweeps: run a grid of scenario variants with common random numbers, tabulate KPIs.

A grid is one or more ``KEY=V1,V2,…`` options, KEY a dotted path into the scenario (for example
``staff.forum_bedomare.headcount`` or ``groups.arbetslosa.inflow_per_week``). Every grid point is
a validated variant (``Scenario.model_validate`` of a ``model_dump`` with the change, STYLE §2), and
every point runs with the same seed, so replication r of each sees the same participants. The
result is a tidy table, one row per grid point and KPI, and a heat map of one KPI.
"""

from __future__ import annotations

import difflib
import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import ValidationError

from sim.atomic import write_atomically
from sim.checkpoint import Checkpoint, scenario_digest
from sim.kpi import kpi_names
from sim.loader import format_validation_error
from sim.parallel import executor, imap_unordered
from sim.runner import confidence_interval, run_one_kpis
from sim.scenario import Scenario

DEFAULT_KPI = "days_to_first_meeting_mean"
SUMMARY_COLUMNS = ["kpi", "mean", "ci_low", "ci_high", "n"]


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
        key, sep, rest = option.partition("=")
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
    data = base.model_dump()
    node: Any = data
    parts = key.split(".")
    for depth, part in enumerate(parts):
        where = ".".join(parts[:depth]) or "the scenario"
        if not isinstance(node, dict) or part not in node:
            allowed = ", ".join(map(str, node)) if isinstance(node, dict) else "none (a value)"
            raise SweepError(f"--grid {key}: {where} has no field {part!r}; allowed: {allowed}")
        if depth == len(parts) - 1:
            if isinstance(node[part], dict | list):
                raise SweepError(f"--grid {key}: not a single number (a section of the scenario)")
            node[part] = value
        else:
            node = node[part]
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise SweepError(format_validation_error(exc, f"--grid {key}={value}")) from None


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
    progress: Callable[[int, int], None] | None = None,
    checkpoint_dir: str | Path | None = None,
    resume: bool = False,
) -> pd.DataFrame:
    """Run every grid point; return the tidy table (grid columns, kpi, mean, ci_low, ci_high, n).

    All replications of all points share one pool or cluster; only KPIs come back from workers.
    With ``checkpoint_dir`` each finished replication's KPIs are written there at once
    (:class:`~sim.checkpoint.Checkpoint`); with ``resume`` those already there are not run again,
    and the table is the same as after an uninterrupted sweep.
    """
    if replications < 1:
        raise ValueError(f"replications must be ≥ 1 (got {replications})")
    points = grid_points(base, axes)
    total = len(points) * replications
    keys = {
        (i, r): Checkpoint.key(r, f"point-{i:04d}")
        for i in range(len(points))
        for r in range(replications)
    }
    values: dict[tuple[int, int], dict] = {}
    checkpoint = None
    if checkpoint_dir is not None:
        manifest = {
            "scenario": base.name,
            "sha256": scenario_digest(base),
            "grid": [[a.key, list(a.values)] for a in axes],
            "seed": seed,
        }
        checkpoint = Checkpoint(checkpoint_dir, manifest, resume=resume)
        done = checkpoint.done(keys.values())
        values = {ir: checkpoint.kpis(key) for ir, key in keys.items() if key in done}
    tasks = [(points[i][1], seed, r, i) for (i, r) in keys if (i, r) not in values]
    if progress:
        progress(len(values), total)
    if tasks:
        n = min(workers, len(tasks)) if scheduler is None else workers
        with executor(n, scheduler) as ex:
            for (_, _, r, i), kpis in imap_unordered(ex, _point_kpis, tasks):
                if checkpoint is not None:
                    checkpoint.write(keys[i, r], kpis)
                values[i, r] = kpis
                if progress:
                    progress(len(values), total)
    rows = []
    for i, (grid, _) in enumerate(points):
        per_rep = [values[i, r] for r in range(replications)]
        for kpi in dict.fromkeys(k for kp in per_rep for k in kp):
            mean, low, high, n = confidence_interval(kp.get(kpi, math.nan) for kp in per_rep)
            rows.append(grid | {"kpi": kpi, "mean": mean, "ci_low": low, "ci_high": high, "n": n})
    return pd.DataFrame(rows, columns=[a.key for a in axes] + SUMMARY_COLUMNS)


def check_kpi(base: Scenario, kpi: str) -> None:
    """SweepError unless ``kpi`` is a KPI of ``base`` (checked before any run, not after)."""
    names = kpi_names(base)
    if kpi not in names:
        near = difflib.get_close_matches(kpi, names, n=3)
        hint = f"; did you mean {', '.join(near)}?" if near else f"; allowed: {', '.join(names)}"
        raise SweepError(f"--kpi {kpi!r}: not a KPI of {base.name}{hint}")


def _point_kpis(scenario: Scenario, seed: int, replication: int, _point: int) -> dict:
    return run_one_kpis(scenario, seed, replication)


def write_sweep(table: pd.DataFrame, axes: Sequence[Axis], out_dir: str | Path, kpi: str) -> list:
    """Write sweep.csv and ``sweep_<kpi>.png`` (a heat map over the first two axes), atomically."""
    if kpi not in set(table["kpi"]):
        raise SweepError(f"--kpi {kpi!r}: not a KPI of this scenario")

    def heat_map(path: Path) -> None:
        heat_map_figure(table, axes, kpi).savefig(path, format="png", dpi=120)

    return write_atomically(
        out_dir,
        {
            "sweep.csv": lambda p: table.to_csv(p, index=False, float_format="%.10g"),
            f"sweep_{kpi}.png": heat_map,
        },
    )


def heat_map_figure(table: pd.DataFrame, axes: Sequence[Axis], kpi: str):  # noqa: ANN201
    """Mean of ``kpi`` over the first two axes (one row when there is one axis)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    rows = table[table["kpi"] == kpi]
    x_axis = axes[0]
    y_axis = axes[1] if len(axes) > 1 else None
    if y_axis is None:
        grid = rows.set_index(x_axis.key)["mean"].reindex(list(x_axis.values)).to_frame().T
        y_labels = [kpi]
    else:
        # With more than two axes the others are averaged over (said in the title).
        grid = rows.pivot_table(index=y_axis.key, columns=x_axis.key, values="mean", aggfunc="mean")
        grid = grid.reindex(index=list(y_axis.values), columns=list(x_axis.values))
        y_labels = [str(v) for v in y_axis.values]
    fig = Figure(figsize=(1.2 * len(x_axis.values) + 3, 0.6 * len(y_labels) + 2.5))
    ax = fig.add_subplot()
    image = ax.imshow(grid.to_numpy(dtype=float), aspect="auto", cmap="viridis", origin="lower")
    ax.set_xticks(range(len(x_axis.values)), [str(v) for v in x_axis.values])
    ax.set_yticks(range(len(y_labels)), y_labels)
    ax.set_xlabel(x_axis.key)
    if y_axis is not None:
        ax.set_ylabel(y_axis.key)
    for (yi, xi), value in pd.DataFrame(grid.to_numpy()).stack().items():
        ax.text(xi, yi, f"{value:.3g}", ha="center", va="center", color="white", fontsize=8)
    averaged = " (mean over the other grid keys)" if len(axes) > 2 else ""
    ax.set_title(f"{kpi}, mean over replications{averaged}", fontsize=10)
    fig.colorbar(image, ax=ax)
    fig.tight_layout()
    return fig
