"""Digests: the small part of an event log that figures and checks need, so logs need not be kept.

A comparison of a few designs over many replications would hold gigabytes of event logs if it kept
them all for its figures (about 680 MB for 2 designs × 30 replications of the default scenario).
The figures need far less: the completed lead times (a few hundred numbers per measure), the daily
queue length per stage and the daily number in the system (one number per day each). A
:class:`ReplicationDigest` holds exactly that for one replication; it is computed where the
replication ran, travels back instead of the log, can be checkpointed to a small ``.npz`` file, and
the digests of all replications are merged into one :class:`Digest` per design.

:meth:`Digest.from_events` computes the same digest from a log kept in memory, through the same
per-replication code, so a figure is the same whichever way its data came.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from samflode.analysis.kpi import lead_time_samples
from samflode.analysis.series import STAGES, in_system, queue_length
from samflode.config.scenario import Scenario

_LEAD = "lead_time/"
_QUEUE = "queue/"
_IN_SYSTEM = "in_system"


@dataclass(frozen=True, eq=False)
class ReplicationDigest:
    """One replication's completed lead times (days, per measure) and daily series.

    ``queues[stage][d]`` is the time-average number waiting in ``stage`` during day ``d``;
    ``in_system[d]`` the time-average number of participants in the system (see
    :mod:`samflode.analysis.series`).
    """

    replication: int
    lead_times: dict[str, np.ndarray]
    queues: dict[str, np.ndarray]
    in_system: np.ndarray

    @classmethod
    def from_events(cls, events: pd.DataFrame, scenario: Scenario) -> ReplicationDigest:
        """Digest of the event log of one replication (as ``run_one`` gives it)."""
        replications = events["replication"].unique() if len(events) else np.array([0])
        if len(replications) != 1:
            raise ValueError(f"one replication expected, got {len(replications)}")
        horizon = scenario.horizon_days
        samples = lead_time_samples(events, scenario)
        return cls(
            replication=int(replications[0]),
            lead_times={
                str(measure): group["days"].to_numpy(dtype=float)
                for measure, group in samples.groupby("measure", sort=False)
            },
            queues={
                stage: queue_length(events, stage, horizon_days=horizon).to_numpy(dtype=float)
                for stage in STAGES
            },
            in_system=in_system(events, horizon_days=horizon).to_numpy(dtype=float),
        )

    def write(self, path: Path) -> None:
        """Write to ``path`` as an uncompressed ``.npz`` (numbers kept exactly, no pickle)."""
        arrays = {_LEAD + k: v for k, v in self.lead_times.items()}
        arrays |= {_QUEUE + k: v for k, v in self.queues.items()}
        arrays[_IN_SYSTEM] = self.in_system
        with open(path, "wb") as f:  # a file object: np.savez would append .npz to a name
            np.savez(f, **arrays)

    @classmethod
    def read(cls, path: Path, replication: int) -> ReplicationDigest:
        """Read what :meth:`write` wrote."""
        with np.load(path, allow_pickle=False) as data:
            arrays = {name: data[name] for name in data.files}
        return cls(
            replication=replication,
            lead_times={k[len(_LEAD) :]: v for k, v in arrays.items() if k.startswith(_LEAD)},
            queues={k[len(_QUEUE) :]: v for k, v in arrays.items() if k.startswith(_QUEUE)},
            in_system=arrays[_IN_SYSTEM],
        )


@dataclass(frozen=True, eq=False)
class Digest:
    """The digests of every replication of one design, merged.

    Attributes
    ----------
    lead_times
        Every completed lead time: ``replication, measure, days`` (as
        :func:`samflode.analysis.kpi.lead_time_samples`).
    queues
        Daily queue length per stage, mean over replications: index ``day``, one column per stage.
    in_system_first
        Daily number in the system in the first replication.
    in_system_mean
        Daily number in the system, mean over the replications: the series the warm-up check
        uses (MSER on the replication average, as White 1997 and Hoad et al. 2010 apply it; one
        replication's series is noisier and gives a less stable cut).
    replications
        How many replications were merged.
    """

    lead_times: pd.DataFrame
    queues: pd.DataFrame
    in_system_first: pd.Series
    replications: int
    in_system_mean: pd.Series

    @classmethod
    def merge(cls, digests: Sequence[ReplicationDigest]) -> Digest:
        """Merge per-replication digests (any order; they are sorted by replication)."""
        if not digests:
            raise ValueError("no replications to merge")
        ordered = sorted(digests, key=lambda d: d.replication)
        frames = [
            pd.DataFrame(
                {
                    "replication": np.full(len(days), d.replication, dtype=np.int32),
                    "measure": measure,
                    "days": days,
                }
            )
            for d in ordered
            for measure, days in d.lead_times.items()
        ]
        lead_times = (
            pd.concat(frames, ignore_index=True)
            if frames
            else pd.DataFrame(
                {
                    "replication": pd.Series(dtype=np.int32),
                    "measure": pd.Series(dtype=object),
                    "days": pd.Series(dtype=float),
                }
            )
        )
        n_days = len(ordered[0].in_system)
        days = pd.Index(np.arange(n_days, dtype=float), name="day")
        queues = pd.DataFrame(
            {stage: np.mean([d.queues[stage] for d in ordered], axis=0) for stage in STAGES},
            index=days,
        )
        first = pd.Series(ordered[0].in_system, index=days, name="in_system")
        mean = pd.Series(
            np.mean([d.in_system for d in ordered], axis=0), index=days, name="in_system"
        )
        return cls(lead_times, queues, first, len(ordered), mean)

    @classmethod
    def from_events(cls, events: pd.DataFrame, scenario: Scenario) -> Digest:
        """The digest of a log of one or more replications kept in memory."""
        return cls.merge(
            [
                ReplicationDigest.from_events(rep_log, scenario)
                for _, rep_log in events.groupby("replication", sort=True, observed=True)
            ]
        )

    def queue(self, stage: str) -> pd.Series:
        """Daily number waiting in ``stage`` (mean over replications)."""
        return self.queues[stage].rename("waiting")
