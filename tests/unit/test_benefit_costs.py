"""Benefits paid while people are in the flow, and every cost KPI per year.

The oracle tests build tiny event logs by hand and compute the benefit cost from their numbers,
never with the cost code: months in the flow inside the window × the group's monthly rate per
party. A month is 365.2425 / 12 days, a year 12 such months.
"""

from __future__ import annotations

import math

import pytest
from pydantic import ValidationError

from samflode import load_scenario
from samflode.analysis.kpi import compute_kpis, kpi_names
from samflode.config.scenario import PARTIES, Scenario
from samflode.eventlog.log import records_to_frame
from samflode.execution.tasks import run_one

MONTH = 365.2425 / 12  # days
YEAR = 365.2425  # days
WARMUP, HORIZON = 10.0, 100.0
RATES = {  # SEK a month, test values chosen so that every party and a missing group show
    "sjuka": {"fk": 3_000.0, "af": 600.0},
    "arbetslosa": {"af": 1_500.0},
    "forsorjningsstod": {"municipality": 900.0},
    # starta_omstallning: no rate, so its participants cost no benefit
}
NAN = math.nan
NEW_NAMES = (
    "benefit_cost_sek",
    *(f"benefit_cost_{p}_sek" for p in PARTIES),
    "cost_incl_benefits_sek",
    "cost_incl_benefits_per_participant_sek",
    "cost_incl_benefits_per_work_outcome_sek",
)
RATIOS = (
    "cost_per_participant_sek",
    "cost_per_work_outcome_sek",
    "cost_incl_benefits_per_participant_sek",
    "cost_incl_benefits_per_work_outcome_sek",
)


def scenario(rates: dict | None = None, **changes: object) -> Scenario:
    """The default design with a 10-day warm-up, a 100-day horizon and the test's rates."""
    data = load_scenario("nacka-forum").model_dump()
    data |= {"warmup_days": WARMUP, "horizon_days": HORIZON} | changes
    data["costs"]["benefits_per_month_sek"] = RATES if rates is None else rates
    return Scenario.model_validate(data)


def arrived(t: float, pid: int, group: str) -> tuple:
    return (t, pid, group, "arrived", "arrival", "", "walk_in", 1.0)


def exited(t: float, pid: int, group: str, state: str = "work") -> tuple:
    return (t, pid, group, "exited", "exit", "", state, 1.0)


def at_end(pid: int, group: str) -> tuple:
    return (HORIZON, pid, group, "in_system_at_end", "insatsmarknad", "", "", NAN)


def hand_log(exit_of_0: float = 50.0):
    """Six participants, each exercising one rule of the window (days in the flow, in brackets):

    0 sjuka, arrives 20, exits ``exit_of_0``         (exit − 20)
    1 sjuka, arrives 5 in the warm-up, exits 40       (40 − 10 = 30: counted from the warm-up)
    2 arbetslosa, arrives 70, still in at the horizon (100 − 70 = 30)
    3 forsorjningsstod, arrives 2, exits 8            (0: all in the warm-up)
    4 starta_omstallning, arrives 30, exits 60        (30, but the group has no rate)
    5 arbetslosa, arrives 1, still in at the horizon  (100 − 10 = 90)

    Participant 0's 90-day follow-up falls in the window: time after the exit is never paid.
    """
    records = [
        arrived(1.0, 5, "arbetslosa"),
        arrived(2.0, 3, "forsorjningsstod"),
        arrived(5.0, 1, "sjuka"),
        exited(8.0, 3, "forsorjningsstod"),
        arrived(20.0, 0, "sjuka"),
        arrived(30.0, 4, "starta_omstallning"),
        exited(40.0, 1, "sjuka"),
        exited(exit_of_0, 0, "sjuka"),
        exited(60.0, 4, "starta_omstallning", "benefits"),
        arrived(70.0, 2, "arbetslosa"),
        (exit_of_0 + 30.0, 0, "sjuka", "followup_90d", "exit", "", "work", NAN),
        at_end(2, "arbetslosa"),
        at_end(5, "arbetslosa"),
    ]
    return records_to_frame(sorted(records, key=lambda r: r[0]), 0)


def test_benefit_cost_equals_the_hand_computation():
    kpis = compute_kpis(hand_log(), scenario())
    sjuka_days = (50 - 20) + (40 - 10)  # participants 0 and 1
    arbetslosa_days = (100 - 70) + (100 - 10)  # participants 2 and 5, still in at the horizon
    expected = {
        "fk": sjuka_days / MONTH * 3_000,  # 60 days = 1.9713 months: 5,913.88 SEK
        "af": sjuka_days / MONTH * 600 + arbetslosa_days / MONTH * 1_500,  # 1,182.78 + 5,913.88
        "region": 0.0,
        "municipality": 0.0,  # participant 3 was in the flow only during the warm-up
    }
    assert expected["fk"] == pytest.approx(5_913.88, abs=0.01)  # the arithmetic above, checked
    for party, value in expected.items():
        assert kpis[f"benefit_cost_{party}_sek"] == pytest.approx(value, rel=1e-12)
    total = sum(expected.values())
    assert kpis["benefit_cost_sek"] == pytest.approx(total, rel=1e-12)
    assert kpis["cost_incl_benefits_sek"] == pytest.approx(kpis["cost_total_sek"] + total)
    # Benefits are their own KPIs: the running cost of the design does not include them.
    assert kpis["cost_total_sek"] == pytest.approx(
        sum(kpis[f"cost_{p}_sek"] for p in PARTIES), rel=1e-12
    )
    # Cohort: participants 0, 2 and 4 arrived in the window. Exits to work in the window:
    # participants 0 (day 50) and 1 (day 40); participant 3's exit at day 8 is in the warm-up.
    assert kpis["arrivals"] == 3
    assert kpis["cost_incl_benefits_per_participant_sek"] == pytest.approx(
        (kpis["cost_total_sek"] + total) / 3
    )
    assert kpis["cost_incl_benefits_per_work_outcome_sek"] == pytest.approx(
        (kpis["cost_total_sek"] + total) / 2
    )
    assert kpis["benefit_cost_sek_per_year"] == pytest.approx(total * YEAR / (HORIZON - WARMUP))


def test_a_longer_wait_costs_more_benefit():
    """The same people, but participant 0 (sjuka) leaves 40 days later: FK and AF pay 40 more
    days of that group's rates, nobody else pays more.
    """
    quick = compute_kpis(hand_log(exit_of_0=50.0), scenario())
    slow = compute_kpis(hand_log(exit_of_0=90.0), scenario())
    assert slow["benefit_cost_sek"] > quick["benefit_cost_sek"]
    assert slow["benefit_cost_fk_sek"] - quick["benefit_cost_fk_sek"] == pytest.approx(
        40 / MONTH * 3_000
    )
    assert slow["benefit_cost_af_sek"] - quick["benefit_cost_af_sek"] == pytest.approx(
        40 / MONTH * 600
    )
    assert slow["benefit_cost_municipality_sek"] == quick["benefit_cost_municipality_sek"] == 0
    assert slow["cost_total_sek"] == pytest.approx(quick["cost_total_sek"])  # staff paid anyway


def test_no_rates_no_benefit_cost_and_benefits_leave_the_other_kpis_alone():
    without = compute_kpis(hand_log(), scenario(rates={}))
    assert without["benefit_cost_sek"] == 0
    assert without["cost_incl_benefits_sek"] == pytest.approx(without["cost_total_sek"])
    with_rates = compute_kpis(hand_log(), scenario())
    assert with_rates["benefit_cost_sek"] > 0
    benefit_names = [k for k in with_rates if "benefit" in k]
    for name in with_rates.keys() - set(benefit_names):
        assert with_rates[name] == pytest.approx(without[name], nan_ok=True), name


def test_an_empty_log_names_every_new_kpi():
    names = kpi_names(scenario())
    for name in NEW_NAMES:
        assert name in names
        if name not in RATIOS:
            assert f"{name}_per_year" in names


@pytest.fixture(scope="module")
def short_run():
    """One short replication of the default design: 30 days' warm-up, 150 days' horizon."""
    sc = load_scenario("nacka-forum").model_dump() | {"warmup_days": 30.0, "horizon_days": 150.0}
    sc = Scenario.model_validate(sc)
    events, kpis = run_one(sc, 5, 0)
    return sc, events, kpis


def test_every_cost_flow_per_year_times_years_is_the_window_value(short_run):
    sc, _, kpis = short_run
    years = (sc.horizon_days - sc.warmup_days) / YEAR
    cost_names = [
        k for k in kpis if ("cost" in k or k.endswith("_sek")) and not k.endswith("_per_year")
    ]
    flows = [k for k in cost_names if k not in RATIOS]
    # Every window sum has its per-year variant, no ratio has one, and nothing else does.
    assert {f"{k}_per_year" for k in flows} == {k for k in kpis if k.endswith("_per_year")}
    assert "cost_coordination_sek" in flows and "saving_forsorjningsstod_sek" in flows
    for name in flows:
        assert kpis[f"{name}_per_year"] * years == pytest.approx(kpis[name], rel=1e-12), name
    assert kpis["benefit_cost_sek"] > 0 and kpis["cost_total_sek"] > 0


def test_benefits_of_a_real_run_equal_a_count_from_its_log(short_run):
    """Independent of the cost code: walk the log record by record."""
    sc, events, kpis = short_run
    w, h = sc.warmup_days, sc.horizon_days
    start, end, group = {}, {}, {}
    for t, pid, g, event in zip(
        events["time"],
        events["participant"],
        events["group"].astype(str),
        events["event"],
        strict=True,
    ):
        if event == "arrived":
            start[pid], group[pid] = t, g
        elif event == "exited":
            end[pid] = t
    paid = dict.fromkeys(PARTIES, 0.0)
    rates = sc.costs.benefits_per_month_sek
    for pid, t0 in start.items():
        days = max(0.0, min(end.get(pid, h), h) - max(t0, w))
        for party, per_month in rates.get(group[pid], {}).items():
            paid[party] += days / MONTH * per_month
    assert paid["fk"] > 0 and paid["af"] > 0 and paid["municipality"] > 0
    for party in PARTIES:
        assert kpis[f"benefit_cost_{party}_sek"] == pytest.approx(paid[party], rel=1e-9), party


def test_an_unknown_group_is_refused_with_the_field_and_the_groups():
    with pytest.raises(ValidationError) as info:
        scenario(rates={"sjukskrivna": {"fk": 20_000.0}})
    message = str(info.value)
    assert "costs.benefits_per_month_sek" in message
    assert "'sjukskrivna'" in message
    assert "['arbetslosa', 'forsorjningsstod', 'sjuka', 'starta_omstallning']" in message


def test_an_unknown_party_and_a_negative_rate_are_refused():
    with pytest.raises(ValidationError, match="fk"):
        scenario(rates={"sjuka": {"kommunen": 1.0}})
    with pytest.raises(ValidationError, match="greater than or equal to 0"):
        scenario(rates={"sjuka": {"fk": -1.0}})


def started(t: float, pid: int, group: str, kind: str) -> tuple:
    return (t, pid, group, "insats_started", "insatsmarknad", "jobbhuset", kind, 4.0)


def ended(t: float, pid: int, group: str, state: str) -> tuple:
    return (t, pid, group, "insats_ended", "insatsmarknad", "jobbhuset", state, NAN)


def test_an_intervention_with_its_own_benefit_replaces_the_groups_rate_while_it_runs():
    """AMiA's ALI: AF's aktivitetsstöd replaces FK's benefit for the days of the phase.

    0 sjuka, arrives 20; utbildning 25–30, leading on at once to matchning 30–45; exits 50:
      30 days in the flow, 15 of them in matchning (its own rate), 15 at the group's rates;
    1 sjuka, arrives 60; matchning from 80, still running at the horizon:
      40 days in the flow, 20 in matchning.
    """
    data = scenario().model_dump()
    data["insatsmarknad"]["types"]["matchning"]["benefits_per_month_sek"] = {"af": 2_000.0}
    design = Scenario.model_validate(data)
    records = [
        arrived(20.0, 0, "sjuka"),
        started(25.0, 0, "sjuka", "utbildning"),
        ended(30.0, 0, "sjuka", "af_programme"),
        started(30.0, 0, "sjuka", "matchning"),  # same time, the next record: the phase ends later
        ended(45.0, 0, "sjuka", "work"),
        exited(50.0, 0, "sjuka"),
        arrived(60.0, 1, "sjuka"),
        started(80.0, 1, "sjuka", "matchning"),
        at_end(1, "sjuka"),
    ]
    kpis = compute_kpis(records_to_frame(records, 0), design)
    group_days = (30 - 15) + (40 - 20)
    phase_days = 15 + 20
    assert kpis["benefit_cost_fk_sek"] == pytest.approx(group_days / MONTH * 3_000, rel=1e-12)
    assert kpis["benefit_cost_af_sek"] == pytest.approx(
        group_days / MONTH * 600 + phase_days / MONTH * 2_000, rel=1e-12
    )
    # Without the phase's own rate, all 70 days are paid at the group's rates.
    plain = compute_kpis(records_to_frame(records, 0), scenario())
    assert plain["benefit_cost_fk_sek"] == pytest.approx(70 / MONTH * 3_000, rel=1e-12)
