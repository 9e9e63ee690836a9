"""What a worker runs: one replication of one scenario, and what it sends back.

Each task is a plain module-level function of picklable arguments, so the same task runs in this
process, a process pool or a Dask worker. Replication r of an experiment with seed s draws from
streams keyed (s, r, name), so its output does not depend on where it ran.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from samflode.analysis.digest import ReplicationDigest
from samflode.analysis.kpi import compute_kpis
from samflode.config.scenario import Scenario
from samflode.execution.atomic import write_atomically
from samflode.model.replication import run_replication


def run_one(scenario: Scenario, seed: int, replication: int) -> tuple[pd.DataFrame, dict]:
    """Run replication ``replication`` and return its event log and KPIs."""
    log = run_replication(scenario, seed=seed, replication=replication)
    events = log.to_frame(replication)
    # The finished SimPy graph is a reference cycle that waits for a rare full collection, and its
    # suspended generators still hold the records: emptying them now frees ~12 MiB per default
    # replication at once, so a worker's memory plateaus lower (benchmarks/bench_scale.py).
    log.clear()
    return events, compute_kpis(events, scenario)


def run_one_digest(
    scenario: Scenario, seed: int, replication: int, keep_events: bool = False
) -> tuple[dict, ReplicationDigest, pd.DataFrame | None]:
    """Run one replication; return its KPIs, its digest and (if ``keep_events``) its event log.

    The digest is computed where the replication ran, so only a few kilobytes travel back when
    the log is not kept.
    """
    events, kpis = run_one(scenario, seed, replication)
    digest = ReplicationDigest.from_events(events, scenario)
    return kpis, digest, events if keep_events else None


def run_and_write(scenario: Scenario, seed: int, replication: int, events_path: Path) -> dict:
    """Run one replication, write its event log to ``events_path`` (atomically); return its KPIs.

    For workers that share the parent's file system: the log never travels back.
    """
    events, kpis = run_one(scenario, seed, replication)
    write_events(events_path, events)
    return kpis


def write_events(path: Path, events: pd.DataFrame) -> None:
    """Write one replication's event log to ``path`` atomically."""
    write_atomically(path.parent, {path.name: lambda p: events.to_parquet(p, index=False)})


def run_one_kpis(scenario: Scenario, seed: int, replication: int) -> dict:
    """Run replication ``replication`` and return only its KPIs (nothing large to send back)."""
    return run_one(scenario, seed, replication)[1]
