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

from samflode.analysis.series import STAGES
from samflode.report import charts
from samflode.report.format import number
from samflode.report.labels import translate
from samflode.report.palette import design_colour

if TYPE_CHECKING:
    from samflode.execution.results import Result
    from samflode.experiments.sweep import Axis

DPI = 120
# (measure in lead_time_samples, Rules field or None); titles in TEXT under the measure's name
LEAD_TIME_PANELS = (
    ("first_meeting", "first_meeting_days"),
    ("kontrakt", "kontrakt_days"),
    ("konsultation", "konsultation_days"),
    ("insats_wait", None),
)
TEXT: dict[str, dict[str, str]] = {
    "first_meeting": {
        "en": "Arrival → first Forum meeting",
        "sv": "Ankomst → första mötet i Forum",
    },
    "kontrakt": {
        "en": "First meeting → Forum kontrakt (simple track)",
        "sv": "Första mötet → kontrakt i Forum (enkla spåret)",
    },
    "konsultation": {
        "en": "Hand-over → first Konsultation session",
        "sv": "Överlämning → första Konsultationsmötet",
    },
    "insats_wait": {
        "en": "Wait for a provider place (Insatsmarknad)",
        "sv": "Väntan på plats hos anordnare (Insatsmarknaden)",
    },
    "rule": {"en": "rule: {days} days", "sv": "regel: {days} dagar"},
    "days_calendar": {"en": "days (calendar)", "sv": "dagar (kalenderdagar)"},
    "share_completed": {"en": "share of completed waits", "sv": "andel av avslutade väntetider"},
    "no_waits": {"en": "no such waits", "sv": "inga sådana väntetider"},
    "lead_title": {
        "en": "Lead times, cohort after warm-up, {n} pooled (cumulative share; dashed: the rule)",
        "sv": "Ledtider, kohorten efter insvängning, {n} sammanslagna "
        "(kumulativ andel; streckad: regeln)",
    },
    "forum": {
        "en": "Forum: waiting for a meeting with Forum staff",
        "sv": "Forum: väntar på möte med Forums personal",
    },
    "konsultation_queue": {
        "en": "Konsultation: waiting for the first session",
        "sv": "Konsultation: väntar på första mötet",
    },
    "insatsmarknad": {
        "en": "Insatsmarknad: waiting for a provider place",
        "sv": "Insatsmarknaden: väntar på plats hos anordnare",
    },
    "waiting": {"en": "participants waiting", "sv": "deltagare som väntar"},
    "days_since": {
        "en": "days since the start of the run (dotted: end of warm-up)",
        "sv": "dagar sedan körningens start (prickad: insvängningens slut)",
    },
    "queue_title": {
        "en": "Queue length per stage: daily time average, mean over {n}",
        "sv": "Kölängd per steg: dagligt tidsmedel, medel över {n}",
    },
}
STAGE_TEXT = {
    "forum": "forum",
    "konsultation": "konsultation_queue",
    "insatsmarknad": "insatsmarknad",
}


def _say(key: str, lang: str, **values: object) -> str:
    return translate(TEXT, key, lang, **values)


def _figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _colour(i: int) -> str:
    return design_colour(i)


def _count(results: Sequence[Result]) -> int:
    return int(results[0].kpis["replication"].nunique()) if results else 0


def _replications(results: Sequence[Result], lang: str) -> str:
    return charts.replications_text(_count(results), lang)


def summary_table(results: Sequence[Result]) -> pd.DataFrame:
    """Every design's KPI summary in one long table (``kpi, scenario, mean, ci_low, ci_high``),
    the shape of ``comparison.csv`` that :mod:`samflode.report.charts` draws from.
    """
    frames = [r.summary().assign(scenario=r.scenario.name) for r in results]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def lead_times_figure(results: Sequence[Result], lang: str = "en") -> Figure:
    """ECDFs of each lead time per design, with the lead-time rule as a dashed vertical line.

    The height of a curve at the rule is the share of *completed* waits within the rule (the KPI
    ``share_…_within`` also counts unfinished waits as late, so it can be lower). Samples are pooled
    over replications; the x axis stops at the largest 99th percentile so a few long waits do not
    flatten the curves.
    """
    samples = [r.digest.lead_times for r in results]
    fig = _figure(12, 8)
    axes = fig.subplots(2, 2).ravel()
    for ax, (measure, rule_field) in zip(axes, LEAD_TIME_PANELS, strict=True):
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
                label=f"{result.scenario.label} (n = {number(len(days), 0, lang)})",
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
                rule,
                color=colour,
                linestyle="--",
                linewidth=1.2,
                label=_say("rule", lang, days=number(rule, 0 if rule == int(rule) else 1, lang)),
            )
            upper = max(upper, rule * 1.2)
        ax.set_title(_say(measure, lang), fontsize=11)
        ax.set_xlabel(_say("days_calendar", lang))
        ax.set_ylabel(_say("share_completed", lang))
        ax.yaxis.set_major_formatter(charts.percent_axis(lang))
        ax.set_ylim(0, 1.02)
        ax.grid(alpha=0.3)
        if ax.has_data():
            ax.set_xlim(left=min(0.0, ax.get_xlim()[0]), right=max(upper, 1.0))
            ax.legend(fontsize=8, loc="lower right")
        else:
            ax.text(
                0.5, 0.5, _say("no_waits", lang), ha="center", va="center", transform=ax.transAxes
            )
    fig.suptitle(_say("lead_title", lang, n=_replications(results, lang)), fontsize=12)
    return fig


def outcomes_figure(results: Sequence[Result], lang: str = "en") -> Figure:
    """Every follow-up state at 90 days and 6 months per design
    (:func:`samflode.report.charts.states_figure`, from the KPI summaries).
    """
    names = [r.scenario.name for r in results]
    return charts.states_figure(
        summary_table(results),
        names,
        lang,
        replications=_count(results),
        labels=[r.scenario.label for r in results],
    )


def costs_figure(results: Sequence[Result], lang: str = "en") -> Figure:
    """Cost per financing party and year per design, and the income support saved
    (:func:`samflode.report.charts.costs_per_year_figure`).
    """
    names = [r.scenario.name for r in results]
    return charts.costs_per_year_figure(
        summary_table(results),
        names,
        lang,
        replications=_count(results),
        labels=[r.scenario.label for r in results],
    )


def queues_figure(results: Sequence[Result], lang: str = "en") -> Figure:
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
                label=result.scenario.label,
            )
        warmups = {r.scenario.warmup_days for r in results}
        for i, result in enumerate(results):
            colour = "black" if len(warmups) == 1 else _colour(i)
            ax.axvline(result.scenario.warmup_days, color=colour, linestyle=":", linewidth=1.2)
        ax.set_title(_say(STAGE_TEXT[stage], lang), fontsize=11, loc="left")
        ax.set_ylabel(_say("waiting", lang))
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=9, loc="upper right")
    axes[-1].set_xlabel(_say("days_since", lang))
    fig.suptitle(_say("queue_title", lang, n=_replications(results, lang)), fontsize=12)
    return fig


# Each takes the results and ``lang`` ("en" or "sv").
FIGURES: dict[str, Callable[..., Figure]] = {
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
