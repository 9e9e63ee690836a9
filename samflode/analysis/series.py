"""Daily time series from the event log: queue length per stage and the number in the system.

Pure functions of the log (numpy, pandas and :mod:`samflode.eventlog.log` only), so the comparison
plots, the warm-up check and the dashboard compute them one way. A log may hold several
replications; every series is then the mean over them (a replication with nobody waiting counts as
zero).

A day's value is the *time average* over that day, [d, d + 1), not a snapshot at one instant: with
office hours a snapshot at midnight would miss the queue that builds and clears within the day.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from samflode.eventlog.log import Event

STAGES = ("forum", "konsultation", "insatsmarknad")


def waits(log: pd.DataFrame, stage: str, *, horizon_days: float) -> pd.DataFrame:
    """Every wait in ``stage``'s queue: ``replication, participant, start, end`` (days).

    In Forum and Konsultation a ``queued`` record opens a wait and the participant's next
    ``meeting_start`` in that stage *of the same kind* (its ``detail``: triage, planning, session)
    closes it; staff time on the case without the participant (e.g. ``coordination``) does not. In
    the Insatsmarknad ``insats_queued`` opens and ``insats_started`` closes. A ``dropped_out``
    closes any open wait, and so does a new opening record of the same participant in the same
    stage, so nobody is ever counted twice in one queue. A wait still open at the horizon ends
    there (censored). Only the wait for the *first* Konsultation session is in the log (later
    sessions are booked at the set interval), so only that one counts.
    """
    if stage not in STAGES:
        raise ValueError(f"stage must be one of {STAGES} (got {stage!r})")
    event = log["event"]
    if stage == "insatsmarknad":
        opens = event == Event.INSATS_QUEUED.value
        starts = event == Event.INSATS_STARTED.value
    else:
        in_stage = log["stage"] == stage
        opens = (event == Event.QUEUED.value) & in_stage
        starts = (event == Event.MEETING_START.value) & in_stage
    dropped = event == Event.DROPPED_OUT.value
    # Row position is record order within a replication (and replications follow each other), so
    # "the next closing record" is the next row, even when several records share one time.
    opened = _records(log, opens.to_numpy())
    if not len(opened):
        return pd.DataFrame(
            {
                "replication": pd.Series(dtype=np.int32),
                "participant": pd.Series(dtype=np.int64),
                "start": pd.Series(dtype=float),
                "end": pd.Series(dtype=float),
            }
        )
    if stage == "insatsmarknad":
        opened["kind"] = ""
        started = _records(log, starts.to_numpy()).assign(kind="")
    else:
        opened["kind"] = log["detail"].to_numpy()[opens.to_numpy()].astype(str)
        started = _records(log, starts.to_numpy())
        started["kind"] = log["detail"].to_numpy()[starts.to_numpy()].astype(str)
    others = _records(log, (dropped | opens).to_numpy())
    by_start = _next_record(opened, started, ["replication", "participant", "kind"])
    by_other = _next_record(opened, others, ["replication", "participant"])
    end = np.where(by_start["position"] <= by_other["position"], by_start["time"], by_other["time"])
    out = opened[["replication", "participant"]].copy()
    out["start"] = opened["time"].to_numpy()
    out["end"] = np.minimum(np.nan_to_num(end, nan=horizon_days), horizon_days)
    return out.reset_index(drop=True)


def _records(log: pd.DataFrame, mask: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "replication": log["replication"].to_numpy()[mask],
            "participant": log["participant"].to_numpy()[mask],
            "position": np.flatnonzero(mask),
            "time": log["time"].to_numpy()[mask],
        }
    )


def _next_record(opened: pd.DataFrame, closers: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Position and time of the first record in ``closers`` after each row of ``opened``, per
    ``by``; position +inf and time NaN where there is none.
    """
    found = pd.merge_asof(
        opened[[*by, "position"]],
        closers[[*by, "position", "time"]].rename(columns={"position": "closed_at"}),
        left_on="position",
        right_on="closed_at",
        by=by,
        direction="forward",
        allow_exact_matches=False,
    )
    return pd.DataFrame(
        {
            "position": found["closed_at"].fillna(np.inf).to_numpy(dtype=float),
            "time": found["time"].to_numpy(dtype=float),
        }
    )


def daily_average(
    starts: np.ndarray, ends: np.ndarray, *, horizon_days: float, replications: int = 1
) -> pd.Series:
    """Time-average number of intervals ``[start, end)`` open in each day, over ``replications``.

    The integral of a step count up to ``x`` is ``Σ max(0, min(x, end) − start)``; it is
    evaluated at the day boundaries from sorted starts and ends, so the cost is
    O((n + days) log n) whatever the lengths of the intervals.
    """
    n_days = max(1, math.ceil(horizon_days))
    edges = np.minimum(np.arange(n_days + 1, dtype=float), horizon_days)
    s = np.sort(np.clip(np.asarray(starts, dtype=float), 0.0, horizon_days))
    e = np.sort(np.clip(np.asarray(ends, dtype=float), 0.0, horizon_days))
    cum_s = np.concatenate([[0.0], np.cumsum(s)])
    cum_e = np.concatenate([[0.0], np.cumsum(e)])
    count_s = np.searchsorted(s, edges, side="left")
    count_e = np.searchsorted(e, edges, side="left")
    # Σ_{start < x} (x − start) − Σ_{end < x} (x − end): time spent open before x, summed.
    area = (count_s * edges - cum_s[count_s]) - (count_e * edges - cum_e[count_e])
    width = np.diff(edges)
    values = np.divide(np.diff(area), width, out=np.zeros(n_days), where=width > 0)
    values = np.maximum(values / max(1, replications), 0.0)  # round-off never makes a count < 0
    return pd.Series(values, index=pd.Index(np.arange(n_days, dtype=float), name="day"))


def _replications(log: pd.DataFrame) -> int:
    return max(1, int(log["replication"].nunique())) if len(log) else 1


def queue_length(log: pd.DataFrame, stage: str, *, horizon_days: float) -> pd.Series:
    """Number waiting in ``stage``'s queue per day (time average; mean over replications)."""
    w = waits(log, stage, horizon_days=horizon_days)
    series = daily_average(
        w["start"].to_numpy(),
        w["end"].to_numpy(),
        horizon_days=horizon_days,
        replications=_replications(log),
    )
    return series.rename("waiting")


def in_system(log: pd.DataFrame, *, horizon_days: float) -> pd.Series:
    """Participants in the system per day, arrival to exit (time average; mean over replications).

    Someone still in the system at the horizon counts up to it; the follow-up after exit does not
    count (as in :func:`samflode.analysis.kpi.time_average_in_system`).
    """
    keys = ["replication", "participant"]
    arrived = log.loc[log["event"] == Event.ARRIVED.value, [*keys, "time"]]
    exited = log.loc[log["event"] == Event.EXITED.value, [*keys, "time"]]
    stays = arrived.merge(exited, on=keys, how="left", suffixes=("_in", "_out"))
    series = daily_average(
        stays["time_in"].to_numpy(),
        stays["time_out"].fillna(horizon_days).to_numpy(),
        horizon_days=horizon_days,
        replications=_replications(log),
    )
    return series.rename("in_system")
