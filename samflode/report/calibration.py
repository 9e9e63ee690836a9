"""The files and figures of a calibration, drawn from its tables (so the dashboard can redraw them
from the files alone).

``posterior.parquet`` (equally weighted draws), ``summary.csv`` (per parameter),
``fit.csv`` (per target, held-out ones marked), ``points.parquet`` (every point the simulator ran),
``checks.parquet`` (the runs at posterior draws), ``orders.csv`` (documented rankings checked
against those runs), ``calibration.json`` (plan, runs, diagnostics,
inputs) and three figures: the marginals against the prior box, the pairs, and predicted against
observed with intervals. Written atomically, like every result.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from samflode.execution.atomic import write_atomically

if TYPE_CHECKING:
    from samflode.experiments.calibration import Calibration

DPI = 120
FITTED, HELD_OUT = "#1f5fa8", "#c2571a"


def _figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def marginals_figure(posterior: pd.DataFrame, summary: pd.DataFrame) -> Figure:
    """One histogram per parameter over its prior box, with the 50 % and 90 % intervals."""
    names = list(summary["parameter"])
    cols = min(3, len(names))
    rows = math.ceil(len(names) / cols)
    fig = _figure(4.2 * cols, 2.8 * rows)
    axes = np.atleast_1d(fig.subplots(rows, cols)).ravel()
    for ax, (_, row) in zip(axes, summary.iterrows(), strict=False):
        x = posterior[row["parameter"]]
        ax.hist(x, bins=40, range=(row["prior_low"], row["prior_high"]), color=FITTED, alpha=0.75)
        ax.axvspan(row["q05"], row["q95"], color=FITTED, alpha=0.10, label="90 %")
        ax.axvspan(row["q25"], row["q75"], color=FITTED, alpha=0.20, label="50 %")
        ax.axvline(row["q50"], color="black", lw=1)
        ax.set_xlim(row["prior_low"], row["prior_high"])
        ax.set_title(f"{row['parameter']} (shrinkage {row['shrinkage']:.0%})", fontsize=10)
        ax.set_yticks([])
    for ax in axes[len(names) :]:
        ax.set_visible(False)
    axes[0].legend(fontsize=8, loc="upper right")
    fig.suptitle("Posterior of each parameter over its prior box (median, 50 % and 90 %)")
    return fig


def pairs_figure(posterior: pd.DataFrame, summary: pd.DataFrame) -> Figure:
    """Every pair of parameters as a scatter of posterior draws (correlation in the corner)."""
    names = list(summary["parameter"])
    d = len(names)
    fig = _figure(max(3.0, 2.2 * d), max(3.0, 2.2 * d))
    axes = np.array(fig.subplots(d, d, squeeze=False))
    sample = posterior.iloc[:: max(1, len(posterior) // 1500)]
    box = {r["parameter"]: (r["prior_low"], r["prior_high"]) for _, r in summary.iterrows()}
    for i, a in enumerate(names):
        for j, b in enumerate(names):
            ax = axes[i, j]
            if i == j:
                ax.hist(posterior[a], bins=30, range=box[a], color=FITTED, alpha=0.75)
                ax.set_yticks([])
            elif i > j:
                ax.scatter(sample[b], sample[a], s=2, color=FITTED, alpha=0.3)
                ax.set_xlim(box[b])
                ax.set_ylim(box[a])
            else:
                r = np.corrcoef(posterior[a], posterior[b])[0, 1] if len(posterior) > 1 else 0
                ax.text(0.5, 0.5, f"r = {r:.2f}", ha="center", va="center", fontsize=11)
                ax.set_xticks([])
                ax.set_yticks([])
            if i == d - 1:
                ax.set_xlabel(b, fontsize=8)
            if j == 0:
                ax.set_ylabel(a, fontsize=8)
            ax.tick_params(labelsize=7)
    fig.suptitle("Posterior pairs: what the data cannot tell apart shows as a ridge")
    return fig


def fit_figure(fit: pd.DataFrame) -> Figure:
    """Observed (with its ± 1.645 sd) against the predicted 90 % interval, per target."""
    n = len(fit)
    fig = _figure(8.0, max(2.5, 0.45 * n + 1.2))
    ax = fig.subplots()
    y = np.arange(n)[::-1]
    for yi, (_, row) in zip(y, fit.iterrows(), strict=True):
        colour = HELD_OUT if row["holdout"] else FITTED
        ax.plot([row["predicted_q05"], row["predicted_q95"]], [yi, yi], color=colour, lw=5,
                alpha=0.35, solid_capstyle="butt")  # fmt: skip
        ax.plot(row["predicted_mean"], yi, "|", color=colour, ms=14, mew=2)
        half = 1.645 * row["observed_sd"]
        ax.errorbar(row["observed"], yi, xerr=half, fmt="o", color="black", ms=4, capsize=3)
    ax.set_yticks(y)
    ax.set_yticklabels(
        [
            f"{t}{' (held out)' if h else ''}"
            for t, h in zip(fit["target"], fit["holdout"], strict=True)
        ],  # fmt: skip
        fontsize=8,
    )
    ax.set_xlabel("KPI value")
    ax.set_title(
        "Observed (dot, ± 90 %) against predicted (bar: 90 % interval of one project; tick: mean)",
        fontsize=10,
    )
    ax.grid(axis="x", alpha=0.3)
    return fig


FIGURES: dict[str, Callable[[pd.DataFrame, pd.DataFrame, pd.DataFrame], Figure]] = {
    "calibration_marginals.png": lambda post, summ, _fit: marginals_figure(post, summ),
    "calibration_pairs.png": lambda post, summ, _fit: pairs_figure(post, summ),
    "calibration_fit.png": lambda _post, _summ, fit: fit_figure(fit),
}


def write_calibration(cal: Calibration, out_dir: str | Path, **facts: object) -> list[Path]:
    """Write the calibration's files (module docstring) into ``out_dir``, atomically."""

    def csv(frame: pd.DataFrame) -> Callable[[Path], None]:
        return lambda p: frame.to_csv(p, index=False, float_format="%.10g")

    def parquet(frame: pd.DataFrame) -> Callable[[Path], None]:
        return lambda p: frame.to_parquet(p, index=False)

    def png(name: str) -> Callable[[Path], None]:
        make = FIGURES[name]
        return lambda p: make(cal.posterior, cal.summary, cal.fit).savefig(p, format="png",
                                                                             dpi=DPI)  # fmt: skip

    record = cal.facts | dict(facts)
    text = json.dumps(record, indent=2, ensure_ascii=False, default=str, allow_nan=True)
    writers: dict[str, Callable[[Path], None]] = {
        "posterior.parquet": parquet(cal.posterior),
        "summary.csv": csv(cal.summary),
        "fit.csv": csv(cal.fit),
        "points.parquet": parquet(cal.points),
        "checks.parquet": parquet(cal.checks),
        "orders.csv": csv(cal.orders),
        "calibration.json": lambda p: p.write_text(text, encoding="utf-8"),
    }
    writers.update({name: png(name) for name in FIGURES})
    return write_atomically(out_dir, writers)


def read_calibration(folder: str | Path) -> dict[str, object]:
    """The tables and facts of a calibration folder (for the dashboard and the counterfactual)."""
    folder = Path(folder)
    return {
        "posterior": pd.read_parquet(folder / "posterior.parquet"),
        "summary": pd.read_csv(folder / "summary.csv"),
        "fit": pd.read_csv(folder / "fit.csv"),
        "orders": (
            pd.read_csv(folder / "orders.csv") if (folder / "orders.csv").is_file() else None
        ),
        "leave_one_out": (
            pd.read_csv(folder / LOO_FILE) if (folder / LOO_FILE).is_file() else None
        ),
        "facts": json.loads((folder / "calibration.json").read_text(encoding="utf-8")),
    }


def sensitivity_figure(table: pd.DataFrame) -> Figure:
    """Per KPI, the parameters' main index (μ* or ST, with its 95 % interval), S1 beside ST."""
    kpis = list(dict.fromkeys(table["kpi"]))
    fig = _figure(5.0 * min(2, len(kpis)), 0.5 * table["parameter"].nunique() * 2.2 + 1.5)
    axes = np.atleast_1d(fig.subplots(math.ceil(len(kpis) / 2), min(2, len(kpis)))).ravel()
    for ax, kpi in zip(axes, kpis, strict=False):
        rows = table[table["kpi"] == kpi]
        main = rows[rows["index"].isin(["mu_star", "ST"])].sort_values("value")
        y = np.arange(len(main))
        label = "μ*" if (main["index"] == "mu_star").all() else "ST"
        ax.barh(y, main["value"], xerr=main["conf"].fillna(0), color=FITTED, alpha=0.8,
                label=label)  # fmt: skip
        first = rows[rows["index"] == "S1"].set_index("parameter")
        if len(first):
            ax.barh(y, first.loc[main["parameter"], "value"], height=0.4, color=HELD_OUT,
                    label="S1")  # fmt: skip
        ax.set_yticks(y)
        ax.set_yticklabels(main["parameter"], fontsize=8)
        ax.set_title(f"{kpi}\n(run noise: {rows['noise_share'].iloc[0]:.0%} of the variance)",
                     fontsize=9)  # fmt: skip
        ax.legend(fontsize=8, loc="lower right")
        ax.grid(axis="x", alpha=0.3)
    for ax in axes[len(kpis) :]:
        ax.set_visible(False)
    return fig


def write_sensitivity(table: pd.DataFrame, points: pd.DataFrame, facts: dict, out_dir) -> list:
    """Write sensitivity.csv, sensitivity_points.csv, sensitivity.json and sensitivity.png."""
    text = json.dumps(facts, indent=2, ensure_ascii=False, default=str)
    return write_atomically(
        out_dir,
        {
            "sensitivity.csv": lambda p: table.to_csv(p, index=False, float_format="%.10g"),
            "sensitivity_points.csv": lambda p: points.to_csv(
                p, index=False, float_format="%.10g"
            ),  # fmt: skip
            "sensitivity.json": lambda p: p.write_text(text, encoding="utf-8"),
            "sensitivity.png": lambda p: sensitivity_figure(table).savefig(
                p, format="png", dpi=DPI
            ),  # fmt: skip
        },
    )


COUNTERFACTUAL_PREFIX = "counterfactual-"
LOO_FILE = "leave_one_out.csv"


def write_leave_one_out(table: pd.DataFrame, facts: dict, out_dir) -> list:  # noqa: ANN001
    """Write leave_one_out.csv (one row per target of a left-out scenario) and its facts."""
    text = json.dumps(facts, indent=2, ensure_ascii=False, default=str, allow_nan=True)
    return write_atomically(
        out_dir,
        {
            LOO_FILE: lambda p: table.to_csv(p, index=False, float_format="%.10g"),
            "leave_one_out.json": lambda p: p.write_text(text, encoding="utf-8"),
        },
    )


def counterfactual_figure(table: pd.DataFrame, kpis: list[str], title: str) -> Figure:
    """The paired difference per KPI with its expected (thick) and one-project (thin) intervals.

    Each KPI on its own row and scale: shares, days and kronor do not share an axis.
    """
    rows = table.set_index("kpi").loc[[k for k in kpis if k in set(table["kpi"])]]
    fig = _figure(6.5, 0.75 * max(len(rows), 1) + 1.2)
    axes = np.atleast_1d(fig.subplots(max(len(rows), 1), 1))
    for ax, (kpi, row) in zip(axes, rows.iterrows(), strict=False):
        ax.plot([row.project_q05, row.project_q95], [0, 0], color=FITTED, lw=1.2)
        ax.plot([row.expected_q05, row.expected_q95], [0, 0], color=FITTED, lw=5, alpha=0.6)
        ax.plot([row.difference_mean], [0], "o", color=HELD_OUT)
        ax.axvline(0, color="0.4", lw=0.8, ls="--")
        ax.set_yticks([0])
        ax.set_yticklabels([kpi], fontsize=8)
        ax.tick_params(axis="x", labelsize=7)
        ax.grid(axis="x", alpha=0.3)
    axes[0].set_title(title, fontsize=9)
    axes[-1].set_xlabel("counterfactual − factual (thick: expected, 90 %; thin: one project)",
                        fontsize=8)  # fmt: skip
    return fig


def write_counterfactual(result, out_dir, kpis: list[str]) -> list:  # noqa: ANN001
    """Write counterfactual.csv, counterfactual_runs.parquet, counterfactual_draws.parquet,
    counterfactual.json and counterfactual.png (the KPIs ``kpis``) into ``out_dir``.
    """
    facts = result.facts | {"figure_kpis": kpis}
    text = json.dumps(facts, indent=2, ensure_ascii=False, default=str)
    title = f"{facts['site']} under {facts['design']} ({', '.join(facts['take'])})"
    return write_atomically(
        out_dir,
        {
            "counterfactual.csv": lambda p: result.table.to_csv(
                p, index=False, float_format="%.10g"
            ),
            "counterfactual_runs.parquet": lambda p: result.runs.to_parquet(p, index=False),
            "counterfactual_draws.parquet": lambda p: result.draws.to_parquet(p, index=False),
            "counterfactual.json": lambda p: p.write_text(text, encoding="utf-8"),
            "counterfactual.png": lambda p: counterfactual_figure(
                result.table, kpis, title
            ).savefig(p, format="png", dpi=DPI),
        },
    )


def read_counterfactuals(folder: str | Path) -> dict[str, dict[str, object]]:
    """Every counterfactual folder inside a calibration folder: name → its table and facts."""
    found = {}
    for sub in sorted(Path(folder).glob(f"{COUNTERFACTUAL_PREFIX}*")):
        if (sub / "counterfactual.csv").is_file() and (sub / "counterfactual.json").is_file():
            found[sub.name] = {
                "table": pd.read_csv(sub / "counterfactual.csv"),
                "facts": json.loads((sub / "counterfactual.json").read_text(encoding="utf-8")),
                "figure": sub / "counterfactual.png",
            }
    return found
