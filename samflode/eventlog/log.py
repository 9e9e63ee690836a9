"""The append-only event log: the single source of truth every KPI is computed from.

During a run each record appends one value to each of eight column lists (about 0.1 µs, far below
a SimPy event), and the columns become a pandas DataFrame once, after the run. Nothing edits or
deletes a record. Columns: ``time`` (days), ``participant``, ``group``, ``event``, ``stage``,
``resource``, ``detail`` and ``value``; what the last three mean for each event is written once,
in :mod:`samflode.eventlog.schema`, which also checks a log against it.
"""

from __future__ import annotations

from enum import StrEnum
from operator import itemgetter

import numpy as np
import pandas as pd


class Event(StrEnum):
    """Kinds of record; the meaning of each one's columns is in :mod:`samflode.eventlog.schema`."""

    ARRIVED = "arrived"
    QUEUED = "queued"
    MEETING_START = "meeting_start"
    MEETING_END = "meeting_end"
    TRIAGED = "triaged"
    HANDED_OFF = "handed_off"
    HANDLAGGARE_CHANGED = "handlaggare_changed"
    INSATS_REFUSED = "insats_refused"
    HANDOVER = "handover"
    CASE_OPENED = "case_opened"
    KONTRAKT_SIGNED = "kontrakt_signed"
    CHECK_ISSUED = "check_issued"
    INSATS_QUEUED = "insats_queued"
    INSATS_STARTED = "insats_started"
    SUBGOAL_REACHED = "subgoal_reached"
    INSATS_ENDED = "insats_ended"
    DROPPED_OUT = "dropped_out"
    RESTARTED = "restarted"
    EXITED = "exited"
    FOLLOWUP_90D = "followup_90d"
    FOLLOWUP_6M = "followup_6m"
    IN_SYSTEM_AT_END = "in_system_at_end"
    STAFF_LEFT = "staff_left"
    STAFF_JOINED = "staff_joined"
    ADMIN = "admin"
    EXPOSURE = "exposure"
    OUTCOME_SCORE = "outcome_score"


class Kind:
    """The :class:`Event` values as plain ``str``, for the records appended on the hot path.

    Enum members are objects the garbage collector tracks, and a tuple holding one stays tracked;
    with plain strings the record tuples are untracked, which took a fifth off the run time of the
    tandem benchmark (full collections no longer walk every record).
    """


for _member in Event:
    setattr(Kind, _member.name, _member.value)


# ``value`` of a record whose event carries no number.
NAN = float("nan")
COLUMNS = ("time", "participant", "group", "event", "stage", "resource", "detail", "value")
FRAME_COLUMNS = ("replication", *COLUMNS)
CATEGORICAL = ("group", "event", "stage", "resource", "detail")


class EventLog:
    """Collects one replication's records column by column; :meth:`to_frame` makes the table.

    ``record(time, participant, group, event, stage, resource, detail, value)`` appends one value
    to each of eight lists. Measured against one tuple per record, the hot path costs about the
    same, and turning the log into a table no longer transposes millions of tuples (a fifth of
    the frame's cost on the tandem benchmark): each column goes to numpy or a categorical as it
    is.
    """

    __slots__ = ("columns", "record")

    def __init__(self) -> None:
        self.columns: tuple[list, ...] = tuple([] for _ in COLUMNS)
        put = tuple(column.append for column in self.columns)
        t_, p_, g_, e_, s_, r_, d_, v_ = put

        def record(
            time: float,
            participant: int,
            group: str,
            event: str,
            stage: str,
            resource: str,
            detail: str,
            value: float,
        ) -> None:
            t_(time)
            p_(participant)
            g_(group)
            e_(event)
            s_(stage)
            r_(resource)
            d_(detail)
            v_(value)

        self.record = record

    def __len__(self) -> int:
        return len(self.columns[0])

    def to_frame(self, replication: int = 0) -> pd.DataFrame:
        """Return the log as a DataFrame with a ``replication`` column, in record order."""
        return columns_to_frame(self.columns, replication)

    def clear(self) -> None:
        """Drop the records (once they are a frame), so their memory is freed at once."""
        for column in self.columns:
            column.clear()


def records_to_frame(records: list[tuple], replication: int) -> pd.DataFrame:
    """The log of record tuples (time, participant, group, event, stage, resource, detail, value).

    For logs written by hand (tests, examples); the model records column by column.
    """
    # itemgetter per column is about twice as fast as zip(*records) on large logs.
    columns = tuple(list(map(itemgetter(i), records)) for i in range(len(COLUMNS)))
    return columns_to_frame(columns, replication)


def columns_to_frame(columns: tuple[list, ...], replication: int) -> pd.DataFrame:
    """Build the table from the eight column lists, in :data:`COLUMNS` order."""
    cols = dict(zip(COLUMNS, columns, strict=True))
    n = len(cols["time"])
    data: dict[str, object] = {"replication": np.full(n, replication, dtype=np.int32)}
    data["time"] = np.asarray(cols["time"], dtype=np.float64)
    data["participant"] = np.asarray(cols["participant"], dtype=np.int64)
    for name in ("group", "event", "stage", "resource", "detail"):
        data[name] = _categorical(cols[name])
    data["value"] = np.asarray(cols["value"], dtype=np.float64)
    return pd.DataFrame(data)


def _categorical(values) -> pd.Categorical:  # noqa: ANN001 - tuple of str / StrEnum
    codes, uniques = pd.factorize(np.asarray(values, dtype=object), sort=False)
    categories = [str(u) for u in uniques]
    return pd.Categorical.from_codes(codes, categories=pd.Index(categories, dtype=object))


def concat_logs(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate per-replication logs, unifying categories so columns stay categorical."""
    if not frames:
        return records_to_frame([], 0)
    from pandas.api.types import union_categoricals

    out = {}
    for col in FRAME_COLUMNS:
        if col in CATEGORICAL:
            out[col] = union_categoricals([f[col] for f in frames])
        else:
            out[col] = np.concatenate([f[col].to_numpy() for f in frames])
    return pd.DataFrame(out)
