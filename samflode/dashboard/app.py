"""The samflode dashboard: pick designs, change key numbers, run, and compare them side by side.

Thin by design: scenarios are loaded, validated and run by :mod:`samflode`; figures come
from :mod:`samflode.report.plots`; this file only lays out widgets and results. Start it with
``samflode dashboard`` or ``make dashboard``.
"""

from __future__ import annotations

import contextvars
import logging
from importlib import metadata, resources

import streamlit as st

from samflode import Comparison, Scenario, ScenarioError
from samflode.config.distributions import repeated
from samflode.config.loader import MAX_FILE_BYTES
from samflode.dashboard import figures, runs
from samflode.dashboard.calibration import calibrate_tab
from samflode.dashboard.i18n import LANGUAGES, TEXT, t
from samflode.dashboard.method import method_md
from samflode.dashboard.plan import plan_tab
from samflode.dashboard.scenarios import (
    Parameter,
    bundled_scenarios,
    design_option,
    editable_parameters,
    load_bundled,
    parse_upload,
    quick,
    scenario_yaml,
    with_changes,
)
from samflode.report.board import PdfUnavailable, default_name
from samflode.report.board.pdf import find_chromium

log = logging.getLogger(__name__)
MAX_DESIGNS = 4
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DEFAULT_DESIGNS = ["nacka-forum.yaml"]
SECTIONS = (
    ("groups", ("inflow",)),
    ("staff", ("headcount", "caseload_cap")),
    ("providers", ("places", "fee")),
    ("costs", ("bonus",)),
)


@st.cache_resource(show_spinner=False)
def bundled(label: str) -> Scenario:
    """A bundled scenario, loaded once per server (scenarios are frozen, so sharing is safe)."""
    return load_bundled(label)


def _glossary() -> str:
    # Package data (a link to the repository's GLOSSARY.md), so an installed samflode has it.
    return (resources.files("samflode") / "GLOSSARY.md").read_text(encoding="utf-8")


def _readme(lang: str) -> str:
    # The README is the distribution's long description: installed with the package metadata.
    return metadata.metadata("samflode").get_payload() or t("readme_missing", lang)


def _option(label: str) -> str:
    """A bundled design as the picker shows it: its name and what it is, not its file name."""
    try:
        scenario = bundled(label)
    except ScenarioError:
        return label  # shown, and its error is reported when it is chosen
    return design_option(scenario.label, scenario.description)


def _param_label(p: Parameter, lang: str) -> str:
    if p.what == "bonus":
        if p.path[-2] == "bonus_6m_sek":
            return t("bonus_6m_sek", lang, level=p.path[-1])
        return t(p.path[-1], lang) if p.path[-1] in TEXT else p.path[-1]
    owner = p.path[-2]
    return f"{owner}: {t(p.what, lang)}"


def _edit(label: str, scenario: Scenario, lang: str) -> dict[tuple[str, ...], object]:
    """Widgets for the key parameters of one design; returns the changed values by dump path."""
    changes: dict[tuple[str, ...], object] = {}
    params = editable_parameters(scenario)
    with st.expander(f"{t('edit', lang)}: {scenario.name}"):
        name = st.text_input(t("name", lang), value=scenario.name, key=f"edit|{label}|name")
        if name != scenario.name:
            changes[("name",)] = name
        for section, kinds in SECTIONS:
            chosen = [p for p in params if p.what in kinds]
            if not chosen:
                continue
            st.markdown(f"**{t(section, lang)}**")
            columns = st.columns(3)
            for i, p in enumerate(chosen):
                key = f"edit|{label}|{p.dotted}"
                with columns[i % 3]:
                    if p.kind == "float":
                        value = st.number_input(
                            _param_label(p, lang), value=float(p.value), step=1.0, key=key
                        )
                    elif p.kind == "int":
                        value = st.number_input(
                            _param_label(p, lang), value=int(p.value), step=1, key=key
                        )
                    else:
                        value = st.number_input(
                            _param_label(p, lang),
                            value=None if p.value is None else int(p.value),
                            step=1,
                            key=key,
                        )
                if value != p.value:
                    changes[p.path] = value
    return changes


def _sidebar(lang_default: str = "en") -> dict:
    side = st.sidebar
    lang = side.radio(
        "Language / Språk",
        options=list(LANGUAGES),
        format_func=LANGUAGES.get,
        horizontal=True,
        key="lang",
    )
    files = bundled_scenarios()
    labels = side.multiselect(
        t("choose", lang),
        options=list(files),
        default=[d for d in DEFAULT_DESIGNS if d in files],
        format_func=_option,
        key="designs",
    )
    upload = side.file_uploader(t("upload", lang), type=["yaml", "yml"], key="upload")
    # Filled once the chosen designs are known (they include an upload and edited names).
    reference_slot = side.container()
    replications = side.number_input(
        t("replications", lang), min_value=2, max_value=1000, value=10, step=1, key="replications"
    )
    seed = side.number_input(t("seed", lang), min_value=0, value=1, step=1, key="seed")
    quick_run = side.checkbox(t("quick", lang), value=False, key="quick")
    run = side.button(t("run", lang), type="primary", key="run")
    return {
        "lang": lang,
        "labels": labels,
        "upload": upload,
        "reference_slot": reference_slot,
        "replications": int(replications),
        "seed": int(seed),
        "quick": quick_run,
        "run": run,
    }


def _designs(ui: dict) -> list[tuple[str, Scenario]] | None:
    """The chosen designs with their edits applied, or None after showing why they cannot run."""
    lang = ui["lang"]
    chosen: list[tuple[str, Scenario]] = []
    ok = True
    for label in ui["labels"]:
        try:
            chosen.append((label, bundled(label)))
        except ScenarioError as exc:
            st.error(f"{t('bundled_bad', lang)}\n\n```\n{exc}\n```")
            ok = False
    upload = ui["upload"]
    if upload is not None:
        try:
            if upload.size > MAX_FILE_BYTES:
                raise ScenarioError(t("too_large", lang, name=upload.name, n=MAX_FILE_BYTES))
            scenario = parse_upload(upload.getvalue(), upload.name)
        except ScenarioError as exc:
            st.error(f"{t('invalid', lang)}\n\n```\n{exc}\n```")
            ok = False
        else:
            st.success(f"{t('uploaded_ok', lang)}: {scenario.name} ({upload.name})")
            chosen.append((f"upload:{upload.name}", scenario))
    if len(chosen) > MAX_DESIGNS:
        st.warning(t("too_many", lang))
        chosen = chosen[:MAX_DESIGNS]
    variants = []
    shown = {label: scenario.label for label, scenario in chosen}
    for label, scenario in chosen:
        changes = _edit(label, scenario, lang)
        try:
            variant = with_changes(scenario, changes, origin=label) if changes else scenario
            variants.append((label, quick(variant) if ui["quick"] else variant))
            # A renamed variant is no longer the titled design: it is shown by its new name.
            shown[label] = variant.label if variant.name == scenario.name else variant.name
        except ScenarioError as exc:
            st.error(f"{t('invalid', lang)}\n\n```\n{exc}\n```")
            ok = False
    variants = _reference_first(variants, list(shown), shown, ui)
    for name in repeated(s.name for _, s in variants):
        st.error(t("duplicate", lang, name=name))
        ok = False
    if not chosen and ok:
        st.info(t("none_chosen", lang))
        return None
    return variants if ok and variants else None


def _reference_first(
    variants: list[tuple[str, Scenario]],
    labels: list[str],
    shown: dict[str, str],
    ui: dict,
) -> list[tuple[str, Scenario]]:
    """Ask which chosen design is the reference, and put it first: the comparison's differences
    are to its first design. Offered as soon as designs are chosen, even while one is invalid, so
    the choice survives fixing a field.
    """
    if not labels:
        return variants
    if st.session_state.get("reference") not in labels:
        st.session_state.pop("reference", None)  # the reference was removed: the first again
    reference = ui["reference_slot"].selectbox(
        t("reference", ui["lang"]),
        options=labels,
        format_func=lambda label: shown.get(label, label),
        help=t("reference_help", ui["lang"]),
        key="reference",
    )
    first = [v for v in variants if v[0] == reference]
    return first + [v for v in variants if v[0] != reference]


def _designs_compared(comparison: Comparison, lang: str) -> None:
    st.markdown(f"**{t('designs_compared', lang)}**")
    lines = []
    for i, result in enumerate(comparison.results):
        sc = result.scenario
        tag = f" ({t('reference_tag', lang)})" if i == 0 else ""
        about = f" — {' '.join(sc.description.split())}" if sc.description.strip() else ""
        title = f"{sc.label} ({sc.name})" if sc.title else sc.name
        lines.append(f"- **{title}**{tag}{about}")
    st.markdown("\n".join(lines))


def _summary(comparison: Comparison, lang: str, tag: str) -> None:
    """The one-screen summary: a few numbers per design, each difference to the reference with
    whether it is clear (its 95 % CI excludes 0).
    """
    names = comparison.names
    st.markdown(f"**{t('summary', lang)}{tag}**")
    st.caption(t("summary_note", lang, ref=names[0]))
    for i, cards in enumerate(figures.summary_cards(comparison.table, names, lang)):
        if i == 0:
            heading = t("summary_reference", lang, name=names[0])
        else:
            heading = t("summary_versus", lang, name=names[i], ref=names[0])
        st.markdown(f"*{heading}*")
        columns = st.columns(max(1, len(cards)))
        for column, card in zip(columns, cards, strict=False):
            if card.delta is None:
                column.metric(card.label, card.value, help=card.help, border=True)
            else:
                column.metric(
                    card.label,
                    card.value,
                    help=card.help,
                    delta=card.delta,
                    delta_color=card.colour,
                    delta_arrow=card.arrow,
                    delta_description=card.verdict,
                    border=True,
                )


def _board_pack_buttons(key: tuple, lang: str, suffix: str) -> None:
    """The board pack of the shown comparison in the page's language: HTML, PDF and xlsx, each
    made only when clicked. The PDF needs Chromium on the server; without it, a note instead.
    """
    designs, seed, replications, _ = key
    st.caption(t("board_pack_note", lang))
    columns = st.columns(3)
    for column, fmt, label, mime in (
        (columns[0], "html", "board_pack", "text/html"),
        (columns[1], "pdf", "board_pack_pdf", "application/pdf"),
        (columns[2], "xlsx", "board_pack_xlsx", XLSX_MIME),
    ):
        if fmt == "pdf":
            try:
                find_chromium()
            except PdfUnavailable as exc:
                log.info("no PDF board pack: %s", exc)
                column.info(t("pdf_unavailable", lang, reason=exc))
                continue
        name = default_name(lang, fmt).replace(f".{fmt}", f"{suffix}.{fmt}")
        column.download_button(
            t(label, lang),
            lambda fmt=fmt: runs.board_pack(designs, seed, replications, lang, fmt),
            file_name=name,
            mime=mime,
            type="primary" if fmt == "html" else "secondary",
            key=f"dl_board_{fmt}",
        )


def _results(key: tuple, lang: str) -> None:
    designs, seed, replications, quick_run = key
    comparison = runs.cached_run(designs, seed, replications)
    names = comparison.names
    # A quick run is labelled wherever its numbers appear: banner, headings, captions, file names.
    tag = f" ({t('quick_tag', lang)})" if quick_run else ""
    suffix = "-quick" if quick_run else ""
    st.subheader(t("results", lang) + tag)
    if quick_run:
        st.warning(t("quick_banner", lang))
    st.caption(t("summary_line", lang, n=len(names), r=replications, s=seed) + tag)
    _designs_compared(comparison, lang)
    _summary(comparison, lang, tag)
    st.markdown(f"**{t('kpi_table', lang, ref=names[0])}{tag}**")
    st.caption(t("kpi_table_note", lang))
    st.table(figures.kpi_table(comparison.table, names, lang))
    pngs = runs.cached_pngs(designs, seed, replications, lang)
    for name, title in (
        ("lead_times.png", "lead_times"),
        ("outcomes.png", "outcomes"),
        ("costs.png", "costs_fig"),
        ("queues.png", "queues"),
    ):
        st.markdown(f"**{t(title, lang)}{tag}**")
        st.image(pngs[name], width="stretch")
    st.markdown(f"**{t('utilisation', lang)}{tag}**")
    st.plotly_chart(
        figures.utilisation_figure(comparison.table, names, lang), key="utilisation_chart"
    )
    st.markdown(f"**{t('flows', lang)}{tag}**")
    flows = runs.cached_flows(designs, seed, replications)
    for i, (name, flow) in enumerate(zip(names, flows, strict=True)):
        st.plotly_chart(figures.flow_figure(flow, name, lang, index=i), key=f"flow_chart_{i}")
    st.caption(t("flows_caption", lang, r=replications))
    st.markdown(f"**{t('downloads', lang)}{tag}**")
    _board_pack_buttons(key, lang, suffix)
    columns = st.columns(4)
    columns[0].download_button(
        f"comparison{suffix}.csv",
        comparison.table.to_csv(index=False, float_format="%.10g"),
        file_name=f"comparison{suffix}.csv",
        mime="text/csv",
        key="dl_csv",
    )
    columns[1].download_button(
        f"events{suffix}.parquet",
        lambda: runs.events_parquet(designs, seed, replications),
        file_name=f"events{suffix}.parquet",
        mime="application/octet-stream",
        key="dl_events",
    )
    for i, (name, data) in enumerate(pngs.items()):
        shown = name.replace(".png", f"{suffix}.png")
        columns[2].download_button(
            shown, data, file_name=shown, mime="image/png", key=f"dl_png_{i}"
        )
    for i, text in enumerate(designs):
        columns[3].download_button(
            f"{names[i]}.yaml",
            text,
            file_name=f"{names[i]}.yaml",
            mime="application/x-yaml",
            key=f"dl_yaml_{i}",
        )


def main() -> None:
    """Lay out the page: sidebar settings, the compare, calibrate, plan and method tabs."""
    st.set_page_config(page_title="samflode", layout="wide")
    ui = _sidebar()
    lang = ui["lang"]
    st.title(t("title", lang))
    with st.expander(t("glossary", lang)):
        st.markdown(_glossary())
    compare_tab, calibrate, planning, method_tab = st.tabs(
        [t("tab_compare", lang), t("tab_calibrate", lang), t("tab_plan", lang),
         t("tab_method", lang)]
    )  # fmt: skip
    with compare_tab:
        variants = _designs(ui)
        key = None
        if variants is not None:
            designs = tuple(scenario_yaml(s) for _, s in variants)
            key = (designs, ui["seed"], ui["replications"], ui["quick"])
        if ui["run"] and key is not None:
            bar = st.progress(0.0, text=t("running", lang))
            # The bar lives outside the cached function. Streamlit records st calls made inside
            # a cached function (to replay them on a hit) in context variables; updating the bar
            # in the context of the page, captured here, keeps those updates out of the record.
            page = contextvars.copy_context()

            def report(done: int, total: int) -> None:
                text = f"{t('running', lang)} {done}/{total}"
                page.run(bar.progress, done / total, text=text)

            try:
                runs.cached_run(*key[:3], _progress=report)
            except ValueError as exc:
                st.error(f"{t('run_failed', lang)}\n\n```\n{exc}\n```")
            else:
                st.session_state["last_run"] = key
            bar.empty()
        last = st.session_state.get("last_run")
        if last is None:
            st.info(t("press_run", lang))
        else:
            if last != key:
                st.info(t("stale", lang))
            _results(last, lang)
    with calibrate:
        calibrate_tab(lang)
    with planning:
        plan_tab(lang)
    with method_tab:
        st.markdown(method_md(lang))
        with st.expander(t("readme", lang)):
            st.markdown(_readme(lang))


main()
