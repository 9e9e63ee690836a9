"""Service intensity and phases: how much support people got, and what a follow-on phase gave.

Pure functions of one replication's event log and the scenario, for the analysis cohort (arrivals
in [warm-up, horizon)):

* ``support_hours_per_participant_month`` — hours of meetings with the participant (not staff
  time without them) per month in the flow, from arrival to exit or the horizon;
* ``share_followups_held`` — monthly follow-ups held ÷ follow-ups due while the interventions ran
  (one every ``followup_interval_days`` after the start, before the end); a follow-up that slips
  because the officers have no time moves the next one, so fewer are held;
* ``caseload_occupancy_<pool>`` — time-average share of a capped pool's caseload slots in use in
  the window, and ``days_waiting_for_slot_mean`` — days from starting to wait for a slot to the
  case opening (0 for those who got one at once);
* ``distinct_officers_mean`` — officers met per participant (pools whose officers hold cases),
  from the exposures recorded when the exit state is drawn;
* for each follow-on intervention T (AMiA: ``ali``), ``share_entered_<T>`` — the share of the
  cohort that started T, among those whose path was decided by the horizon (started T or left),
  and ``share_active_90d_after_<T>`` — among those who completed T (ended other than by drop-out),
  the share in work, studies or an AF programme 90 days after it ended, the AMiA measure
  (AMiA 2013 p. 172, p. 175), for those whose 90 days fell before the horizon, and
  ``share_deregistered_90d_after_<T>``, the rest of them (benefits, permanent support, drop-out:
  deregistered from AF, the seed's "avskrivna");
* ``days_in_flow_mean`` — arrival → exit, for cohort members who exited (the seed's
  "genomströmningstid", throughput time); ``interventions_per_participant`` — interventions
  started by cohort members ÷ the cohort; ``share_exits_to_benefits`` — cohort exits to benefits
  or permanent support ÷ cohort exits (back on the benefit after the project).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from samflode.config.scenario import Scenario
from samflode.eventlog.log import Event

NAN = math.nan
HOURS_PER_DAY = 24.0
DAYS_PER_MONTH = 365.2425 / 12.0
ACTIVE = ("work", "studies", "af_programme")
ON_BENEFIT = ("benefits", "permanent_support")


def _rows(log: pd.DataFrame, event: Event) -> pd.DataFrame:
    return log[log["event"] == event.value]


def follow_on_types(scenario: Scenario) -> list[str]:
    """Intervention types that follow another (a ``then`` target), in name order."""
    market = scenario.insatsmarknad
    if market is None:
        return []
    return sorted({t.then for t in market.types.values() if t.then is not None})


def capped_pools(scenario: Scenario) -> list[str]:
    """Pools with a caseload cap that hold some group's cases."""
    held = {g.handlaggare for g in scenario.groups.values() if g.handlaggare is not None}
    return [r for r, pool in scenario.staff.items() if pool.caseload_cap is not None and r in held]


def service_kpis(log: pd.DataFrame, scenario: Scenario, cohort: pd.Series) -> dict[str, float]:
    """Every KPI of this module for one replication; ``cohort``: arrival time per participant."""
    out: dict[str, float] = {}
    members = cohort.index
    out["support_hours_per_participant_month"] = _support_hours(log, scenario, cohort)
    out["share_followups_held"] = _followups_held(log, scenario, members)
    out.update(_caseload(log, scenario, members))
    exposure = _rows(log, Event.EXPOSURE)
    officers = exposure[
        (exposure["detail"] == "distinct_officers") & exposure["participant"].isin(members)
    ]["value"]
    out["distinct_officers_mean"] = float(officers.mean()) if len(officers) else NAN
    out.update(_flow_time(log, scenario, cohort))
    for itype in follow_on_types(scenario):
        out.update(_phase(log, scenario, members, itype))
    return out


def _flow_time(log: pd.DataFrame, scenario: Scenario, cohort: pd.Series) -> dict[str, float]:
    exited = _rows(log, Event.EXITED)
    exited = exited[exited["participant"].isin(cohort.index)].groupby("participant").head(1)
    days = exited.set_index("participant")["time"] - cohort.reindex(exited["participant"])
    started = _rows(log, Event.INSATS_STARTED)
    n_started = int(started["participant"].isin(cohort.index).sum())
    return {
        "days_in_flow_mean": float(days.mean()) if len(days) else NAN,
        "interventions_per_participant": (
            n_started / len(cohort) if len(cohort) and scenario.insatsmarknad is not None else NAN
        ),
        "share_exits_to_benefits": (
            float(exited["detail"].isin(ON_BENEFIT).mean()) if len(exited) else NAN
        ),
    }


def _support_hours(log: pd.DataFrame, scenario: Scenario, cohort: pd.Series) -> float:
    if not len(cohort):
        return NAN
    ends = _rows(log, Event.MEETING_END)
    ends = ends[(ends["detail"] != "coordination") & ends["participant"].isin(cohort.index)]
    hours = float(ends["value"].sum()) * HOURS_PER_DAY
    exited = _rows(log, Event.EXITED).groupby("participant")["time"].min()
    left = exited.reindex(cohort.index).fillna(scenario.horizon_days)
    months = float((left - cohort).clip(lower=0).sum()) / DAYS_PER_MONTH
    return hours / months if months > 0 else NAN


def _followups_held(log: pd.DataFrame, scenario: Scenario, members: pd.Index) -> float:
    market = scenario.insatsmarknad
    if market is None:
        return NAN
    interval = market.followup_interval_days
    started = _rows(log, Event.INSATS_STARTED)
    ended = _rows(log, Event.INSATS_ENDED)
    started = started[started["participant"].isin(members)][["participant", "time"]]
    ended = ended[ended["participant"].isin(members)][["participant", "time"]]
    if not len(ended):
        return NAN
    started = started.assign(k=started.groupby("participant").cumcount())
    ended = ended.assign(k=ended.groupby("participant").cumcount())
    spans = ended.merge(started, on=["participant", "k"], suffixes=("_end", "_start"))
    length = (spans["time_end"] - spans["time_start"]).to_numpy()
    due = float(np.maximum(np.ceil(length / interval - 1e-9) - 1, 0).sum())
    if due <= 0:
        return NAN
    checkins = _rows(log, Event.MEETING_END)
    checkins = checkins[(checkins["detail"] == "checkin") & checkins["participant"].isin(members)]
    # Only follow-ups of interventions that ended (a running one's are not yet all due).
    done = set(spans["participant"])
    held = float(checkins["participant"].isin(done).sum())
    return min(held / due, 1.0)


def _caseload(log: pd.DataFrame, scenario: Scenario, members: pd.Index) -> dict[str, float]:
    out: dict[str, float] = {}
    w, h = scenario.warmup_days, scenario.horizon_days
    opened = _rows(log, Event.CASE_OPENED)
    exited = _rows(log, Event.EXITED).groupby("participant")["time"].min()
    for role in capped_pools(scenario):
        rows = opened[opened["resource"] == role]
        t0 = rows["time"].to_numpy()
        t1 = exited.reindex(rows["participant"]).fillna(h).to_numpy()
        busy = (np.minimum(t1, h) - np.maximum(t0, w)).clip(min=0).sum()
        slots = scenario.staff[role].headcount * scenario.staff[role].caseload_cap
        out[f"caseload_occupancy_{role}"] = float(busy / ((h - w) * slots))
    queued = _rows(log, Event.QUEUED)
    queued = queued[queued["detail"] == "caseload"].groupby("participant")["time"].min()
    cases = opened[opened["participant"].isin(members)].groupby("participant")["time"].min()
    if len(cases):
        waits = (cases - queued.reindex(cases.index)).fillna(0.0)
        out["days_waiting_for_slot_mean"] = float(waits.mean())
    else:
        out["days_waiting_for_slot_mean"] = NAN
    return out


def _phase(
    log: pd.DataFrame, scenario: Scenario, members: pd.Index, itype: str
) -> dict[str, float]:
    started = _rows(log, Event.INSATS_STARTED)
    entered = set(started.loc[started["detail"] == itype, "participant"]) & set(members)
    left = set(_rows(log, Event.EXITED)["participant"]) & set(members)
    decided = entered | left
    share_entered = len(entered) / len(decided) if decided else NAN
    ended = _rows(log, Event.INSATS_ENDED)
    ended = ended[ended["participant"].isin(entered)]
    # insats_ended's resource is the provider and detail the end state; the phase is the last
    # intervention of those who entered it, so their last insats_ended is the phase's end.
    last = ended.groupby("participant").tail(1)
    completed = last.loc[last["detail"] != "dropout", "participant"]
    f90 = _rows(log, Event.FOLLOWUP_90D)
    f90 = f90[f90["participant"].isin(completed)]
    active = float(f90["detail"].isin(ACTIVE).mean()) if len(f90) else NAN
    return {
        f"share_entered_{itype}": share_entered,
        f"share_active_90d_after_{itype}": active,
        f"share_deregistered_90d_after_{itype}": 1.0 - active,
    }
