"""The dashboard page with Streamlit's AppTest: loads, runs two designs, reports bad input."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

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


def test_page_loads_without_exceptions():
    at = _page()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value.startswith("samflode")
    assert at.multiselect(key="designs").value == ["nacka-forum.yaml"]
    # bundled designs include the AMiA sites in their subfolder
    assert "amia/nord.yaml" in at.multiselect(key="designs").options


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
    assert len(at.get("image")) == 4  # the four figures of samflode compare
    assert len(at.get("download_button")) == 8  # csv, parquet, 4 PNGs, 2 YAML
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
