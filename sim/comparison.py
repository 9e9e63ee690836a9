"""Compare organisational designs: run each with the same seed, and report paired differences.

Every design is run with the same experiment seed. Streams are keyed by (seed, replication, source
name), never by scenario values, so replication r of every design sees the same arrivals, needs and
personal durations (common random numbers, STYLE §3). The difference between two designs is then
estimated per replication, value(S_i, r) − value(S_1, r), and its Student-t 95 % CI is usually much
narrower than that of the difference of two independent means, because the shared noise cancels.

Besides the comparison itself this module gives two diagnostics: whether there were enough
replications for a target CI half-width, and whether the fixed warm-up of each design is long
enough by the MSER-5 rule (:mod:`sim.warmup`) applied to the daily number in the system.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from sim.atomic import write_atomically
from sim.checkpoint import Checkpoint, scenario_digest
from sim.digest import Digest, ReplicationDigest
from sim.eventlog import concat_logs
from sim.parallel import executor, imap_unordered
from sim.runner import Result, confidence_interval, kpi_frame, run_one_digest
from sim.scenario import Scenario
from sim.warmup import mser5

if TYPE_CHECKING:
    from matplotlib.figure import Figure

log = logging.getLogger(__name__)

COMPARISON_COLUMNS = (
    "kpi",
    "scenario",
    "mean",
    "ci_low",
    "ci_high",
    "diff_vs_first",
    "diff_ci_low",
    "diff_ci_high",
)
REPLICATIONS_COLUMNS = (
    "kpi",
    "scenario",
    "n",
    "mean",
    "half_width",
    "relative_half_width",
    "target_relative_half_width",
    "replications_needed",
    "target_met",
)
WARMUP_COLUMNS = (
    "scenario",
    "warmup_days",
    "mser5_warmup_days",
    "series",
    "series_days",
    "at_search_limit",
    "warmup_too_short",
)
DEFAULT_TARGET_HALF_WIDTH = 0.05


# eq=False: field-wise == on DataFrames is ambiguous; two comparisons are not compared by value.
@dataclass(frozen=True, eq=False)
class Comparison:
    """Results of several designs run with one seed, and their paired comparison.

    Attributes
    ----------
    results
        One :class:`~sim.runner.Result` per design, in the order given; the first is the reference.
    seed, replications
        The experiment seed and number of replications shared by every design.
    table
        The rows of ``comparison.csv`` (see :func:`paired_comparison`).
    """

    results: tuple[Result, ...]
    seed: int
    replications: int
    table: pd.DataFrame

    @property
    def names(self) -> list[str]:
        """Scenario names, in the order compared."""
        return [r.scenario.name for r in self.results]

    def replications_check(
        self, target_half_width: float = DEFAULT_TARGET_HALF_WIDTH
    ) -> pd.DataFrame:
        """Per KPI and design: is the 95 % CI half-width within ``target_half_width`` × |mean|?

        ``replications_needed`` is ``ceil(n · (hw / (target · |mean|))²)`` (at least 2), the usual
        pilot-run estimate (Law & Kelton); it keeps the t quantile of the current n, so errs high.
        A KPI with mean 0 and a CI of zero width meets any target; with mean 0 and a positive width,
        or no value at all, there is no relative target (``replications_needed`` empty, not met).
        """
        rows = []
        for result in self.results:
            for row in result.summary().itertuples(index=False):
                half = (row.ci_high - row.ci_low) / 2
                size = abs(row.mean)
                if math.isnan(half) or math.isnan(size):
                    relative, needed = math.nan, None
                elif size == 0:
                    relative = 0.0 if half == 0 else math.inf
                    needed = row.n if half == 0 else None
                else:
                    relative = half / size
                    needed = max(2, math.ceil(row.n * (relative / target_half_width) ** 2))
                rows.append(
                    {
                        "kpi": row.kpi,
                        "scenario": result.scenario.name,
                        "n": int(row.n),
                        "mean": row.mean,
                        "half_width": half,
                        "relative_half_width": relative,
                        "target_relative_half_width": target_half_width,
                        "replications_needed": needed,
                        "target_met": bool(relative <= target_half_width),
                    }
                )
        out = pd.DataFrame(rows, columns=list(REPLICATIONS_COLUMNS))
        out["replications_needed"] = out["replications_needed"].astype("Int64")
        return out

    def warmup_check(self) -> pd.DataFrame:
        """MSER-5 warm-up per design, next to the fixed ``warmup_days`` the design uses.

        The series is the daily (time-averaged) number of participants in the system in
        replication 0, from day 0 to the horizon. ``warmup_too_short`` is true when MSER-5 would
        cut more days than the scenario does; ``at_search_limit`` when its minimum sits at half the
        horizon, i.e. the run is too short to see the end of the transient.
        """
        rows = []
        for result in self.results:
            sc = result.scenario
            series = result.digest.in_system_first
            try:
                cut = mser5(series.to_numpy())
            except ValueError as exc:
                log.warning("%s: no MSER-5 warm-up check (%s)", sc.name, exc)
                suggested, at_limit = math.nan, False
            else:
                suggested, at_limit = float(cut.observations), cut.at_search_limit
            rows.append(
                {
                    "scenario": sc.name,
                    "warmup_days": sc.warmup_days,
                    "mser5_warmup_days": suggested,
                    "series": "participants in system, daily mean, replication 0",
                    "series_days": len(series),
                    "at_search_limit": at_limit,
                    "warmup_too_short": bool(suggested > sc.warmup_days),
                }
            )
        return pd.DataFrame(rows, columns=list(WARMUP_COLUMNS))


def paired_comparison(kpis: pd.DataFrame, names: Sequence[str]) -> pd.DataFrame:
    """Rows of ``comparison.csv`` from long KPIs (``scenario, replication, kpi, value``).

    One row per (KPI, design), KPIs in order of first appearance and designs in ``names`` order,
    over the union of KPIs (designs with other staff pools have other ``utilisation_*`` KPIs; a
    design without the KPI gets NaN). ``mean, ci_low, ci_high`` summarise the design's replications.
    ``diff_vs_first`` is the mean of the paired differences value(S_i, r) − value(S_1, r) over the
    replications where both are defined, with its Student-t 95 % CI. For the first design this is
    its difference with itself: 0 with a CI of [0, 0] (NaN where the KPI itself is undefined).
    """
    order = list(dict.fromkeys(kpis["kpi"]))
    # Names are distinct, so (kpi, replication, scenario) is a unique key: no aggregation here.
    wide = kpis.set_index(["kpi", "replication", "scenario"])["value"].unstack("scenario")
    wide = wide.reindex(columns=list(names))
    rows = []
    for kpi in order:
        block = wide.xs(kpi, level="kpi")
        first = block[names[0]]
        for name in names:
            mean, low, high, _ = confidence_interval(block[name])
            diff, diff_low, diff_high, _ = confidence_interval(block[name] - first)
            rows.append(
                {
                    "kpi": kpi,
                    "scenario": name,
                    "mean": mean,
                    "ci_low": low,
                    "ci_high": high,
                    "diff_vs_first": diff,
                    "diff_ci_low": diff_low,
                    "diff_ci_high": diff_high,
                }
            )
    return pd.DataFrame(rows, columns=list(COMPARISON_COLUMNS))


def compare(
    scenarios: Sequence[Scenario],
    *,
    seed: int,
    replications: int,
    workers: int = 1,
    scheduler: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    keep_events: bool = True,
    checkpoint_dir: str | Path | None = None,
    resume: bool = False,
) -> Comparison:
    """Run every design with the same ``seed`` and ``replications``; compare them to the first.

    ``workers`` and ``scheduler`` choose where replications run (:func:`sim.parallel.executor`;
    one pool or cluster serves every design). ``progress(done, total)`` is called after each
    replication, counted over all designs.

    Figures and checks need only each replication's digest (:mod:`sim.digest`), computed where it
    ran. ``keep_events=False`` leaves the event logs there, so memory does not grow with the
    number of replications (the CLI does this); the Python default keeps them in each
    :class:`~sim.runner.Result`. With ``checkpoint_dir`` each finished replication's KPIs and
    digest are written there at once (:class:`~sim.checkpoint.Checkpoint`), and with ``resume``
    the ones already there are not run again; the comparison is the same as an uninterrupted one.

    Raises
    ------
    ValueError
        With fewer than two designs, two designs of the same name (rows are keyed by name), or
        ``keep_events`` with a checkpoint (event logs are not checkpointed).
    """
    if len(scenarios) < 2:
        raise ValueError(f"compare needs at least two scenarios (got {len(scenarios)})")
    names = [sc.name for sc in scenarios]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"scenario names must be distinct; repeated: {', '.join(duplicates)}")
    if replications < 1:
        raise ValueError(f"replications must be ≥ 1 (got {replications})")
    if workers < 1:
        raise ValueError(f"workers must be ≥ 1 (got {workers})")
    if keep_events and checkpoint_dir is not None:
        raise ValueError("keep_events: event logs are not checkpointed; use keep_events=False")
    checkpoint = None
    if checkpoint_dir is not None:
        manifest = {
            "designs": [[sc.name, scenario_digest(sc)] for sc in scenarios],
            "seed": seed,
        }
        checkpoint = Checkpoint(checkpoint_dir, manifest, resume=resume)
    total = len(scenarios) * replications
    kpis: dict[tuple[int, int], dict] = {}
    digests: dict[tuple[int, int], ReplicationDigest] = {}
    events: dict[tuple[int, int], pd.DataFrame] = {}
    keys = {
        (i, r): Checkpoint.key(r, f"design-{i:02d}")
        for i in range(len(scenarios))
        for r in range(replications)
    }
    if checkpoint is not None:
        done = checkpoint.done(keys.values())
        for (i, r), key in keys.items():
            if key in done:
                kpis[i, r] = checkpoint.kpis(key)
                digests[i, r] = ReplicationDigest.read(checkpoint.path(key, ".npz"), r)
    todo = [(scenarios[i], seed, r, keep_events, i) for (i, r) in keys if (i, r) not in kpis]
    if progress is not None:
        progress(len(kpis), total)
    if todo:
        n = min(workers, len(todo)) if scheduler is None else workers
        log.info("comparing %d designs: %d replications to run", len(scenarios), len(todo))
        with executor(n, scheduler) as ex:
            for (_, _, r, _, i), (k, digest, ev) in imap_unordered(ex, _replication, todo):
                if checkpoint is not None:
                    checkpoint.write(keys[i, r], k, {".npz": digest.write})
                kpis[i, r], digests[i, r] = k, digest
                if ev is not None:
                    events[i, r] = ev
                if progress is not None:
                    progress(len(kpis), total)
    results = []
    for i, sc in enumerate(scenarios):
        reps = range(replications)
        results.append(
            Result(
                scenario=sc,
                seed=seed,
                events=concat_logs([events[i, r] for r in reps]) if keep_events else None,
                kpis=kpi_frame(sc.name, ((r, kpis[i, r]) for r in reps)),
                merged_digest=Digest.merge([digests[i, r] for r in reps]),
            )
        )
    table = paired_comparison(pd.concat([r.kpis for r in results], ignore_index=True), names)
    return Comparison(results=tuple(results), seed=seed, replications=replications, table=table)


def _replication(
    scenario: Scenario, seed: int, replication: int, keep_events: bool, _design: int
) -> tuple[dict, ReplicationDigest, pd.DataFrame | None]:
    return run_one_digest(scenario, seed, replication, keep_events)


def write_comparison(
    comparison: Comparison,
    out_dir: str | Path,
    *,
    target_half_width: float = DEFAULT_TARGET_HALF_WIDTH,
) -> list[Path]:
    """Write comparison.csv, replications_check.csv, warmup_check.csv and the figures, atomically.

    All files are written under temporary names in ``out_dir`` first and renamed into place only
    when every one is complete (:func:`sim.runner.write_atomically`).
    """
    # Imported here: matplotlib takes a while to import, and `import sim` (also in every worker
    # process) and `samflode validate` should not pay for it.
    from sim import plots

    results = list(comparison.results)
    checks = comparison.replications_check(target_half_width)
    warmup = comparison.warmup_check()

    def csv(frame: pd.DataFrame) -> Callable[[Path], None]:
        return lambda p: frame.to_csv(p, index=False, float_format="%.10g")

    def png(make: Callable[[Sequence[Result]], Figure]) -> Callable[[Path], None]:
        return lambda p: make(results).savefig(p, format="png", dpi=plots.DPI)

    writers: dict[str, Callable[[Path], None]] = {
        "comparison.csv": csv(comparison.table),
        "replications_check.csv": csv(checks),
        "warmup_check.csv": csv(warmup),
    }
    writers.update({name: png(make) for name, make in plots.FIGURES.items()})
    return write_atomically(out_dir, writers)
