"""Dashboard-only figures, the one-screen summary and the KPI table, drawn from numbers
:mod:`samflode` computed.

The four comparison figures come from :mod:`samflode.report.plots` unchanged (so the page shows what
``samflode compare`` writes). Here are the two that only the page has, as Plotly figures (staff
utilisation from the ``utilisation_*`` KPIs; the outcome Sankey from
:func:`samflode.analysis.flows.outcome_flows`), the summary cards a board reads first, and the
formatted side-by-side KPI table. Colours come from :mod:`samflode.report.palette`, so a design and
a follow-up state have the same colour here as in the PNGs and the board pack.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
from matplotlib.figure import Figure

from samflode.analysis.flows import IN_SYSTEM, NOT_YET, STEPS
from samflode.analysis.kpi import FOLLOWUP_STATES, FOLLOWUPS
from samflode.dashboard.i18n import STEP_LABELS, kpi_name, t
from samflode.report.format import excludes_zero, fmt, fmt_ci, fmt_delta, number
from samflode.report.labels import state_label
from samflode.report.palette import STATE_COLOURS, design_colour
from samflode.report.plots import DPI

# The rows of the side-by-side table, in the order a board reads them: lead times against the
# rules, where people went (every follow-up state), what it costs a year, then utilisation (added
# per pool). Costs that are sums over the run's window are shown per year: the window's length
# (warm-up to horizon) is a modelling choice, a year is what a budget is about. Ratios (per
# participant, per exit to work) do not depend on the window and stay as they are.
LEAD_TIME_KPIS = (
    "arrivals",
    "days_to_first_meeting_mean",
    "share_first_meeting_within_7d",
    "days_to_kontrakt_mean",
    "share_kontrakt_within_14d",
    "days_to_konsultation_mean",
    "share_konsultation_within_7d",
    "days_waiting_for_insats_mean",
)
OUTCOME_KPIS = (
    "share_work_or_studies_90d",
    "share_work_or_studies_6m",
    *(f"share_{state}_{when}" for when in FOLLOWUPS for state in FOLLOWUP_STATES),
    "share_dropout",
)
COST_KPIS = (
    "cost_total_sek_per_year",
    "cost_fk_sek_per_year",
    "cost_af_sek_per_year",
    "cost_region_sek_per_year",
    "cost_municipality_sek_per_year",
    "cost_coordination_sek_per_year",
    "saving_forsorjningsstod_sek_per_year",
    "cost_per_participant_sek",
    "cost_per_work_outcome_sek",
)
TABLE_KPIS = (*LEAD_TIME_KPIS, *OUTCOME_KPIS, *COST_KPIS)

# The summary: what a board asks first, and which way is better for each.
HIGHER, LOWER = 1, -1
SUMMARY_KPIS = (
    ("days_to_first_meeting_mean", LOWER),
    ("share_first_meeting_within_7d", HIGHER),
    ("share_work_90d", HIGHER),
    ("cost_total_sek_per_year", LOWER),
    ("saving_forsorjningsstod_sek_per_year", HIGHER),
)

# Sankey nodes that are not follow-up states: the cohort, and the two "no status yet" nodes.
NEUTRAL_COLOURS = {
    "cohort": "#636363",
    IN_SYSTEM: "#969696",
    NOT_YET: "#D9D9D9",
    "restart": "#9E9AC8",
}
OTHER_COLOUR = "#BDBDBD"
LABEL_COLOUR = "#1A1A1A"
# Plotly's number separators (decimal, thousands): the page's language, as fmt writes it.
SEPARATORS = {"en": ". ", "sv": ",\u202f"}


def png_bytes(fig: Figure) -> bytes:
    """A matplotlib figure as PNG bytes, at the CLI's resolution."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _mega(kpi: str) -> bool:
    """Sums per year are millions of kronor: shown as such, so a column stays readable."""
    return kpi.endswith("_per_year") and kpi.startswith(("cost_", "saving_", "benefit_"))


def table_kpis(table: pd.DataFrame) -> list[str]:
    """The KPI keys of the side-by-side table that ``table`` has, utilisation last."""
    present = set(table["kpi"])
    kpis = [k for k in TABLE_KPIS if k in present]
    kpis += [k for k in dict.fromkeys(table["kpi"]) if k.startswith("utilisation_")]
    return kpis


def kpi_table(table: pd.DataFrame, names: Sequence[str], lang: str) -> pd.DataFrame:
    """The comparison table side by side: one row per KPI, ``mean [CI]`` and ``Δ [CI]`` columns.

    ``table`` holds the rows of ``comparison.csv``
    (:func:`samflode.experiments.comparison.paired_comparison`); the first of ``names`` is the
    reference. A difference whose CI excludes 0 is starred, as in the CLI. Numbers are written in
    the page's language (:func:`samflode.report.format.fmt`).
    """
    rows = table.set_index(["kpi", "scenario"])
    out = []
    for kpi in table_kpis(table):
        mega = _mega(kpi)
        cells = {t("kpi", lang): kpi_name(kpi, lang)}
        for i, name in enumerate(names):
            if (kpi, name) not in rows.index:
                cells[name] = "–"
                continue
            row = rows.loc[(kpi, name)]
            ci = fmt_ci(kpi, row["ci_low"], row["ci_high"], mega=mega, lang=lang)
            cells[name] = f"{fmt(kpi, row['mean'], mega=mega, lang=lang)} [{ci}]"
            if i == 0:
                continue
            low, high = row["diff_ci_low"], row["diff_ci_high"]
            star = " *" if excludes_zero(low, high) else ""
            delta = fmt_delta(kpi, row["diff_vs_first"], mega=mega, lang=lang)
            low_text = fmt_delta(kpi, low, mega=mega, lang=lang)
            high_text = fmt_delta(kpi, high, mega=mega, lang=lang)
            cells[f"Δ {name}"] = f"{delta}{star} [{low_text}, {high_text}]"
        out.append(cells)
    return pd.DataFrame(out).set_index(t("kpi", lang))


@dataclass(frozen=True)
class Card:
    """One number of the summary: a design's mean, and for a non-reference design the paired
    difference to the reference with its verdict (``delta`` is None for the reference).

    ``label`` is short (a card is narrow), ``help`` the KPI's full label. ``arrow`` is ``up``,
    ``down`` or ``off`` (the sign of the difference); ``colour`` says whether it is better
    (green), worse (red) or not clear (gray), for ``st.metric``'s ``delta_color``.
    """

    design: str
    kpi: str
    label: str
    value: str
    help: str = ""
    delta: str | None = None
    arrow: str = "off"
    colour: str = "gray"
    verdict: str | None = None


def summary_cards(table: pd.DataFrame, names: Sequence[str], lang: str) -> list[list[Card]]:
    """Per design (reference first) the :data:`SUMMARY_KPIS` as cards; a difference is *clear*
    when its paired 95 % CI excludes 0, and only then coloured better or worse.
    """
    rows = table.set_index(["kpi", "scenario"])
    out = []
    for i, name in enumerate(names):
        cards = []
        for kpi, better in SUMMARY_KPIS:
            if (kpi, name) not in rows.index:
                continue
            row = rows.loc[(kpi, name)]
            mega = _mega(kpi)
            card = Card(
                name,
                kpi,
                t(f"card_{kpi}", lang),
                fmt(kpi, row["mean"], mega=mega, lang=lang),
                help=kpi_name(kpi, lang),
            )
            if i > 0:
                diff, low, high = row["diff_vs_first"], row["diff_ci_low"], row["diff_ci_high"]
                clear = not pd.isna(low) and not pd.isna(high) and excludes_zero(low, high)
                arrow = "off" if pd.isna(diff) or diff == 0 else "up" if diff > 0 else "down"
                colour = "gray"
                if clear:
                    colour = "green" if diff * better > 0 else "red"
                card = Card(
                    name,
                    kpi,
                    card.label,
                    card.value,
                    help=card.help,
                    delta=fmt_delta(kpi, diff, mega=mega, lang=lang),
                    arrow=arrow,
                    colour=colour,
                    verdict=t("clear" if clear else "not_clear", lang),
                )
            cards.append(card)
        out.append(cards)
    return out


def utilisation_figure(table: pd.DataFrame, names: Sequence[str], lang: str) -> go.Figure:
    """Grouped bars of every ``utilisation_<pool>`` KPI per design, with 95 % CIs, each design in
    its colour of every chart (:func:`samflode.report.palette.design_colour`).
    """
    util = table[table["kpi"].str.startswith("utilisation_")].dropna(subset=["mean"])
    fig = go.Figure()
    for i, name in enumerate(names):
        rows = util[util["scenario"] == name]
        fig.add_bar(
            name=name,
            x=[k.removeprefix("utilisation_") for k in rows["kpi"]],
            y=100 * rows["mean"],
            marker_color=design_colour(i),
            error_y={
                "type": "data",
                "symmetric": False,
                "array": 100 * (rows["ci_high"] - rows["mean"]).fillna(0),
                "arrayminus": 100 * (rows["mean"] - rows["ci_low"]).fillna(0),
            },
            text=[f"{number(100 * v, 0, lang)} %" for v in rows["mean"]],
            textposition="outside",
        )
    fig.update_layout(
        barmode="group",
        yaxis_title="%",
        title=t("utilisation_title", lang),
        height=420,
        margin={"t": 50, "b": 40},
        separators=SEPARATORS.get(lang, SEPARATORS["en"]),
    )
    return fig


def _state_colour(state: str) -> str:
    return STATE_COLOURS.get(state) or NEUTRAL_COLOURS.get(state, OTHER_COLOUR)


def _rgba(colour: str, alpha: float) -> str:
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red}, {green}, {blue}, {alpha})"


def _node_order(node: str) -> tuple[int, int, str]:
    """Columns left to right; in a column the follow-up states best first, then the rest."""
    step, _, state = node.partition(":")
    ranks = {s: i for i, s in enumerate(FOLLOWUP_STATES)}
    rank = ranks.get(state, len(ranks) + (2 if state in (IN_SYSTEM, NOT_YET) else 1))
    return STEPS.index(step) if step in STEPS else len(STEPS), rank, state


def flow_height(flows: pd.DataFrame) -> int:
    """Pixels for the Sankey: room for each node's label in the fullest column, never cramped."""
    nodes = set(flows["source"]) | set(flows["target"])
    per_step = pd.Series([n.partition(":")[0] for n in nodes]).value_counts()
    most = int(per_step.max()) if len(per_step) else 1
    return max(480, 56 * most + 140)


def flow_figure(flows: pd.DataFrame, title: str, lang: str, index: int = 0) -> go.Figure:
    """A Sankey of the cohort's flows: arrival → exit → 90 days → 6 months.

    Counts are participants per replication (the mean over replications,
    :func:`~samflode.analysis.flows.outcome_flows`). Every state has its one colour in every
    column (:data:`samflode.report.palette.STATE_COLOURS`; the cohort and "no status yet" are
    grey); the design's colour marks the title. Nodes sit left-aligned in their step's column, so
    "still in the system" (which has no follow-up) stays among the exits instead of being pushed
    to the last column, and in the order of the states, best first.
    """
    nodes = sorted(dict.fromkeys([*flows["source"], *flows["target"]]), key=_node_order)
    position = {n: i for i, n in enumerate(nodes)}
    inflow = flows.groupby("target")["participants"].sum()
    outflow = flows.groupby("source")["participants"].sum()
    size = {n: max(inflow.get(n, 0.0), outflow.get(n, 0.0)) for n in nodes}
    states = [n.partition(":")[2] for n in nodes]
    labels = [
        f"{state_label(s, lang)}: {number(size[n], 1, lang)}"
        for n, s in zip(nodes, states, strict=True)
    ]
    colours = [_state_colour(s) for s in states]
    fig = go.Figure(
        go.Sankey(
            arrangement="snap",
            node={
                "label": labels,
                "color": colours,
                "pad": 28,
                "thickness": 18,
                "align": "left",
                "sort": "input",
                "line": {"color": "#FFFFFF", "width": 0.5},
            },
            link={
                "source": [position[s] for s in flows["source"]],
                "target": [position[x] for x in flows["target"]],
                "value": flows["participants"].tolist(),
                "color": [_rgba(_state_colour(x.partition(":")[2]), 0.35) for x in flows["target"]],
            },
            valueformat=".1f",
            textfont={"size": 14, "color": LABEL_COLOUR, "shadow": "none"},
        )
    )
    steps = [s for s in STEPS if any(n.startswith(f"{s}:") for n in nodes)]
    names = STEP_LABELS.get(lang, STEP_LABELS["en"])
    for i, step in enumerate(steps):
        x = i / (len(steps) - 1) if len(steps) > 1 else 0.0
        anchor = "left" if i == 0 else "right" if i == len(steps) - 1 else "center"
        fig.add_annotation(
            x=x, y=1.0, xref="paper", yref="paper", xanchor=anchor, yanchor="bottom",
            text=f"<b>{names.get(step, step)}</b>", showarrow=False,
            font={"size": 14, "color": LABEL_COLOUR},
        )  # fmt: skip
    colour = design_colour(index)
    fig.update_layout(
        title={"text": f"<span style='color:{colour}'>■</span> {title}", "font": {"size": 17}},
        height=flow_height(flows),
        margin={"t": 80, "l": 10, "r": 10, "b": 10},
        font={"color": LABEL_COLOUR, "size": 14},
        separators=SEPARATORS.get(lang, SEPARATORS["en"]),
    )
    return fig
