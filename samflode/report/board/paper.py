"""Build the board paper from a result bundle: the sections, in the order a board reads them.

1 the question, 2 the answer on one page (which design, by how much, how sure), 3 the designs
compared, 4 lead times against the rules, 5 outcomes at 90 days and 6 months (every state),
6 cost per financing party a year and per outcome, 7 income support saved, 8 what binds capacity
(and a capacity plan where one is given), 9 the calibration's credibility, 10 assumptions with
their sources, 11 the method (STRESS-DES), 12 the run manifest. Every number comes from the
bundle's files; nothing is simulated here.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterator
from importlib import metadata
from typing import Any

import pandas as pd

from samflode.analysis.kpi import FOLLOWUP_STATES
from samflode.report import charts
from samflode.report.board.answer import OUTCOME, Answer, decide, effect
from samflode.report.board.bundle import Bundle
from samflode.report.board.document import (
    Bullets,
    Cell,
    Data,
    Image,
    Paper,
    Paragraph,
    Section,
    Table,
)
from samflode.report.board.text import say
from samflode.report.format import fmt, fmt_delta, number
from samflode.report.labels import kpi_label

MAX_DIFFERENCES = 10
MAX_SOURCES = 6
KEY_KPIS = (
    "share_work_or_studies_90d",
    "share_work_or_studies_6m",
    "days_to_first_meeting_mean",
    "share_first_meeting_within_7d",
    "cost_total_sek_per_year",
    "saving_forsorjningsstod_sek_per_year",
)
LEAD_KPIS = (
    "days_to_first_meeting_mean",
    "days_to_first_meeting_p90",
    "share_first_meeting_within_7d",
    "days_to_kontrakt_mean",
    "share_kontrakt_within_14d",
    "days_to_konsultation_mean",
    "share_konsultation_within_7d",
    "days_waiting_for_slot_mean",
    "days_waiting_for_insats_mean",
    "days_in_flow_mean",
)
STATE_KPIS = tuple(
    f"share_{state}_{when}" for when in ("90d", "6m") for state in FOLLOWUP_STATES
) + ("share_dropout", "share_exits_to_benefits")
COST_KPIS = (
    "cost_fk_sek_per_year",
    "cost_af_sek_per_year",
    "cost_region_sek_per_year",
    "cost_municipality_sek_per_year",
    "cost_total_sek_per_year",
    "cost_staff_sek_per_year",
    "cost_providers_sek_per_year",
    "cost_coordination_sek_per_year",
    "cost_per_participant_sek",
    "cost_per_work_outcome_sek",
    "benefit_cost_sek_per_year",
    "cost_incl_benefits_sek_per_year",
    "cost_incl_benefits_per_work_outcome_sek",
)
SAVING_KPIS = ("saving_forsorjningsstod_sek_per_year", "share_work_90d", "share_work_6m")
# Which way is better, for marking clear differences (other KPIs are not marked).
HIGHER_IS_BETTER = {
    "share_work_or_studies_90d",
    "share_work_or_studies_6m",
    "share_work_90d",
    "share_work_6m",
    "share_studies_90d",
    "share_studies_6m",
    "share_first_meeting_within_7d",
    "share_kontrakt_within_14d",
    "share_konsultation_within_7d",
    "saving_forsorjningsstod_sek_per_year",
}
LOWER_IS_BETTER_PREFIXES = ("days_", "cost_", "benefit_cost")
LOWER_IS_BETTER = {
    "share_dropout",
    "share_dropout_90d",
    "share_dropout_6m",
    "share_benefits_90d",
    "share_benefits_6m",
    "share_permanent_support_90d",
    "share_permanent_support_6m",
    "share_exits_to_benefits",
}


def _png(fig: Any) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=charts.DPI)
    return buffer.getvalue()


def _mega(kpi: str) -> bool:
    return kpi.endswith("_per_year")


def _value(bundle: Bundle, kpi: str, name: str, lang: str) -> str:
    return fmt(kpi, bundle.cell(kpi, name), mega=_mega(kpi), lang=lang)


def _delta(bundle: Bundle, kpi: str, name: str, lang: str) -> str:
    d = effect(bundle, kpi, name)
    if math.isnan(d.mean):
        return "–"
    mega = _mega(kpi)
    low = fmt_delta(kpi, d.low, mega=mega, lang=lang)
    high = fmt_delta(kpi, d.high, mega=mega, lang=lang)
    return f"{fmt_delta(kpi, d.mean, mega=mega, lang=lang)} [{low}; {high}]"


def _mark(bundle: Bundle, kpi: str, name: str) -> str:
    d = effect(bundle, kpi, name)
    if not d.clear:
        return ""
    if kpi in HIGHER_IS_BETTER:
        return "good" if d.mean > 0 else "bad"
    if kpi in LOWER_IS_BETTER or kpi.startswith(LOWER_IS_BETTER_PREFIXES):
        if kpi.startswith("cost_") or kpi.startswith("benefit_cost"):
            return ""  # a cost is a choice, not a failure: shown, not coloured
        return "good" if d.mean < 0 else "bad"
    return ""


def kpi_table(bundle: Bundle, kpis: tuple[str, ...], lang: str, *, intervals: bool = True) -> Table:
    """One row per KPI present; each design's mean, and under it the paired difference (with
    its 95 % CI unless ``intervals`` is false, as on page one where the text gives them).
    """
    names = bundle.names
    labels = bundle.labels
    columns = [say("kpi", lang), say("reference_tag", lang, name=labels[0]), *labels[1:]]
    rows = []
    for kpi in kpis:
        if not bundle.has(kpi):
            continue
        row = [Cell(kpi_label(kpi, lang)), Cell(_value(bundle, kpi, names[0], lang))]
        for name in names[1:]:
            delta = _delta(bundle, kpi, name, lang)
            if not intervals:
                delta = delta.split(" [")[0]
            text = f"{_value(bundle, kpi, name, lang)}\n{delta}"
            row.append(Cell(text, _mark(bundle, kpi, name)))
        rows.append(row)
    note = "cell_note" if intervals else "cell_note_short"
    return Table(columns, rows, say(note, lang, n=bundle.replications))


def kpi_data(bundle: Bundle, kpis: tuple[str, ...] | None, lang: str, title: str) -> Data:
    """The numbers behind a KPI table for the workbook: one row per KPI and design."""
    table = bundle.table
    if kpis is not None:
        order = {k: i for i, k in enumerate(kpis)}
        table = table[table["kpi"].isin(order)].copy()
        table["_order"] = table["kpi"].map(order)
        table = table.sort_values(["_order"], kind="stable").drop(columns="_order")
    frame = pd.DataFrame(
        {
            "kpi": table["kpi"],
            "label": [kpi_label(k, lang) for k in table["kpi"]],
            "design": table["scenario"],
            "mean": table["mean"],
            "ci_low": table["ci_low"],
            "ci_high": table["ci_high"],
            "diff_vs_reference": table["diff_vs_first"],
            "diff_ci_low": table["diff_ci_low"],
            "diff_ci_high": table["diff_ci_high"],
        }
    )
    frame["p_diff_positive"] = [
        effect(bundle, k, n).p_positive if n != bundle.reference else math.nan
        for k, n in zip(frame["kpi"], frame["design"], strict=True)
    ]
    return Data(title, frame.reset_index(drop=True), {"p_diff_positive": "share"})


def _chart(name: str, bundle: Bundle, lang: str, caption: str) -> Image:
    fig = charts.CHARTS[name](
        bundle.table, bundle.names, lang, replications=bundle.replications, labels=bundle.labels
    )
    return Image(_png(fig), caption)


def _flatten(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _flatten(inner, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        for i, inner in enumerate(value):
            label = inner.get("name", i) if isinstance(inner, dict) else i
            yield from _flatten(inner, f"{path}[{label}]")
    else:
        yield path, value


def _differences(ref: dict[str, Any], own: dict[str, Any]) -> list[str]:
    """Dotted settings whose values differ between two flattened designs (names and
    descriptions, which always differ, left out).
    """
    skip = ("name", "title", "description")
    keys = list(dict.fromkeys([*own, *ref]))
    return [k for k in keys if k not in skip and ref.get(k) != own.get(k)]


def _part(path: str) -> str:
    """The part of a design a setting belongs to: its section and, within it, the pool, group or
    provider (``staff.forum_bedomare.headcount`` → ``staff.forum_bedomare``).
    """
    head, *rest = path.replace("[", ".[").split(".")
    return f"{head}.{rest[0]}" if rest and head in GROUPED else head


GROUPED = {"staff", "groups", "insatsmarknad", "konsultation", "forum", "costs", "casework"}


def what_differs(
    reference: dict[str, Any], design: dict[str, Any], lang: str
) -> tuple[int, list[str]]:
    """How many settings differ, and one line per part of the design that differs: added,
    removed, or which of its settings changed (from → to when it is one).
    """
    ref, own = dict(_flatten(reference)), dict(_flatten(design))
    changed = _differences(ref, own)
    parts: dict[str, list[str]] = {}
    for key in changed:
        parts.setdefault(_part(key), []).append(key)
    lines = []
    for part, keys in parts.items():
        in_ref = any(ref.get(k) is not None for k in keys) or ref.get(part) is not None
        in_own = any(own.get(k) is not None for k in keys) or own.get(part) is not None
        if not in_ref:
            lines.append(f"{part}: {say('added', lang)}")
        elif not in_own:
            lines.append(f"{part}: {say('removed_part', lang)}")
        elif len(keys) == 1:
            k = keys[0]
            lines.append(f"{k}: {_show(ref.get(k), lang)} → {_show(own.get(k), lang)}")
        else:
            names = ", ".join(k.removeprefix(part).lstrip(".") for k in keys[:4])
            more = f" {say('more', lang, n=len(keys) - 4)}" if len(keys) > 4 else ""
            lines.append(f"{part}: {say('n_settings', lang, n=len(keys))} ({names}{more})")
    return len(changed), lines


def _show(value: Any, lang: str) -> str:
    if value is None:
        return say("removed", lang)
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return number(value, 0 if value == int(value) else 2, lang)
    return str(value)


def _design_section(bundle: Bundle, lang: str) -> Section:
    section = Section("designs", say("s_designs", lang), say("s_designs", lang)[:31])
    reference = bundle.design(bundle.reference)["scenario"]
    rows = []
    for i, d in enumerate(bundle.designs):
        label = f"{bundle.label(d['name'])} ({d['name']})"
        title = say("reference_tag", lang, name=label) if i == 0 else label
        section.blocks.append(Paragraph(title, strong=True))
        section.blocks.append(Paragraph(d.get("description") or "—"))
        section.blocks.append(Paragraph(f"{say('file', lang)}: {d.get('source', '—')}"))
        count, lines = what_differs(reference, d["scenario"], lang) if i else (0, [])
        if i == 0:
            section.blocks.append(Paragraph(say("same_as_reference", lang)))
        elif lines:
            shown = lines[:MAX_DIFFERENCES]
            if len(lines) > MAX_DIFFERENCES:
                shown.append(say("more", lang, n=len(lines) - MAX_DIFFERENCES))
            section.blocks.append(Paragraph(say("differs", lang, n=count)))
            section.blocks.append(Bullets(shown))
        sources = _sources(d)
        if sources:
            shown = "; ".join(sources[:MAX_SOURCES])
            if len(sources) > MAX_SOURCES:
                shown += " " + say("more", lang, n=len(sources) - MAX_SOURCES)
            section.blocks.append(Paragraph(say("sources_cited", lang, sources=shown)))
        rows.append(
            {
                "design": d["name"],
                "reference": bool(i == 0),
                "description": d.get("description", ""),
                "file": d.get("source", ""),
                "settings_differing": count,
                "horizon_days": d["horizon_days"],
                "warmup_days": d["warmup_days"],
                "sha256": d.get("sha256", ""),
            }
        )
    section.data.append(Data(section.title, pd.DataFrame(rows), {"horizon_days": "count"}))
    return section


def _sources(design: dict[str, Any]) -> list[str]:
    """The distinct works a design file cites ("source: …" texts, not assumptions)."""
    seen: dict[str, None] = {}
    for text in design.get("provenance", {}).values():
        if text.startswith("source:"):
            seen.setdefault(text.removeprefix("source:").strip().split(";")[0].strip(), None)
    return list(seen)


def _answer_section(bundle: Bundle, answer: Answer, lang: str) -> tuple[Section, str]:
    ref = bundle.label(bundle.reference)
    section = Section("answer", say("s_answer", lang), say("s_answer", lang)[:31])
    if answer.keeps_reference:
        headline = say("headline_keep", lang, name=ref)
        section.blocks.append(Paragraph(say("answer_keep", lang, ref=ref)))
    else:
        headline = say("headline_better", lang, name=bundle.label(answer.proposed))
        v = answer.verdict(answer.proposed)
        o = OUTCOME
        section.blocks.append(
            Paragraph(
                say(
                    "answer_gain",
                    lang,
                    name=bundle.label(v.name),
                    ref=ref,
                    gain=fmt_delta(o, v.outcome.mean, lang=lang),
                    low=fmt_delta(o, v.outcome.low, lang=lang),
                    high=fmt_delta(o, v.outcome.high, lang=lang),
                    p=_probability(v.outcome.p_positive, lang),
                )
            )
        )
        c = "cost_total_sek_per_year"
        if v.cost.mean >= 0:
            text = say(
                "answer_cost",
                lang,
                ref=ref,
                dcost=fmt(c, v.cost.mean, mega=True, lang=lang),
                low=fmt_delta(c, v.cost.low, mega=True, lang=lang),
                high=fmt_delta(c, v.cost.high, mega=True, lang=lang),
                cpp=fmt("cost_", v.cost_per_extra_person, lang=lang),
                extra=number(v.extra_people_per_year, 0, lang),
            )
        else:
            text = say(
                "answer_cheaper",
                lang,
                ref=ref,
                dcost=fmt(c, -v.cost.mean, mega=True, lang=lang),
                low=fmt_delta(c, v.cost.low, mega=True, lang=lang),
                high=fmt_delta(c, v.cost.high, mega=True, lang=lang),
            )
        if answer.tied:
            tied = ", ".join(bundle.label(n) for n in answer.tied)
            text += " " + say("tied", lang, names=tied, name=bundle.label(v.name))
        section.blocks.append(Paragraph(text))
        s = "saving_forsorjningsstod_sek_per_year"
        section.blocks.append(
            Paragraph(
                say(
                    "answer_saving",
                    lang,
                    ref=ref,
                    saving=fmt(s, bundle.cell(s, v.name), mega=True, lang=lang),
                    dsaving=fmt_delta(s, v.saving.mean, mega=True, lang=lang),
                )
            )
        )
    section.blocks.append(kpi_table(bundle, KEY_KPIS, lang, intervals=False))
    sure = say("how_sure", lang, calibration=_calibration_line(bundle, lang))
    section.blocks.append(Paragraph(sure))
    data = kpi_data(bundle, KEY_KPIS, lang, say("key_figures", lang))
    verdicts = pd.DataFrame(
        [
            {
                "design": v.name,
                "proposed": v.name == answer.proposed,
                "gain_work_or_studies_90d": v.outcome.mean,
                "gain_ci_low": v.outcome.low,
                "gain_ci_high": v.outcome.high,
                "p_gain_positive": v.outcome.p_positive,
                "cost_difference_per_year_sek": v.cost.mean,
                "extra_people_in_work_or_studies_per_year": v.extra_people_per_year,
                "cost_per_extra_person_sek": v.cost_per_extra_person,
            }
            for v in answer.verdicts
        ]
    )
    kinds = {
        "gain_work_or_studies_90d": "share",
        "gain_ci_low": "share",
        "gain_ci_high": "share",
        "p_gain_positive": "share",
        "cost_difference_per_year_sek": "sek",
        "extra_people_in_work_or_studies_per_year": "number",
        "cost_per_extra_person_sek": "sek",
    }
    section.data = [Data(headline, verdicts, kinds), data]
    return section, headline


def _probability(p: float, lang: str) -> str:
    """A probability in per cent; beyond 99.9 % (or below 0.1 %) only as "above"/"below"."""
    if math.isnan(p):
        return "–"
    if p > 0.999:
        return f"{say('above', lang)} {number(99.9, 1, lang)} %"
    if p < 0.001:
        return f"{say('below', lang)} {number(0.1, 1, lang)} %"
    return f"{number(100 * p, 1, lang)} %"


def _calibration_line(bundle: Bundle, lang: str) -> str:
    fit = bundle.fit
    if fit is None:
        return say("not_calibrated", lang)
    held = fit[fit["holdout"].astype(bool)]
    fitted = fit[~fit["holdout"].astype(bool)]
    return say(
        "calibrated",
        lang,
        within=int(fitted["within_90"].astype(bool).sum()),
        targets=len(fitted),
        held_within=int(held["within_90"].astype(bool).sum()),
        held=len(held),
    )


def _kpi_section(
    bundle: Bundle,
    lang: str,
    key: str,
    kpis: tuple[str, ...],
    intro: str,
    chart: str | None,
    caption: str = "",
) -> Section:
    title = say(f"s_{key}", lang)
    section = Section(key, title, title[:31])
    section.blocks.append(Paragraph(say(intro, lang)))
    if chart is not None:
        section.blocks.append(_chart(chart, bundle, lang, caption))
    section.blocks.append(kpi_table(bundle, kpis, lang))
    section.data.append(kpi_data(bundle, kpis, lang, title))
    return section


def _binds_section(bundle: Bundle, lang: str) -> Section:
    title = say("s_binds", lang)
    section = Section("binds", title, title[:31])
    section.blocks.append(Paragraph(say("binds_text", lang)))
    lines = []
    for name in bundle.names:
        rows = bundle.table[
            (bundle.table["scenario"] == name) & bundle.table["kpi"].str.startswith("utilisation_")
        ].dropna(subset=["mean"])
        top = rows.sort_values("mean", ascending=False).head(3)
        pools = ", ".join(
            f"{k.removeprefix('utilisation_')} {fmt(k, m, lang=lang)}"
            for k, m in zip(top["kpi"], top["mean"], strict=True)
        )
        lines.append(say("busiest", lang, name=bundle.label(name), pools=pools or "—"))
    section.blocks.append(Bullets(lines))
    section.blocks.append(_chart("utilisation", bundle, lang, ""))
    utilisation = tuple(
        k for k in dict.fromkeys(bundle.table["kpi"]) if k.startswith("utilisation_")
    )
    section.data.append(kpi_data(bundle, utilisation, lang, title))
    if bundle.plan is not None:
        section.blocks.extend(_plan_blocks(bundle.plan, lang))
        section.data.append(_plan_data(bundle.plan))
    return section


def _plan_blocks(plan: dict[str, Any], lang: str) -> list[Paragraph | Bullets]:
    targets = ", ".join(t.get("target", "") for t in plan.get("targets", []))
    out: list[Paragraph | Bullets] = [
        Paragraph(
            say(
                "plan_text",
                lang,
                design=plan.get("scenario", "—"),
                mode=plan.get("mode", "—"),
                confidence=number(float(plan.get("confidence", math.nan)), 2, lang),
                targets=targets,
            )
        )
    ]
    lines = []
    for scale in plan.get("plans", []):
        chosen = ", ".join(f"{k} = {v}" for k, v in (scale.get("chosen") or {}).items())
        answer = (
            say("plan_met", lang, chosen=chosen) if scale.get("met") else say("plan_not_met", lang)
        )
        lines.append(
            say(
                "plan_line",
                lang,
                scale=number(float(scale.get("inflow_scale", 1)), 1, lang),
                answer=answer,
                cost=fmt("cost_", scale.get("cost_per_year_sek"), mega=True, lang=lang),
            )
        )
        for bind in scale.get("binds", []):
            lines.append(_bind_text(bind, lang))
    out.append(Bullets(lines))
    return out


def _bind_text(bind: dict[str, Any], lang: str) -> str:
    parts = [f"{bind.get('target', '')}: {bind.get('stage', '')}"]
    busiest = bind.get("busiest")
    if busiest:
        pool = bind.get("pools", {}).get(busiest, {})
        key = "occupancy" if "occupancy_today" in pool else "utilisation"
        today, planned = pool.get(f"{key}_today"), pool.get(f"{key}_planned")
        parts.append(
            f"{busiest} {fmt('share_', today, lang=lang)} → {fmt('share_', planned, lang=lang)}"
        )
    return ", ".join(parts)


def _plan_data(plan: dict[str, Any]) -> Data:
    rows = []
    for scale in plan.get("plans", []):
        for lever, value in (scale.get("chosen") or {}).items():
            rows.append(
                {
                    "inflow_scale": scale.get("inflow_scale"),
                    "met": scale.get("met"),
                    "lever": lever,
                    "planned": value,
                    "today": (scale.get("today") or {}).get("levers", {}).get(lever),
                    "staff_cost_per_year_sek": scale.get("cost_per_year_sek"),
                }
            )
    return Data("plan", pd.DataFrame(rows), {"staff_cost_per_year_sek": "sek", "planned": "count"})


def _calibration_section(bundle: Bundle, lang: str) -> Section:
    title = say("s_calibration", lang)
    section = Section("calibration", title, title[:31])
    fit = bundle.fit
    if fit is None:
        section.blocks.append(Paragraph(say("no_calibration", lang)))
        return section
    section.blocks.append(Paragraph(say("calibration_text", lang)))
    section.blocks.append(Paragraph(_calibration_line(bundle, lang)))
    rows = []
    for r in fit.itertuples(index=False):
        kpi = str(r.kpi)
        target = str(r.target) + (f" ({say('held_out', lang)})" if bool(r.holdout) else "")
        low = getattr(r, "predicted_q05", math.nan)
        high = getattr(r, "predicted_q95", math.nan)
        rows.append(
            [
                Cell(target),
                Cell(fmt(kpi, r.observed, lang=lang)),
                Cell(
                    f"{fmt(kpi, r.predicted_mean, lang=lang)} "
                    f"[{fmt(kpi, low, lang=lang)} – {fmt(kpi, high, lang=lang)}]"
                ),
                Cell(
                    say("yes" if bool(r.within_90) else "no", lang),
                    "good" if bool(r.within_90) else "bad",
                ),  # fmt: skip
            ]
        )
    columns = [
        say("target", lang),
        say("observed", lang),
        say("predicted", lang),
        say("within", lang),
    ]
    section.blocks.append(Table(columns, rows))
    section.data.append(Data(title, fit.copy(), {"observed": "number", "predicted_mean": "number"}))
    return section


def _assumptions_section(bundle: Bundle, lang: str) -> Section:
    title = say("s_assumptions", lang)
    section = Section("assumptions", title, title[:31])
    covers: dict[str, list[str]] = {}
    for d in bundle.designs:
        for path, text in d.get("provenance", {}).items():
            covers.setdefault(text, []).append(f"{d['name']}: {path}" if path else d["name"])
    section.blocks.append(Paragraph(say("assumptions_text", lang, n=len(covers))))
    rows, data = [], []
    for text, paths in sorted(
        covers.items(), key=lambda kv: (not kv[0].startswith("assumption"), kv[0])
    ):
        kind = "assumption" if text.startswith("assumption") else "source"
        body = text.split(":", 1)[1].strip() if ":" in text else text
        shown = ", ".join(paths[:3]) + (
            f" {say('more', lang, n=len(paths) - 3)}" if len(paths) > 3 else ""
        )
        rows.append([Cell(say(f"kind_{kind}", lang)), Cell(body), Cell(shown)])
        data.append({"kind": kind, "text": body, "settings": "; ".join(paths)})
    section.blocks.append(
        Table([say("kind", lang), say("text", lang), say("settings", lang)], rows)
    )
    section.data.append(Data(title, pd.DataFrame(data)))
    return section


def _method_section(bundle: Bundle, lang: str) -> Section:
    title = say("s_method", lang)
    section = Section("method", title, title[:31])
    ref = bundle.design(bundle.reference)
    manifest = bundle.manifest
    mser = say("mser_unknown", lang)
    if bundle.warmup is not None and "warmup_too_short" in bundle.warmup:
        short = bundle.warmup[bundle.warmup["warmup_too_short"].astype(bool)]["scenario"].tolist()
        mser = say("mser_short", lang, names=", ".join(short)) if short else say("mser_ok", lang)
    facts = {
        "n": bundle.replications,
        "seed": manifest.get("seed"),
        "window": number(float(ref["horizon_days"]) - float(ref["warmup_days"]), 0, lang),
        "warmup": number(float(ref["warmup_days"]), 0, lang),
        "mser": mser,
        "version": manifest.get("samflode_version", "—"),
        "command": manifest.get("command", "—"),
    }
    rows = []
    for key in ("objectives", "logic", "data", "experiment", "implementation", "verification"):
        heading, body = say(f"m_{key}", lang), say(f"m_{key}_text", lang, **facts)
        section.blocks.append(Paragraph(heading, strong=True))
        section.blocks.append(Paragraph(body))
        rows.append({"part": heading, "text": body})
    section.data.append(Data(title, pd.DataFrame(rows)))
    return section


def _manifest_section(bundle: Bundle, lang: str) -> Section:
    title = say("s_manifest", lang)
    section = Section("manifest", title, title[:31], page_break=False)
    m = bundle.manifest
    pairs = [
        (say("m_version", lang), str(m.get("samflode_version", "—"))),
        (say("m_command", lang), str(m.get("command", "—"))),
        (say("m_finished", lang), str(m.get("finished", "—"))),
        (say("m_seed", lang), str(m.get("seed"))),
        (say("m_replications", lang), str(m.get("replications"))),
    ]
    if m.get("overrides"):
        pairs.append((say("m_overrides", lang), str(m["overrides"])))
    pairs += [
        (say("m_scenario", lang, name=name), digest) for name, digest in m["scenarios"].items()
    ]
    pairs.append((say("m_report", lang), f"samflode {_version()}"))
    section.blocks.append(Paragraph(say("manifest_text", lang)))
    section.blocks.append(
        Table([say("field", lang), say("value", lang)], [[Cell(a), Cell(b)] for a, b in pairs])
    )
    section.data.append(Data(title, pd.DataFrame(pairs, columns=["field", "value"])))
    return section


def _version() -> str:
    try:
        return metadata.version("samflode")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "unknown"


def build_paper(bundle: Bundle, lang: str = "sv") -> Paper:
    """The whole board paper for ``bundle`` in ``lang`` ("sv" or "en")."""
    answer = decide(bundle)
    names = bundle.names
    ref = bundle.design(bundle.reference)
    question = Section("question", say("s_question", lang), say("s_question", lang)[:31],
                       page_break=False)  # fmt: skip
    question.blocks.append(
        Paragraph(
            say(
                "question",
                lang,
                k=len(names),
                designs=", ".join(bundle.labels),
                ref=bundle.label(names[0]),
            )
        )
    )
    question.blocks.append(
        Paragraph(
            say(
                "how_run",
                lang,
                n=bundle.replications,
                window=number(float(ref["horizon_days"]) - float(ref["warmup_days"]), 0, lang),
                warmup=number(float(ref["warmup_days"]), 0, lang),
            )
        )
    )
    answer_section, headline = _answer_section(bundle, answer, lang)
    answer_section.page_break = False
    rules = ref["scenario"].get("rules", {})
    lead = _kpi_section(
        bundle,
        lang,
        "lead",
        LEAD_KPIS,
        "lead_text",
        "rules",
        say(
            "rules_caption",
            lang,
            first=number(float(rules.get("first_meeting_days", 7)), 0, lang),
            kontrakt=number(float(rules.get("kontrakt_days", 14)), 0, lang),
            kons=number(float(rules.get("konsultation_days", 7)), 0, lang),
        ),
    )
    sections = [
        question,
        answer_section,
        _design_section(bundle, lang),
        lead,
        _kpi_section(bundle, lang, "outcomes", STATE_KPIS, "outcomes_text", "states"),
        _kpi_section(bundle, lang, "costs", COST_KPIS, "costs_text", "costs"),
        _kpi_section(bundle, lang, "saving", SAVING_KPIS, "saving_text", None),
        _binds_section(bundle, lang),
        _calibration_section(bundle, lang),
        _assumptions_section(bundle, lang),
        _method_section(bundle, lang),
        _manifest_section(bundle, lang),
    ]
    all_kpis = Section("all", "KPI", "KPI", page_break=False)
    all_kpis.data.append(kpi_data(bundle, None, lang, "KPI"))
    sections.append(all_kpis)
    subtitle = say(
        "subtitle",
        lang,
        k=len(names),
        n=bundle.replications,
        date=str(bundle.manifest.get("finished", "—"))[:10],
    )
    return Paper(lang, say("title", lang), subtitle, headline, sections)
