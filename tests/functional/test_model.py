"""Functional checks of the whole model: conservation, reproducibility, extremes, pathways."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from samflode import load_scenario, simulate
from samflode.analysis.theory import markovian_scenario
from samflode.config.scenario import Scenario
from samflode.execution.tasks import run_one

DEFAULT = "samflode/scenarios/nacka-forum.yaml"


def variant(base: Scenario, **changes) -> Scenario:
    """A validated variant (STYLE §2: never model_copy(update=…))."""
    return Scenario.model_validate(base.model_dump() | changes)


def deep_variant(base: Scenario, path: str, value) -> Scenario:
    """A validated variant with one nested field changed, e.g. 'staff.af_handlaggare.headcount'."""
    data = base.model_dump()
    node = data
    keys = path.split(".")
    for key in keys[:-1]:
        node = node[int(key) if isinstance(node, list) else key]
    node[keys[-1]] = value
    return Scenario.model_validate(data)


@pytest.fixture(scope="module")
def nacka() -> Scenario:
    return deep_variant(load_scenario(DEFAULT), "horizon_days", 400.0)


@pytest.fixture(scope="module")
def nacka_run(nacka):
    return run_one(nacka, 5, 0)


def test_conservation_on_default_scenario(nacka_run):
    events, kpis = nacka_run
    assert kpis["arrivals"] > 500
    assert kpis["arrivals"] == kpis["exits"] + kpis["in_system_end"]
    # Over the whole log too (not only the cohort): every arrival exits once or is in the
    # system at the end, never both, never twice.
    arrived = set(events.loc[events["event"] == "arrived", "participant"])
    exited = events.loc[events["event"] == "exited", "participant"]
    still = events.loc[events["event"] == "in_system_at_end", "participant"]
    assert exited.is_unique and still.is_unique
    assert set(exited).isdisjoint(set(still))
    assert set(exited) | set(still) == arrived


def test_default_scenario_uses_every_stage(nacka_run):
    events, kpis = nacka_run
    kinds = set(events["event"].astype(str))
    for kind in (
        "triaged",
        "handover",
        "kontrakt_signed",
        "check_issued",
        "insats_started",
        "subgoal_reached",
        "exited",
        "followup_90d",
        "followup_6m",
        "restarted",
        "case_opened",
    ):
        assert kind in kinds, f"no {kind} record in the default scenario"
    stages = set(events.loc[events["event"] == "meeting_start", "stage"].astype(str))
    assert stages == {"forum", "konsultation", "insatsmarknad"}
    assert 0 < kpis["share_work_90d"] < 1
    assert kpis["cost_total_sek"] > 0


def test_same_seed_same_log_other_seed_different(nacka):
    a, ka = run_one(nacka, 3, 1)
    b, kb = run_one(nacka, 3, 1)
    pd.testing.assert_frame_equal(a, b)
    assert ka == kb or all((math.isnan(ka[k]) and math.isnan(kb[k])) or ka[k] == kb[k] for k in ka)
    c, _ = run_one(nacka, 4, 1)
    assert not a.equals(c)
    d, _ = run_one(nacka, 3, 2)  # another replication is another sample path
    assert not a.equals(d)


def test_results_do_not_depend_on_worker_count(nacka):
    small = deep_variant(nacka, "horizon_days", 200.0)
    one = simulate(small, seed=9, replications=3, workers=1)
    two = simulate(small, seed=9, replications=3, workers=2)
    pd.testing.assert_frame_equal(one.kpis, two.kpis)
    pd.testing.assert_frame_equal(one.events, two.events)


def test_zero_inflow_gives_empty_but_valid_results(nacka):
    groups = {
        name: g | {"inflow_per_week": 0.0} for name, g in nacka.model_dump()["groups"].items()
    }
    events, kpis = run_one(variant(nacka, groups=groups), 1, 0)
    assert len(events) == 0
    assert kpis["arrivals"] == kpis["exits"] == kpis["in_system_end"] == 0
    assert math.isnan(kpis["days_to_first_meeting_mean"])
    assert all(kpis[k] == 0 for k in kpis if k.startswith("utilisation_"))
    # Staff are paid even with no participants; providers are not.
    assert kpis["cost_providers_sek"] == 0 and kpis["cost_staff_sek"] > 0


def test_one_forum_assessor_makes_waits_longer(nacka):
    one = deep_variant(nacka, "staff.forum_bedomare.headcount", 1)
    base_waits = [run_one(nacka, 2, r)[1]["days_to_first_meeting_mean"] for r in range(2)]
    one_waits = [run_one(one, 2, r)[1]["days_to_first_meeting_mean"] for r in range(2)]
    assert sum(one_waits) > 2 * sum(base_waits), (base_waits, one_waits)


def test_unlimited_provider_places_means_no_wait_for_insats(nacka):
    data = nacka.model_dump()
    for provider in data["insatsmarknad"]["providers"].values():
        provider["places"] = None
    _, kpis = run_one(Scenario.model_validate(data), 2, 0)
    assert kpis["days_waiting_for_insats_mean"] == 0.0
    scarce = nacka.model_dump()
    for provider in scarce["insatsmarknad"]["providers"].values():
        provider["places"] = 5
    _, kpis_scarce = run_one(Scenario.model_validate(scarce), 2, 0)
    assert kpis_scarce["days_waiting_for_insats_mean"] > 5.0


def test_everyone_complex_goes_through_konsultation(nacka):
    data = nacka.model_dump()
    for g in data["groups"].values():
        g["complex_share"] = 1.0
    events, kpis = run_one(Scenario.model_validate(data), 2, 0)
    triaged = events.loc[events["event"] == "triaged", "detail"].astype(str)
    assert set(triaged) == {"complex"}
    forum_kontrakt = events[(events["event"] == "kontrakt_signed") & (events["stage"] == "forum")]
    assert len(forum_kontrakt) == 0
    assert math.isnan(kpis["share_kontrakt_within_14d"])
    assert kpis["days_to_konsultation_mean"] > 0
    # Konsultation is now the bottleneck: it is much busier than in the base case.
    _, base = run_one(nacka, 2, 0)
    assert kpis["utilisation_konsultation_fk"] > base["utilisation_konsultation_fk"]


def test_deterministic_pathway_lead_time_is_sum_of_durations():
    """Fixed durations and ample staff: every lead time equals the sum of the durations."""
    scenario = markovian_scenario(
        arrival_rate_per_day=1.0,
        service_mean_days=0.1,
        servers=50,
        horizon_days=100,
        second_stage=(0.2, 50),
    )
    data = scenario.model_dump()
    data["forum"]["triage_duration"] = {"dist": "fixed", "value": 2, "unit": "hours"}
    data["konsultation"]["handover_delay"] = {"dist": "fixed", "value": 1.5, "unit": "days"}
    data["konsultation"]["sessions"] = {"values": [3]}
    data["konsultation"]["session_duration"] = {"dist": "fixed", "value": 90, "unit": "minutes"}
    data["konsultation"]["session_interval"] = {"dist": "fixed", "value": 1, "unit": "weeks"}
    events, kpis = run_one(Scenario.model_validate(data), 1, 0)
    assert kpis["days_to_first_meeting_mean"] == 0.0
    assert kpis["days_to_konsultation_mean"] == pytest.approx(1.5)
    arrived = events[events["event"] == "arrived"].set_index("participant")["time"]
    exited = events[events["event"] == "exited"].set_index("participant")["time"]
    sojourn = (exited - arrived.reindex(exited.index)).to_numpy()
    expected = 2 / 24 + 1.5 + 3 * 90 / 1440 + 2 * 7
    assert sojourn == pytest.approx([expected] * len(sojourn))


def test_calendar_meetings_only_in_office_hours(nacka_run):
    events, _ = nacka_run
    starts = events.loc[events["event"] == "meeting_start", "time"]
    ends = events.loc[events["event"] == "meeting_end", "time"]
    hour_start = (starts % 1) * 24
    hour_end = (ends % 1) * 24
    assert hour_start.min() >= 8.0 - 1e-9
    assert hour_end.max() <= 16.5 + 1e-9
    # 2026-01-05 is a Monday: day index mod 7 in {5, 6} is a weekend.
    assert not ((starts // 1) % 7).isin([5, 6]).any()
    arrivals = events.loc[events["event"] == "arrived", "time"]
    assert not ((arrivals // 1) % 7).isin([5, 6]).any()


def test_patience_causes_dropout_when_staff_is_short(nacka):
    short = deep_variant(nacka, "staff.forum_bedomare.headcount", 1)
    short = deep_variant(short, "patience", {"dist": "fixed", "value": 3, "unit": "days"})
    events, kpis = run_one(short, 1, 0)
    dropped = events[(events["event"] == "dropped_out") & (events["stage"] == "forum")]
    assert len(dropped) > 0
    assert kpis["share_dropout"] > run_one(nacka, 1, 0)[1]["share_dropout"]
    assert kpis["arrivals"] == kpis["exits"] + kpis["in_system_end"]


def test_caseload_cap_delays_opening_of_cases(nacka):
    tight = deep_variant(nacka, "staff.af_handlaggare.caseload_cap", 3)
    tight = deep_variant(tight, "patience", None)
    _, loose = run_one(deep_variant(nacka, "patience", None), 1, 0)
    events, kpis = run_one(tight, 1, 0)
    # Few cases fit under the cap, so most simple cases wait for a slot before their kontrakt.
    assert kpis["share_kontrakt_within_14d"] < loose["share_kontrakt_within_14d"] - 0.3
    opened = events[events["event"] == "case_opened"]
    active_af = opened[opened["resource"] == "af_handlaggare"]
    assert len(active_af) > 0


def test_one_handlaggare_per_pool_is_the_bottleneck(nacka):
    data = nacka.model_dump()
    for role in ("af_handlaggare", "fk_handlaggare", "kommun_handlaggare"):
        data["staff"][role]["headcount"] = 1
    data["patience"] = None
    events, kpis = run_one(Scenario.model_validate(data), 1, 0)
    _, base = run_one(deep_variant(nacka, "patience", None), 1, 0)
    assert kpis["arrivals"] == kpis["exits"] + kpis["in_system_end"]
    # One person per pool holds at most caseload_cap cases: most wait for a slot.
    assert kpis["in_system_end"] > 1.5 * base["in_system_end"]
    assert kpis["share_kontrakt_within_14d"] < 0.5 * base["share_kontrakt_within_14d"]
    assert kpis["utilisation_af_handlaggare"] > base["utilisation_af_handlaggare"]


def test_pool_with_own_working_days_constrains_joint_meetings(nacka):
    # The region's doctor works in Konsultation on Tuesdays and Thursdays only.
    data = nacka.model_dump()
    data["staff"]["konsultation_region"]["weekdays"] = [1, 3]
    data["staff"]["konsultation_region"]["open_hour"] = 9.0
    data["staff"]["konsultation_region"]["close_hour"] = 15.0
    events, kpis = run_one(Scenario.model_validate(data), 2, 0)
    _, base = run_one(nacka, 2, 0)
    sessions = events[(events["event"] == "meeting_start") & (events["stage"] == "konsultation")]
    weekday = (sessions["time"] // 1) % 7  # day 0 is Monday 2026-01-05
    assert set(weekday.astype(int)) <= {1, 3}
    hours = (sessions["time"] % 1) * 24
    assert hours.min() >= 9.0 - 1e-9
    assert kpis["days_to_konsultation_mean"] > base["days_to_konsultation_mean"] + 1
    # Forum is unaffected by the doctor's calendar: meetings on every working day.
    forum = events[(events["event"] == "meeting_start") & (events["stage"] == "forum")]
    assert set(((forum["time"] // 1) % 7).astype(int)) == {0, 1, 2, 3, 4}
    # Fewer working hours: utilisation is measured against the pool's own calendar.
    assert kpis["cost_region_sek"] < base["cost_region_sek"]


def test_pool_with_closing_before_opening_is_rejected(nacka):
    data = nacka.model_dump()
    data["staff"]["konsultation_region"]["open_hour"] = 17.0
    with pytest.raises(ValueError, match="staff.konsultation_region: working hours"):
        Scenario.model_validate(data)
