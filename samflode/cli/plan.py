"""``samflode plan``: the least costly staffing that keeps the targets, at one or more inflows.

Same conventions as the other commands: every target, lever and option is checked before
anything runs (exit 2 with the option and the allowed values); progress on stderr; each
replication's KPIs kept in OUT/replications/ for ``--resume``; results written atomically. A
plan that cannot be met inside the lever bounds (or the budget) is a result, not an error: the
files are written, the message names the best reachable value, and the exit code is 1.
"""

from __future__ import annotations

import math
import os
import shutil
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from samflode.cli.commands import (
    DEFAULT_WORKERS,
    Resume,
    Scheduler,
    Sets,
    Workers,
    _check_workers,
    _out_folder,
    app,
    check_overrides,
    default_scenario_path,
    load_overridden,
    override_facts,
    warn_about_design,
)
from samflode.cli.errors import experiment, fail
from samflode.cli.render import console, err_console, progress_bar
from samflode.config.loader import ScenarioError
from samflode.config.overrides import check_inflow_scale
from samflode.execution.checkpoint import Checkpoint, scenario_digest
from samflode.execution.outdir import write_manifest
from samflode.execution.parallel import executor
from samflode.execution.runner import REPLICATIONS_DIR
from samflode.execution.units import KpiStore
from samflode.experiments.planning.binds import binds
from samflode.experiments.planning.decide import MODES
from samflode.experiments.planning.search import DEFAULT_CAP, DEFAULT_START, Plan, plan
from samflode.experiments.planning.spec import PlanError, parse_levers, parse_targets
from samflode.report.format import fmt
from samflode.report.plan import write_plan

MAX_SCALES = 10


def parse_scales(text: str | None) -> list[float]:
    """``A,B,…`` inflow scales (default: today's inflow only); PlanError if one is bad."""
    if text is None:
        return [1.0]
    try:
        scales = [float(v) for v in text.split(",")]
    except ValueError:
        raise PlanError(
            f"--inflow-scale: expected numbers separated by commas, e.g. 1,1.5,2 (got {text!r})"
        ) from None
    for s in scales:
        check_inflow_scale(s)
    if len(set(scales)) != len(scales) or len(scales) > MAX_SCALES:
        raise PlanError(f"--inflow-scale: at most {MAX_SCALES} distinct scales (got {text})")
    return sorted(scales)


@app.command("plan")
def plan_command(
    scenario: Annotated[
        Path | None,
        typer.Argument(help="scenario YAML, today's design and staffing (default: nacka-forum)"),
    ] = None,
    target: Annotated[
        list[str] | None,
        typer.Option(
            help="KPI>=VALUE or KPI<=VALUE, e.g. share_first_meeting_within_7d>=0.9 "
            "(repeatable: every target must hold)"
        ),
    ] = None,
    lever: Annotated[
        list[str] | None,
        typer.Option(
            help="PATH[=MIN:MAX][@SEK]: a headcount, caseload_cap or places field, or "
            "konsultation.teams; default bounds 1 to 3 × today (repeatable)"
        ),
    ] = None,
    mode: Annotated[
        str,
        typer.Option(
            help="mean: the mean's confidence bound meets the target; probability: the "
            "share of replications (years) meeting it is at least --confidence"
        ),
    ] = "mean",
    confidence: Annotated[float, typer.Option(help="confidence (0.5 to below 1)")] = 0.95,
    budget_sek: Annotated[
        float | None, typer.Option(help="most staff cost a year, SEK (none: no cap)")
    ] = None,
    inflow_scale: Annotated[
        str | None, typer.Option(help="inflow scales to plan for, e.g. 1,2 (default: 1)")
    ] = None,
    replications: Annotated[
        int,
        typer.Option(
            help=f"most replications per candidate ({DEFAULT_START}–1000); candidates "
            f"start with {DEFAULT_START} and get more only while undecided"
        ),
    ] = DEFAULT_CAP,  # fmt: skip
    seed: Annotated[int, typer.Option(help="experiment seed (≥ 0)")] = 1,
    workers: Workers = DEFAULT_WORKERS,
    scheduler: Scheduler = None,
    out: Annotated[str, typer.Option(help="output directory")] = "plan",
    resume: Resume = False,
    set_: Sets = None,
) -> None:
    """Find the least costly lever values that meet every target; write plan.json and figures.

    Writes plan.json (the answer per inflow scale, with what binds), candidates.csv (every point
    evaluated) and plan_targets.png, plan_frontier.png (and plan_inflow.png with several scales)
    to OUT. Exit 1 if no plan inside the bounds or the budget meets the targets.
    """
    if mode not in MODES:
        raise fail(f"--mode: must be one of {', '.join(MODES)} (got {mode!r})")
    if not 0.5 <= confidence < 1:
        raise fail(f"--confidence: must be at least 0.5 and below 1 (got {confidence})")
    if not DEFAULT_START <= replications <= 1000:
        raise fail(f"--replications: must be between {DEFAULT_START} and 1000 (got {replications})")
    if seed < 0:
        raise fail(f"--seed: must be ≥ 0 (got {seed})")
    if budget_sek is not None and not (math.isfinite(budget_sek) and budget_sek > 0):
        raise fail(f"--budget-sek: must be a positive number of SEK (got {budget_sek})")
    _check_workers(workers, scheduler)
    sets = check_overrides(set_, None)
    folder = _out_folder(out)
    scenario = scenario or default_scenario_path()
    try:
        scales = parse_scales(inflow_scale)
        base = load_overridden(scenario, sets, None)
        targets = parse_targets(target or [], base)
        levers = parse_levers(lever or [], base)
    except ScenarioError as exc:
        raise fail(str(exc)) from None
    warn_about_design(scenario, base)
    manifest = {
        "scenario": base.name,
        "sha256": scenario_digest(base),
        "targets": target,
        "levers": lever,
        "mode": mode,
        "confidence": confidence,
        "scales": scales,
        "seed": seed,
        "replications": replications,
    }
    started = time.monotonic()
    with experiment(folder):
        store = KpiStore(Checkpoint(folder / REPLICATIONS_DIR, manifest, resume=resume))
        with progress_bar() as bar, executor(workers, scheduler) as ex:
            task = bar.add_task("plan: simulations", total=None)
            result = plan(
                base, targets, levers, mode=mode, confidence=confidence, inflow_scales=scales,
                budget_sek=budget_sek, seed=seed, cap=replications, store=store, on=ex,
                progress=lambda n: bar.update(task, advance=n),
            )  # fmt: skip
        written = write_plan(result, folder)
        shutil.rmtree(folder / REPLICATIONS_DIR, ignore_errors=True)
        written.append(
            write_manifest(
                folder, written, seed=seed, replications=replications,
                scenarios={base.name: scenario_digest(base)}, mode=mode,
                elapsed_seconds=round(time.monotonic() - started, 1),
                **override_facts(sets, None),
            )
        )  # fmt: skip
    print_plan(result)
    console.print(f"wrote {', '.join(os.fspath(p) for p in written)}", highlight=False)
    if not result.met:
        for s in result.scales:
            if not s.met:
                best = ", ".join(
                    f"{e.target.label}: {fmt(e.target.kpi, e.mean)}" for e in s.top.estimates
                )
                err_console.print(
                    f"no plan meets every target at inflow × {s.inflow_scale:g}: {s.reason}. "
                    f"Best reachable (every lever at its maximum): {best}",
                    soft_wrap=True,
                )
        raise typer.Exit(code=1)


def print_plan(result: Plan) -> None:
    """Per inflow scale: today against the plan, each target, cost, and what binds."""
    mode = (
        f"mean mode: the one-sided {result.confidence:.0%} bound of each mean must meet its target"
        if result.mode == "mean"
        else f"probability mode: at least {result.confidence:.0%} of replications (years) must "
        "meet each target"
    )
    console.print(f"{result.scenario.name}: {mode}", highlight=False)
    for s in result.scales:
        table = Table(
            title=f"inflow × {s.inflow_scale:g}: {s.reason} ({s.simulations} simulations"
            + (", confirmed on fresh replications)" if s.confirmed else ")"),
            title_justify="left",
        )
        table.add_column("", no_wrap=True)
        table.add_column("today", justify="right")
        table.add_column("plan", justify="right")
        for i, lv in enumerate(result.levers):
            table.add_row(lv.name, str(s.today.values[i]), str(s.chosen.values[i]))
        for a, b in zip(s.today.estimates, s.chosen.estimates, strict=True):
            kpi = a.target.kpi

            def cell(e, kpi=kpi) -> str:
                bound = f"[{fmt(kpi, e.low)}, {fmt(kpi, e.high)}]"
                ok = "meets" if e.met else "misses"
                return f"{fmt(kpi, e.mean)} {bound} p_met {e.p_met:.0%} {ok}"

            table.add_row(a.target.label, cell(a), cell(b))
        table.add_row(
            "staff cost a year", fmt("cost_total_sek", s.today.cost_per_year),
            fmt("cost_total_sek", s.chosen.cost_per_year),
        )  # fmt: skip
        console.print(table)
        console.print("What binds:", highlight=False)
        for b in binds(s, result.targets, result.scenario):
            console.print(f"  {b.sentence()}", highlight=False, soft_wrap=True)
