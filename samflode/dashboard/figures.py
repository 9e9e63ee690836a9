"""Dashboard-only figures and the KPI table, drawn from numbers :mod:`samflode` computed.

The four comparison figures come from :mod:`samflode.report.plots` unchanged (so the page shows what
``samflode compare`` writes). Here are the two that only the page has, as Plotly figures (staff
utilisation from the ``utilisation_*`` KPIs; the outcome Sankey from
:func:`samflode.analysis.flows.outcome_flows`), and the formatted side-by-side KPI table.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go
from matplotlib.figure import Figure

from samflode.dashboard.i18n import kpi_name, node_label, t
from samflode.report.format import excludes_zero, fmt, fmt_delta
from samflode.report.labels import MAIN_KPIS
from samflode.report.plots import DPI


def png_bytes(fig: Figure) -> bytes:
    """A matplotlib figure as PNG bytes, at the CLI's resolution."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def kpi_table(table: pd.DataFrame, names: Sequence[str], lang: str) -> pd.DataFrame:
    """The comparison table side by side: one row per KPI, ``mean [CI]`` and ``Δ [CI]`` columns.

    ``table`` holds the rows of ``comparison.csv``
    (:func:`samflode.experiments.comparison.paired_comparison`). A difference whose CI excludes 0 is
    starred, as in the CLI.
    """
    rows = table.set_index(["kpi", "scenario"])
    present = set(table["kpi"])
    kpis = [k for k in MAIN_KPIS if k in present]
    kpis += [k for k in dict.fromkeys(table["kpi"]) if k.startswith("utilisation_")]
    out = []
    for kpi in kpis:
        cells = {t("kpi", lang): kpi_name(kpi, lang)}
        for i, name in enumerate(names):
            if (kpi, name) not in rows.index:
                cells[name] = "–"
                continue
            row = rows.loc[(kpi, name)]
            ci = f"[{fmt(kpi, row['ci_low'])} – {fmt(kpi, row['ci_high'])}]"
            cells[name] = f"{fmt(kpi, row['mean'])} {ci}"
            if i == 0:
                continue
            low, high = row["diff_ci_low"], row["diff_ci_high"]
            star = " *" if excludes_zero(low, high) else ""
            cells[f"Δ {name}"] = (
                f"{fmt_delta(kpi, row['diff_vs_first'])}{star} "
                f"[{fmt_delta(kpi, low)}, {fmt_delta(kpi, high)}]"
            )
        out.append(cells)
    return pd.DataFrame(out).set_index(t("kpi", lang))


def utilisation_figure(table: pd.DataFrame, names: Sequence[str], lang: str) -> go.Figure:
    """Grouped bars of every ``utilisation_<pool>`` KPI per design, with 95 % CIs."""
    util = table[table["kpi"].str.startswith("utilisation_")].dropna(subset=["mean"])
    fig = go.Figure()
    for name in names:
        rows = util[util["scenario"] == name]
        fig.add_bar(
            name=name,
            x=[k.removeprefix("utilisation_") for k in rows["kpi"]],
            y=100 * rows["mean"],
            error_y={
                "type": "data",
                "symmetric": False,
                "array": 100 * (rows["ci_high"] - rows["mean"]).fillna(0),
                "arrayminus": 100 * (rows["mean"] - rows["ci_low"]).fillna(0),
            },
            text=[f"{100 * v:.0f} %" for v in rows["mean"]],
            textposition="outside",
        )
    fig.update_layout(
        barmode="group",
        yaxis_title="%",
        title=t("utilisation", lang) + " (mean, 95 % CI)",
        height=420,
        margin={"t": 50, "b": 40},
    )
    return fig


def flow_figure(flows: pd.DataFrame, title: str, lang: str) -> go.Figure:
    """A Sankey of the cohort's flows (participants per replication, mean)."""
    nodes = list(dict.fromkeys([*flows["source"], *flows["target"]]))
    index = {n: i for i, n in enumerate(nodes)}
    inflow = flows.groupby("target")["participants"].sum()
    outflow = flows.groupby("source")["participants"].sum()
    size = {n: max(inflow.get(n, 0.0), outflow.get(n, 0.0)) for n in nodes}
    labels = [f"{node_label(n, lang)} ({size[n]:.0f})" for n in nodes]
    fig = go.Figure(
        go.Sankey(
            node={"label": labels, "pad": 12, "thickness": 14},
            link={
                "source": [index[s] for s in flows["source"]],
                "target": [index[x] for x in flows["target"]],
                "value": flows["participants"].tolist(),
            },
            valueformat=".1f",
        )
    )
    fig.update_layout(title=title, height=480, margin={"t": 50, "l": 10, "r": 10, "b": 10})
    return fig
