"""Experiment runner: replications, confidence intervals, parallel workers, atomic result files.

Replication r of an experiment with seed s always draws from streams keyed (s, r, name), so its
results do not depend on which worker ran it or how many workers there were. Results are written to
temporary files in the output directory and renamed into place only when all are complete.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from sim.eventlog import concat_logs
from sim.kpi import compute_kpis
from sim.model import run_replication
from sim.scenario import Scenario

log = logging.getLogger(__name__)


def run_one(scenario: Scenario, seed: int, replication: int) -> tuple[pd.DataFrame, dict]:
    """Run replication ``replication`` and return its event log and KPIs."""
    events = run_replication(scenario, seed=seed, replication=replication).to_frame(replication)
    return events, compute_kpis(events, scenario)


def _run_one_packed(args: tuple[Scenario, int, int]) -> tuple[pd.DataFrame, dict]:
    return run_one(*args)


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
    """Results of an experiment: the event log, KPIs per replication, and their summary."""

    scenario: Scenario
    seed: int
    events: pd.DataFrame
    kpis: pd.DataFrame

    def summary(self) -> pd.DataFrame:
        """Per KPI: mean, 95 % CI low/high and the number of replications with a value."""
        rows = []
        for kpi, group in self.kpis.groupby("kpi", sort=False):
            mean, low, high, n = confidence_interval(group["value"])
            rows.append({"kpi": kpi, "mean": mean, "ci_low": low, "ci_high": high, "n": n})
        return pd.DataFrame(rows, columns=["kpi", "mean", "ci_low", "ci_high", "n"])


def simulate(
    scenario: Scenario,
    *,
    seed: int = 1,
    replications: int = 10,
    workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> Result:
    """Run ``replications`` replications of ``scenario`` with ``seed``; see :class:`Result`."""
    if replications < 1:
        raise ValueError(f"replications must be ≥ 1 (got {replications})")
    if workers < 1:
        raise ValueError(f"workers must be ≥ 1 (got {workers})")
    jobs = [(scenario, seed, r) for r in range(replications)]
    outputs: list[tuple[pd.DataFrame, dict]] = []
    if workers == 1 or replications == 1:
        for job in jobs:
            outputs.append(_run_one_packed(job))
            if progress:
                progress(len(outputs), replications)
    else:
        with ProcessPoolExecutor(max_workers=min(workers, replications)) as pool:
            # map keeps replication order, so the output is the same for any number of workers.
            for out in pool.map(_run_one_packed, jobs):
                outputs.append(out)
                if progress:
                    progress(len(outputs), replications)
    events = concat_logs([ev for ev, _ in outputs])
    kpi_rows = [
        {"scenario": scenario.name, "replication": r, "kpi": name, "value": float(value)}
        for r, (_, kpis) in enumerate(outputs)
        for name, value in kpis.items()
    ]
    kpis = pd.DataFrame(kpi_rows, columns=["scenario", "replication", "kpi", "value"])
    return Result(scenario=scenario, seed=seed, events=events, kpis=kpis)


def write_results(result: Result, out_dir: str | Path) -> list[Path]:
    """Write events.parquet, kpis.csv and summary.json into ``out_dir``, atomically.

    Every file is first written in full under a temporary name in the same directory and then
    renamed, so a reader never sees a half-written file, and a failure leaves the old files.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
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
        "events.parquet": lambda p: result.events.to_parquet(p, index=False),
        "kpis.csv": lambda p: result.kpis.to_csv(p, index=False, float_format="%.10g"),
        "summary.json": lambda p: p.write_text(json.dumps(payload, indent=2, ensure_ascii=False)),
    }
    return write_atomically(out, writers)


def write_atomically(out_dir: str | Path, writers: dict[str, Callable[[Path], None]]) -> list[Path]:
    """Write every file in ``writers`` (name → function writing to a path) into ``out_dir``.

    Each file is first written in full under a temporary name in the same directory, and only when
    all are complete are they renamed into place (``os.replace``, atomic on one file system). So a
    reader never sees a half-written file, and a failure leaves the old files as they were.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    temps: list[tuple[Path, Path]] = []
    try:
        for name, write in writers.items():
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=out)
            os.close(fd)
            temps.append((Path(tmp), out / name))
            write(Path(tmp))
            # mkstemp creates 0600 files; results are ordinary files, readable per the umask.
            os.chmod(tmp, 0o666 & ~_umask())
        for tmp, final in temps:
            os.replace(tmp, final)
    finally:
        for tmp, _ in temps:
            if tmp.exists():
                tmp.unlink()
    return [final for _, final in temps]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _json_number(x: float) -> float | None:
    return None if x is None or np.isnan(x) else float(x)
