"""The Plan tab with Streamlit's AppTest: a plan in quick mode equals samflode's planner called
directly, a plan with no solution says what is reachable, Swedish labels, bad input as errors.
"""

import json
import string
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from samflode.dashboard import plan as plan_page
from samflode.dashboard.i18n import TEXT
from samflode.dashboard.scenarios import load_bundled, quick
from samflode.experiments.planning.binds import binds
from samflode.experiments.planning.search import plan
from samflode.experiments.planning.spec import parse_levers, parse_targets
from samflode.report.plan import plan_payload

APP = Path(__file__).resolve().parents[2] / "samflode" / "dashboard" / "app.py"
TIMEOUT = 120
DESIGN = "nacka-forum.yaml"
LEVER = "staff.forum_bedomare.headcount"
TARGET = "share_first_meeting_within_7d>=0.9"
RUNS = 5


def _page(lang: str = "en") -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.run()
    if lang != "en":
        at.radio(key="lang").set_value(lang)
        at.run()
    return at


def _bounds(at: AppTest, low: int, high: int) -> AppTest:
    at.number_input(key=f"plan_min|{DESIGN}|{LEVER}").set_value(low)
    at.number_input(key=f"plan_max|{DESIGN}|{LEVER}").set_value(high)
    return at


def _question(at: AppTest, low: int, high: int) -> AppTest:
    """nacka-forum, quick look, one target, one lever, 5 runs a candidate, seed 1, × 1."""
    at.selectbox(key="plan_design").set_value(DESIGN)
    at.checkbox(key="plan_quick").check()
    at.pills(key=f"plan_levers|{DESIGN}").set_value([LEVER])
    _bounds(at, low, high)
    at.number_input(key="plan_cap").set_value(RUNS)
    at.run()
    return at


def _run(at: AppTest) -> AppTest:
    at.button(key="plan_run").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _direct(high: int, target: str = TARGET):
    base = quick(load_bundled(DESIGN))
    targets = parse_targets([target], base)
    levers = parse_levers([f"{LEVER}=1:{high}"], base)
    return plan(base, targets, levers, seed=1, start=RUNS, cap=RUNS)


def test_a_quick_plan_shows_the_answer_and_equals_the_planner(monkeypatch):
    at = _run(_question(_page(), 1, 6))
    assert not at.error, [e.value for e in at.error]
    direct = _direct(6)
    scale = direct.scales[0]
    assert scale.met  # nacka-forum meets the rule with fewer assessors than today's 4
    answer = [s.value for s in at.success]
    assert answer == [f"Met: {LEVER} = {scale.chosen.values[0]} meets every target (confirmed on "
                      "fresh runs)."], answer  # fmt: skip
    assert any("Quick look: a 200-day horizon" in w.value for w in at.warning)
    table = at.table[0].value
    assert list(table.columns) == ["Today", "Planned"]
    assert table.loc[LEVER, "Today"] == "4"
    assert table.loc[LEVER, "Planned"] == str(scale.chosen.values[0])
    assert table.equals(plan_page.side_by_side(direct, scale, "en")), table
    # plan.json offered for download is the planner's own, byte for byte; so is what binds.
    kept = at.session_state[plan_page.RESULT]
    assert kept["json"] == json.dumps(plan_payload(direct), indent=2, ensure_ascii=False)
    sentences = [b.sentence() for b in binds(scale, direct.targets, direct.scenario)]
    assert "\n".join(f"- {s}" for s in sentences) in [m.value for m in at.markdown]
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["plan-quick.json", "candidates-quick.csv"], labels
    assert len(at.get("image")) == 2  # targets and frontier (one inflow scale: no inflow figure)

    # The answer is kept: a rerun, or Run plan again with the same question, simulates nothing.
    def no_rerun(*args, **kwargs):
        raise AssertionError("simulated again although the same plan is cached")

    monkeypatch.setattr(plan_page, "plan", no_rerun)
    at.run()
    _run(at)
    assert at.table[0].value.equals(table)
    assert not at.error, [e.value for e in at.error]


def test_no_solution_names_the_best_reachable_value():
    at = _question(_page(), 1, 6)
    at.number_input(key="plan_value_0").set_value(0.995)
    _bounds(at, 1, 2)
    _run(at)
    shown = at.session_state[plan_page.RESULT]["plan"]
    top = shown.scales[0].top
    assert not shown.scales[0].met and not top.met and top.values == (2,)
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and errors[0].startswith("No solution inside the lever bounds"), errors
    # the reachable share with both assessors, its bounds and ✗
    best = plan_page._estimate(shown.targets[0], top, 0)
    assert f"({LEVER} = 2)" in errors[0] and best in errors[0], errors
    top_column = "Best reachable (every lever at its maximum)"
    assert list(at.table[0].value.columns) == ["Today", top_column]


def test_swedish_labels():
    at = _page("sv")
    assert not at.exception, [e.value for e in at.exception]
    assert [tab.label for tab in at.tabs] == ["Jämför", "Kalibrering", "Planera", "Metod"]
    assert at.button(key="plan_run").label == "Kör planeringen"
    assert at.checkbox(key="plan_quick").label == "Snabbtitt (200 dagar)"
    assert at.selectbox(key="plan_design").label == "Modell"
    assert at.pills(key=f"plan_levers|{DESIGN}").label == "Resurser som planen får ändra"
    assert at.number_input(key=f"plan_max|{DESIGN}|{LEVER}").label == f"{LEVER}: högst"
    assert at.radio(key="plan_mode").label == "Avgör efter"
    assert "Tryck på Kör planeringen" in "\n".join(i.value for i in at.info)


def test_a_bad_lever_range_is_an_error_not_a_traceback():
    at = _bounds(_page(), 5, 3)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    errors = "\n".join(e.value for e in at.error)
    assert f"--lever {LEVER}: need 1 ≤ MIN < MAX" in errors and "(got 5:3)" in errors, errors
    assert at.button(key="plan_run").disabled
    at.pills(key=f"plan_levers|{DESIGN}").set_value([])
    at.number_input(key="plan_value_0").set_value(0.0)  # ≥ 0 asks for nothing
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    errors = "\n".join(e.value for e in at.error)
    assert "always met, so it asks for nothing" in errors and "Choose at least one lever" in errors


PLAN_KEYS = sorted(k for k in TEXT if k.startswith(("tab_plan", "plan_", "bind_", "stage_")))


@pytest.mark.parametrize("key", PLAN_KEYS)
def test_every_plan_label_is_in_both_languages_with_the_same_fields(key):
    entry = TEXT[key]
    assert set(entry) == {"en", "sv"}
    fields = {lang: {f for _, f, _, _ in string.Formatter().parse(text) if f} for lang, text in
              entry.items()}  # fmt: skip
    assert fields["en"] == fields["sv"], fields
