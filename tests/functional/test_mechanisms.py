"""Each design mechanism moves its KPI in the documented direction: paired comparisons with common
random numbers.

A check runs the base design and its variants with one seed and ``n`` replications
(:func:`samflode.compare`): replication r of every design sees the same participants, so the
difference is estimated per replication and its paired Student-t 95 % interval (the ``diff_ci_*``
columns) is asserted to exclude 0 on the documented side. Horizons, replications and the strength of
each mechanism were chosen so that the difference is several half-widths away from 0 — the
smallest |difference| / half-width seen over seeds 11–15 when the test was written is noted at each
check ("ratio ≥ …") — so that a change of the random streams does not make a check fail by chance.
Structural checks (which records a mechanism writes) read the event log of replication 0.
"""

from __future__ import annotations

import pandas as pd
import pytest

from samflode import compare, load_scenario
from samflode.config.scenario import Scenario
from samflode.execution.tasks import run_one

SEED = 11


@pytest.fixture(scope="module")
def raw() -> dict:
    return load_scenario("nacka-forum").model_dump()


def design(data: dict, name: str, horizon: float, warmup: float = 0.0) -> Scenario:
    return Scenario.model_validate(
        data | {"name": name, "horizon_days": horizon, "warmup_days": warmup}
    )


def row(comparison, kpi: str, name: str) -> pd.Series:
    return comparison.table.set_index(["kpi", "scenario"]).loc[(kpi, name)]


def assert_higher(comparison, kpi: str, name: str) -> None:
    """The paired 95 % CI of ``name`` − first design excludes 0 from above."""
    r = row(comparison, kpi, name)
    assert r.diff_ci_low > 0, (
        f"{name} − {comparison.names[0]}, {kpi}: {r.diff_vs_first:.4g} "
        f"[{r.diff_ci_low:.4g}, {r.diff_ci_high:.4g}] should be > 0"
    )


def assert_lower(comparison, kpi: str, name: str) -> None:
    """The paired 95 % CI of ``name`` − first design excludes 0 from below."""
    r = row(comparison, kpi, name)
    assert r.diff_ci_high < 0, (
        f"{name} − {comparison.names[0]}, {kpi}: {r.diff_vs_first:.4g} "
        f"[{r.diff_ci_low:.4g}, {r.diff_ci_high:.4g}] should be < 0"
    )


def per_replication(comparison, kpi: str, name: str) -> pd.Series:
    result = comparison.results[comparison.names.index(name)]
    kpis = result.kpis
    return kpis[kpis["kpi"] == kpi].set_index("replication")["value"]


# --- the designs ---------------------------------------------------------------------------------


def market_designs(raw: dict) -> list[Scenario]:
    """The default design and four variants, 300 days: flat bonuses with cream skimming, procured
    programmes that open late, no coordination time, frequent changes of handläggare.
    """
    cream = {
        "refusal_per_difficulty_step": 0.3,
        "placement_delay": {"dist": "fixed", "value": 30, "unit": "days"},
    }
    market = raw["insatsmarknad"] | {"cream_skimming": cream}
    flat_bonus = raw["costs"] | {"bonus_6m_sek": {1: 15000, 2: 15000, 3: 15000}}
    late = {
        name: p | {"available_from_days": 90.0}
        for name, p in raw["insatsmarknad"]["providers"].items()
    }
    procured = raw["insatsmarknad"] | {"choice": "assigned", "providers": late}
    churn = {
        "changes_per_month": 0.5,
        "work_factor": 0.8,
        "delay": {"dist": "fixed", "value": 14, "unit": "days"},
    }
    h = 300.0
    return [
        design(raw, "base", h),
        design(raw | {"insatsmarknad": market, "costs": flat_bonus}, "flat_bonus", h),
        design(raw | {"insatsmarknad": procured}, "procured", h),
        design(raw | {"coordination": None}, "no_coordination", h),
        design(raw | {"continuity": churn}, "churn", h),
    ]


def scaled_bonus_with_cream_skimming(raw: dict) -> Scenario:
    """Cream skimming, but the 6-month bonus rises with difficulty (the default 10/15/20 kSEK)."""
    cream = {
        "refusal_per_difficulty_step": 0.3,
        "placement_delay": {"dist": "fixed", "value": 30, "unit": "days"},
    }
    return design(
        raw | {"insatsmarknad": raw["insatsmarknad"] | {"cream_skimming": cream}}, "scaled", 300.0
    )


def handoff_designs(raw: dict) -> list[Scenario]:
    """Three intake organisations (a silo): hand-offs after 1–5 days, after 2–8 weeks, or none."""
    silo = dict(raw)
    silo["staff"] = {**raw["staff"]}
    for role, org in (("intake_af", "af"), ("intake_fk", "fk"), ("intake_kommun", "municipality")):
        silo["staff"][role] = {"organisation": org, "headcount": 2, "share_on_method": 0.7}
    intakes = ["intake_af", "intake_fk", "intake_kommun", "intake_af"]
    silo["groups"] = {
        name: g | {"intake": intake}
        for (name, g), intake in zip(raw["groups"].items(), intakes, strict=True)
    }
    far = silo | {
        "handoffs": {
            "share": 0.4,
            "max_handoffs": 3,
            "pools": ["intake_af", "intake_fk", "intake_kommun"],
            "delay": {"dist": "triangular", "low": 14, "mode": 21, "high": 56, "unit": "days"},
        }
    }
    near = far | {
        "handoffs": far["handoffs"]
        | {"delay": {"dist": "triangular", "low": 1, "mode": 2, "high": 5, "unit": "days"}}
    }
    h = 200.0
    return [design(near, "near", h), design(far, "far", h), design(silo, "none", h)]


def pause_designs(raw: dict) -> list[Scenario]:
    """One Forum assessor and no patience, so waits grow; 400 days, long enough for the long
    waits to reach the 90-day follow-up. In the outcome model each day waited beyond the grace
    in one go lowers the log-odds of work, studies or an AF programme by 0.03, or waiting does
    not matter (pause_days coefficient 0).
    """
    short = raw | {
        "staff": raw["staff"]
        | {"forum_bedomare": raw["staff"]["forum_bedomare"] | {"headcount": 1}},
        "patience": None,
    }
    model = raw["outcome_model"]

    def with_pause(coefficient: float) -> dict:
        coefficients = model["coefficients"] | {"pause_days": coefficient}
        return short | {"outcome_model": model | {"coefficients": coefficients}}

    return [
        design(with_pause(0.0), "without", 400.0),
        design(with_pause(-0.03), "with_pauses", 400.0),
    ]


LEARNING_SLOWDOWN = 2.0


def turnover_designs(raw: dict) -> list[Scenario]:
    """Two Forum assessors; in the variant each leaves 5 times a year on average, the post stands
    empty for 14 days and the newcomer's meetings take twice as long for 90 days.
    """
    staff = {**raw["staff"]}
    staff["forum_bedomare"] = staff["forum_bedomare"] | {"headcount": 2}
    churn = {**staff}
    churn["forum_bedomare"] = staff["forum_bedomare"] | {
        "turnover": {
            "per_year": 5.0,
            "vacancy": {"dist": "fixed", "value": 14, "unit": "days"},
            "learning_days": 90,
            "learning_slowdown": LEARNING_SLOWDOWN,
        }
    }
    return [
        design(raw | {"staff": staff}, "steady", 300.0, 30.0),
        design(raw | {"staff": churn}, "turnover", 300.0, 30.0),
    ]


@pytest.fixture(scope="module")
def market(raw):
    return compare(market_designs(raw), seed=SEED, replications=5, keep_events=False)


@pytest.fixture(scope="module")
def market_logs(raw):
    """Event log and KPIs of replication 0 of the market designs whose records are checked."""
    checked = ("base", "flat_bonus", "procured", "churn")
    return {sc.name: run_one(sc, SEED, 0) for sc in market_designs(raw) if sc.name in checked}


@pytest.fixture(scope="module")
def turnover(raw):
    return compare(turnover_designs(raw), seed=SEED, replications=8, keep_events=False)


@pytest.fixture(scope="module")
def turnover_logs(raw):
    return {sc.name: run_one(sc, SEED, 0) for sc in turnover_designs(raw)}


# --- the checks ----------------------------------------------------------------------------------


def test_handoffs_between_intakes_delay_the_kontrakt_and_shorter_ones_help(raw):
    near, far, none = handoff_designs(raw)
    comparison = compare([near, far, none], seed=SEED, replications=4, keep_events=False)
    # Kontrakt later with 2–8-week hand-offs than with 1–5-day ones, and earlier without any
    # (ratio ≥ 6 and ≥ 8).
    assert_higher(comparison, "days_to_kontrakt_mean", "far")
    assert_lower(comparison, "days_to_kontrakt_mean", "none")
    events, _ = run_one(far, SEED, 0)
    handed = events[events["event"] == "handed_off"]
    assert len(handed) > 0
    assert set(handed["resource"].astype(str)) <= {"intake_af", "intake_fk", "intake_kommun"}
    assert (handed["resource"].astype(str) != handed["detail"].astype(str)).all()


def test_change_of_handlaggare_lowers_the_share_in_work(market, market_logs):
    assert_lower(market, "share_work_90d", "churn")  # ratio ≥ 3.5
    events, _ = market_logs["churn"]
    changes = events[events["event"] == "handlaggare_changed"]
    assert len(changes) > 0
    assert set(changes["stage"].astype(str)) == {"insatsmarknad"}
    assert (changes["value"] == 14).all()  # each change pauses the case for the fixed 14 days


def test_long_waits_lower_the_share_in_work(raw):
    comparison = compare(pause_designs(raw), seed=SEED, replications=6, keep_events=False)
    assert_lower(comparison, "share_work_90d", "with_pauses")  # ratio ≥ 2.8
    # Pauses change what waiting does, not the waiting itself, except through one feedback:
    # fewer good outcomes mean more failed kontrakt that restart the track and queue again for
    # Forum, so first meetings can only come a little later, never sooner.
    r = row(comparison, "days_to_first_meeting_mean", "with_pauses")
    assert r.diff_ci_high >= 0 and abs(r.diff_vs_first) < 0.02 * r["mean"]


def test_flat_bonuses_make_providers_refuse_hard_cases(raw, market, market_logs):
    assert_higher(market, "days_waiting_for_insats_mean", "flat_bonus")  # ratio ≥ 8
    events, _ = market_logs["flat_bonus"]
    refused = events[events["event"] == "insats_refused"]
    assert len(refused) > 0
    assert set(refused["value"].astype(int)) <= {2, 3}  # difficulty 1 is never refused
    # With the bonus rising with difficulty (the default), nobody is turned away.
    events, _ = run_one(scaled_bonus_with_cream_skimming(raw), SEED, 0)
    assert (events["event"] == "insats_refused").sum() == 0


def test_procured_programmes_open_late_and_assign_without_choice(market, market_logs):
    assert_higher(market, "days_waiting_for_insats_mean", "procured")  # ratio ≥ 7
    events, _ = market_logs["procured"]
    started = events[events["event"] == "insats_started"]
    assert started["time"].min() >= 90.0
    queued = events[events["event"] == "insats_queued"].groupby("participant")["time"].min()
    first_start = started.groupby("participant")["time"].min()
    early = queued[queued < 80]
    first_waits = first_start.reindex(early.index).dropna() - early.reindex(
        first_start.reindex(early.index).dropna().index
    )
    # Everyone queued before day 80 waits until the places open at day 90, at least 10 days.
    assert len(first_waits) > 0 and first_waits.min() >= 10.0
    # No choice: for each type the first listed provider with room is used, so the first
    # provider offering matchning (jobbhuset) takes the first matchning start.
    matchning = started[started["detail"] == "matchning"]["resource"].astype(str)
    assert matchning.iloc[0] == "jobbhuset"


def test_coordination_time_after_joint_meetings_raises_staff_utilisation(market, market_logs):
    # The default design spends 30 minutes on coordination after each joint meeting.
    assert_lower(market, "utilisation_konsultation_af", "no_coordination")  # ratio ≥ 9
    events, _ = market_logs["base"]
    admin = events[(events["event"] == "meeting_end") & (events["detail"] == "coordination")]
    assert len(admin) > 0
    assert admin["value"].to_numpy() == pytest.approx(30 / 1440)
    # Forum meetings involve one pool of one mixed organisation: no coordination after them.
    assert set(admin["stage"].astype(str)) == {"konsultation"}


def test_coordination_cost_and_income_support_saved(raw, market, market_logs):
    # Staff are paid either way: coordination moves time, not the staff bill (exactly, in every
    # replication), and without coordination time it costs nothing.
    r = row(market, "cost_staff_sek", "no_coordination")
    assert r.diff_vs_first == r.diff_ci_low == r.diff_ci_high == 0
    assert (per_replication(market, "cost_coordination_sek", "no_coordination") == 0).all()
    with_time = per_replication(market, "cost_coordination_sek", "base")
    assert (with_time > 0).all()
    assert (with_time < per_replication(market, "cost_staff_sek", "base")).all()
    # Income support: at most 6 months for each försörjningsstöd exit to work in the window.
    events, kpis = market_logs["base"]
    monthly = raw["costs"]["forsorjningsstod_per_month_sek"]
    exited = events[(events["event"] == "exited") & (events["group"] == "forsorjningsstod")]
    to_work = int((exited["detail"] == "work").sum())
    assert 0 < kpis["saving_forsorjningsstod_sek"] <= 6 * monthly * to_work
    no_support = raw | {"costs": raw["costs"] | {"forsorjningsstod_per_month_sek": 0.0}}
    _, zero = run_one(design(no_support, "no_support", 300.0), SEED, 0)
    assert zero["saving_forsorjningsstod_sek"] == 0


def test_staff_turnover_leaves_posts_vacant_and_slows_newcomers(turnover, turnover_logs):
    # Vacant posts are not paid: less staff cost in every replication.
    steady = per_replication(turnover, "cost_staff_sek", "steady")
    churn = per_replication(turnover, "cost_staff_sek", "turnover")
    assert (churn < steady).all()
    assert_lower(turnover, "cost_staff_sek", "turnover")  # ratio ≥ 3.4
    # The rest of the team is busier and people wait longer for their first meeting: fewer meet
    # within the 7-day rule. (The mean wait rises too, but it is heavy-tailed — a replication in
    # which both posts are vacant at once dominates it — so its interval is far wider.)
    assert_higher(turnover, "utilisation_forum_bedomare", "turnover")  # ratio ≥ 3.4
    assert_lower(turnover, "share_first_meeting_within_7d", "turnover")  # ratio ≥ 3.3
    events, kpis = turnover_logs["turnover"]
    left = events[events["event"] == "staff_left"]
    assert len(left) > 0
    assert set(left["resource"].astype(str)) == {"forum_bedomare"}
    assert (left["participant"] == -1).all()
    assert 0 <= kpis["utilisation_forum_bedomare"] <= 1
    assert kpis["arrivals"] == kpis["exits"] + kpis["in_system_end"]
    # Newcomers make meetings longer: with common random numbers each participant drew the same
    # triage duration in both designs, so no triage is shorter and some are longer.
    ratio = triage_ratio(turnover_logs)
    assert ratio.min() >= 1 - 1e-12
    assert (ratio > 1 + 1e-9).any()


def triage_ratio(logs: dict) -> pd.Series:
    """Per participant triaged in both designs: triage length with turnover / without."""

    def triage(events: pd.DataFrame) -> pd.Series:
        ends = events[(events["event"] == "meeting_end") & (events["detail"] == "triage")]
        return ends.set_index("participant")["value"]

    steady, churn = triage(logs["steady"][0]), triage(logs["turnover"][0])
    common = steady.index.intersection(churn.index)
    assert len(common) > 100
    return churn[common] / steady[common]


def test_newcomers_slow_meetings_by_at_most_the_learning_slowdown(turnover_logs):
    assert triage_ratio(turnover_logs).max() <= LEARNING_SLOWDOWN + 1e-9
