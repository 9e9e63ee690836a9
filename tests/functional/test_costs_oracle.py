"""A cost oracle: the cost KPIs of a tiny design, computed by hand from its numbers and the counts
in its event log, never by the cost code.

The design (:func:`oracle_data`) is built so that every amount can be counted:

* Calendar from Monday 5 January 2026 (ISO week 2), Monday–Friday 08:00–16:30 (8.5 h), no
  holidays. The summer dip is stretched over ISO weeks 4–53 with full staff time and no inflow, so
  people arrive only in the first two weeks (days 0–11) — a count read from the log — while staff
  work all 52 weeks of the horizon (364 days): 260 working days.
* Every duration is fixed, capacity is ample, nobody loses patience, and each target group has a
  single intervention type, a single difficulty and one certain outcome, so each group's
  participants cost the same; the groups differ in the rule they exercise:

  ==================  ==========  ==========  ======  =========================================
  group               difficulty  route       exit    status at 90 days / 6 months
  ==================  ==========  ==========  ======  =========================================
  arbetslosa          1           Forum       work    work / work
  sjuka               3           Konsult.    work    work / work
  forsorjningsstod    2           Forum       work    work / not in work
  starta_omstallning  2           Forum       benef.  work / work (but the intervention ended
                                                      in benefits: no 6-month bonus)
  ==================  ==========  ==========  ======  =========================================

Cost rules (samflode.analysis.costs' docstring and the README): staff are paid for all their
working hours on the method in the window, split by their pool's organisation shares; providers
get the base fee per hour billed while an intervention runs; result bonuses go for a sub-goal, a
job at the end of the intervention and 6 months in work after it (by difficulty), and the
participant gets a start bonus with the job; fees and bonuses come from the pot, split by its
members' shares.
"""

from __future__ import annotations

import datetime as dt
import math

import pytest

from samflode.config.scenario import Scenario
from samflode.execution.tasks import run_one

SEED = 3

# --- the design's numbers, used both to build it and in the hand computations -----------------
HORIZON_DAYS = 364.0  # 52 weeks
WORKING_DAYS = 52 * 5  # Monday–Friday, no holidays
TUE_THU_DAYS = 52 * 2  # the region's doctor works in Konsultation on Tuesdays and Thursdays
OFFICE_HOURS = 16.5 - 8.0  # 8.5 h
DOCTOR_HOURS = 15.0 - 9.0  # 6 h

STAFF = {  # role: (organisation shares, headcount, share on the method, SEK per hour)
    "forum_bedomare": ({"af": 0.5, "fk": 0.3, "municipality": 0.2}, 3, 0.5, 320.0),
    "konsultation_fk": ({"fk": 1.0}, 1, 1.0, 300.0),
    "konsultation_region": ({"region": 1.0}, 1, 1.0, 450.0),
    "af_handlaggare": ({"af": 1.0}, 2, 0.5, 300.0),
}
MATCHNING = {"weeks": 4, "hours_per_week": 5.0, "fee": 600.0}  # jobbhuset
REHAB = {"weeks": 6, "hours_per_week": 4.0, "fee": 800.0}  # rehabkliniken
BONUS_SUBGOAL, BONUS_JOB, STARTBIDRAG = 5_000.0, 10_000.0, 4_000.0
BONUS_6M = {1: 10_000.0, 2: 15_000.0, 3: 20_000.0}
INCOME_SUPPORT_PER_MONTH = 9_000.0
POT_SHARES = {"fk": 0.4, "af": 0.1, "region": 0.2, "municipality": 0.3}
SESSIONS, SESSION_MINUTES, COORDINATION_MINUTES = 2, 60, 30
PARTIES = ("fk", "af", "region", "municipality")


def fixed(value: float, unit: str) -> dict:
    return {"dist": "fixed", "value": value, "unit": unit}


def rule(group: str, exit_state: str, *, keep_6m: float = 1.0, gain_90d: float = 0.0) -> dict:
    return {
        "group": group,
        "exit": {exit_state: 1.0},
        "keep_90d": 1.0,
        "gain_90d": gain_90d,
        "keep_6m": keep_6m,
        "gain_6m": 0.0,
    }


def group(inflow: float, intervention: str, difficulty: int, **extra) -> dict:
    return {
        "inflow_per_week": inflow,
        "channels": {"walk_in": 1.0},
        "complex_share": 0.0,
        "interventions": {intervention: 1.0},
        "difficulty": {difficulty: 1.0},
    } | extra


def oracle_data() -> dict:
    staff = {}
    for role, (org, headcount, share, cost) in STAFF.items():
        staff[role] = {
            "organisation": org if len(org) > 1 else next(iter(org)),
            "headcount": headcount,
            "share_on_method": share,
            "cost_per_hour_sek": cost,
        }
    staff["konsultation_region"] |= {"weekdays": [1, 3], "open_hour": 9.0, "close_hour": 15.0}
    return {
        "name": "cost_oracle",
        "horizon_days": HORIZON_DAYS,
        "warmup_days": 0.0,
        "calendar": {
            "enabled": True,
            "start_date": dt.date(2026, 1, 5),
            "weekdays": [0, 1, 2, 3, 4],
            "open_hour": 8.0,
            "close_hour": 16.5,
            "holidays": "none",
            "summer": {"start_week": 4, "end_week": 53, "staff_share": 1.0, "inflow_share": 0.0},
        },
        "groups": {
            "arbetslosa": group(5.0, "matchning", 1, handlaggare="af_handlaggare"),
            "sjuka": group(4.0, "rehabilitering", 3, complex_share=1.0),
            "forsorjningsstod": group(3.0, "matchning", 2, second_meeting_share=1.0),
            "starta_omstallning": group(3.0, "rehabilitering", 2),
        },
        "staff": staff,
        "forum": {
            "staff": "forum_bedomare",
            "booking_delay": fixed(1, "days"),
            "triage_duration": fixed(30, "minutes"),
            "second_meeting_delay": fixed(2, "days"),
            "planning_duration": fixed(45, "minutes"),
        },
        "konsultation": {
            "roles": ["konsultation_fk", "konsultation_region"],
            "handover_delay": fixed(1, "days"),
            "sessions": {"values": [SESSIONS]},
            "session_duration": fixed(SESSION_MINUTES, "minutes"),
            "session_interval": fixed(1, "weeks"),
        },
        "insatsmarknad": {
            "types": {
                "matchning": {
                    "duration": fixed(MATCHNING["weeks"], "weeks"),
                    "hours_per_week": MATCHNING["hours_per_week"],
                    "subgoal_at": 0.5,
                },
                "rehabilitering": {
                    "duration": fixed(REHAB["weeks"], "weeks"),
                    "hours_per_week": REHAB["hours_per_week"],
                    "subgoal_at": 0.5,
                },
            },
            "providers": {
                "jobbhuset": {"offers": ["matchning"], "base_fee_per_hour_sek": MATCHNING["fee"]},
                "rehabkliniken": {
                    "offers": ["rehabilitering"],
                    "base_fee_per_hour_sek": REHAB["fee"],
                },
            },
            "followup_duration": fixed(20, "minutes"),
        },
        "exit": {
            "restart_limit": 0,
            "outcomes": [
                rule("arbetslosa", "work"),
                rule("sjuka", "work"),
                rule("forsorjningsstod", "work", keep_6m=0.0),
                rule("starta_omstallning", "benefits", gain_90d=1.0),
            ],
        },
        "patience": None,
        "coordination": {"joint_meeting_minutes": COORDINATION_MINUTES, "handoff_minutes": 0},
        "costs": {
            "bonus_subgoal_sek": BONUS_SUBGOAL,
            "bonus_job_sek": BONUS_JOB,
            "bonus_6m_sek": BONUS_6M,
            "startbidrag_sek": STARTBIDRAG,
            "forsorjningsstod_per_month_sek": INCOME_SUPPORT_PER_MONTH,
        },
        "financing": {"pot_shares": POT_SHARES},
    }


@pytest.fixture(scope="module")
def oracle_run():
    return run_one(Scenario.model_validate(oracle_data()), SEED, 0)


def staff_cost_by_party(paid_hours: dict[str, float]) -> dict[str, float]:
    """Hours per pool × SEK per hour, split by the pool's organisation shares."""
    out = dict.fromkeys(PARTIES, 0.0)
    for role, hours in paid_hours.items():
        org, _, _, cost = STAFF[role]
        for party, share in org.items():
            out[party] += hours * cost * share
    return out


def test_the_design_runs_as_the_hand_computation_assumes(oracle_run):
    events, kpis = oracle_run
    arrived = events[events["event"] == "arrived"]
    assert arrived["time"].max() < 14  # only in ISO weeks 2 and 3
    assert set(arrived["group"].astype(str)) == {
        "arbetslosa",
        "sjuka",
        "forsorjningsstod",
        "starta_omstallning",
    }
    assert kpis["in_system_end"] == 0
    n = len(arrived)
    assert (events["event"] == "insats_started").sum() == n  # one intervention each, no restart
    assert (events["event"] == "followup_6m").sum() == n  # every follow-up before the horizon
    assert not events["event"].isin(["dropped_out", "restarted", "insats_refused"]).any()


def test_cost_kpis_equal_the_hand_computation(oracle_run):
    events, kpis = oracle_run
    arrived = events[events["event"] == "arrived"]
    count = arrived["group"].astype(str).value_counts()
    n_a, n_s = int(count["arbetslosa"]), int(count["sjuka"])
    n_f, n_o = int(count["forsorjningsstod"]), int(count["starta_omstallning"])
    assert min(n_a, n_s, n_f, n_o) > 0  # every rule is exercised

    # Staff: paid for all working hours on the method in [0, 364), whether busy or not.
    paid_hours = {
        "forum_bedomare": 3 * WORKING_DAYS * OFFICE_HOURS * 0.5,  # 3 · 260 · 8.5 · 0.5 = 3315 h
        "konsultation_fk": 1 * WORKING_DAYS * OFFICE_HOURS * 1.0,  # 2210 h
        "konsultation_region": 1 * TUE_THU_DAYS * DOCTOR_HOURS * 1.0,  # 104 · 6 = 624 h
        "af_handlaggare": 2 * WORKING_DAYS * OFFICE_HOURS * 0.5,  # 2210 h
    }
    staff = staff_cost_by_party(paid_hours)
    # 3315 h · 320 = 1,060,800 (af 530,400, fk 318,240, municipality 212,160);
    # 2210 h · 300 = 663,000 (fk); 624 h · 450 = 280,800 (region); 2210 h · 300 = 663,000 (af).
    assert staff == pytest.approx(
        {"af": 1_193_400, "fk": 981_240, "region": 280_800, "municipality": 212_160}
    )
    staff_total = 2_667_600.0
    assert sum(staff.values()) == pytest.approx(staff_total)

    # Providers: arbetslösa and försörjningsstöd get matchning (4 weeks · 5 h · 600 SEK =
    # 12,000 SEK each), sjuka and starta/omställning rehabilitering (6 · 4 h · 800 = 19,200).
    base_fee = (n_a + n_f) * 4 * 5 * 600 + (n_s + n_o) * 6 * 4 * 800
    in_work_at_exit = n_a + n_s + n_f  # starta/omställning exit to benefits
    subgoal = in_work_at_exit * BONUS_SUBGOAL  # reached half-way by those ending in work
    job = in_work_at_exit * BONUS_JOB
    startbidrag = in_work_at_exit * STARTBIDRAG
    # In work at 6 months after an intervention that ended in work: arbetslösa (difficulty 1)
    # and sjuka (3). Försörjningsstöd are out of work by then; starta/omställning are in work at
    # 6 months, but their intervention ended in benefits, so no provider earned that bonus.
    bonus_6m = n_a * BONUS_6M[1] + n_s * BONUS_6M[3]
    pot = base_fee + subgoal + job + startbidrag + bonus_6m

    expected = {f"cost_{p}_sek": staff[p] + pot * POT_SHARES[p] for p in PARTIES}
    expected["cost_staff_sek"] = staff_total
    expected["cost_providers_sek"] = pot
    expected["cost_total_sek"] = staff_total + pot
    expected["cost_per_participant_sek"] = (staff_total + pot) / (n_a + n_s + n_f + n_o)
    expected["cost_per_work_outcome_sek"] = (staff_total + pot) / in_work_at_exit
    # Coordination: 30 min of both Konsultation staff after each of the 2 sessions per sjuka
    # participant: n_s · 2 · 0.5 h · (300 + 450) SEK. Inside the staff cost, not added to it.
    expected["cost_coordination_sek"] = n_s * SESSIONS * 0.5 * (300 + 450)
    # Income support saved: försörjningsstöd participants in work at 90 days (3 months), not at 6.
    expected["saving_forsorjningsstod_sek"] = n_f * 3 * INCOME_SUPPORT_PER_MONTH
    got = {name: kpis[name] for name in expected}
    assert got == pytest.approx(expected, rel=1e-9)


def test_costs_count_only_the_analysis_window():
    """Warm-up 21 days (Monday 26 January) and horizon 56 days (Monday 2 March): 5 weeks.

    The hand computation takes each intervention's start from the log and its end from the
    design's fixed duration, and counts what falls inside [21, 56): the days billed, the
    sub-goal half-way and the job (with its start bonus) at the end.
    """
    w, h = 21.0, 56.0
    events, kpis = run_one(
        Scenario.model_validate(oracle_data() | {"warmup_days": w, "horizon_days": h}), SEED, 0
    )
    # 5 weeks: 25 working days, of which 10 Tuesdays and Thursdays.
    staff = staff_cost_by_party(
        {
            "forum_bedomare": 3 * 25 * OFFICE_HOURS * 0.5,
            "konsultation_fk": 1 * 25 * OFFICE_HOURS,
            "konsultation_region": 1 * 10 * DOCTOR_HOURS,
            "af_handlaggare": 2 * 25 * OFFICE_HOURS * 0.5,
        }
    )
    starts = events[events["event"] == "insats_started"]
    plans = {"matchning": MATCHNING, "rehabilitering": REHAB}
    base_fee = subgoal = job = 0.0
    for start, itype, who in zip(
        starts["time"], starts["detail"].astype(str), starts["group"].astype(str), strict=True
    ):
        plan = plans[itype]
        end = start + 7 * plan["weeks"]
        billed_days = max(0.0, min(end, h) - max(start, w))
        base_fee += billed_days / 7 * plan["hours_per_week"] * plan["fee"]
        if who == "starta_omstallning":
            continue  # ends in benefits: no sub-goal, no job
        if w <= start + 7 * plan["weeks"] / 2 < h:
            subgoal += BONUS_SUBGOAL
        if w <= end < h:
            job += BONUS_JOB + STARTBIDRAG
    # The window cuts through interventions on both sides; no 6-month follow-up falls in it.
    assert starts["time"].min() < w and (starts["time"] + 7 * 6).max() > h
    assert base_fee > 0 and subgoal > 0 and job > 0
    assert not (events["event"] == "followup_6m").any()
    pot = base_fee + subgoal + job
    for party in PARTIES:
        assert kpis[f"cost_{party}_sek"] == pytest.approx(staff[party] + pot * POT_SHARES[party])
    assert kpis["cost_staff_sek"] == pytest.approx(sum(staff.values()))
    assert kpis["cost_providers_sek"] == pytest.approx(pot)
    assert kpis["arrivals"] == 0  # everyone arrived in the warm-up
    assert math.isnan(kpis["cost_per_participant_sek"])


def test_vacant_posts_are_not_paid():
    """Continuous time (no calendar): a person works 24 h × share a day. Each ``staff_left``
    record starts a 10-day vacancy; the hours inside the window [30, 200) are not paid.
    """
    data = oracle_data() | {"horizon_days": 200.0, "warmup_days": 30.0}
    data["calendar"] = {"enabled": False}
    for key in ("weekdays", "open_hour", "close_hour"):  # every pool works round the clock
        del data["staff"]["konsultation_region"][key]
    data["staff"]["forum_bedomare"]["turnover"] = {
        "per_year": 4.0,
        "vacancy": fixed(10, "days"),
        "learning_days": 0,
    }
    events, kpis = run_one(Scenario.model_validate(data), SEED, 0)
    left = events[events["event"] == "staff_left"]
    assert len(left) > 0 and set(left["resource"].astype(str)) == {"forum_bedomare"}
    window = 200.0 - 30.0
    vacant_days = sum(max(0.0, min(t + 10, 200.0) - max(t, 30.0)) for t in left["time"])
    assert vacant_days > 0
    paid_hours = {
        "forum_bedomare": (3 * window - vacant_days) * 24 * 0.5,
        "konsultation_fk": 1 * window * 24 * 1.0,
        "konsultation_region": 1 * window * 24 * 1.0,
        "af_handlaggare": 2 * window * 24 * 0.5,
    }
    assert kpis["cost_staff_sek"] == pytest.approx(sum(staff_cost_by_party(paid_hours).values()))
