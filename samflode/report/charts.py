"""Figures drawn from a comparison table alone, in English or Swedish, one colour per design.

A comparison folder keeps its table (``comparison.csv``: per KPI and design the mean, its 95 % CI
and the paired difference), not the replications' event logs. These figures need nothing more, so
the board pack draws them again from the folder in the reader's language, and the dashboard and
``samflode compare`` draw the same ones from the same numbers. Where everyone went after the exit
(every follow-up state), what each financing party pays a year, how many reach each lead-time
rule, and how busy each staff pool is. Colours come from :mod:`samflode.report.palette`: a design
has the same colour in every chart, a state or a party the same colour in every design.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from samflode.analysis.kpi import FOLLOWUP_STATES
from samflode.config.scenario import PARTIES
from samflode.report.format import number
from samflode.report.labels import state_label, translate
from samflode.report.palette import PARTY_COLOURS, STATE_COLOURS, design_colour

DPI = 120
RULE_KPIS = (
    "share_first_meeting_within_7d",
    "share_kontrakt_within_14d",
    "share_konsultation_within_7d",
)
TEXT: dict[str, dict[str, str]] = {
    "states_title": {
        "en": "Where the cohort stood at the follow-ups, every state (mean over {n})",
        "sv": "Var kohorten befann sig vid uppföljningarna, alla utfall (medel över {n})",
    },
    "at_90d": {"en": "90 days after exit", "sv": "90 dagar efter avslut"},
    "at_6m": {"en": "6 months after exit", "sv": "6 månader efter avslut"},
    "share_followed": {"en": "share of those followed up", "sv": "andel av de uppföljda"},
    "costs_title": {
        "en": "Cost per financing party and year (staff time, providers, bonuses; mean over {n})",
        "sv": "Kostnad per finansiär och år (personaltid, anordnare, bonusar; medel över {n})",
    },
    "costs_axis": {"en": "million SEK a year", "sv": "miljoner kronor per år"},
    "total_ci": {"en": "total, 95 % CI", "sv": "totalt, 95 % KI"},
    "saving": {
        "en": "income support saved (municipality)",
        "sv": "sparat försörjningsstöd (kommunen)",
    },
    "rules_title": {
        "en": "Share reaching each step within its rule (mean and 95 % CI over {n})",
        "sv": "Andel som når varje steg inom sin regel (medel och 95 % KI över {n})",
    },
    "not_applicable": {"en": "no such step", "sv": "steget finns inte"},
    "util_title": {
        "en": "Staff utilisation per pool (meeting and case hours ÷ paid hours, mean over {n})",
        "sv": "Personalens beläggning per grupp (möten och ärendetid ÷ betald tid, medel över {n})",
    },
    "replications": {"en": "{n} replications", "sv": "{n} replikeringar"},
    "fk": {"en": "Försäkringskassan", "sv": "Försäkringskassan"},
    "af": {"en": "Arbetsförmedlingen", "sv": "Arbetsförmedlingen"},
    "region": {"en": "Region", "sv": "Regionen"},
    "municipality": {"en": "Municipality", "sv": "Kommunen"},
    "share_first_meeting_within_7d": {
        "en": "first meeting\nwithin the rule",
        "sv": "första mötet\ninom regeln",
    },
    "share_kontrakt_within_14d": {
        "en": "kontrakt in Forum\nwithin the rule",
        "sv": "kontrakt i Forum\ninom regeln",
    },
    "share_konsultation_within_7d": {
        "en": "Konsultation\nwithin the rule",
        "sv": "Konsultation\ninom regeln",
    },
}


def percent_axis(lang: str) -> FuncFormatter:
    """Tick labels of a share axis: "20%" in English, "20 %" in Swedish (Språkrådet)."""
    space = " " if lang == "sv" else ""
    return FuncFormatter(lambda v, _: f"{number(100 * v, 0, lang)}{space}%")


def say(key: str, lang: str, **values: object) -> str:
    """A figure text in ``lang`` (English when there is no Swedish one)."""
    return translate(TEXT, key, lang, **values)


def replications_text(n: int, lang: str) -> str:
    """'30 replications' / '30 replikeringar'."""
    return say("replications", lang, n=n)


def _shown(names: Sequence[str], labels: Sequence[str] | None, width: int = 24) -> list[str]:
    """The designs as people read them (titles where given), wrapped to fit under a bar."""
    return [textwrap.fill(x, width) for x in (labels if labels is not None else names)]


def _colour_designs(ticks: Sequence[Any]) -> None:
    """Tick labels naming the designs, each in its design's colour (the reference first)."""
    for i, tick in enumerate(ticks):
        tick.set_color(design_colour(i))
        tick.set_fontweight("bold")


def _figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _cells(table: pd.DataFrame) -> pd.DataFrame:
    return table.set_index(["kpi", "scenario"])


def _value(cells: pd.DataFrame, kpi: str, name: str, column: str = "mean") -> float:
    if (kpi, name) not in cells.index:
        return np.nan
    return float(cells.loc[(kpi, name), column])


def states_figure(
    table: pd.DataFrame,
    names: Sequence[str],
    lang: str = "en",
    *,
    replications: int,
    labels: Sequence[str] | None = None,
) -> Figure:
    """Every follow-up state at 90 days and 6 months, one stacked bar per design.

    The bars show all of :data:`~samflode.analysis.kpi.FOLLOWUP_STATES` (they sum to 100 %), so
    a design that moves people from benefits to work shows both sides of the move; designs are
    labelled in their colour, states coloured the same in every design.
    """
    cells = _cells(table)
    fig = _figure(11, 1.1 * len(names) + 2.6)
    axes = fig.subplots(1, 2, sharey=True)
    y = np.arange(len(names))[::-1]
    for ax, when, title in zip(axes, ("90d", "6m"), ("at_90d", "at_6m"), strict=True):
        left = np.zeros(len(names))
        for state in FOLLOWUP_STATES:
            share = np.nan_to_num([_value(cells, f"share_{state}_{when}", name) for name in names])
            ax.barh(
                y,
                share,
                left=left,
                color=STATE_COLOURS[state],
                edgecolor="white",
                label=state_label(state, lang),
            )
            for yi, li, si in zip(y, left, share, strict=True):
                if si >= 0.05:
                    dark = state in ("work", "permanent_support", "dropout")
                    ax.text(
                        li + si / 2,
                        yi,
                        f"{number(100 * si, 0, lang)} %",
                        ha="center",
                        va="center",
                        fontsize=8,
                        color="white" if dark else "black",
                    )
            left += share
        ax.set_title(say(title, lang), fontsize=11)
        ax.set_xlim(0, 1)
        ax.xaxis.set_major_formatter(percent_axis(lang))
        ax.set_xlabel(say("share_followed", lang))
    axes[0].set_yticks(y, _shown(names, labels))
    _colour_designs(axes[0].get_yticklabels())
    handles, states = axes[0].get_legend_handles_labels()
    fig.legend(handles, states, loc="outside lower center", ncols=4, fontsize=9)
    fig.suptitle(say("states_title", lang, n=replications_text(replications, lang)), fontsize=12)
    return fig


def costs_per_year_figure(
    table: pd.DataFrame,
    names: Sequence[str],
    lang: str = "en",
    *,
    replications: int,
    labels: Sequence[str] | None = None,
) -> Figure:
    """What each financing party pays a year per design (stacked), the total's 95 % CI, and the
    income support the municipality saves a year as a hatched bar beside it.
    """
    cells = _cells(table)
    fig = _figure(max(8.0, 2.2 * len(names) + 3), 5.5)
    ax = fig.subplots()
    x = np.arange(len(names))
    bottom = np.zeros(len(names))
    for party in PARTIES:
        values = (
            np.nan_to_num([_value(cells, f"cost_{party}_sek_per_year", n) for n in names]) / 1e6
        )
        ax.bar(
            x - 0.12, values, 0.5, bottom=bottom, color=PARTY_COLOURS[party], label=say(party, lang)
        )
        bottom += values
    key = "cost_total_sek_per_year"
    total = np.array([_value(cells, key, n) for n in names]) / 1e6
    low = np.array([_value(cells, key, n, "ci_low") for n in names]) / 1e6
    high = np.array([_value(cells, key, n, "ci_high") for n in names]) / 1e6
    ax.errorbar(
        x - 0.12,
        total,
        yerr=[np.nan_to_num(total - low), np.nan_to_num(high - total)],
        fmt="none",
        ecolor="black",
        capsize=4,
        label=say("total_ci", lang),
    )
    saving = (
        np.nan_to_num([_value(cells, "saving_forsorjningsstod_sek_per_year", n) for n in names])
        / 1e6
    )
    ax.bar(
        x + 0.27,
        saving,
        0.2,
        color="white",
        edgecolor=PARTY_COLOURS["municipality"],
        hatch="///",
        label=say("saving", lang),
    )
    unit = "mnkr" if lang == "sv" else "MSEK"
    for xi, t, h in zip(x, total, np.nan_to_num(high), strict=True):
        if not np.isnan(t):
            ax.annotate(
                f"{number(t, 1, lang)} {unit}",
                xy=(xi - 0.12, max(t, h)),
                xytext=(0, 4),
                textcoords="offset points",
                ha="center",
                fontsize=9,
            )
    ax.set_xticks(x, _shown(names, labels, 18))
    _colour_designs(ax.get_xticklabels())
    ax.set_ylabel(say("costs_axis", lang))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: number(v, 0, lang)))
    top = float(np.nanmax(np.append(np.nan_to_num(high), bottom)))
    ax.set_ylim(0, max(top, 1e-9) * 1.15)
    ax.grid(axis="y", alpha=0.3)
    fig.legend(loc="outside lower center", ncols=3, fontsize=9)
    ax.set_title(say("costs_title", lang, n=replications_text(replications, lang)), fontsize=11)
    return fig


def rules_figure(
    table: pd.DataFrame,
    names: Sequence[str],
    lang: str = "en",
    *,
    replications: int,
    labels: Sequence[str] | None = None,
) -> Figure:
    """The share reaching each lead-time rule per design, with its 95 % CI (a design without
    the step has no bar, and the panel says so).
    """
    cells = _cells(table)
    fig = _figure(11, 4.8)
    ax = fig.subplots()
    width = 0.8 / max(len(names), 1)
    x = np.arange(len(RULE_KPIS))
    shown = _shown(names, labels, 30)
    for i, name in enumerate(names):
        mean = np.array([_value(cells, k, name) for k in RULE_KPIS])
        low = np.array([_value(cells, k, name, "ci_low") for k in RULE_KPIS])
        high = np.array([_value(cells, k, name, "ci_high") for k in RULE_KPIS])
        pos = x - 0.4 + width * (i + 0.5)
        ax.bar(
            pos,
            np.nan_to_num(mean),
            width,
            color=design_colour(i),
            label=shown[i],
            yerr=[np.nan_to_num(mean - low), np.nan_to_num(high - mean)],
            capsize=3,
        )
        for px, m in zip(pos, mean, strict=True):
            text = say("not_applicable", lang) if np.isnan(m) else f"{number(100 * m, 0, lang)} %"
            ax.annotate(
                text,
                xy=(px, 0 if np.isnan(m) else m),
                xytext=(0, 3),
                textcoords="offset points",
                ha="center",
                fontsize=8,
                rotation=90 if np.isnan(m) else 0,
            )
    ax.set_xticks(x, [say(k, lang) for k in RULE_KPIS])
    ax.yaxis.set_major_formatter(percent_axis(lang))
    ax.set_ylim(0, 1.12)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=9, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.set_title(say("rules_title", lang, n=replications_text(replications, lang)), fontsize=11)
    return fig


def utilisation_figure(
    table: pd.DataFrame,
    names: Sequence[str],
    lang: str = "en",
    *,
    replications: int,
    labels: Sequence[str] | None = None,
) -> Figure:
    """Utilisation of every staff pool per design: the pools near 100 % are what binds."""
    cells = _cells(table)
    pools = sorted(
        {k.removeprefix("utilisation_") for k in table["kpi"] if k.startswith("utilisation_")}
    )
    fig = _figure(11, 0.32 * len(pools) * max(1, len(names)) ** 0.5 + 2.2)
    ax = fig.subplots()
    height = 0.8 / max(len(names), 1)
    y = np.arange(len(pools))[::-1]
    shown = _shown(names, labels, 30)
    for i, name in enumerate(names):
        share = np.array([_value(cells, f"utilisation_{p}", name) for p in pools])
        ax.barh(
            y + 0.4 - height * (i + 0.5),
            np.nan_to_num(share),
            height,
            color=design_colour(i),
            label=shown[i],
        )
    ax.set_yticks(y, pools, fontsize=8)
    ax.xaxis.set_major_formatter(percent_axis(lang))
    ax.axvline(1.0, color="black", linewidth=0.8)
    ax.grid(axis="x", alpha=0.3)
    ax.legend(fontsize=9, loc="lower right")
    ax.set_title(say("util_title", lang, n=replications_text(replications, lang)), fontsize=11)
    return fig


CHARTS = {
    "rules": rules_figure,
    "states": states_figure,
    "costs": costs_per_year_figure,
    "utilisation": utilisation_figure,
}
