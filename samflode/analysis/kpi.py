"""KPIs: pure functions of one replication's event log (and the scenario's rules and calendar).

The analysis window is [warm-up, horizon). Counts and lead times are for the *cohort* that arrived
in the window. Those still waiting at the horizon are censored: a lead-time mean covers completed
waits only, while a "share within the rule" counts everyone who had the full rule period before the
horizon, and a wait that never ended (or ended in a drop-out) counts as outside the rule. Outcome
shares are among cohort members whose follow-up fell before the horizon. Nothing here looks at
live model objects.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from samflode.analysis.costs import cost_kpis, worked_hours
from samflode.analysis.service import service_kpis
from samflode.config.calendar import HOURS_PER_DAY
from samflode.config.scenario import Scenario
from samflode.eventlog.log import Event, records_to_frame

NAN = math.nan
# Every status a follow-up can record (eventlog.schema: work, studies, not_in_work, or the exit
# state), in the order a board reads them: the good ones first, drop-out last. The shares of one
# follow-up sum to 1, so a report can show where everyone went, not only who found work.
FOLLOWUP_STATES = (
    "work",
    "studies",
    "af_programme",
    "not_in_work",
    "benefits",
    "permanent_support",
    "dropout",
)
FOLLOWUPS = ("90d", "6m")


def _rows(log: pd.DataFrame, event: Event, **equals: str) -> pd.DataFrame:
    mask = log["event"] == event.value
    for column, value in equals.items():
        mask &= log[column] == value
    return log[mask]


def _first_time(log: pd.DataFrame, event: Event, **equals: str) -> pd.Series:
    """First time of an event per participant."""
    rows = _rows(log, event, **equals)
    return rows.groupby("participant", sort=True)["time"].min()


def cohort_arrivals(log: pd.DataFrame, warmup_days: float, horizon_days: float) -> pd.Series:
    """Arrival time per participant who arrived in the analysis window."""
    arrived = _first_time(log, Event.ARRIVED)
    return arrived[(arrived >= warmup_days) & (arrived < horizon_days)]


def _mean(values: pd.Series) -> float:
    return float(values.mean()) if len(values) else NAN


def _share_within(start: pd.Series, reached: pd.Series, rule_days: float, horizon: float) -> float:
    """Share of those who started at least ``rule_days`` before the horizon and were reached
    within ``rule_days``; never reached counts as outside the rule.
    """
    eligible = start[start <= horizon - rule_days]
    if not len(eligible):
        return NAN
    delay = reached.reindex(eligible.index) - eligible
    return float((delay <= rule_days).mean())


def lead_time_kpis(log: pd.DataFrame, scenario: Scenario) -> dict[str, float]:
    """Days to first meeting, kontrakt, Konsultation and intervention, and rule compliance."""
    h, rules = scenario.horizon_days, scenario.rules
    cohort = cohort_arrivals(log, scenario.warmup_days, h)
    out: dict[str, float] = {}

    arrived = _rows(log, Event.ARRIVED)
    via_forum = arrived.loc[arrived["detail"] != "direct_konsultation", "participant"]
    forum_arrivals = cohort[cohort.index.isin(via_forum)]
    triage = _first_time(log, Event.MEETING_START, stage="forum", detail="triage")
    wait_first = (triage.reindex(forum_arrivals.index) - forum_arrivals).dropna()
    out["days_to_first_meeting_mean"] = _mean(wait_first)
    out["days_to_first_meeting_p90"] = (
        float(np.quantile(wait_first, 0.9)) if len(wait_first) else NAN
    )
    out["share_first_meeting_within_7d"] = _share_within(
        forum_arrivals, triage, rules.first_meeting_days, h
    )

    simple = _rows(log, Event.TRIAGED, detail="simple")["participant"]
    simple_triage = triage[triage.index.isin(simple) & triage.index.isin(cohort.index)]
    kontrakt = _first_time(log, Event.KONTRAKT_SIGNED, stage="forum")
    out["days_to_kontrakt_mean"] = _mean(
        (kontrakt.reindex(simple_triage.index) - simple_triage).dropna()
    )
    out["share_kontrakt_within_14d"] = _share_within(
        simple_triage, kontrakt, rules.kontrakt_days, h
    )

    handover = _first_time(log, Event.HANDOVER)
    handover = handover[handover.index.isin(cohort.index)]
    session = _first_time(log, Event.MEETING_START, stage="konsultation")
    out["days_to_konsultation_mean"] = _mean((session.reindex(handover.index) - handover).dropna())
    out["share_konsultation_within_7d"] = _share_within(
        handover, session, rules.konsultation_days, h
    )

    out["days_waiting_for_insats_mean"] = _mean(insats_waits(log, cohort.index))
    return out


def insats_waits(log: pd.DataFrame, participants: pd.Index) -> pd.Series:
    """Completed waits for a provider place, one per intervention started, in days."""
    queued = _rows(log, Event.INSATS_QUEUED)[["participant", "time"]]
    started = _rows(log, Event.INSATS_STARTED)[["participant", "time"]]
    queued = queued[queued["participant"].isin(participants)]
    started = started[started["participant"].isin(participants)]
    if not len(started):
        return pd.Series(dtype=float)
    queued = queued.assign(k=queued.groupby("participant").cumcount())
    started = started.assign(k=started.groupby("participant").cumcount())
    pairs = started.merge(queued, on=["participant", "k"], suffixes=("_start", "_queued"))
    return pairs["time_start"] - pairs["time_queued"]


def flow_kpis(log: pd.DataFrame, scenario: Scenario) -> dict[str, float]:
    """Arrivals, exits and those still in the system at the horizon, for the cohort."""
    cohort = cohort_arrivals(log, scenario.warmup_days, scenario.horizon_days).index
    exited = _rows(log, Event.EXITED)
    in_system = _rows(log, Event.IN_SYSTEM_AT_END)
    return {
        "arrivals": float(len(cohort)),
        "exits": float(exited["participant"].isin(cohort).sum()),
        "in_system_end": float(in_system["participant"].isin(cohort).sum()),
    }


def outcome_kpis(log: pd.DataFrame, scenario: Scenario) -> dict[str, float]:
    """Outcome shares at 90 days and 6 months, and the share of exits that were drop-outs.

    ``share_<state>_90d`` and ``share_<state>_6m`` for every state of :data:`FOLLOWUP_STATES`
    (they sum to 1 at each follow-up), besides work or studies together.
    """
    cohort = cohort_arrivals(log, scenario.warmup_days, scenario.horizon_days).index
    f90 = _rows(log, Event.FOLLOWUP_90D)
    f90 = f90.loc[f90["participant"].isin(cohort), "detail"].astype(str)
    f6 = _rows(log, Event.FOLLOWUP_6M)
    f6 = f6.loc[f6["participant"].isin(cohort), "detail"].astype(str)
    exited = _rows(log, Event.EXITED)
    exited = exited.loc[exited["participant"].isin(cohort), "detail"].astype(str)

    def share(series: pd.Series, states: tuple[str, ...]) -> float:
        return float(series.isin(states).mean()) if len(series) else NAN

    out = {
        "share_work_or_studies_90d": share(f90, ("work", "studies")),
        "share_work_or_studies_6m": share(f6, ("work", "studies")),
        "share_dropout": share(exited, ("dropout",)),
    }
    for when, statuses in (("90d", f90), ("6m", f6)):
        for state in FOLLOWUP_STATES:
            out[f"share_{state}_{when}"] = share(statuses, (state,))
    return out


def busy_hours(log: pd.DataFrame, start: float, end: float) -> dict[str, float]:
    """Staff hours spent in meetings and case administration per pool within [start, end),
    meetings in progress included.

    A joint meeting (resource ``a+b``) counts for every pool in it.
    """
    ends = pd.concat([_rows(log, Event.MEETING_END), _rows(log, Event.ADMIN)])
    starts = _rows(log, Event.MEETING_START)
    t_end = ends["time"].to_numpy()
    t_start = t_end - ends["value"].to_numpy()
    intervals = pd.DataFrame(
        {"resource": ends["resource"].astype(str).to_numpy(), "t0": t_start, "t1": t_end}
    )
    # Meetings that started but had not ended by the horizon: the last unmatched start per
    # (participant, resource, detail) runs to the end of the window.
    open_resources, open_starts = _unfinished_meetings(starts, ends)
    if len(open_starts):
        running = pd.DataFrame(
            {"resource": open_resources, "t0": open_starts, "t1": np.full(len(open_starts), end)}
        )
        intervals = pd.concat([intervals, running], ignore_index=True)
    overlap = (np.minimum(intervals["t1"], end) - np.maximum(intervals["t0"], start)).clip(lower=0)
    intervals = intervals.assign(hours=overlap * HOURS_PER_DAY)
    totals: dict[str, float] = {}
    for resource, hours in intervals.groupby("resource")["hours"].sum().items():
        for role in str(resource).split("+"):
            totals[role] = totals.get(role, 0.0) + float(hours)
    return totals


def _unfinished_meetings(
    starts: pd.DataFrame, ends: pd.DataFrame
) -> tuple[list[str], np.ndarray]:
    """Resource and start time of each meeting still running at the end of the log.

    A meeting is keyed by (participant, resource, detail); a key with more starts than ends has
    one meeting in progress, its last start. One integer per key and a sort do what a groupby
    over three columns did, several times faster (the KPIs run once per replication).
    """
    both = pd.concat([starts[["resource", "detail"]], ends[["resource", "detail"]]])
    resource_codes, resources = _codes(both["resource"])
    detail_codes, details = _codes(both["detail"])
    n_res, n_det = max(len(resources), 1), max(len(details), 1)
    person = np.concatenate(
        [starts["participant"].to_numpy(np.int64), ends["participant"].to_numpy(np.int64)]
    )
    # One integer per (participant, resource, detail); staff records have participant -1.
    every_key = ((person + 1) * n_res + resource_codes) * n_det + detail_codes
    start_keys, end_keys = every_key[: len(starts)], every_key[len(starts) :]
    unique, n_start = np.unique(start_keys, return_counts=True)
    ended, n_ended = np.unique(end_keys, return_counts=True)
    n_end = np.zeros(len(unique), dtype=np.int64)
    if len(ended):
        at = np.minimum(np.searchsorted(ended, unique), len(ended) - 1)
        n_end = np.where(ended[at] == unique, n_ended[at], 0)
    open_keys = unique[n_start > n_end]
    if not len(open_keys):
        return [], np.empty(0)
    times = starts["time"].to_numpy()
    chosen = np.isin(start_keys, open_keys)
    order = np.lexsort((times[chosen], start_keys[chosen]))
    k, t = start_keys[chosen][order], times[chosen][order]
    last = np.r_[k[1:] != k[:-1], True]  # the last (latest) start of each key
    resource_of = (k[last] // n_det) % n_res
    return [str(resources[i]) for i in resource_of], t[last]


def _codes(column: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Integer codes and their labels: a categorical's own, or factorized."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.codes.to_numpy(np.int64), column.cat.categories
    codes, labels = pd.factorize(column.astype(str), sort=False)
    return codes.astype(np.int64), pd.Index(labels)


def utilisation_kpis(log: pd.DataFrame, scenario: Scenario) -> dict[str, float]:
    """Share of each pool's working hours spent in meetings, per pool (``utilisation_<role>``)."""
    busy = busy_hours(log, scenario.warmup_days, scenario.horizon_days)
    out = {}
    for role, available in worked_hours(log, scenario).items():
        out[f"utilisation_{role}"] = busy.get(role, 0.0) / available if available > 0 else NAN
    return out


def compute_kpis(log: pd.DataFrame, scenario: Scenario) -> dict[str, float]:
    """Every KPI of one replication, by name (the names of the public contract, README "KPIs")."""
    out: dict[str, float] = {}
    out.update(flow_kpis(log, scenario))
    out.update(lead_time_kpis(log, scenario))
    out.update(outcome_kpis(log, scenario))
    out.update(utilisation_kpis(log, scenario))
    cohort = cohort_arrivals(log, scenario.warmup_days, scenario.horizon_days)
    out.update(service_kpis(log, scenario, cohort))
    out.update(cost_kpis(log, scenario, arrivals=out["arrivals"]))
    return out


def kpi_names(scenario: Scenario) -> list[str]:
    """The names :func:`compute_kpis` gives for ``scenario``, in order, without running it.

    They depend on the scenario (``utilisation_<pool>``, ``cost_<party>_sek``), not on what
    happened, so the KPIs of an empty log name them all; a test checks this on every bundled
    scenario. Used to reject an unknown ``--kpi`` before hours of runs, not after.
    """
    return list(compute_kpis(records_to_frame([], 0), scenario))


def time_average_in_system(log: pd.DataFrame, start: float, end: float) -> float:
    """Mean number of participants in the system over [start, end) (the L of Little's law)."""
    arrived = _first_time(log, Event.ARRIVED)
    exited = _first_time(log, Event.EXITED).reindex(arrived.index).fillna(end)
    t0 = arrived.clip(lower=start, upper=end)
    t1 = exited.clip(lower=start, upper=end)
    return float((t1 - t0).clip(lower=0).sum() / (end - start))




def lead_time_samples(log: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """Every completed lead time of the cohort: ``replication, measure, days``, one row each.

    These are the samples behind the lead-time KPIs, with the same cohort and censoring (completed
    waits only), so the mean of each measure in one replication equals its ``*_mean`` KPI:
    ``first_meeting`` (arrival via Forum → triage meeting), ``kontrakt`` (simple track: triage →
    Forum kontrakt), ``konsultation`` (hand-over → first session) and ``insats_wait`` (wait for a
    provider place). A log with several replications is handled one replication at a time, because
    participant ids restart in each.
    """
    frames = []
    for replication, rep_log in log.groupby("replication", sort=True, observed=True):
        for measure, days in _lead_times_one(rep_log, scenario).items():
            frames.append(
                pd.DataFrame(
                    {
                        "replication": np.full(len(days), replication, dtype=np.int32),
                        "measure": measure,
                        "days": np.asarray(days, dtype=float),
                    }
                )
            )
    if not frames:
        return pd.DataFrame(
            {
                "replication": pd.Series(dtype=np.int32),
                "measure": pd.Series(dtype=object),
                "days": pd.Series(dtype=float),
            }
        )
    return pd.concat(frames, ignore_index=True)


def _lead_times_one(log: pd.DataFrame, scenario: Scenario) -> dict[str, pd.Series]:
    """Lead times of one replication, as :func:`lead_time_kpis` defines them."""
    cohort = cohort_arrivals(log, scenario.warmup_days, scenario.horizon_days)
    arrived = _rows(log, Event.ARRIVED)
    via_forum = arrived.loc[arrived["detail"] != "direct_konsultation", "participant"]
    forum_arrivals = cohort[cohort.index.isin(via_forum)]
    triage = _first_time(log, Event.MEETING_START, stage="forum", detail="triage")

    simple = _rows(log, Event.TRIAGED, detail="simple")["participant"]
    simple_triage = triage[triage.index.isin(simple) & triage.index.isin(cohort.index)]
    kontrakt = _first_time(log, Event.KONTRAKT_SIGNED, stage="forum")

    handover = _first_time(log, Event.HANDOVER)
    handover = handover[handover.index.isin(cohort.index)]
    session = _first_time(log, Event.MEETING_START, stage="konsultation")
    return {
        "first_meeting": (triage.reindex(forum_arrivals.index) - forum_arrivals).dropna(),
        "kontrakt": (kontrakt.reindex(simple_triage.index) - simple_triage).dropna(),
        "konsultation": (session.reindex(handover.index) - handover).dropna(),
        "insats_wait": insats_waits(log, cohort.index),
    }
