"""A plan's files: plan.json (the answer), candidates.csv (every point evaluated) and figures.

``plan.json`` holds, per inflow scale, whether the targets are met, the chosen value of every
lever keyed by its dotted path, each target's estimate with its interval and ``p_met``, the cost
per year (total and per party), today's values beside them, what binds, and how many simulations
the answer took; the top level says which mode decided and repeats the first scale's answer.
Figures: each target against each lever with the threshold and the intervals
(``plan_targets.png``), cost against service (``plan_frontier.png``) and, with several inflow
scales, the least staffing against inflow (``plan_inflow.png``). Written atomically.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from samflode.execution.atomic import write_atomically
from samflode.experiments.planning.binds import binds
from samflode.report.labels import kpi_label

if TYPE_CHECKING:  # the planner runs the model; its files only read what it found
    from samflode.experiments.planning.search import Candidate, Plan, ScalePlan

DPI = 120
PLAN_JSON = "plan.json"
CANDIDATES_CSV = "candidates.csv"


def _finite(x: float) -> float | None:
    return x if isinstance(x, int | float) and math.isfinite(x) else None


def _clean(obj: Any) -> Any:
    """JSON without NaN or infinity (null instead), so any reader can load it."""
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    if isinstance(obj, float):
        return _finite(obj)
    return obj


def _point(plan: Plan, cand: Candidate) -> dict:
    return {
        "levers": {lv.name: v for lv, v in zip(plan.levers, cand.values, strict=True)},
        "targets": [e.as_dict() for e in cand.estimates],
        "met": cand.met,
        "cost_per_year_sek": cand.cost_per_year,
        "cost_per_year_by_party_sek": cand.cost_by_party,
        "simulated_running_cost_per_year_sek": cand.mean("cost_total_sek_per_year"),
        "replications": cand.n,
    }


def scale_payload(plan: Plan, scale: ScalePlan) -> dict:
    """The answer at one inflow scale, as plan.json holds it."""
    chosen = _point(plan, scale.chosen)
    return {
        "inflow_scale": scale.inflow_scale,
        "met": scale.met,
        "reason": scale.reason,
        "chosen": chosen["levers"],
        "targets": chosen["targets"],
        "cost_per_year_sek": chosen["cost_per_year_sek"],
        "cost_per_year_by_party_sek": chosen["cost_per_year_by_party_sek"],
        "simulated_running_cost_per_year_sek": chosen["simulated_running_cost_per_year_sek"],
        "confirmed_on_fresh_replications": scale.confirmed,
        "confirmation": _point(plan, scale.confirmation) if scale.confirmation else None,
        "today": _point(plan, scale.today),
        "best_reachable": _point(plan, scale.top),
        "starting_guess": {
            lv.name: {"value": g.value, "method": g.method}
            for lv, g in zip(plan.levers, scale.guesses, strict=True)
        },
        "binds": [b.as_dict() for b in binds(scale, plan.targets, plan.scenario)],
        "simulations": scale.simulations,
    }


def plan_payload(plan: Plan) -> dict:
    """The whole of plan.json."""
    scales = [scale_payload(plan, s) for s in plan.scales]
    first = scales[0]
    return _clean(
        {
            "scenario": plan.scenario.name,
            "mode": plan.mode,
            "mode_means": (
                f"a target holds if the one-sided {plan.confidence:.0%} confidence bound of its "
                "mean meets it"
                if plan.mode == "mean"
                else f"a target holds if at least {plan.confidence:.0%} of replications (each a "
                "plausible year) meet it"
            ),
            "confidence": plan.confidence,
            "met": plan.met,
            "chosen": first["chosen"],
            "targets": first["targets"],
            "cost_per_year_sek": first["cost_per_year_sek"],
            "levers": [
                {
                    "lever": lv.name,
                    "paths": list(lv.paths),
                    "today": lv.today,
                    "min": lv.low,
                    "max": lv.high,
                    "cost_per_unit_and_year_sek": lv.unit_cost_per_year,
                    "cost_source": lv.cost_source,
                }
                for lv in plan.levers
            ],
            "budget_sek": plan.budget_sek,
            "seed": plan.seed,
            "replications": {"start": plan.start, "most": plan.cap},
            "simulations": plan.simulations,
            "plans": scales,
        }
    )


def candidates_frame(plan: Plan) -> pd.DataFrame:
    """Every evaluated point of every scale: levers, cost, and each target's estimate."""
    rows = []
    for scale in plan.scales:
        for c in scale.candidates:
            row: dict[str, Any] = {"inflow_scale": scale.inflow_scale, "order": c.order}
            row |= {lv.name: v for lv, v in zip(plan.levers, c.values, strict=True)}
            row |= {
                "fresh_replications": c.fresh,
                "replications": c.n,
                "cost_per_year_sek": c.cost_per_year,
                "met": c.met,
                "chosen": c.values == scale.chosen.values and not c.fresh,
            }
            for e in c.estimates:
                k = e.target.label
                row |= {f"{k} mean": e.mean, f"{k} low": e.low, f"{k} high": e.high,
                        f"{k} p_met": e.p_met, f"{k} met": e.met}  # fmt: skip
            rows.append(row)
    return pd.DataFrame(rows)


def _figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _slice(plan: Plan, scale: ScalePlan, i: int) -> list[Candidate]:
    """Candidates that differ from the chosen plan in lever ``i`` only (or, if fewer than two,
    those that differ from the top in lever ``i`` only: the one-lever searches).
    """
    cands = [c for c in scale.candidates if not c.fresh]
    for anchor in (scale.chosen.values, scale.top.values):
        pts = [
            c for c in cands if all(c.values[j] == anchor[j] for j in range(len(anchor)) if j != i)
        ]
        if len({c.values[i] for c in pts}) >= 2:
            return sorted(pts, key=lambda c: c.values[i])
    return sorted(cands, key=lambda c: c.values[i])


def targets_figure(plan: Plan) -> Figure:
    """Each target (rows) against each lever (columns): mean, bounds, threshold, chosen value."""
    nt, nl = len(plan.targets), len(plan.levers)
    fig = _figure(4.2 * nl + 0.5, 3.0 * nt + 0.6)
    axes = fig.subplots(nt, nl, squeeze=False)
    for ti, target in enumerate(plan.targets):
        for li, lever in enumerate(plan.levers):
            ax = axes[ti][li]
            for scale in plan.scales:
                pts = _slice(plan, scale, li)
                xs = [c.values[li] for c in pts]
                est = [c.estimates[ti] for c in pts]
                mean = [e.mean for e in est]
                low = [e.mean - e.low if math.isfinite(e.low) else 0 for e in est]
                high = [e.high - e.mean if math.isfinite(e.high) else 0 for e in est]
                bars = ax.errorbar(xs, mean, yerr=[low, high], marker="o", capsize=3,
                                   label=f"inflow × {scale.inflow_scale:g}")  # fmt: skip
                ax.axvline(scale.chosen.values[li], color=bars[0].get_color(), ls=":", lw=1)
            ax.axhline(target.value, color="crimson", lw=1.2, label=f"target {target.sense} "
                       f"{target.value:g}")  # fmt: skip
            ax.axvline(lever.today, color="grey", ls="--", lw=1, label=f"today {lever.today}")
            ax.set_xlabel(lever.name, fontsize=8)
            ax.set_ylabel(kpi_label(target.kpi), fontsize=8)
            ax.grid(alpha=0.3)
            if ti == 0 and li == 0:
                ax.legend(fontsize=7)
    fig.suptitle(
        f"{plan.scenario.name}: targets against levers\n(other levers as planned; dotted: the "
        f"plan; bars: {plan.confidence:.0%} one-sided bounds)",
        fontsize=9,
    )
    return fig


def frontier_figure(plan: Plan) -> Figure:
    """Cost a year against each target's estimate for every evaluated point; the frontier."""
    nt = len(plan.targets)
    fig = _figure(4.6 * nt + 0.4, 3.6)
    axes = fig.subplots(1, nt, squeeze=False)[0]
    for ti, target in enumerate(plan.targets):
        ax = axes[ti]
        for scale in plan.scales:
            cands = sorted(
                (c for c in scale.candidates if not c.fresh), key=lambda c: c.cost_per_year
            )
            x = [c.cost_per_year / 1e6 for c in cands]
            y = [c.estimates[ti].mean for c in cands]
            line = ax.scatter(
                x, y, s=18, alpha=0.6, label=f"candidates, inflow × {scale.inflow_scale:g}"
            )
            colour = line.get_facecolor()[0]
            # The frontier: the best estimate reachable at or below each cost.
            best, fx, fy = None, [], []
            better = max if target.sense == ">=" else min
            for xi, yi in zip(x, y, strict=True):
                if math.isfinite(yi):
                    best = yi if best is None else better(best, yi)
                    fx.append(xi)
                    fy.append(best)
            ax.step(fx, fy, where="post", color=colour, lw=1)
            c = scale.chosen
            ax.scatter([c.cost_per_year / 1e6], [c.estimates[ti].mean], marker="*", s=160,
                       color=colour, edgecolor="black", zorder=3, label="plan")  # fmt: skip
            t = scale.today
            ax.scatter([t.cost_per_year / 1e6], [t.estimates[ti].mean], marker="s", s=50,
                       facecolor="none", edgecolor=colour, zorder=3, label="today")  # fmt: skip
        ax.axhline(target.value, color="crimson", lw=1.2)
        ax.set_xlabel("staff cost a year, MSEK")
        ax.set_ylabel(kpi_label(target.kpi))
        ax.grid(alpha=0.3)
        if ti == 0:
            ax.legend(fontsize=7)
    fig.suptitle(f"{plan.scenario.name}: cost against service", fontsize=9)
    return fig


def inflow_figure(plan: Plan) -> Figure:
    """The least value of each lever against the inflow scale, with today's value."""
    fig = _figure(5.5, 3.6)
    ax = fig.subplots()
    xs = [s.inflow_scale for s in plan.scales]
    for li, lever in enumerate(plan.levers):
        ys = [s.chosen.values[li] if s.met else math.nan for s in plan.scales]
        line = ax.plot(xs, ys, marker="o", label=f"{lever.name} (plan)")[0]
        ax.axhline(lever.today, color=line.get_color(), ls="--", lw=1, label=f"{lever.name} today")
    ax.set_xlabel("inflow (× today's)")
    ax.set_ylabel("least value meeting every target")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    ax.set_title(f"{plan.scenario.name}: least staffing against inflow", fontsize=9)
    return fig


def write_plan(plan: Plan, out_dir: str | Path) -> list[Path]:
    """Write plan.json, candidates.csv and the figures into ``out_dir``, atomically."""
    payload = plan_payload(plan)
    frame = candidates_frame(plan)

    def png(make: Callable[[Plan], Figure]) -> Callable[[Path], None]:
        return lambda p: make(plan).savefig(p, format="png", dpi=DPI)

    writers: dict[str, Callable[[Path], None]] = {
        PLAN_JSON: lambda p: p.write_text(
            json.dumps(payload, indent=2, ensure_ascii=False), encoding="utf-8"
        ),
        CANDIDATES_CSV: lambda p: frame.to_csv(p, index=False, float_format="%.10g"),
        "plan_targets.png": png(targets_figure),
        "plan_frontier.png": png(frontier_figure),
    }
    if len(plan.scales) > 1:
        writers["plan_inflow.png"] = png(inflow_figure)
    return write_atomically(out_dir, writers)
