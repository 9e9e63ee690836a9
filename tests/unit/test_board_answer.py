"""Page one's rule on hand-made comparison tables: a clearly better design is proposed, the cheaper
of two equally good ones, the reference when none is clearly better; "how sure" is the t model's
probability; "what differs" names the parts of a design that changed.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from scipy import stats

from samflode.report.board.answer import COST, OUTCOME, decide, p_positive
from samflode.report.board.bundle import Bundle
from samflode.report.board.paper import what_differs


def bundle(effects: dict[str, tuple[float, float, float, float]], n: int = 10) -> Bundle:
    """A comparison of ``ref`` and the designs of ``effects``: name → (gain, its CI half-width,
    cost difference a year, its half-width).
    """
    rows = []
    names = ["ref", *effects]
    for name in names:
        gain, g_half, cost, c_half = effects.get(name, (0.0, 0.0, 0.0, 0.0))
        for kpi, mean, diff, half in (
            (OUTCOME, 0.5 + gain, gain, g_half),
            (COST, 1e8 + cost, cost, c_half),
            ("saving_forsorjningsstod_sek_per_year", 1e6, 0.0, 0.0),
            ("arrivals", 1000.0, 0.0, 0.0),
        ):
            rows.append(
                {"kpi": kpi, "scenario": name, "mean": mean, "ci_low": mean, "ci_high": mean,
                 "diff_vs_first": diff, "diff_ci_low": diff - half, "diff_ci_high": diff + half}
            )  # fmt: skip
    designs = [{"name": x, "horizon_days": 465.0, "warmup_days": 100.0} for x in names]
    manifest = {"seed": 1, "replications": n, "scenarios": {x: "" for x in names}}
    return Bundle(Path("."), manifest, pd.DataFrame(rows), designs)


def test_a_clearly_better_design_is_proposed_with_its_cost_per_extra_person():
    answer = decide(bundle({"a": (0.03, 0.01, 2e6, 1e5), "b": (0.01, 0.02, 0.0, 1e5)}))
    assert answer.proposed == "a" and answer.better == ["a"] and answer.tied == []
    a = answer.verdict("a")
    # 1000 arrivals in 365 days is 1000 a year (365.2425 / 365 exactly), 3 % of them is 30.
    assert a.extra_people_per_year == pytest.approx(30 * 365.2425 / 365)
    assert a.cost_per_extra_person == pytest.approx(2e6 / a.extra_people_per_year)


def test_of_two_designs_as_good_within_the_interval_the_cheaper_is_proposed():
    answer = decide(bundle({"dear": (0.05, 0.02, 4e6, 1e5), "cheap": (0.04, 0.02, 1e6, 1e5)}))
    assert answer.proposed == "cheap" and answer.tied == ["dear"]


def test_a_gain_outside_the_best_ones_interval_is_not_a_tie():
    answer = decide(bundle({"best": (0.08, 0.01, 4e6, 1e5), "less": (0.04, 0.01, 1e6, 1e5)}))
    assert answer.proposed == "best" and answer.tied == []


def test_no_clearly_better_design_keeps_the_reference():
    answer = decide(bundle({"a": (0.01, 0.02, -1e6, 1e5), "b": (-0.03, 0.01, 0.0, 1e5)}))
    assert answer.keeps_reference and answer.proposed == "ref" and answer.better == []
    assert math.isnan(answer.verdict("b").cost_per_extra_person)


def test_how_sure_is_the_t_probability_the_interval_came_from():
    n, mean, se = 10, 0.02, 0.01
    half = se * stats.t.ppf(0.975, n - 1)
    assert p_positive(mean, mean - half, mean + half, n) == pytest.approx(
        stats.t.cdf(mean / se, n - 1)
    )
    assert p_positive(0.0, -1.0, 1.0, n) == pytest.approx(0.5)
    assert p_positive(1.0, 1.0, 1.0, n) == 1.0
    assert math.isnan(p_positive(math.nan, 0.0, 1.0, n))


def test_what_differs_names_added_removed_and_changed_parts():
    reference = {"name": "r", "staff": {"forum": {"headcount": 4, "cost": 300.0}}, "horizon": 900}
    design = {
        "name": "d",
        "staff": {"forum": None, "intake": {"headcount": 2, "cost": 300.0}},
        "horizon": 1000,
    }
    count, lines = what_differs(reference, design, "en")
    assert count == 5  # forum's 2 settings gone, intake's 2 new, the horizon
    assert "staff.forum: removed (only in the reference)" in lines
    assert "staff.intake: added (not in the reference)" in lines
    assert "horizon: 900 → 1000" in lines
