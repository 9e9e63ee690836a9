"""Pure page logic for a board: design descriptions, the summary's verdicts, costs a year in the
table, and the Sankey's colours and columns (no page, no simulation)."""

import math

import pandas as pd
import pytest

from samflode.analysis.flows import outcome_flows
from samflode.dashboard.figures import (
    flow_figure,
    kpi_table,
    summary_cards,
    utilisation_figure,
)
from samflode.dashboard.runs import run_designs
from samflode.dashboard.scenarios import (
    design_option,
    load_bundled,
    quick,
    scenario_yaml,
    short_description,
)
from samflode.report.palette import STATE_COLOURS, design_colour

NAN = math.nan


def _row(kpi, scenario, mean, diff=NAN, low=NAN, high=NAN):  # noqa: ANN001, ANN202
    return {
        "kpi": kpi,
        "scenario": scenario,
        "mean": mean,
        "ci_low": mean * 0.9,
        "ci_high": mean * 1.1,
        "diff_vs_first": diff,
        "diff_ci_low": low,
        "diff_ci_high": high,
    }


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    rows = [
        _row("days_to_first_meeting_mean", "ref", 2.0, 0.0, 0.0, 0.0),
        _row("days_to_first_meeting_mean", "other", 10.0, 8.0, 6.0, 10.0),  # clear, worse
        _row("share_work_90d", "ref", 0.20, 0.0, 0.0, 0.0),
        _row("share_work_90d", "other", 0.25, 0.05, -0.01, 0.11),  # not clear
        _row("cost_total_sek_per_year", "ref", 80e6, 0.0, 0.0, 0.0),
        _row("cost_total_sek_per_year", "other", 70e6, -10e6, -12e6, -8e6),  # clear, better
        _row("cost_total_sek", "ref", 200e6, 0.0, 0.0, 0.0),
        _row("cost_total_sek", "other", 175e6, -25e6, -30e6, -20e6),
        _row("cost_per_participant_sek", "ref", 150_000.0, 0.0, 0.0, 0.0),
        _row("cost_per_participant_sek", "other", 140_000.0, -10_000.0, -20_000.0, 0.0),
    ]
    return pd.DataFrame(rows)


def test_short_description_is_the_first_sentence_cut_at_a_word():
    assert short_description("One design. Then details.") == "One design."
    assert short_description("Nacka 2008 §6.3 and 5.5 FTE. More.") == "Nacka 2008 §6.3 and 5.5 FTE."
    assert short_description("first line\nsecond line") == "first line"
    long = "word " * 40
    cut = short_description(long, limit=30)
    assert cut.endswith("…") and len(cut) <= 31 and " wor…" not in cut
    assert design_option("x", "") == "x"
    sc = load_bundled("silo-baseline.yaml")
    assert design_option(sc.name, sc.description).startswith("silo_baseline — No joint door")


def test_summary_cards_say_clear_only_when_the_ci_excludes_zero(table):
    reference, other = summary_cards(table, ["ref", "other"], "en")
    assert [c.delta for c in reference] == [None, None, None]
    days, work, cost = other
    assert (days.delta, days.arrow, days.colour, days.verdict) == ("+8.0 d", "up", "red", "clear")
    assert (work.arrow, work.colour, work.verdict) == ("up", "gray", "not clear")
    assert (cost.value, cost.delta, cost.colour) == ("70.00 Mkr", "−10.00 Mkr", "green")
    sv = summary_cards(table, ["ref", "other"], "sv")[1]
    assert [c.verdict for c in sv] == ["tydlig", "inte tydlig", "tydlig"]
    assert sv[2].delta == "−10,00 mnkr" and sv[0].help == "Dagar till första Forum-mötet, medel"


def test_table_shows_costs_a_year_in_millions_and_ratios_in_kronor(table):
    shown = kpi_table(table, ["ref", "other"], "sv")
    assert "Kostnad, totalt" not in shown.index
    assert shown.loc["Kostnad, totalt, per år", "other"] == "70,00 mnkr [63,00 mnkr – 77,00 mnkr]"
    assert shown.loc["Kostnad, totalt, per år", "Δ other"].startswith("−10,00 mnkr *")
    assert shown.loc["Kostnad per deltagare", "ref"].startswith("150\u202f000 kr")


@pytest.fixture(scope="module")
def run():  # noqa: ANN201
    designs = [quick(load_bundled(x)) for x in ("nacka-forum.yaml", "silo-baseline.yaml")]
    return run_designs(tuple(scenario_yaml(s) for s in designs), 1, 2)


def test_each_design_keeps_its_colour_and_states_theirs(run):
    fig = utilisation_figure(run.table, run.names, "en")
    assert [bar.marker.color for bar in fig.data] == [design_colour(0), design_colour(1)]
    result = run.results[1]
    sankey = flow_figure(outcome_flows(result.events, result.scenario), "silo_baseline", "sv", 1)
    assert design_colour(1) in sankey.layout.title.text
    trace = sankey.data[0]
    labels, colours = list(trace.node.label), list(trace.node.color)
    work = [i for i, label in enumerate(labels) if label.startswith("arbete:")]
    assert work and all(colours[i] == STATE_COLOURS["work"] for i in work)
    # "still in the system" stays among the exits: nodes are left-aligned, in the input order
    assert trace.node.align == "left" and trace.node.sort == "input"
    assert any(label.startswith("kvar i systemet: ") for label in labels)
    assert trace.textfont.size >= 14 and trace.node.pad >= 20
    headers = [a.text for a in sankey.layout.annotations]
    assert headers == ["<b>Ankomst</b>", "<b>Avslut</b>", "<b>90 dagar</b>", "<b>6 månader</b>"]
    assert all("," in label for label in labels)  # counts with a decimal comma


def test_board_pack_of_the_shown_comparison_in_the_pages_language():
    from samflode.dashboard import runs

    designs = tuple(
        scenario_yaml(quick(load_bundled(x))) for x in ("nacka-forum.yaml", "silo-baseline.yaml")
    )
    html = runs.board_pack(designs, 1, 2, "sv", "html").decode("utf-8")
    assert html.startswith("<!DOCTYPE html") and 'lang="sv"' in html
    assert "nacka_forum" in html and "silo_baseline" in html
    workbook = runs.board_pack(designs, 1, 2, "en", "xlsx")
    assert workbook.startswith(b"PK")  # a zip: an xlsx workbook
