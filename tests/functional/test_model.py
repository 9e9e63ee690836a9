"""Functional checks of the whole model: conservation, reproducibility, extremes, pathways.

Where a check says that a change of design moves a KPI, it runs the design and the changed one with
common random numbers (:func:`samflode.compare`, short horizon, a few replications) and asserts that
the paired 95 % interval of the difference excludes 0 on the expected side. The changes are large
(one person instead of four, five provider places instead of a hundred or more): the smallest
|difference| / half-width seen over seeds 2–6 when the test was written is noted ("ratio ≥ …").
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from samflode import compare, load_scenario
from samflode.analysis.theory import markovian_scenario
from samflode.config.scenario import Scenario
from samflode.execution.tasks import run_one

DEFAULT = "samflode/scenarios/nacka-forum.yaml"
SEED = 2
REPLICATIONS = 5


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


# --- designs compared with the default, 240 days after a 30-day warm-up ------------------------


def with_edits(base: Scenario, name: str, edit) -> Scenario:
    """A validated variant named ``name``: ``edit(data)`` changes a dump of ``base``."""
    data = base.model_dump() | {"name": name}
    edit(data)
    return Scenario.model_validate(data)


def _places(n: int | None):
    def edit(data: dict) -> None:
        for provider in data["insatsmarknad"]["providers"].values():
            provider["places"] = n

    return edit


def _all_complex(data: dict) -> None:
    for g in data["groups"].values():
        g["complex_share"] = 1.0


def _doctor_on_tuesdays_and_thursdays(data: dict) -> None:
    data["staff"]["konsultation_region"] |= {
        "weekdays": [1, 3],
        "open_hour": 9.0,
        "close_hour": 15.0,
    }


def _short_patience(data: dict) -> None:
    data["staff"]["forum_bedomare"]["headcount"] = 1
    data["patience"] = {"dist": "fixed", "value": 3, "unit": "days"}


def _no_patience(data: dict) -> None:
    data["patience"] = None


def _tight_caseload(data: dict) -> None:
    data["patience"] = None
    data["staff"]["af_handlaggare"]["caseload_cap"] = 3


def _one_handlaggare(data: dict) -> None:
    data["patience"] = None
    for role in ("af_handlaggare", "fk_handlaggare", "kommun_handlaggare"):
        data["staff"][role]["headcount"] = 1


@pytest.fixture(scope="module")
def short_base(nacka) -> Scenario:
    return with_edits(nacka, "base", lambda d: d.update(horizon_days=240.0, warmup_days=30.0))


@pytest.fixture(scope="module")
def designs(short_base) -> dict[str, Scenario]:
    edits = {
        "one_assessor": lambda d: d["staff"]["forum_bedomare"].update(headcount=1),
        "unlimited_places": _places(None),
        "five_places": _places(5),
        "all_complex": _all_complex,
        "doctor_two_days": _doctor_on_tuesdays_and_thursdays,
        "short_patience": _short_patience,
        "no_patience": _no_patience,
        "tight_caseload": _tight_caseload,
        "one_handlaggare": _one_handlaggare,
    }
    return {"base": short_base} | {
        name: with_edits(short_base, name, edit) for name, edit in edits.items()
    }


@pytest.fixture(scope="module")
def versus_base(designs):
    """Designs with the default patience, compared with the default."""
    names = [
        "base",
        "one_assessor",
        "five_places",
        "all_complex",
        "doctor_two_days",
        "short_patience",
    ]
    return compare(
        [designs[n] for n in names], seed=SEED, replications=REPLICATIONS, keep_events=False
    )


@pytest.fixture(scope="module")
def versus_no_patience(designs):
    """Designs where nobody gives up waiting, compared with the default without patience."""
    names = ["no_patience", "tight_caseload", "one_handlaggare"]
    return compare(
        [designs[n] for n in names], seed=SEED, replications=REPLICATIONS, keep_events=False
    )


def _row(comparison, kpi: str, name: str) -> pd.Series:
    return comparison.table.set_index(["kpi", "scenario"]).loc[(kpi, name)]


def assert_higher(comparison, kpi: str, name: str) -> None:
    """The paired 95 % CI of ``name`` − the first design excludes 0 from above."""
    r = _row(comparison, kpi, name)
    assert r.diff_ci_low > 0, (kpi, name, r.diff_vs_first, r.diff_ci_low, r.diff_ci_high)


def assert_lower(comparison, kpi: str, name: str) -> None:
    """The paired 95 % CI of ``name`` − the first design excludes 0 from below."""
    r = _row(comparison, kpi, name)
    assert r.diff_ci_high < 0, (kpi, name, r.diff_vs_first, r.diff_ci_low, r.diff_ci_high)


def per_replication(comparison, name: str) -> pd.DataFrame:
    """One row per replication, one column per KPI, of design ``name``."""
    kpis = comparison.results[comparison.names.index(name)].kpis
    return kpis.pivot(index="replication", columns="kpi", values="value")


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


def test_same_seed_same_log_other_seed_different(nacka, nacka_run):
    # Results do not depend on the number of workers either: tests/functional/test_scale.py.
    a, ka = nacka_run  # seed 5, replication 0
    b, kb = run_one(nacka, 5, 0)
    pd.testing.assert_frame_equal(a, b)
    assert ka == kb or all((math.isnan(ka[k]) and math.isnan(kb[k])) or ka[k] == kb[k] for k in ka)
    c, _ = run_one(nacka, 6, 0)
    assert not a.equals(c)
    d, _ = run_one(nacka, 5, 1)  # another replication is another sample path
    assert not a.equals(d)


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


def test_one_forum_assessor_makes_waits_longer(versus_base):
    assert_higher(versus_base, "days_to_first_meeting_mean", "one_assessor")  # ratio ≥ 3


def test_unlimited_provider_places_means_no_wait_for_insats(designs, versus_base):
    _, kpis = run_one(designs["unlimited_places"], SEED, 0)
    assert kpis["days_waiting_for_insats_mean"] == 0.0
    assert_higher(versus_base, "days_waiting_for_insats_mean", "five_places")  # ratio ≥ 8


def test_everyone_complex_goes_through_konsultation(designs, versus_base):
    events, kpis = run_one(designs["all_complex"], SEED, 0)
    triaged = events.loc[events["event"] == "triaged", "detail"].astype(str)
    assert set(triaged) == {"complex"}
    forum_kontrakt = events[(events["event"] == "kontrakt_signed") & (events["stage"] == "forum")]
    assert len(forum_kontrakt) == 0
    assert math.isnan(kpis["share_kontrakt_within_14d"])
    assert kpis["days_to_konsultation_mean"] > 0
    # Konsultation is now the bottleneck: it is much busier than in the base case.
    assert_higher(versus_base, "utilisation_konsultation_fk", "all_complex")  # ratio ≥ 3


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


def test_patience_causes_dropout_when_staff_is_short(designs, versus_base):
    events, kpis = run_one(designs["short_patience"], SEED, 0)
    dropped = events[(events["event"] == "dropped_out") & (events["stage"] == "forum")]
    assert len(dropped) > 0
    assert kpis["arrivals"] == kpis["exits"] + kpis["in_system_end"]
    assert_higher(versus_base, "share_dropout", "short_patience")  # ratio ≥ 5


def test_caseload_cap_delays_opening_of_cases(designs, versus_no_patience):
    # Few cases fit under the cap, so most simple cases wait for a slot before their kontrakt.
    assert_lower(versus_no_patience, "share_kontrakt_within_14d", "tight_caseload")  # ratio ≥ 13
    events, _ = run_one(designs["tight_caseload"], SEED, 0)
    opened = events[events["event"] == "case_opened"]
    assert (opened["resource"] == "af_handlaggare").any()


def test_one_handlaggare_per_pool_is_the_bottleneck(versus_no_patience):
    kpis = per_replication(versus_no_patience, "one_handlaggare")
    assert (kpis["arrivals"] == kpis["exits"] + kpis["in_system_end"]).all()
    # One person per pool holds at most caseload_cap cases: most wait for a slot.
    for kpi in ("in_system_end", "utilisation_af_handlaggare"):
        assert_higher(versus_no_patience, kpi, "one_handlaggare")  # ratio ≥ 6
    assert_lower(versus_no_patience, "share_kontrakt_within_14d", "one_handlaggare")


def test_pool_with_own_working_days_constrains_joint_meetings(designs, versus_base):
    # The region's doctor works in Konsultation on Tuesdays and Thursdays, 09:00–15:00, only:
    # every session the doctor joins (half the cases need medical skills) is on those days.
    events, _ = run_one(designs["doctor_two_days"], SEED, 0)
    sessions = events[(events["event"] == "meeting_start") & (events["stage"] == "konsultation")]
    with_doctor = sessions["resource"].astype(str).str.contains("konsultation_region")
    assert 0 < with_doctor.sum() < len(sessions)
    sessions = sessions[with_doctor]
    weekday = (sessions["time"] // 1) % 7  # day 0 is Monday 2026-01-05
    assert set(weekday.astype(int)) <= {1, 3}
    hours = (sessions["time"] % 1) * 24
    assert hours.min() >= 9.0 - 1e-9
    assert_higher(versus_base, "days_to_konsultation_mean", "doctor_two_days")  # ratio ≥ 3
    # Forum is unaffected by the doctor's calendar: meetings on every working day.
    forum = events[(events["event"] == "meeting_start") & (events["stage"] == "forum")]
    assert set(((forum["time"] // 1) % 7).astype(int)) == {0, 1, 2, 3, 4}
    # Fewer working hours: the region pays for fewer staff hours, and the doctor's utilisation,
    # measured against the pool's own (shorter) calendar, rises.
    assert_lower(versus_base, "cost_region_sek", "doctor_two_days")  # ratio ≥ 5
    assert_higher(versus_base, "utilisation_konsultation_region", "doctor_two_days")  # ratio ≥ 3


def test_pool_with_closing_before_opening_is_rejected(nacka):
    data = nacka.model_dump()
    data["staff"]["konsultation_region"]["open_hour"] = 17.0
    with pytest.raises(ValueError, match="staff.konsultation_region: working hours"):
        Scenario.model_validate(data)
