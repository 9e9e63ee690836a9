"""Experiment runner: replications, confidence intervals, workers, per-replication and final files.

Replication r of an experiment with seed s always draws from streams keyed (s, r, name), so its
results do not depend on which worker ran it, how many workers there were, or whether they were a
process pool or a Dask cluster (:mod:`sim.parallel`). :func:`simulate` keeps the results in memory;
:func:`run_to_directory` writes each replication to ``DIR/replications/`` as it finishes (so memory
stays flat and an interrupted run can be resumed) and then assembles the final files. Every file is
written under a temporary name and renamed into place when complete.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from scipy import stats

from sim.atomic import write_atomically
from sim.checkpoint import Checkpoint, scenario_digest
from sim.digest import Digest, ReplicationDigest
from sim.eventlog import CATEGORICAL, FRAME_COLUMNS, concat_logs
from sim.kpi import compute_kpis
from sim.model import run_replication
from sim.parallel import executor, imap_unordered
from sim.scenario import Scenario

log = logging.getLogger(__name__)

REPLICATIONS_DIR = "replications"
ROW_GROUP_ROWS = 256 * 1024
KPI_COLUMNS = ["scenario", "replication", "kpi", "value"]
Progress = Callable[[int, int], None]


def run_one(scenario: Scenario, seed: int, replication: int) -> tuple[pd.DataFrame, dict]:
    """Run replication ``replication`` and return its event log and KPIs."""
    log = run_replication(scenario, seed=seed, replication=replication)
    events = log.to_frame(replication)
    # The finished SimPy graph is a reference cycle that waits for a rare full collection, and its
    # suspended generators still hold the record list: emptying it now frees ~12 MiB per default
    # replication at once, so a worker's memory plateaus lower (benchmarks/bench_scale.py).
    log.records.clear()
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
    """Run one replication, write its event log to ``events_path`` (atomically); return its KPIs."""
    return _write_events(events_path, *run_one(scenario, seed, replication))


def _write_events(path: Path, events: pd.DataFrame, kpis: dict) -> dict:
    write_atomically(path.parent, {path.name: lambda p: events.to_parquet(p, index=False)})
    return kpis


def run_one_kpis(scenario: Scenario, seed: int, replication: int) -> dict:
    """Run replication ``replication`` and return only its KPIs (nothing large to send back)."""
    return run_one(scenario, seed, replication)[1]


def confidence_interval(
    values: Iterable[float], level: float = 0.95
) -> tuple[float, float, float, int]:
    """Mean and Student-t confidence interval of replication values, ignoring NaN."""
    x = np.asarray([v for v in values if v is not None and not np.isnan(v)], dtype=float)
    n = len(x)
    if n == 0:
        return np.nan, np.nan, np.nan, 0
    mean = float(x.mean())
    if n == 1:
        return mean, np.nan, np.nan, 1
    half = float(stats.t.ppf(0.5 + level / 2, n - 1) * x.std(ddof=1) / np.sqrt(n))
    return mean, mean - half, mean + half, n


@dataclass(frozen=True)
class Result:
    """Results of an experiment: the event log, KPIs per replication, and their summary.

    ``events`` is ``None`` for a run written with :func:`run_to_directory` (its event log is in
    ``DIR/events.parquet`` and is never held in memory whole) and for designs compared without
    keeping logs; their figures come from ``digest``, merged from the replications' digests.
    """

    scenario: Scenario
    seed: int
    events: pd.DataFrame | None
    kpis: pd.DataFrame
    merged_digest: Digest | None = None

    @cached_property
    def digest(self) -> Digest:
        """Lead times and daily series for figures and checks (:mod:`sim.digest`)."""
        if self.merged_digest is not None:
            return self.merged_digest
        if self.events is None:
            raise ValueError(f"{self.scenario.name}: neither an event log nor a digest was kept")
        return Digest.from_events(self.events, self.scenario)

    def summary(self) -> pd.DataFrame:
        """Per KPI: mean, 95 % CI low/high and the number of replications with a value."""
        return summarise(self.kpis)


def summarise(kpis: pd.DataFrame) -> pd.DataFrame:
    """Per KPI of long KPIs (``kpi, value``): mean, 95 % CI low/high and n, KPIs in first order."""
    rows = []
    for kpi, group in kpis.groupby("kpi", sort=False):
        mean, low, high, n = confidence_interval(group["value"])
        rows.append({"kpi": kpi, "mean": mean, "ci_low": low, "ci_high": high, "n": n})
    return pd.DataFrame(rows, columns=["kpi", "mean", "ci_low", "ci_high", "n"])


def kpi_frame(scenario_name: str, per_replication: Iterable[tuple[int, dict]]) -> pd.DataFrame:
    """Long KPIs (``scenario, replication, kpi, value``) from (replication, {kpi: value}) pairs."""
    rows = [
        {"scenario": scenario_name, "replication": r, "kpi": name, "value": float(value)}
        for r, kpis in per_replication
        for name, value in kpis.items()
    ]
    return pd.DataFrame(rows, columns=KPI_COLUMNS)


def _check(replications: int, workers: int) -> None:
    if replications < 1:
        raise ValueError(f"replications must be ≥ 1 (got {replications})")
    if workers < 1:
        raise ValueError(f"workers must be ≥ 1 (got {workers})")


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

    ``workers`` and ``scheduler`` choose where they run (:func:`sim.parallel.executor`); the
    results are the same wherever they ran.
    """
    _check(replications, workers)
    n = min(workers, replications) if scheduler is None else workers
    with executor(n, scheduler) as ex:
        return simulate_on(ex, scenario, seed=seed, replications=replications, progress=progress)


def simulate_on(
    ex: object,
    scenario: Scenario,
    *,
    seed: int,
    replications: int,
    progress: Progress | None = None,
) -> Result:
    """As :func:`simulate`, on an open executor (so several designs can share one cluster)."""
    outputs: dict[int, tuple[pd.DataFrame, dict]] = {}
    tasks = ((scenario, seed, r) for r in range(replications))
    for (_, _, r), out in imap_unordered(ex, run_one, tasks):
        outputs[r] = out
        if progress:
            progress(len(outputs), replications)
    # Assembled in replication order, so the output is the same whatever finished first.
    ordered = [outputs[r] for r in range(replications)]
    events = concat_logs([ev for ev, _ in ordered])
    kpis = kpi_frame(scenario.name, ((r, k) for r, (_, k) in enumerate(ordered)))
    return Result(scenario=scenario, seed=seed, events=events, kpis=kpis)


def replication_files(out_dir: str | Path, replication: int) -> tuple[Path, Path]:
    """The event-log and KPI files of one replication under ``out_dir/replications/``."""
    base = Path(out_dir) / REPLICATIONS_DIR
    return base / f"rep-{replication:05d}.parquet", base / f"rep-{replication:05d}.json"


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
    ``.json`` (a :class:`~sim.checkpoint.Checkpoint`) as soon as it finishes, and are then dropped
    from memory. With ``resume`` the replications already there are kept and only the missing ones
    run. Finally events.parquet (streamed replication by replication), kpis.csv and summary.json
    are written as by :func:`write_results` (the same as after an uninterrupted run), and the
    checkpoint folder is removed. The returned Result has ``events=None``.
    """
    _check(replications, workers)
    out = Path(out_dir)
    manifest = {"scenario": scenario.name, "seed": seed, "sha256": scenario_digest(scenario)}
    checkpoint = Checkpoint(out / REPLICATIONS_DIR, manifest, resume=resume)
    keys = [Checkpoint.key(r) for r in range(replications)]
    done = checkpoint.done(keys)
    todo = [r for r, key in enumerate(keys) if key not in done]
    finished = replications - len(todo)
    if progress:
        progress(finished, replications)
    if todo:
        n = min(workers, len(todo)) if scheduler is None else workers
        with executor(n, scheduler) as ex:
            if scheduler in (None, "local"):
                # Workers on this machine write their event logs themselves and send back only
                # the KPIs: that halves the parent's CPU time, which competes with the workers.
                tasks = ((scenario, seed, r, checkpoint.path(keys[r], ".parquet")) for r in todo)
                results = ((t[2], k) for t, k in imap_unordered(ex, run_and_write, tasks))
            else:
                # Remote workers may not see this file system: the log travels back.
                tasks = ((scenario, seed, r) for r in todo)
                results = (
                    (t[2], _write_events(checkpoint.path(keys[t[2]], ".parquet"), *out))
                    for t, out in imap_unordered(ex, run_one, tasks)
                )
            for r, kpis in results:
                # The KPI file last: its existence marks the replication complete.
                checkpoint.write(keys[r], kpis)
                finished += 1
                if progress:
                    progress(finished, replications)
    kpis = kpi_frame(scenario.name, ((r, checkpoint.kpis(key)) for r, key in enumerate(keys)))
    result = Result(scenario=scenario, seed=seed, events=None, kpis=kpis)
    event_files = [checkpoint.path(key, ".parquet") for key in keys]
    written = _write_final(result, out, lambda p: stream_events(event_files, p))
    checkpoint.remove()
    return result, written


EVENTS_SCHEMA = pa.schema(
    [
        pa.field(
            c,
            pa.dictionary(pa.int32(), pa.string())
            if c in CATEGORICAL
            else {"replication": pa.int32(), "participant": pa.int64()}.get(c, pa.float64()),
        )
        for c in FRAME_COLUMNS
    ]
)


def stream_events(paths: Iterable[Path], target: Path) -> None:
    """Concatenate per-replication event files into ``target``, one file in memory at a time."""
    paths = list(paths)
    schema = EVENTS_SCHEMA
    if paths:
        # pandas' own metadata (column dtypes as pandas wrote them), so reading back gives the
        # same dtypes as a log written in one piece by DataFrame.to_parquet.
        schema = schema.with_metadata(pq.read_schema(paths[0]).metadata)
    # Replications are gathered into row groups of about ROW_GROUP_ROWS rows: one small row group
    # per replication made the file about 5 times larger (1,000 short replications: 35 MiB against
    # 6.7 MiB). Memory is bounded by one row group; pyarrow's default of 1 Mi rows cost the parent
    # 145 MiB more at its peak, hence a quarter of it.
    batch: list[pa.Table] = []
    rows = 0
    with pq.ParquetWriter(target, schema) as writer:
        for path in paths:
            table = pq.read_table(path)
            if table.num_rows:
                batch.append(table.select(list(FRAME_COLUMNS)).cast(schema))
                rows += table.num_rows
            if rows >= ROW_GROUP_ROWS:
                writer.write_table(pa.concat_tables(batch), row_group_size=ROW_GROUP_ROWS)
                batch, rows = [], 0
        if batch:
            writer.write_table(pa.concat_tables(batch), row_group_size=ROW_GROUP_ROWS)


def write_results(result: Result, out_dir: str | Path) -> list[Path]:
    """Write events.parquet, kpis.csv and summary.json into ``out_dir``, atomically.

    Every file is first written in full under a temporary name in the same directory and then
    renamed, so a reader never sees a half-written file, and a failure leaves the old files.
    """
    if result.events is None:
        raise ValueError("this result's events are on disk already (run_to_directory)")
    events = result.events
    return _write_final(result, Path(out_dir), lambda p: events.to_parquet(p, index=False))


def _write_final(result: Result, out: Path, write_events: Callable[[Path], None]) -> list[Path]:
    summary = result.summary()
    payload = {
        "scenario": result.scenario.name,
        "seed": result.seed,
        "replications": int(result.kpis["replication"].nunique()),
        "kpis": {
            row.kpi: {
                "mean": _json_number(row.mean),
                "ci_low": _json_number(row.ci_low),
                "ci_high": _json_number(row.ci_high),
                "n": int(row.n),
            }
            for row in summary.itertuples(index=False)
        },
    }
    writers: dict[str, Callable[[Path], None]] = {
        "events.parquet": write_events,
        "kpis.csv": lambda p: result.kpis.to_csv(p, index=False, float_format="%.10g"),
        "summary.json": lambda p: p.write_text(json.dumps(payload, indent=2, ensure_ascii=False)),
    }
    return write_atomically(out, writers)


def _json_number(x: float) -> float | None:
    return None if x is None or np.isnan(x) else float(x)
