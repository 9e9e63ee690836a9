"""`samflode report`: the board pack of a real comparison, in Swedish and English.

One short comparison of three bundled designs (and a small plan and calibration beside it) is
made through the command line once per module; the pack is then checked as a board member would
receive it: the HTML reaches nothing outside itself, the PDF has the answer alone on page one and
every section where it should start, its pages are not blank, and the workbook holds numbers.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
import yaml
from matplotlib import image
from openpyxl import load_workbook
from pypdf import PdfReader
from typer.testing import CliRunner

from samflode.analysis.kpi import FOLLOWUP_STATES
from samflode.analysis.theory import markovian_scenario
from samflode.cli import app
from samflode.config.calibration import ParametersFile
from samflode.experiments.calibration.recovery import (
    MM1_KPIS,
    MM1_PARAMETERS,
    synthetic_targets,
)
from samflode.report.board import board_pack_bytes
from samflode.report.board.bundle import read_bundle
from samflode.report.board.paper import build_paper
from samflode.report.format import fmt

runner = CliRunner()
DESIGNS = ("silo-baseline", "nacka-forum", "amia-pair-teams")
NAMES = ("silo_baseline", "nacka_forum", "amia_pair_teams")
SHORT = ["--set", "horizon_days=500", "--set", "warmup_days=150"]
# A number written as text for people ("61,3 %", "1 234 kr"): the workbook must have none.
FORMATTED_NUMBER = r"[−+-]?\d[\d \u202f,.]*\s?(%|kr|mnkr|Mkr|d)"


def _ok(args: list[str]) -> str:
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report") / "cmp"
    _ok(["compare", *DESIGNS, "--replications", "3", "--workers", "2", *SHORT, "--out", str(out)])
    _ok(
        [
            "plan", "--target", "share_first_meeting_within_7d>=0.9",
            "--lever", "staff.forum_bedomare.headcount=1:5", "--replications", "5",
            "--set", "horizon_days=300", "--set", "warmup_days=100", "--out", str(out / "plan"),
        ]
    )  # fmt: skip
    return out


@pytest.fixture(scope="module")
def packs(folder) -> dict[str, Path]:
    made = {}
    for lang in ("sv", "en"):
        _ok(["report", str(folder), "--lang", lang, "--format", "html,pdf,xlsx"])
        base = "styrelseunderlag" if lang == "sv" else "board-pack"
        made[lang] = folder / base
    return made


class _References(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.references: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href", "srcset", "data", "action", "poster") and value:
                self.references.append(value)


def _pages(pdf: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(pdf).pages]


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_html_is_one_self_contained_file(packs, lang):
    html = packs[lang].with_suffix(".html").read_text(encoding="utf-8")
    parser = _References()
    parser.feed(html)
    assert parser.references, "the pack has figures"
    assert all(ref.startswith(("data:image/png;base64,", "#")) for ref in parser.references)
    for external in ("<link", "<script", "@import", "url(", "<iframe"):
        assert external not in html
    assert f'<html lang="{lang}">' in html
    assert html.count("<img") >= 4  # rules, states, costs, utilisation


def test_the_pdf_has_the_answer_alone_on_page_one_and_each_section_on_its_page(packs, folder):
    pages = _pages(packs["sv"].with_suffix(".pdf"))
    paper = build_paper(read_bundle(folder), "sv")
    first = pages[0]
    assert "1. Ärendet" in first and "2. Svar och förslag till beslut" in first
    assert paper.headline in first
    assert "Hur säkert" in first  # the answer ends on page one
    assert "3. Jämförda modeller" not in first
    starts = [s.title for s in paper.sections if s.blocks and s.page_break]
    for title in starts:
        # A section that starts a page is the first text of some page.
        assert any(p.lstrip().startswith(title) for p in pages), title
    assert len(starts) + 1 <= len(pages) <= 45


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_pdf_names_every_design_and_the_per_year_costs(packs, folder, lang):
    text = "\n".join(_pages(packs[lang].with_suffix(".pdf")))
    bundle = read_bundle(folder)
    for name in NAMES:
        assert name in text
        cost = bundle.cell("cost_total_sek_per_year", name)
        assert fmt("cost_total_sek_per_year", cost, mega=True, lang=lang) in text
    assert ("per år" if lang == "sv" else "per year") in text
    if lang == "sv":
        assert "mnkr" in text and "Mkr" not in text
        assert re.search(r"\d,\d %", text), "a Swedish decimal comma"
    else:
        assert "Proposal:" in text


def test_every_page_renders_to_a_picture_that_is_not_blank(packs, tmp_path):
    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm, "make browser installs poppler-utils (pdftoppm)"
    pdf = packs["sv"].with_suffix(".pdf")
    subprocess.run([pdftoppm, "-r", "30", "-png", str(pdf), str(tmp_path / "p")], check=True)
    pictures = sorted(tmp_path.glob("p-*.png"))
    assert len(pictures) == len(PdfReader(pdf).pages)
    for picture in pictures:
        pixels = image.imread(picture)[..., :3]
        inked = float((pixels.mean(axis=2) < 0.9).mean())
        assert inked > 0.003, f"{picture.name} is blank ({inked:.4%} inked)"


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_workbook_has_a_sheet_per_section_and_numbers_not_strings(packs, folder, lang):
    book = load_workbook(packs[lang].with_suffix(".xlsx"))
    paper = build_paper(read_bundle(folder), lang)
    expected = [s for s in paper.sections if s.data or s.texts()]
    assert len(book.sheetnames) == len(expected)
    sheet = book[book.sheetnames[-1]]  # every KPI per design
    header_row = next(r for r in sheet.iter_rows(values_only=True) if r and r[0] == "kpi")
    column = header_row.index("mean")
    rows = [r for r in sheet.iter_rows(values_only=True) if r and str(r[0]).startswith("share_")]
    assert len(rows) >= 3 * 2 * len(FOLLOWUP_STATES)
    values = [r[column] for r in rows if r[column] is not None]
    assert values and all(isinstance(v, float) for v in values)
    kpis = {r[0] for r in sheet.iter_rows(values_only=True) if r and isinstance(r[0], str)}
    assert {"cost_total_sek_per_year", "saving_forsorjningsstod_sek_per_year"} <= kpis
    # Each section's numbers are numbers, formatted as such.
    for ws in book.worksheets:
        numeric = [c for row in ws.iter_rows() for c in row if isinstance(c.value, float)]
        strings = [
            c.value for row in ws.iter_rows() for c in row
            if isinstance(c.value, str) and re.fullmatch(FORMATTED_NUMBER, c.value)
        ]  # fmt: skip
        assert not strings, (ws.title, strings[:3])
        if ws.title.lower().startswith(("4.", "5.", "6.")):
            assert numeric, ws.title
            assert any(c.number_format != "General" for c in numeric)


def test_the_plan_beside_the_comparison_is_reported(packs):
    html = packs["en"].with_suffix(".html").read_text(encoding="utf-8")
    assert "Capacity plan for nacka_forum" in html
    assert re.search(r"met with staff\.forum_bedomare\.headcount = \d", html)
    # What binds the plan: the stage, its busiest pool's utilisation today → planned.
    assert re.search(r"first meeting, forum_bedomare [\d.]+ % → [\d.]+ %", html)


def test_a_calibration_folder_is_reported_with_its_held_out_fit(folder, tmp_path):
    files = tmp_path / "cal-in"
    files.mkdir()
    scenario = markovian_scenario(
        arrival_rate_per_day=0.7, service_mean_days=0.8, servers=1, horizon_days=300,
        warmup_days=20, name="mm1",
    )  # fmt: skip
    params = ParametersFile.model_validate(MM1_PARAMETERS)
    truth = {"inflow": 4.9, "service": 0.8}
    targets = synthetic_targets({"mm1": scenario}, params, truth, MM1_KPIS, replication=0)
    (files / "mm1.yaml").write_text(yaml.safe_dump(scenario.model_dump(mode="json")))
    (files / "targets.yaml").write_text(yaml.safe_dump(targets.model_dump(mode="json")))
    (files / "params.yaml").write_text(yaml.safe_dump(MM1_PARAMETERS))
    cal = tmp_path / "cal"
    _ok(
        [
            "calibrate", str(files / "mm1.yaml"), "--targets", str(files / "targets.yaml"),
            "--params", str(files / "params.yaml"), "--budget", "40", "--replications", "2",
            "--workers", "2", "--out", str(cal),
        ]
    )  # fmt: skip
    out = tmp_path / "pack.html"
    _ok(["report", str(folder), "--format", "html", "--lang", "sv", "--calibration", str(cal),
         "--out", str(out)])  # fmt: skip
    html = out.read_text(encoding="utf-8")
    assert "Modellen är kalibrerad" in html
    assert "Ingen kalibrering följde med" not in html


def test_the_dashboard_pack_is_the_command_lines_pack(folder):
    from samflode import load_scenario
    from samflode.config.variants import variant
    from samflode.experiments.comparison import compare

    short = {"horizon_days": 300, "warmup_days": 100}
    designs = [variant(load_scenario(d), short, origin=d) for d in DESIGNS[:2]]
    comparison = compare(designs, seed=1, replications=2, keep_events=False)
    html = board_pack_bytes(comparison, lang="sv", fmt="html").decode("utf-8")
    assert html.startswith("<!DOCTYPE html>") and '<html lang="sv">' in html
    for name in NAMES[:2]:
        assert name in html
    book = board_pack_bytes(comparison, lang="en", fmt="xlsx")
    assert book[:2] == b"PK"  # a zip: the xlsx container


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["report", "/nonexistent/folder"], "is not a folder"),
        (["report", "{empty}"], "no manifest.json"),
        (["report", "{cmp}", "--format", "docx"], "--format: must be one or more of"),
        (["report", "{cmp}", "--format", ""], "--format: must be one or more of"),
        (["report", "{cmp}", "--lang", "de"], "--lang: must be one of sv, en"),
        (["report", "{cmp}", "--out", "{empty}"], "--out"),
        (["report", "{cmp}", "--plan", "{empty}"], "no plan.json"),
        (["report", "{cmp}", "--calibration", "{empty}"], "no calibration.json"),
    ],
)
def test_bad_input_exits_2_naming_what_is_wrong_and_writes_nothing(folder, tmp_path, args, message):
    empty = tmp_path / "empty"
    empty.mkdir()
    before = sorted(p.name for p in folder.iterdir())
    filled = [a.format(cmp=folder, empty=empty) for a in args]
    result = runner.invoke(app, filled)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert sorted(p.name for p in folder.iterdir()) == before
    assert not list(empty.iterdir())


def test_a_pdf_without_chromium_is_refused_before_anything_is_written(
    folder, tmp_path, monkeypatch
):
    monkeypatch.setenv("SAMFLODE_CHROMIUM", str(tmp_path / "no-such-chromium"))
    out = tmp_path / "pack.pdf"
    result = runner.invoke(app, ["report", str(folder), "--format", "html,pdf", "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "SAMFLODE_CHROMIUM" in result.output
    assert not out.with_suffix(".html").exists() and not out.exists()


def test_a_folder_from_before_designs_json_says_to_run_compare_again(folder, tmp_path):
    old = tmp_path / "old"
    ignore = shutil.ignore_patterns("plan", "designs.json", "styrelseunderlag.*", "board-pack.*")
    shutil.copytree(folder, old, ignore=ignore)
    result = runner.invoke(app, ["report", str(old), "--format", "html"])
    assert result.exit_code == 2
    assert "designs.json" in result.output and "run compare again" in result.output
    assert not np.any([p.suffix == ".html" for p in old.iterdir()])
