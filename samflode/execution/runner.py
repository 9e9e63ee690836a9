"""Run one scenario's replications: in memory (:func:`simulate`) or to a directory.

Replication r of an experiment with seed s always draws from streams keyed (s, r, name), so its
results do not depend on which worker ran it, how many workers there were, or whether they were a
process pool or a Dask cluster. :func:`simulate` keeps the results in memory;
:func:`run_to_directory` writes each replication to ``DIR/replications/`` as it finishes (so memory
stays flat and an interrupted run can be resumed) and then assembles the final files. Both are thin
over :func:`~samflode.execution.units.run_units`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from samflode.config.scenario import Scenario
from samflode.eventlog.log import concat_logs
from samflode.execution import tasks
from samflode.execution.checkpoint import Checkpoint, scenario_digest
from samflode.execution.results import Result, kpi_frame, stream_events, write_final
from samflode.execution.units import KpiStore, Progress, Unit, check_counts, run_units

REPLICATIONS_DIR = "replications"


def simulate(
    scenario: Scenario,
    *,
    seed: int = 1,
    replications: int = 10,
    workers: int = 1,
    scheduler: str | None = None,
    progress: Progress | None = None,
) -> Result:
    """Run ``replications`` replications of ``scenario`` with ``seed``; see :class:`Result`.

    ``workers`` and ``scheduler`` choose where they run
    (:func:`samflode.execution.parallel.executor`); the results are the same wherever they ran.
    """
    check_counts(replications, workers)
    return _simulate(scenario, seed, replications, progress, workers=workers, scheduler=scheduler)


def simulate_on(
    ex: object,
    scenario: Scenario,
    *,
    seed: int,
    replications: int,
    progress: Progress | None = None,
) -> Result:
    """As :func:`simulate`, on an open executor (so several designs can share one cluster)."""
    return _simulate(scenario, seed, replications, progress, on=ex)


# Tasks are looked up in their module when a run starts (``tasks.run_one``), not bound at import,
# so a stand-in for a task (the worker-loss tests) is what runs.
def _simulate(
    scenario: Scenario, seed: int, replications: int, progress: Progress | None, **where: Any
) -> Result:
    keys = [Checkpoint.key(r) for r in range(replications)]
    units = [Unit(key, tasks.run_one, (scenario, seed, r)) for r, key in enumerate(keys)]
    outputs = run_units(units, progress=progress, **where)
    # Assembled in replication order, so the output is the same whatever finished first.
    ordered: list[tuple[pd.DataFrame, dict]] = [outputs[u.key] for u in units]
    events = concat_logs([ev for ev, _ in ordered])
    kpis = kpi_frame(scenario.name, ((r, k) for r, (_, k) in enumerate(ordered)))
    return Result(scenario=scenario, seed=seed, events=events, kpis=kpis)


class _EventStore(KpiStore):
    """Checkpoint of a run: each replication's event log (Parquet) and then its KPIs (JSON)."""

    def save(self, key: str, output: dict | tuple[pd.DataFrame, dict]) -> dict:
        if isinstance(output, tuple):  # a remote worker sent its log back
            events, kpis = output
            tasks.write_events(self.checkpoint.path(key, ".parquet"), events)
        else:  # a local worker wrote its log itself
            kpis = output
        # The KPI file last: its existence marks the replication complete.
        self.checkpoint.write(key, kpis)
        return kpis


def run_to_directory(
    scenario: Scenario,
    out_dir: str | Path,
    *,
    seed: int = 1,
    replications: int = 10,
    workers: int = 1,
    scheduler: str | None = None,
    resume: bool = False,
    progress: Progress | None = None,
) -> tuple[Result, list[Path]]:
    """Run and write results to ``out_dir``, one replication at a time; return them and the files.

    Each replication's event log and KPIs go to ``out_dir/replications/rep-NNNNN.parquet`` and
    ``.json`` (a :class:`~samflode.execution.checkpoint.Checkpoint`) as soon as it finishes, and
    are then dropped from memory. With ``resume`` the replications already there are kept and only
    the missing ones run. Finally events.parquet (streamed replication by replication), kpis.csv
    and summary.json are written as by :func:`~samflode.execution.results.write_results` (the same
    as after an uninterrupted run), and the checkpoint folder is removed. The returned Result has
    ``events=None``.
    """
    check_counts(replications, workers)
    out = Path(out_dir)
    manifest = {"scenario": scenario.name, "seed": seed, "sha256": scenario_digest(scenario)}
    checkpoint = Checkpoint(out / REPLICATIONS_DIR, manifest, resume=resume)
    keys = [Checkpoint.key(r) for r in range(replications)]
    if scheduler in (None, "local"):
        # Workers on this machine write their event logs themselves and send back only the KPIs:
        # that halves the parent's CPU time, which competes with the workers.
        units = [
            Unit(key, tasks.run_and_write, (scenario, seed, r, checkpoint.path(key, ".parquet")))
            for r, key in enumerate(keys)
        ]
    else:
        # Remote workers may not see this file system: the log travels back.
        units = [Unit(key, tasks.run_one, (scenario, seed, r)) for r, key in enumerate(keys)]
    kpis = run_units(
        units,
        workers=workers,
        scheduler=scheduler,
        store=_EventStore(checkpoint),
        progress=progress,
    )
    frame = kpi_frame(scenario.name, ((r, kpis[key]) for r, key in enumerate(keys)))
    result = Result(scenario=scenario, seed=seed, events=None, kpis=frame)
    event_files = [checkpoint.path(key, ".parquet") for key in keys]
    written = write_final(result, out, lambda p: stream_events(event_files, p))
    checkpoint.remove()
    return result, written
