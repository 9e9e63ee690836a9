"""Compare organisational designs: run each with the same seed, and report paired differences.

Every design is run with the same experiment seed. Streams are keyed by (seed, replication, source
name), never by scenario values, so replication r of every design sees the same arrivals, needs and
personal durations (common random numbers). The difference between two designs is then
estimated per replication, value(S_i, r) − value(S_1, r), and its Student-t 95 % CI is usually much
narrower than that of the difference of two independent means, because the shared noise cancels.

Besides the comparison itself this module gives two diagnostics: whether there were enough
replications for a target CI half-width, and whether the fixed warm-up of each design is long enough
by the MSER-5 rule (:mod:`samflode.analysis.warmup`) applied to the daily number in the system.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from samflode.analysis.digest import Digest, ReplicationDigest
from samflode.analysis.stats import (
    COMPARISON_COLUMNS,
    DEFAULT_TARGET_HALF_WIDTH,
    paired_comparison,
    replications_needed,
    summarise,
)
from samflode.analysis.warmup import mser5
from samflode.config.distributions import repeated
from samflode.config.scenario import Scenario
from samflode.eventlog.log import concat_logs
from samflode.execution.checkpoint import Checkpoint, scenario_digest
from samflode.execution.results import Result, kpi_frame
from samflode.execution.tasks import run_one_digest
from samflode.execution.units import KpiStore, Progress, Unit, check_counts, run_units

__all__ = [
    "COMPARISON_COLUMNS",
    "DEFAULT_TARGET_HALF_WIDTH",
    "Comparison",
    "compare",
    "paired_comparison",
]

log = logging.getLogger(__name__)

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


# eq=False: field-wise == on DataFrames is ambiguous; two comparisons are not compared by value.
@dataclass(frozen=True, eq=False)
class Comparison:
    """Results of several designs run with one seed, and their paired comparison.

    Attributes
    ----------
    results
        One :class:`~samflode.execution.runner.Result` per design, in the order given; the first is
        the reference.
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

        ``replications_needed`` is the pilot-run estimate of
        :func:`~samflode.analysis.stats.replications_needed` (empty where there is no relative
        target: a mean of 0 with a positive width, or no value at all).
        """
        rows = []
        for result in self.results:
            # The t-interval's own half-width: one cut to the KPI's range would look narrower.
            for row in summarise(result.kpis, within_range=False).itertuples(index=False):
                half, relative, needed = replications_needed(
                    row.mean, row.ci_low, row.ci_high, int(row.n), target_half_width
                )
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

        The series is the daily (time-averaged) number of participants in the system, averaged
        over the replications, from day 0 to the horizon. ``warmup_too_short`` is true when MSER-5
        would cut more days than the scenario does; ``at_search_limit`` when its minimum sits at
        half the horizon, i.e. the run is too short to see the end of the transient.
        """
        rows = []
        for result in self.results:
            sc = result.scenario
            series = result.digest.in_system_mean
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
                    "series": "participants in system, daily mean over "
                    f"{result.digest.replications} replications",
                    "series_days": len(series),
                    "at_search_limit": at_limit,
                    "warmup_too_short": bool(suggested > sc.warmup_days),
                }
            )
        return pd.DataFrame(rows, columns=list(WARMUP_COLUMNS))


def compare(
    scenarios: Sequence[Scenario],
    *,
    seed: int,
    replications: int,
    workers: int = 1,
    scheduler: str | None = None,
    progress: Progress | None = None,
    keep_events: bool = True,
    checkpoint_dir: str | Path | None = None,
    resume: bool = False,
) -> Comparison:
    """Run every design with the same ``seed`` and ``replications``; compare them to the first.

    ``workers`` and ``scheduler`` choose where replications run
    (:func:`samflode.execution.parallel.executor`; one pool or cluster serves every design).
    ``progress(done, total)`` is called after each replication, counted over all designs.

    Figures and checks need only each replication's digest (:mod:`samflode.analysis.digest`),
    computed where it ran. ``keep_events=False`` leaves the event logs there, so memory does not
    grow with the number of replications (the CLI does this); the Python default keeps them in each
    :class:`~samflode.execution.runner.Result`. With ``checkpoint_dir`` each finished replication's
    KPIs and digest are written there at once (:class:`~samflode.execution.checkpoint.Checkpoint`),
    and with ``resume`` the ones already there are not run again; the comparison is the same as an
    uninterrupted one.

    Raises
    ------
    ValueError
        With fewer than two designs, two designs of the same name (rows are keyed by name), or
        ``keep_events`` with a checkpoint (event logs are not checkpointed).
    """
    if len(scenarios) < 2:
        raise ValueError(f"compare needs at least two scenarios (got {len(scenarios)})")
    names = [sc.name for sc in scenarios]
    duplicates = repeated(names)
    if duplicates:
        raise ValueError(f"scenario names must be distinct; repeated: {', '.join(duplicates)}")
    check_counts(replications, workers)
    if keep_events and checkpoint_dir is not None:
        raise ValueError("keep_events: event logs are not checkpointed; use keep_events=False")
    store = None
    if checkpoint_dir is not None:
        manifest = {
            "designs": [[sc.name, scenario_digest(sc)] for sc in scenarios],
            "seed": seed,
        }
        store = _DigestStore(Checkpoint(checkpoint_dir, manifest, resume=resume))
    keys = {
        (i, r): Checkpoint.key(r, f"design-{i:02d}")
        for i in range(len(scenarios))
        for r in range(replications)
    }
    units = [
        Unit(key, run_one_digest, (scenarios[i], seed, r, keep_events))
        for (i, r), key in keys.items()
    ]
    log.info("comparing %d designs, %d replications each", len(scenarios), replications)
    outputs = run_units(
        units, workers=workers, scheduler=scheduler, store=store, progress=progress
    )
    results = []
    for i, sc in enumerate(scenarios):
        per_rep = [outputs[keys[i, r]] for r in range(replications)]
        results.append(
            Result(
                scenario=sc,
                seed=seed,
                events=concat_logs([ev for _, _, ev in per_rep]) if keep_events else None,
                kpis=kpi_frame(sc.name, ((r, k) for r, (k, _, _) in enumerate(per_rep))),
                merged_digest=Digest.merge([d for _, d, _ in per_rep]),
            )
        )
    table = paired_comparison(pd.concat([r.kpis for r in results], ignore_index=True), names)
    return Comparison(results=tuple(results), seed=seed, replications=replications, table=table)


class _DigestStore(KpiStore):
    """Checkpoint of a comparison: each replication's digest (``.npz``) and then its KPIs."""

    def load(self, key: str) -> tuple[dict, ReplicationDigest, None]:
        replication = Checkpoint.replication(key)
        digest = ReplicationDigest.read(self.checkpoint.path(key, ".npz"), replication)
        return self.checkpoint.kpis(key), digest, None

    def save(self, key: str, output: tuple) -> tuple:
        kpis, digest, events = output
        self.checkpoint.write(key, kpis, {".npz": digest.write})
        return kpis, digest, events
