"""Comparison figures: one function per figure, each drawing designs side by side as a PNG.

Nothing is computed here: lead times and queue lengths come from each result's digest
(:mod:`samflode.analysis.digest`: :func:`samflode.analysis.kpi.lead_time_samples` and
:func:`samflode.analysis.series.queue_length` per replication, so figures need no event log in
memory), and outcome shares and costs from the KPI summary, so a figure always shows the numbers the
tables report. Figures are built on matplotlib's Agg canvas directly (``Figure`` +
``FigureCanvasAgg``, not ``pyplot``): no global figure state, no display needed, safe to call from
worker threads and servers. :mod:`samflode.report.files` writes them with the tables, atomically.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, PercentFormatter

from samflode.analysis.series import STAGES

if TYPE_CHECKING:
    from samflode.execution.results import Result
    from samflode.experiments.sweep import Axis

DPI = 120
# (measure in lead_time_samples, panel title, Rules field or None)
LEAD_TIME_PANELS = (
    ("first_meeting", "Arrival → first Forum meeting", "first_meeting_days"),
    ("kontrakt", "First meeting → Forum kontrakt (simple track)", "kontrakt_days"),
    ("konsultation", "Hand-over → first Konsultation session", "konsultation_days"),
    ("insats_wait", "Wait for a provider place (Insatsmarknad)", None),
)
OUTCOMES = (
    ("share_work_90d", "Work\n90 days"),
    ("share_studies_90d", "Studies\n90 days"),
    ("share_work_or_studies_90d", "Work or studies\n90 days"),
    ("share_work_or_studies_6m", "Work or studies\n6 months"),
)
PARTIES = (
    ("cost_fk_sek", "Försäkringskassan"),
    ("cost_af_sek", "Arbetsförmedlingen"),
    ("cost_region_sek", "Region"),
    ("cost_municipality_sek", "Municipality"),
)
STAGE_TITLES = {
    "forum": "Forum: waiting for a meeting with Forum staff",
    "konsultation": "Konsultation: waiting for the first session",
    "insatsmarknad": "Insatsmarknad: waiting for a provider place",
}


def _figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _colour(i: int) -> str:
    return f"C{i % 10}"


def _summary(result: Result) -> pd.DataFrame:
    return result.summary().set_index("kpi")


def _replications(results: Sequence[Result]) -> str:
    n = int(results[0].kpis["replication"].nunique()) if results else 0
    return f"{n} replication{'' if n == 1 else 's'}"


def lead_times_figure(results: Sequence[Result]) -> Figure:
    """ECDFs of each lead time per design, with the lead-time rule as a dashed vertical line.

    The height of a curve at the rule is the share of *completed* waits within the rule (the KPI
    ``share_…_within`` also counts unfinished waits as late, so it can be lower). Samples are pooled
    over replications; the x axis stops at the largest 99th percentile so a few long waits do not
    flatten the curves.
    """
    samples = [r.digest.lead_times for r in results]
    fig = _figure(12, 8)
    axes = fig.subplots(2, 2).ravel()
    for ax, (measure, title, rule_field) in zip(axes, LEAD_TIME_PANELS, strict=True):
        upper = 0.0
        for i, (result, sample) in enumerate(zip(results, samples, strict=True)):
            days = np.sort(sample.loc[sample["measure"] == measure, "days"].to_numpy())
            if not len(days):
                continue
            share = np.arange(1, len(days) + 1) / len(days)
            # Designs that share a stage (common random numbers) draw the same curve; earlier
            # designs get wider lines so that a curve hidden under another still shows.
            ax.step(
                days,
                share,
                where="post",
                color=_colour(i),
                linewidth=1.2 + 2.0 * (len(results) - 1 - i) / max(1, len(results) - 1),
                label=f"{result.scenario.name} (n = {len(days):,})".replace(",", " "),
            )
            upper = max(upper, float(np.quantile(days, 0.99)))
        rules = {}
        if rule_field is not None:
            for i, result in enumerate(results):
                rules.setdefault(getattr(result.scenario.rules, rule_field), []).append(i)
        for rule, which in rules.items():
            # One line when designs share a rule; else one per design in its colour. The label
            # goes in the legend: curves cover the plot near the rule.
            colour = "black" if len(rules) == 1 else _colour(which[0])
            ax.axvline(
                rule, color=colour, linestyle="--", linewidth=1.2, label=f"rule: {rule:g} days"
            )
            upper = max(upper, rule * 1.2)
        ax.set_title(title, fontsize=11)
        ax.set_xlabel("days (calendar)")
        ax.set_ylabel("share of completed waits")
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        ax.set_ylim(0, 1.02)
        ax.grid(alpha=0.3)
        if ax.has_data():
            ax.set_xlim(left=min(0.0, ax.get_xlim()[0]), right=max(upper, 1.0))
            ax.legend(fontsize=8, loc="lower right")
        else:
            ax.text(0.5, 0.5, "no such waits", ha="center", va="center", transform=ax.transAxes)
    fig.suptitle(
        f"Lead times, cohort after warm-up, {_replications(results)} pooled "
        "(cumulative share; dashed: the rule)",
        fontsize=12,
    )
    return fig


def outcomes_figure(results: Sequence[Result]) -> Figure:
    """Outcome shares at 90 days and 6 months per design, with 95 % CIs over replications."""
    fig = _figure(11, 5.5)
    ax = fig.subplots()
    n = len(results)
    width = 0.8 / max(n, 1)
    x = np.arange(len(OUTCOMES))
    for i, result in enumerate(results):
        summary = _summary(result)
        keys = [k for k, _ in OUTCOMES]
        rows = summary.reindex(keys)
        mean = rows["mean"].to_numpy(dtype=float)
        # A share lies in [0, 1]; a t interval from few replications may not, so it is cut there.
        low = np.nan_to_num(mean - np.clip(rows["ci_low"].to_numpy(dtype=float), 0, 1))
        high = np.nan_to_num(np.clip(rows["ci_high"].to_numpy(dtype=float), 0, 1) - mean)
        pos = x - 0.4 + width * (i + 0.5)
        ax.bar(
            pos,
            mean,
            width,
            yerr=[low, high],
            capsize=3,
            color=_colour(i),
            label=result.scenario.name,
        )
        for px, m, h in zip(pos, mean, high, strict=True):
            if not np.isnan(m):
                ax.annotate(
                    f"{100 * m:.0f} %",
                    xy=(px, m + h),
                    xytext=(0, 2),
                    textcoords="offset points",
                    ha="center",
                    fontsize=8,
                )
    ax.set_xticks(x, [label for _, label in OUTCOMES])
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_ylim(0, 1.08)
    ax.set_ylabel("share of the cohort followed up")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=9, loc="upper left")
    ax.set_title(
        "Status after exit at the 90-day and 6-month follow-up\n"
        f"mean and 95 % CI (cut to 0–100 %) over {_replications(results)}",
        fontsize=11,
    )
    return fig


def costs_figure(results: Sequence[Result]) -> Figure:
    """Cost per financing party per design (stacked), with the total and cost per participant."""
    fig = _figure(max(8.0, 2.2 * len(results) + 3), 6)
    ax = fig.subplots()
    x = np.arange(len(results))
    bottom = np.zeros(len(results))
    summaries = [_summary(r) for r in results]

    def mean_of(key: str) -> np.ndarray:
        return np.array([s["mean"].get(key, np.nan) for s in summaries], dtype=float)

    for j, (key, label) in enumerate(PARTIES):
        values = np.nan_to_num(mean_of(key)) / 1e6
        ax.bar(x, values, 0.6, bottom=bottom, color=f"C{j}", label=label, alpha=0.85)
        bottom += values
    total = mean_of("cost_total_sek") / 1e6
    low = np.array([s["ci_low"].get("cost_total_sek", np.nan) for s in summaries]) / 1e6
    high = np.array([s["ci_high"].get("cost_total_sek", np.nan) for s in summaries]) / 1e6
    ax.errorbar(
        x,
        total,
        yerr=[np.nan_to_num(total - low), np.nan_to_num(high - total)],
        fmt="none",
        ecolor="black",
        capsize=4,
        label="total, 95 % CI",
    )
    per_participant = mean_of("cost_per_participant_sek")
    for xi, t, h, pp in zip(x, total, np.nan_to_num(high), per_participant, strict=True):
        text = f"{t:.1f} Mkr\n{_kr(pp)} per participant"
        ax.annotate(
            text,
            xy=(xi, max(t, h)),
            xytext=(0, 4),
            textcoords="offset points",
            ha="center",
            fontsize=9,
        )
    ticks = [
        f"{r.scenario.name}\n({r.scenario.horizon_days - r.scenario.warmup_days:g}-day window)"
        for r in results
    ]
    ax.set_xticks(x, ticks)
    ax.set_ylabel("cost in the analysis window, Mkr (million SEK)")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.set_ylim(0, max(1e-9, float(np.nanmax(np.append(high, bottom)))) * 1.15)
    ax.grid(axis="y", alpha=0.3)
    fig.legend(fontsize=9, loc="outside lower center", ncols=5)
    ax.set_title(
        "Cost per financing party in the analysis window (warm-up to horizon)\n"
        "staff time, provider fees and bonuses (pot split by member shares)\n"
        f"mean over {_replications(results)}",
        fontsize=11,
    )
    return fig


def _kr(x: float) -> str:
    return "–" if np.isnan(x) else f"{x:,.0f} kr".replace(",", " ")


def queues_figure(results: Sequence[Result]) -> Figure:
    """Number waiting per stage over time, per design (daily time average, mean over replications).

    The dotted vertical line marks each design's warm-up: what lies left of it is not in the KPIs.
    """
    fig = _figure(12, 9)
    axes = fig.subplots(len(STAGES), 1, sharex=True)
    for ax, stage in zip(axes, STAGES, strict=True):
        for i, result in enumerate(results):
            series = result.digest.queue(stage)
            ax.step(
                series.index.to_numpy(),
                series.to_numpy(),
                where="post",
                color=_colour(i),
                linewidth=0.8,
                label=result.scenario.name,
            )
        warmups = {r.scenario.warmup_days for r in results}
        for i, result in enumerate(results):
            colour = "black" if len(warmups) == 1 else _colour(i)
            ax.axvline(result.scenario.warmup_days, color=colour, linestyle=":", linewidth=1.2)
        ax.set_title(STAGE_TITLES[stage], fontsize=11, loc="left")
        ax.set_ylabel("participants waiting")
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=9, loc="upper right")
    axes[-1].set_xlabel("days since the start of the run (dotted: end of warm-up)")
    fig.suptitle(
        f"Queue length per stage: daily time average, mean over {_replications(results)}",
        fontsize=12,
    )
    return fig


FIGURES: dict[str, Callable[[Sequence[Result]], Figure]] = {
    "lead_times.png": lead_times_figure,
    "outcomes.png": outcomes_figure,
    "costs.png": costs_figure,
    "queues.png": queues_figure,
}


def heat_map_figure(table: pd.DataFrame, axes: Sequence[Axis], kpi: str) -> Figure:
    """Mean of ``kpi`` over a sweep's first two axes (one row when there is one axis)."""
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
    FigureCanvasAgg(fig)
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
