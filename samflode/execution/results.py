"""Results of an experiment and their files: the Result object, events.parquet, kpis.csv, summary.

Every file is written under a temporary name and renamed into place when complete
(:mod:`samflode.execution.atomic`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from samflode.analysis.digest import Digest
from samflode.analysis.stats import summarise
from samflode.config.scenario import Scenario
from samflode.eventlog.log import CATEGORICAL, FRAME_COLUMNS
from samflode.execution.atomic import write_atomically

ROW_GROUP_ROWS = 256 * 1024
KPI_COLUMNS = ["scenario", "replication", "kpi", "value"]


@dataclass(frozen=True)
class Result:
    """Results of an experiment: the event log, KPIs per replication, and their summary.

    ``events`` is ``None`` for a run written to a directory (its event log is in
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
        """Lead times and daily series for figures and checks (:mod:`samflode.analysis.digest`)."""
        if self.merged_digest is not None:
            return self.merged_digest
        if self.events is None:
            raise ValueError(f"{self.scenario.name}: neither an event log nor a digest was kept")
        return Digest.from_events(self.events, self.scenario)

    def summary(self) -> pd.DataFrame:
        """Per KPI: mean, 95 % CI low/high and the number of replications with a value."""
        return summarise(self.kpis)


def kpi_frame(scenario_name: str, per_replication: Iterable[tuple[int, dict]]) -> pd.DataFrame:
    """Long KPIs (``scenario, replication, kpi, value``) from (replication, {kpi: value}) pairs."""
    rows = [
        {"scenario": scenario_name, "replication": r, "kpi": name, "value": float(value)}
        for r, kpis in per_replication
        for name, value in kpis.items()
    ]
    return pd.DataFrame(rows, columns=KPI_COLUMNS)


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
    renamed, so a reader never sees a half-written file.
    """
    if result.events is None:
        raise ValueError("this result's events are on disk already (run_to_directory)")
    events = result.events
    return write_final(result, Path(out_dir), lambda p: events.to_parquet(p, index=False))


def write_final(result: Result, out: Path, write_events: Callable[[Path], None]) -> list[Path]:
    """Write the run's three files into ``out``; ``write_events`` writes events.parquet."""
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
