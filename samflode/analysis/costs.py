"""Costs per financing party: a pure function of the event log and the scenario's prices.

Four kinds of cost, over the analysis window [warm-up, horizon):

* staff: every person's working hours on the method (headcount × working hours × share on the
  method × cost per hour), borne by the pool's organisation(s) — staff are paid whether busy or
  not. Holidays and summer leave are not working hours: the cost per working hour is meant to
  include them (e.g. a yearly cost divided by about 46 working weeks);
* provider base fee: hours billed while an intervention runs (hours per week × days / 7 × fee);
* result bonuses (sub-goal, job, 6 months in work by difficulty) and the participant's start bonus
  (000 §6.3);
* benefits paid to participants while they are in the flow (``costs.benefits_per_month_sek``:
  sjukpenning by FK, aktivitetsstöd by AF, försörjningsstöd by the municipality, …), from their
  ``arrived`` record to their ``exited`` record, or to the horizon if still in the system, cut to
  the window. A design that makes people wait longer pays benefits for longer.

Provider fees and bonuses are paid from the samordningsförbund pot, split by its members' shares;
each party pays its own benefits directly. The parties' costs add up to the total by construction
(``cost_<party>_sek`` to ``cost_total_sek``, ``benefit_cost_<party>_sek`` to ``benefit_cost_sek``);
tests check it.

Benefits are kept apart from ``cost_total_sek`` and ``cost_<party>_sek``: those are what it costs
to *run* the design (staff and purchased interventions), the numbers the README, the golden file
and every earlier comparison mean by them. Benefits are transfers that would be paid, at least in
part, without the design, and a board asks both questions separately. So they get their own names
(``benefit_cost_sek``, ``benefit_cost_<party>_sek``) and one sum of the two,
``cost_incl_benefits_sek``, with its ratios per participant and per exit to work.

Every cost that is a flow over the window (a sum of SEK over [warm-up, horizon)) also comes per
year, ``<name>_per_year`` = window value × a year / window length, so designs run over different
horizons compare. A year is 12 months of 365.2425 / 12 days (the months of the scenario units and
of ``benefits_per_month_sek``), so a participant paid X a month for the whole window gives 12 X a
year exactly. Ratios (per participant, per exit to work) are not flows over time and get no
per-year variant.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from samflode.config.calendar import HOURS_PER_DAY, shared_calendar, staff_hours
from samflode.config.distributions import DAYS_PER_UNIT
from samflode.config.scenario import PARTIES, Scenario
from samflode.eventlog.log import Event

# Days in a year: 12 of the scenario's months (365.2425 days, the mean Gregorian year).
DAYS_PER_YEAR = 12 * DAYS_PER_UNIT["months"]
# Cost KPIs that are ratios (SEK per participant or per outcome), not sums over the window: they
# do not scale with the window's length, so they get no ``_per_year`` variant.
RATIO_KPIS = (
    "cost_per_participant_sek",
    "cost_per_work_outcome_sek",
    "cost_incl_benefits_per_participant_sek",
    "cost_incl_benefits_per_work_outcome_sek",
)


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
    """Every cost KPI of one replication: window sums, ratios, then each sum per year.

    ``cost_total_sek`` and ``cost_<party>_sek`` are the cost of running the design (staff and
    providers) and exclude benefits; ``benefit_cost_sek`` and ``benefit_cost_<party>_sek`` are the
    benefits paid while people are in the flow; ``cost_incl_benefits_sek`` is the two together.
    See the module docstring for why they are apart and what gets ``_per_year``.
    """
    w, h = scenario.warmup_days, scenario.horizon_days
    by_party = staff_cost_by_party(log, scenario)
    staff = sum(by_party.values())  # summed apart, so it does not depend on provider rounding
    provider = provider_cost(log, scenario)
    pot = sum(provider.values())
    for party, share in scenario.financing.pot_shares.items():
        by_party[party] += pot * share
    total = sum(by_party.values())
    exits = _in_window(_rows(log, Event.EXITED), w, h)
    work = int((exits["detail"] == "work").sum())
    out = {
        "cost_total_sek": total,
        "cost_staff_sek": staff,
        "cost_providers_sek": pot,
        "cost_per_participant_sek": _ratio(total, arrivals),
        "cost_per_work_outcome_sek": _ratio(total, work),
    }
    for party in PARTIES:
        out[f"cost_{party}_sek"] = by_party[party]
    out["cost_coordination_sek"] = coordination_cost(log, scenario)
    out["saving_forsorjningsstod_sek"] = forsorjningsstod_saving(log, scenario)
    benefits = benefit_cost_by_party(log, scenario)
    benefit_total = sum(benefits.values())
    out["benefit_cost_sek"] = benefit_total
    for party in PARTIES:
        out[f"benefit_cost_{party}_sek"] = benefits[party]
    out["cost_incl_benefits_sek"] = total + benefit_total
    out["cost_incl_benefits_per_participant_sek"] = _ratio(total + benefit_total, arrivals)
    out["cost_incl_benefits_per_work_outcome_sek"] = _ratio(total + benefit_total, work)
    per_year = DAYS_PER_YEAR / (h - w)
    for name in [name for name in out if name not in RATIO_KPIS]:
        out[f"{name}_per_year"] = out[name] * per_year
    return out


def _ratio(amount: float, count: float) -> float:
    """``amount`` per unit of ``count``; NaN when there is nothing to divide by."""
    return amount / count if count > 0 else math.nan


def benefit_days(log: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """Days each participant spent in the flow inside the window: ``participant, group, days``.

    In the flow means from the ``arrived`` record to the ``exited`` record (a drop-out exits too),
    or to the horizon for someone still in the system; the time is cut to [warm-up, horizon), so
    someone who arrived in the warm-up counts from the warm-up on. After the exit the model does
    not know what a person is paid, so nothing is counted (the försörjningsstöd saving is the one
    term after exit, and it is its own KPI).
    """
    w, h = scenario.warmup_days, scenario.horizon_days
    arrived = _rows(log, Event.ARRIVED).drop_duplicates("participant")
    exited = _rows(log, Event.EXITED).groupby("participant")["time"].min()
    start = arrived["time"].to_numpy()
    end = arrived["participant"].map(exited).fillna(h).to_numpy(dtype=float)
    days = (np.minimum(end, h) - np.maximum(start, w)).clip(min=0)
    return pd.DataFrame(
        {
            "participant": arrived["participant"].to_numpy(),
            "group": arrived["group"].astype(str).to_numpy(),
            "days": days,
        }
    )


def phase_benefit_days(log: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """Days each participant spent inside the window in an intervention type with its own benefit
    (``insatsmarknad.types.<t>.benefits_per_month_sek``): ``participant, group, type, days``.

    A spell runs from its ``insats_started`` record to the participant's next ``insats_ended``
    record, or to their exit, or to the horizon: a participant is in one intervention at a time.
    "Next" is in the log's record order, since a phase that leads on to another ends at the very
    time the next one starts.
    """
    columns = ["participant", "group", "type", "days"]
    market = scenario.insatsmarknad
    paid = {n for n, t in market.types.items() if t.benefits_per_month_sek} if market else set()
    if not paid:
        return pd.DataFrame(columns=columns)
    w, h = scenario.warmup_days, scenario.horizon_days
    log = log.reset_index(drop=True)  # the index is the record order
    starts = _rows(log, Event.INSATS_STARTED)
    starts = starts[starts["detail"].astype(str).isin(paid)]
    if not len(starts):
        return pd.DataFrame(columns=columns)
    ends = pd.concat([_rows(log, Event.INSATS_ENDED), _rows(log, Event.EXITED)])
    ends = ends[ends["participant"].isin(starts["participant"])].sort_index(kind="stable")
    by_person = {
        pid: (rows.index.to_numpy(), rows["time"].to_numpy())
        for pid, rows in ends.groupby("participant")
    }
    rows = []
    for at, pid, group, kind, t0 in zip(
        starts.index,
        starts["participant"],
        starts["group"].astype(str),
        starts["detail"].astype(str),
        starts["time"],
        strict=True,
    ):
        positions, times = by_person.get(pid, (np.empty(0), np.empty(0)))
        later = times[positions > at]
        t1 = float(later[0]) if len(later) else h
        rows.append((pid, group, kind, max(0.0, min(t1, h) - max(t0, w))))
    return pd.DataFrame(rows, columns=columns)


def benefit_cost_by_party(log: pd.DataFrame, scenario: Scenario) -> dict[str, float]:
    """Benefits paid in the window while participants are in the flow, SEK, per party.

    Each group's monthly rate per party (``costs.benefits_per_month_sek``) × the months its
    participants spent in the flow inside the window (:func:`benefit_days`; a month is 365.2425 /
    12 days), except the months in an intervention type with its own rate, which are paid at
    that rate instead (:func:`phase_benefit_days`; AMiA: AF's aktivitetsstöd during ALI
    replaces FK's benefit). Each party pays its own benefit directly: nothing goes through the pot.
    """
    out = dict.fromkeys(PARTIES, 0.0)
    rates = scenario.costs.benefits_per_month_sek
    phases = phase_benefit_days(log, scenario)
    if not rates and not len(phases):
        return out
    days = benefit_days(log, scenario)
    if not len(days):
        return out
    months = days.groupby("group")["days"].sum() / DAYS_PER_UNIT["months"]
    if len(phases):
        in_phase = phases.groupby("group")["days"].sum() / DAYS_PER_UNIT["months"]
        months = months.sub(in_phase, fill_value=0.0)
        types = scenario.insatsmarknad.types if scenario.insatsmarknad else {}
        for kind, phase_days in phases.groupby("type")["days"].sum().items():
            for party, per_month in (types[kind].benefits_per_month_sek or {}).items():
                out[party] += float(phase_days) / DAYS_PER_UNIT["months"] * per_month
    for group, paid in rates.items():
        for party, per_month in paid.items():
            out[party] += float(months.get(group, 0.0)) * per_month
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
