"""The Plan tab: the least costly staffing that meets the targets, found by simulation.

It asks what ``samflode plan`` asks — a design, targets on its KPIs, the levers the plan may turn
with their bounds, how a target is judged (mean or probability), inflow scales, replications —
and calls the same planner (:func:`samflode.experiments.planning.search.plan`) in this process,
serially. Targets and levers are checked by the planner's own parsers on every rerun, so a bad
bound is an error message before anything runs. The answer is cached on its inputs and kept in
the session, so switching tab or language does not simulate again; plan.json and candidates.csv
are the files the command line writes.
"""

from __future__ import annotations

import contextvars
import json
import math
from collections.abc import Callable

import pandas as pd
import streamlit as st

from samflode import Scenario, ScenarioError
from samflode.analysis.kpi import kpi_names
from samflode.dashboard.figures import png_bytes
from samflode.dashboard.i18n import kpi_name, t
from samflode.dashboard.scenarios import (
    bundled_scenarios,
    load_bundled,
    quick,
    scenario_from_yaml,
    scenario_yaml,
)
from samflode.experiments.planning.binds import Bind, binds
from samflode.experiments.planning.decide import P_INTERVAL
from samflode.experiments.planning.search import DEFAULT_START, Candidate, Plan, ScalePlan, plan
from samflode.experiments.planning.spec import (
    TEAMS,
    PlanError,
    Target,
    default_high,
    parse_lever,
    parse_levers,
    parse_targets,
)
from samflode.report.format import fmt
from samflode.report.plan import (
    candidates_frame,
    frontier_figure,
    inflow_figure,
    plan_payload,
    targets_figure,
)

DEFAULT_DESIGN = "nacka-forum.yaml"
MAX_TARGETS = 3
# One default per target row (the first is the one a plan asks for most often); a KPI the design
# does not have falls back to its first KPI.
DEFAULT_TARGETS = (
    ("share_first_meeting_within_7d", ">=", 0.9),
    ("share_kontrakt_within_14d", ">=", 0.8),
    ("days_to_first_meeting_mean", "<=", 7.0),
)
SENSES = {">=": "≥", "<=": "≤"}
SCALES = (1.0, 1.5, 2.0)
CAP_RANGE = (5, 40)
DEFAULT_CAP = 10
STAGE_KEYS = {
    "first meeting": "stage_first_meeting",
    "kontrakt": "stage_kontrakt",
    "Konsultation": "stage_konsultation",
    "Insatsmarknad place": "stage_insats",
    "caseload slot": "stage_slot",
    "the whole flow": "stage_whole",
}
RESULT = "plan_result"


@st.cache_resource(show_spinner=False)
def _scenario(label: str, quick_look: bool) -> Scenario:
    """A bundled design, shortened for a quick look (scenarios are frozen: sharing is safe)."""
    base = load_bundled(label)
    return quick(base) if quick_look else base


@st.cache_data(show_spinner=False)
def _kpis(label: str) -> list[str]:
    """The KPI names of a bundled design (they do not depend on the horizon)."""
    return kpi_names(load_bundled(label))


def lever_options(scenario: Scenario) -> dict[str, int]:
    """The levers the tab offers, each with today's value: every pool's headcount, and
    ``konsultation.teams`` when the design has a Konsultation.

    The teams' value today is that of its pools; if they differ the lever is still offered, and
    the planner's parser says why it cannot be used when it is chosen.
    """
    out = {f"staff.{pool}.headcount": sc.headcount for pool, sc in scenario.staff.items()}
    if scenario.konsultation is not None:
        try:
            out[TEAMS] = parse_lever(TEAMS, scenario).today
        except PlanError:
            out[TEAMS] = max(scenario.staff[r].headcount for r in scenario.konsultation.roles)
    return out


def run_plan(
    design: str,
    targets: tuple[str, ...],
    levers: tuple[str, ...],
    mode: str,
    confidence: float,
    scales: tuple[float, ...],
    seed: int,
    cap: int,
    progress: Callable[[int], None] | None = None,
) -> Plan:
    """The plan for a design given as YAML, with targets and levers as the CLI writes them.

    Serial (no executor), with ``cap`` replications at most per candidate and the planner's
    starting number (or ``cap`` if smaller).
    """
    scenario = scenario_from_yaml(design)
    return plan(
        scenario, parse_targets(targets, scenario), parse_levers(levers, scenario),
        mode=mode, confidence=confidence, inflow_scales=scales, seed=seed,
        start=min(DEFAULT_START, cap), cap=cap, progress=progress,
    )  # fmt: skip


@st.cache_data(max_entries=8, show_spinner=False)
def cached_plan(
    design: str,
    targets: tuple[str, ...],
    levers: tuple[str, ...],
    mode: str,
    confidence: float,
    scales: tuple[float, ...],
    seed: int,
    cap: int,
    _progress: Callable[[int], None] | None = None,
) -> Plan:
    """:func:`run_plan`, cached on its inputs (``_progress`` is not part of the key)."""
    return run_plan(design, targets, levers, mode, confidence, scales, seed, cap, _progress)


def _target_text(kpi: str, sense: str, value: float) -> str:
    return f"{kpi}{sense}{value:.12g}"


def _targets_editor(label: str, lang: str) -> list[str]:
    """The target rows: KPI, sense and value each; returns them as ``KPI>=VALUE`` texts."""
    names = _kpis(label)
    st.markdown(f"**{t('plan_targets', lang)}**")
    n = st.columns([1, 3])[0].number_input(
        t("plan_n_targets", lang), min_value=1, max_value=MAX_TARGETS, value=1, step=1,
        key="plan_n_targets",
    )  # fmt: skip
    texts = []
    for i in range(int(n)):
        kpi, sense, value = DEFAULT_TARGETS[i]
        left, middle, right = st.columns([4, 1, 1])
        chosen = left.selectbox(
            t("kpi", lang), options=names, index=names.index(kpi) if kpi in names else 0,
            format_func=lambda k: f"{kpi_name(k, lang)} ({k})", key=f"plan_kpi_{i}",
        )  # fmt: skip
        sense = middle.selectbox(
            t("plan_sense", lang), options=list(SENSES), index=list(SENSES).index(sense),
            format_func=SENSES.get, key=f"plan_sense_{i}",
        )  # fmt: skip
        value = right.number_input(
            t("plan_value", lang), value=value, step=0.01, format="%g",
            help=t("plan_value_help", lang), key=f"plan_value_{i}",
        )  # fmt: skip
        texts.append(_target_text(chosen, sense, float(value)))
    return texts


def _levers_editor(label: str, scenario: Scenario, lang: str) -> list[str]:
    """Which levers, and the bounds of each; returns them as ``PATH=MIN:MAX`` texts."""
    options = lever_options(scenario)
    forum = f"staff.{scenario.forum.staff}.headcount"
    default = [forum] if forum in options else list(options)[:1]
    # Pills, not a multiselect: the browser test finds the sidebar's design picker as the page's
    # only multiselect (every tab's widgets are on the page, shown or not).
    chosen = st.pills(
        t("plan_levers", lang), options=list(options), selection_mode="multi", default=default,
        format_func=lambda p: t("plan_lever_option", lang, lever=p, today=options[p]),
        key=f"plan_levers|{label}",
    )  # fmt: skip
    texts = []
    for path in chosen:
        today = options[path]
        low_col, high_col = st.columns(2)
        low = low_col.number_input(
            t("plan_min", lang, lever=path), min_value=1, value=1, step=1,
            key=f"plan_min|{label}|{path}",
        )  # fmt: skip
        high = high_col.number_input(
            t("plan_max", lang, lever=path), min_value=1, value=default_high(today),
            step=1, key=f"plan_max|{label}|{path}",
        )  # fmt: skip
        texts.append(f"{path}={int(low)}:{int(high)}")
    return texts


def _settings(lang: str) -> dict:
    """Mode, confidence, inflow scales, replications and seed."""
    columns = st.columns(5)
    mode = columns[0].radio(
        t("plan_mode", lang), options=["mean", "probability"],
        format_func=lambda m: t(f"plan_mode_{m}", lang), key="plan_mode",
    )  # fmt: skip
    confidence = columns[1].number_input(
        t("plan_confidence", lang), min_value=0.5, max_value=0.99, value=0.95, step=0.01,
        key="plan_confidence",
    )  # fmt: skip
    with columns[2]:
        scales = st.pills(
            t("plan_scales", lang), options=list(SCALES), selection_mode="multi",
            default=[SCALES[0]], format_func=lambda s: f"× {s:g}", key="plan_scales",
        )  # fmt: skip
    cap = columns[3].number_input(
        t("plan_cap", lang), min_value=CAP_RANGE[0], max_value=CAP_RANGE[1], value=DEFAULT_CAP,
        step=1, help=t("plan_cap_help", lang), key="plan_cap",
    )  # fmt: skip
    seed = columns[4].number_input(t("plan_seed", lang), min_value=0, value=1, step=1,
                                   key="plan_seed")  # fmt: skip
    return {
        "mode": mode,
        "confidence": round(float(confidence), 6),
        "scales": tuple(sorted(float(s) for s in scales)),
        "cap": int(cap),
        "seed": int(seed),
    }


def _number(x: float) -> float:
    """NaN for an infinite bound (fewer than two runs), which :func:`fmt` shows as a dash."""
    return x if math.isfinite(x) else math.nan


def _estimate(target: Target, cand: Candidate, i: int) -> str:
    e = cand.estimates[i]
    k = target.kpi
    mark = "✓" if e.met else "✗"
    return f"{fmt(k, e.mean)} [{fmt(k, _number(e.low))} – {fmt(k, _number(e.high))}] {mark}"


def _target_name(target: Target, lang: str) -> str:
    return f"{kpi_name(target.kpi, lang)} {SENSES[target.sense]} {fmt(target.kpi, target.value)}"


def _levers_text(p: Plan, cand: Candidate) -> str:
    return ", ".join(f"{lv.name} = {v}" for lv, v in zip(p.levers, cand.values, strict=True))


def _best_text(p: Plan, cand: Candidate, lang: str) -> str:
    return "; ".join(
        f"{kpi_name(tg.kpi, lang)} {_estimate(tg, cand, i)}" for i, tg in enumerate(p.targets)
    )


def side_by_side(p: Plan, scale: ScalePlan, lang: str) -> pd.DataFrame:
    """Today against the plan (or the best reachable, when there is none) at one inflow scale:
    lever values, each target's estimate and share of runs meeting it, staff cost a year.
    """
    planned = "plan_col_planned" if scale.top.met else "plan_col_top"
    columns = {t("plan_col_today", lang): scale.today, t(planned, lang): scale.chosen}
    rows: dict[str, list[str]] = {}
    for i, lever in enumerate(p.levers):
        rows[lever.name] = [str(c.values[i]) for c in columns.values()]
    for i, target in enumerate(p.targets):
        rows[_target_name(target, lang)] = [_estimate(target, c, i) for c in columns.values()]
        rows[t("plan_row_p_met", lang, target=target.label)] = [
            f"{100 * c.estimates[i].p_met:.0f} %" for c in columns.values()
        ]
    rows[t("plan_row_met", lang)] = [
        t("plan_yes" if c.met else "plan_no", lang) for c in columns.values()
    ]
    rows[t("plan_row_cost", lang)] = [
        fmt("cost_staff_sek", c.cost_per_year) for c in columns.values()
    ]
    rows[t("plan_row_runs", lang)] = [str(c.n) for c in columns.values()]
    return pd.DataFrame.from_dict(rows, orient="index", columns=list(columns))


def _percent(x: float, lang: str) -> str:
    """A share as a whole per cent: ``95%`` as the CLI prints it, ``95 %`` in Swedish."""
    text = f"{x:.0%}"
    return text.replace("%", " %") if lang == "sv" else text


def bind_sentence(bind: Bind, lang: str) -> str:
    """:meth:`Bind.sentence` in ``lang`` (in English, the same words as the CLI prints)."""
    stage = t(STAGE_KEYS[bind.stage], lang) if bind.stage in STAGE_KEYS else bind.stage
    parts = [f"{bind.target}: {stage}"]
    if bind.busiest:
        p = bind.pools[bind.busiest]
        slots = "occupancy_today" in p
        key = "occupancy" if slots else "utilisation"
        parts.append(
            t("bind_busiest", lang, pool=bind.busiest,
              what=t("bind_slots" if slots else "bind_utilisation", lang),
              today=_percent(p[key + "_today"], lang), planned=_percent(p[key + "_planned"], lang))
        )  # fmt: skip
    if bind.wait_kpi:
        parts.append(
            t("bind_wait", lang, today=f"{bind.wait_today:.1f}",
              planned=f"{bind.wait_planned:.1f}")
        )  # fmt: skip
    if bind.hangs_on:
        parts.append(t("bind_hangs_on", lang, levers=t("bind_or", lang).join(bind.hangs_on)))
    elif bind.hangs_on == []:
        parts.append(t("bind_no_single", lang))
    return "; ".join(parts)


def _verdict(p: Plan, scale: ScalePlan, lang: str) -> None:
    """Met, or why not: the no-solution answer names the best value reachable within bounds."""
    levers = _levers_text(p, scale.chosen)
    if scale.met:
        st.success(t("plan_met", lang, levers=levers))
    elif not scale.top.met:
        st.error(t("plan_no_solution", lang, levers=levers, best=_best_text(p, scale.top, lang)))
    elif scale.confirmation is not None and not scale.confirmed:
        best = _best_text(p, scale.confirmation, lang)
        st.warning(t("plan_not_confirmed", lang, levers=levers, best=best))
    else:
        st.warning(t("plan_not_met", lang, reason=scale.reason))


def _keep(key: tuple, p: Plan, quick_look: bool) -> None:
    """The plan and everything drawn from it, in the session (drawn once, not on every rerun)."""
    pngs = {"plan_fig_targets": png_bytes(targets_figure(p)),
            "plan_fig_frontier": png_bytes(frontier_figure(p))}  # fmt: skip
    if len(p.scales) > 1:
        pngs["plan_fig_inflow"] = png_bytes(inflow_figure(p))
    frame = candidates_frame(p)
    st.session_state[RESULT] = {
        "key": key,
        "plan": p,
        "quick": quick_look,
        "pngs": pngs,
        "candidates": frame,
        "json": json.dumps(plan_payload(p), indent=2, ensure_ascii=False),
        "csv": frame.to_csv(index=False, float_format="%.10g"),
    }


def _show(result: dict, lang: str) -> None:
    """The answer: per inflow scale the verdict, the table and what binds; figures; files."""
    p: Plan = result["plan"]
    tag = f" ({t('plan_quick_tag', lang)})" if result["quick"] else ""
    suffix = "-quick" if result["quick"] else ""
    st.subheader(t("plan_answer", lang, name=p.scenario.name) + tag)
    if result["quick"]:
        st.warning(t("plan_quick_banner", lang))
    rule = t(f"plan_rule_{p.mode}", lang, c=_percent(p.confidence, lang))
    # The bounds shown: at the plan's confidence in mean mode; in probability mode the planner
    # reports the mean with its 95 % bounds and decides on the share of runs.
    level = p.confidence if p.mode == "mean" else P_INTERVAL
    st.caption(f"{rule} {t('plan_facts', lang, n=p.simulations, seed=p.seed)}")
    for scale in p.scales:
        st.markdown(f"#### {t('plan_scale', lang, s=f'{scale.inflow_scale:g}')}")
        _verdict(p, scale, lang)
        st.markdown(f"**{t('plan_table', lang)}{tag}**")
        st.table(side_by_side(p, scale, lang))
        st.caption(t("plan_table_note", lang, c=_percent(level, lang)))
        st.markdown(f"**{t('plan_binds', lang)}**")
        sentences = [bind_sentence(b, lang) for b in binds(scale, p.targets, p.scenario)]
        st.markdown("\n".join(f"- {s}" for s in sentences))
    for name, data in result["pngs"].items():
        st.markdown(f"**{t(name, lang)}{tag}**")
        st.image(data, width="content")
    with st.expander(t("plan_candidates", lang)):
        st.dataframe(result["candidates"], hide_index=True, key="plan_candidates")
    st.markdown(f"**{t('downloads', lang)}{tag}**")
    left, right = st.columns(2)
    left.download_button(
        f"plan{suffix}.json", result["json"], file_name=f"plan{suffix}.json",
        mime="application/json", key="plan_dl_json",
    )  # fmt: skip
    right.download_button(
        f"candidates{suffix}.csv", result["csv"], file_name=f"candidates{suffix}.csv",
        mime="text/csv", key="plan_dl_csv",
    )  # fmt: skip


def _inputs(lang: str) -> tuple[tuple | None, bool]:
    """Lay out the question; returns the plan's cache key (None if it cannot run) and whether it
    is a quick look. Bad targets or levers are shown as errors here, before anything runs.
    """
    files = list(bundled_scenarios())
    left, right = st.columns([3, 1])
    label = left.selectbox(
        t("plan_design", lang), options=files,
        index=files.index(DEFAULT_DESIGN) if DEFAULT_DESIGN in files else 0, key="plan_design",
    )  # fmt: skip
    with right:
        quick_look = st.checkbox(t("plan_quick", lang), value=True, key="plan_quick")
    try:
        scenario = _scenario(label, quick_look)
    except ScenarioError as exc:
        st.error(f"{t('plan_bad', lang)}\n\n```\n{exc}\n```")
        return None, quick_look
    targets = _targets_editor(label, lang)
    levers = _levers_editor(label, scenario, lang)
    settings = _settings(lang)
    problems = []
    try:
        parse_targets(targets, scenario)
    except PlanError as exc:
        problems.append(str(exc))
    if not levers:
        problems.append(t("plan_no_levers", lang))
    else:
        try:
            parse_levers(levers, scenario)  # also refuses bounds the design cannot take
        except ScenarioError as exc:
            problems.append(str(exc))
    if not settings["scales"]:
        problems.append(t("plan_no_scales", lang))
    for problem in problems:
        st.error(f"{t('plan_bad', lang)}\n\n{problem}")
    if problems:
        return None, quick_look
    key = (
        scenario_yaml(scenario), tuple(targets), tuple(levers), settings["mode"],
        settings["confidence"], settings["scales"], settings["seed"], settings["cap"],
    )  # fmt: skip
    return key, quick_look


def plan_tab(lang: str) -> None:
    """Lay out the tab: the question, the Run plan button, and the last plan's answer."""
    st.caption(t("plan_intro", lang))
    key, quick_look = _inputs(lang)
    run = st.button(t("plan_run", lang), type="primary", disabled=key is None, key="plan_run")
    if run and key is not None:
        note = st.empty()
        # As on the compare tab: st calls inside a cached function are recorded for replay, so
        # the counter is updated in the page's own context, captured here.
        page = contextvars.copy_context()
        done = [0]

        def report(n: int) -> None:
            done[0] += n
            page.run(note.caption, t("plan_running", lang, n=done[0]))

        try:
            with st.spinner(t("running", lang)):
                found = cached_plan(*key, _progress=report)
        except (ScenarioError, ValueError) as exc:
            st.error(f"{t('plan_bad', lang)}\n\n{exc}")
        else:
            _keep(key, found, quick_look)
        note.empty()
    result = st.session_state.get(RESULT)
    if result is None:
        st.info(t("plan_press_run", lang))
        return
    if result["key"] != key:
        st.info(t("plan_stale", lang))
    _show(result, lang)
