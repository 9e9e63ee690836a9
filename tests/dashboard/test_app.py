"""The dashboard page with Streamlit's AppTest: loads, runs two designs, reports bad input; a
board's view of it (design names, an explicit reference, the summary, costs a year, every
follow-up state) in English and Swedish.
"""

import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

from samflode.analysis.kpi import FOLLOWUP_STATES, FOLLOWUPS
from samflode.report.labels import kpi_label

APP = Path(__file__).resolve().parents[2] / "samflode" / "dashboard" / "app.py"
TIMEOUT = 120


def _page() -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.run()
    return at


def _two_quick_designs(at: AppTest) -> AppTest:
    at.multiselect(key="designs").set_value(["nacka-forum.yaml", "silo-baseline.yaml"])
    at.checkbox(key="quick").check()
    at.number_input(key="replications").set_value(2)
    at.run()
    return at


def _errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def _has_chromium() -> bool:
    from samflode.report.board import PdfUnavailable
    from samflode.report.board.pdf import find_chromium

    try:
        find_chromium()
    except PdfUnavailable:
        return False
    return True


def _run(at: AppTest) -> AppTest:
    at.button(key="run").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not _errors(at), _errors(at)
    return at


def _texts(block) -> list[str]:  # noqa: ANN001 - an AppTest block (a tab, the sidebar)
    """Every text a reader sees in ``block``: headings, paragraphs, messages, metrics, tables."""
    texts = [
        e.value
        for kind in ("markdown", "caption", "subheader", "info", "warning", "error", "success")
        for e in getattr(block, kind)
    ]
    for m in block.metric:
        texts += [m.label, m.value, m.proto.delta, m.proto.delta_description]
    for table in block.table:
        frame = table.value
        texts += [str(frame.index.name), *map(str, frame.index), *map(str, frame.columns)]
        texts += [str(v) for v in frame.to_numpy().ravel()]
    texts += [e.label for e in block.expander]
    return texts


def test_page_loads_without_exceptions():
    at = _page()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value.startswith("samflode")
    assert at.multiselect(key="designs").value == ["nacka-forum.yaml"]
    # bundled designs include the AMiA sites in their subfolder, shown by name and description
    options = at.multiselect(key="designs").options
    assert any(o.startswith("AMiA Nord — AMiA Nord:") for o in options), options
    assert any(o.startswith("Nacka Forum: en dörr in — Nacka work model") for o in options), options
    assert not any(".yaml" in o for o in options), options


def test_run_two_designs_gives_a_comparison_table_with_numbers():
    at = _two_quick_designs(_page())
    at.button(key="run").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not _errors(at), _errors(at)
    table = at.table[0].value
    assert list(table.columns) == ["nacka_forum", "silo_baseline", "Δ silo_baseline"]
    first_meeting = table.loc["Days to first Forum meeting, mean", "nacka_forum"]
    assert first_meeting.endswith("]") and any(ch.isdigit() for ch in first_meeting), first_meeting
    assert len(at.get("plotly_chart")) == 3  # utilisation + one Sankey per design
    assert any("per replication" in c.value for c in at.caption)
    assert len(at.get("image")) == 4  # the four figures of samflode compare
    # the board pack (HTML, PDF when Chromium is there, xlsx), csv, parquet, 4 PNGs, 2 YAML
    assert len(at.get("download_button")) == 8 + (3 if _has_chromium() else 2)
    # A quick run says so wherever its numbers appear, never looking like final figures.
    assert any("not final figures" in w.value for w in at.warning)
    assert "(quick run, not final)" in at.subheader[0].value
    results = ("**Key figures", "**Lead", "**Down")
    headings = [m.value for m in at.markdown if m.value.startswith(results)]
    assert len(headings) == 3 and all("quick run, not final" in h for h in headings), headings


def test_a_full_run_carries_no_quick_label():
    at = _page()
    at.multiselect(key="designs").set_value(["nacka-forum.yaml", "silo-baseline.yaml"])
    at.number_input(key="replications").set_value(2)
    at.run()
    at.button(key="run").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not any("not final" in w.value for w in at.warning)
    assert "quick" not in at.subheader[0].value


def test_results_are_cached_across_pages(monkeypatch):
    first = _two_quick_designs(_page())
    first.button(key="run").click()
    first.run()
    expected = first.table[0].value

    from samflode.dashboard import runs

    def no_rerun(*args, **kwargs):
        raise AssertionError("simulated again although the same run is cached")

    monkeypatch.setattr(runs, "run_designs", no_rerun)
    again = _two_quick_designs(_page())
    again.button(key="run").click()
    again.run()
    assert not again.exception, [e.value for e in again.exception]
    assert not _errors(again), _errors(again)
    assert again.table[0].value.equals(expected)


def test_swedish_labels():
    at = _two_quick_designs(_page())
    at.radio(key="lang").set_value("sv")
    at.button(key="run").click()
    at.run()
    assert at.title[0].value.startswith("samflode: jämför")
    assert "Dagar till första Forum-mötet, medel" in at.table[0].value.index


def test_invalid_edited_value_names_the_field():
    at = _two_quick_designs(_page())
    at.number_input(key="edit|silo-baseline.yaml|staff.af_intake.headcount").set_value(0)
    at.run()
    assert not at.exception
    errors = "\n".join(_errors(at))
    assert "silo-baseline.yaml: staff.af_intake.headcount: must be ≥ 1 (got 0)" in errors, errors


def test_invalid_variant_name_names_the_field():
    at = _page()
    at.text_input(key="edit|nacka-forum.yaml|name").set_value("Not A Name")
    at.run()
    errors = "\n".join(_errors(at))
    assert "nacka-forum.yaml: name:" in errors, errors


def test_broken_upload_shows_the_scenario_error():
    at = _page()
    at.file_uploader(key="upload").set_value(
        ("broken.yaml", b"name: [unclosed\n", "application/x-yaml")
    )
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    errors = "\n".join(_errors(at))
    assert "broken.yaml: not valid YAML (line 2, column 1)" in errors, errors


def test_the_reference_is_chosen_and_compared_first():
    at = _two_quick_designs(_page())
    reference = at.selectbox(key="reference")
    # Titles, not file names.
    assert reference.options == ["Nacka Forum: en dörr in", "Utgångsläge: var myndighet för sig"]
    assert reference.value == "nacka-forum.yaml"
    reference.set_value("silo-baseline.yaml")
    at.run()
    _run(at)
    table = at.table[0].value
    assert list(table.columns) == ["silo_baseline", "nacka_forum", "Δ nacka_forum"]
    headings = [m.value for m in at.markdown]
    assert any(
        h.startswith("- **Utgångsläge: var myndighet för sig (silo_baseline)** (reference) — No")
        for h in headings
    ), headings
    assert any("difference to the reference design, silo_baseline" in h for h in headings)
    # The other design's paired difference is to silo_baseline: the negative of the other way.
    row = "Days to first Forum meeting, mean"
    assert table.loc[row, "Δ nacka_forum"].startswith("−"), table.loc[row]


def test_removing_the_reference_falls_back_to_the_first_design():
    at = _two_quick_designs(_page())
    at.selectbox(key="reference").set_value("silo-baseline.yaml")
    at.run()
    at.multiselect(key="designs").set_value(["nacka-forum.yaml", "co-location.yaml"])
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="reference").value == "nacka-forum.yaml"


def test_summary_cards_compare_with_the_reference():
    at = _run(_two_quick_designs(_page()))
    assert any(m.value.startswith("**Summary") for m in at.markdown)
    metrics = at.metric
    assert len(metrics) == 10, [m.label for m in metrics]  # five numbers for each design
    labels = [m.label for m in metrics[:5]]
    assert labels == [
        "Days to first meeting",
        "First meeting within rule",
        "In work at 90 days",
        "Cost a year",
        "Income support saved a year",
    ]
    assert metrics[3].help == "Cost, total, per year"  # the full KPI label as the tooltip
    assert all(not m.proto.delta for m in metrics[:5])  # the reference has no difference
    others = metrics[5:]
    assert all(m.proto.delta for m in others)
    assert {m.proto.delta_description for m in others} <= {"clear", "not clear"}
    # The silo's first meeting is far slower (about 8 days in this run): clear, and worse.
    first = others[0]
    assert first.proto.delta.startswith("+") and first.proto.delta_description == "clear"
    assert others[3].value.endswith("Mkr")


def test_table_has_costs_a_year_and_every_follow_up_state():
    at = _run(_two_quick_designs(_page()))
    table = at.table[0].value
    for key in (
        "cost_total_sek_per_year",
        "cost_fk_sek_per_year",
        "cost_municipality_sek_per_year",
        "saving_forsorjningsstod_sek_per_year",
        "cost_coordination_sek_per_year",
        "cost_per_participant_sek",
    ):
        assert kpi_label(key) in table.index, key
    assert "Cost, total" not in table.index  # the window total is not shown
    assert table.loc["Cost, total, per year", "nacka_forum"].endswith("Mkr]")
    assert table.loc["Cost per participant", "nacka_forum"].endswith(" kr]")
    for when in FOLLOWUPS:
        for state in FOLLOWUP_STATES:
            assert kpi_label(f"share_{state}_{when}") in table.index, (state, when)


def test_swedish_page_has_no_english_left_on_compare_and_method():
    at = _two_quick_designs(_page())
    at.radio(key="lang").set_value("sv")
    at.run()
    assert at.selectbox(key="reference").label == "Referensmodell"
    _run(at)
    compare, method = at.tabs[0], at.tabs[3]
    # The README at the foot of the Method tab is the repository's, in English, and says so.
    readme = [e for e in method.expander if e.label.startswith("README")]
    assert [e.label for e in readme] == ["README.md (på engelska)"]
    english_readme = {m.value for m in readme[0].markdown}
    shown = [x for x in [*_texts(compare), *_texts(method)] if x not in english_readme]
    texts = "\n".join(shown)
    for english in (
        "Key figures",
        "Days to first Forum meeting",
        "Cost, total",
        "per year",
        "Designs compared",
        "Summary",
        "(reference)",
        "not clear",
        "Participants per replication",
        "Downloads",
        "quick run",
        "Mkr",
        " pp",
        "Objectives",
        "This page describes",
        "Verification and validation",
    ):
        assert english not in texts, english
    for swedish in (
        "Nyckeltal",
        "Dagar till första Forum-mötet, medel",
        "Kostnad, totalt, per år",
        "Sparat försörjningsstöd genom avslut till arbete (kommunen), per år",
        "Jämförda modeller",
        "Sammanfattning",
        "(referens)",
        "Deltagare per replikering",
        "mnkr",
        "p.e.",
        "### Metod (STRESS-DES)",
        "Verifiering och validering",
        "README.md (på engelska)",
    ):
        assert swedish in texts, swedish
    assert any(m.proto.delta_description in ("tydlig", "inte tydlig") for m in at.metric)


def test_swedish_numbers_have_a_decimal_comma():
    at = _two_quick_designs(_page())
    at.radio(key="lang").set_value("sv")
    _run(at)
    table = at.table[0].value
    cells = [str(v) for v in table.to_numpy().ravel()]
    assert any(re.search(r"\d,\d", c) for c in cells), cells[:5]
    assert not any(re.search(r"\d\.\d", c) for c in cells), [c for c in cells if "." in c][:5]
    assert re.fullmatch(r"\d+,\d d", at.metric[0].value), at.metric[0].value


def test_swedish_page_draws_swedish_figures(monkeypatch):
    from matplotlib.figure import Figure

    from samflode.dashboard import runs
    from samflode.report import plots

    asked = []

    def figure(name):  # noqa: ANN001, ANN202 - a stand-in for a plots.FIGURES function
        def draw(results, lang="en"):  # noqa: ANN001, ANN202
            asked.append((name, lang))
            return Figure(figsize=(1, 1))

        return draw

    monkeypatch.setattr(plots, "FIGURES", {name: figure(name) for name in plots.FIGURES})
    runs.cached_pngs.clear()
    at = _two_quick_designs(_page())
    at.radio(key="lang").set_value("sv")
    _run(at)
    assert asked and {lang for _, lang in asked} == {"sv"}, asked
    runs.cached_pngs.clear()  # no stand-in figures for the next test


def test_without_chromium_the_pdf_pack_is_a_note_in_swedish(monkeypatch):
    from samflode.report.board import PdfUnavailable, pdf

    def missing() -> str:
        raise PdfUnavailable("no chromium on this server")

    monkeypatch.setattr(pdf, "find_chromium", missing)
    at = _two_quick_designs(_page())
    at.radio(key="lang").set_value("sv")
    _run(at)
    notes = [i.value for i in at.info if "Chromium" in i.value]
    assert notes and notes[0].startswith("Ingen PDF här"), notes
    assert "no chromium on this server" in notes[0]
    assert len(at.get("download_button")) == 10  # HTML and xlsx packs, no PDF
