"""Costs per financing party: a pure function of the event log and the scenario's prices.

Three kinds of cost, over the analysis window [warm-up, horizon):

* staff: every person's working hours on the method (headcount × working hours × share on the
  method × cost per hour), borne by the pool's organisation(s) — staff are paid whether busy or
  not. Holidays and summer leave are not working hours: the cost per working hour is meant to
  include them (e.g. a yearly cost divided by about 46 working weeks);
* provider base fee: hours billed while an intervention runs (hours per week × days / 7 × fee);
* result bonuses (sub-goal, job, 6 months in work by difficulty) and the participant's start bonus
  (000 §6.3).

Provider fees and bonuses are paid from the samordningsförbund pot, split by its members' shares.
The parties' costs add up to the total by construction; a test checks it.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from samflode.config.calendar import HOURS_PER_DAY, shared_calendar, staff_hours
from samflode.config.scenario import PARTIES, Scenario
from samflode.eventlog.log import Event


def _rows(log: pd.DataFrame, event: Event) -> pd.DataFrame:
    return log[log["event"] == event.value]


def _in_window(rows: pd.DataFrame, start: float, end: float) -> pd.DataFrame:
    return rows[(rows["time"] >= start) & (rows["time"] < end)]


def worked_hours(log: pd.DataFrame, scenario: Scenario) -> dict[str, float]:
    """Working hours on the method per pool in the window, less the hours of vacant posts.

    A post is vacant from its ``staff_left`` record for the vacancy length that record carries
    in ``value`` (cut at the horizon); those hours are neither paid nor available for meetings.
    """
    w, h = scenario.warmup_days, scenario.horizon_days
    hours = staff_hours(scenario)
    left = _rows(log, Event.STAFF_LEFT)
    if not len(left):
        return hours
    for role, rows in left.groupby(left["resource"].astype(str)):
        pool = scenario.staff[role]
        calendar = shared_calendar(scenario.pool_calendar(role), h)
        starts = rows["time"].to_numpy()
        ends = starts + rows["value"].to_numpy()
        for t0, t1 in zip(starts, ends, strict=True):
            hours[role] -= calendar.available_hours(max(t0, w), min(t1, h), pool.share_on_method)
    return hours


def staff_cost_by_party(log: pd.DataFrame, scenario: Scenario) -> dict[str, float]:
    """Paid staff time in the window, SEK, per party."""
    out = dict.fromkeys(PARTIES, 0.0)
    for role, hours in worked_hours(log, scenario).items():
        pool = scenario.staff[role]
        for party, share in pool.party_shares().items():
            out[party] += hours * pool.cost_per_hour_sek * share
    return out


def provider_cost(log: pd.DataFrame, scenario: Scenario) -> dict[str, float]:
    """Base fees and bonuses in the window, SEK, by kind."""
    w, h = scenario.warmup_days, scenario.horizon_days
    out = {
        "base_fee": 0.0,
        "bonus_subgoal": 0.0,
        "bonus_job": 0.0,
        "bonus_6m": 0.0,
        "startbidrag": 0.0,
    }
    market = scenario.insatsmarknad
    if market is None:
        return out
    started = _rows(log, Event.INSATS_STARTED)
    ended = _rows(log, Event.INSATS_ENDED)
    if len(started):
        s = started.assign(k=started.groupby("participant").cumcount())
        e = ended.assign(k=ended.groupby("participant").cumcount())
        runs = s.merge(
            e[["participant", "k", "time"]],
            on=["participant", "k"],
            how="left",
            suffixes=("", "_end"),
        )
        t1 = runs["time_end"].fillna(h).to_numpy()
        days = (np.minimum(t1, h) - np.maximum(runs["time"].to_numpy(), w)).clip(min=0)
        fee = (
            runs["resource"]
            .astype(str)
            .map({name: p.base_fee_per_hour_sek for name, p in market.providers.items()})
            .to_numpy(dtype=float)
        )
        out["base_fee"] = float(np.sum(days / 7.0 * runs["value"].to_numpy() * fee))
    costs = scenario.costs
    out["bonus_subgoal"] = len(_in_window(_rows(log, Event.SUBGOAL_REACHED), w, h)) * (
        costs.bonus_subgoal_sek
    )
    jobs = _in_window(ended[ended["detail"] == "work"], w, h)
    out["bonus_job"] = len(jobs) * costs.bonus_job_sek
    out["startbidrag"] = len(jobs) * costs.startbidrag_sek
    # The 6-month bonus goes to the provider whose intervention ended in a job.
    job_participants = ended.loc[ended["detail"] == "work", "participant"]
    six = _in_window(_rows(log, Event.FOLLOWUP_6M), w, h)
    six = six[(six["detail"] == "work") & six["participant"].isin(job_participants)]
    bonus = six["value"].map(lambda d: costs.bonus_6m_sek.get(int(d), 0.0)) if len(six) else []
    out["bonus_6m"] = float(np.sum(bonus))
    return out


def cost_kpis(log: pd.DataFrame, scenario: Scenario, *, arrivals: float) -> dict[str, float]:
    """``cost_total_sek``, ``cost_<party>_sek``, per participant and per work outcome."""
    w, h = scenario.warmup_days, scenario.horizon_days
    by_party = staff_cost_by_party(log, scenario)
    provider = provider_cost(log, scenario)
    pot = sum(provider.values())
    for party, share in scenario.financing.pot_shares.items():
        by_party[party] += pot * share
    total = sum(by_party.values())
    exits = _in_window(_rows(log, Event.EXITED), w, h)
    work = int((exits["detail"] == "work").sum())
    out = {
        "cost_total_sek": total,
        "cost_staff_sek": total - pot,
        "cost_providers_sek": pot,
        "cost_per_participant_sek": total / arrivals if arrivals > 0 else math.nan,
        "cost_per_work_outcome_sek": total / work if work > 0 else math.nan,
    }
    for party in PARTIES:
        out[f"cost_{party}_sek"] = by_party[party]
    out["cost_coordination_sek"] = coordination_cost(log, scenario)
    out["saving_forsorjningsstod_sek"] = forsorjningsstod_saving(log, scenario)
    return out


def coordination_cost(log: pd.DataFrame, scenario: Scenario) -> float:
    """The part of the staff cost spent on coordination (documentation, reflection, hand-off
    write-ups) in the window, SEK. Already inside ``cost_staff_sek``: staff are paid anyway; this
    shows what cross-organisation work takes from their time (001 p. 78, 119, 160).
    """
    w, h = scenario.warmup_days, scenario.horizon_days
    ends = _rows(log, Event.MEETING_END)
    ends = _in_window(ends[ends["detail"] == "coordination"], w, h)
    if not len(ends):
        return 0.0
    hours = ends.groupby(ends["resource"].astype(str))["value"].sum() * HOURS_PER_DAY
    total = 0.0
    for resource, h_days in hours.items():
        for role in str(resource).split("+"):
            total += h_days * scenario.staff[role].cost_per_hour_sek
    return float(total)


def forsorjningsstod_saving(log: pd.DataFrame, scenario: Scenario) -> float:
    """Income support the municipality no longer pays, SEK: for each exit to work in the window
    by a participant of a group named ``forsorjningsstod``, 3 months if still in work at the
    90-day follow-up and 3 more if still in work at 6 months (an assumption: the follow-ups are
    the only observations of status after exit).
    """
    monthly = scenario.costs.forsorjningsstod_per_month_sek
    if monthly <= 0 or "forsorjningsstod" not in scenario.groups:
        return 0.0
    w, h = scenario.warmup_days, scenario.horizon_days
    group = log["group"] == "forsorjningsstod"
    exits = _in_window(log[group & (log["event"] == Event.EXITED.value)], w, h)
    to_work = exits.loc[exits["detail"] == "work", "participant"]
    months = 0
    for event in (Event.FOLLOWUP_90D, Event.FOLLOWUP_6M):
        rows = log[group & (log["event"] == event.value)]
        months += 3 * int(((rows["detail"] == "work") & rows["participant"].isin(to_work)).sum())
    return float(months * monthly)
