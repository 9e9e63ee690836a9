"""One loop for every experiment: run units of work anywhere, checkpoint each, resume, report.

``run``, ``compare`` and ``sweep`` (and later ``plan`` and ``calibrate``) differ in *which* units
they run — one replication of one design or grid point — and in how they reduce the outputs, not in
how they schedule, checkpoint and collect them. :func:`run_units` is that shared part: units whose
output a :class:`Store` already holds are loaded instead of run; the rest run on a process pool or
a Dask cluster (:func:`~samflode.execution.parallel.executor`), and each output is saved to the
store the moment it arrives, so an interrupted experiment loses nothing that had finished.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any, Protocol

from samflode.execution.checkpoint import Checkpoint
from samflode.execution.parallel import executor, imap_unordered

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Unit:
    """One unit of work: ``fn(*args)`` run in a worker, known as ``key`` (its checkpoint name)."""

    key: str
    fn: Callable[..., Any]
    args: tuple


class Store(Protocol):
    """Where finished units are kept between runs (a :class:`Checkpoint` folder, usually)."""

    def done(self, keys: Iterable[str]) -> set[str]:
        """Those of ``keys`` whose output is complete in the store."""
        ...

    def load(self, key: str) -> Any:
        """The output of a complete unit, as :meth:`save` returned it when it was saved."""
        ...

    def save(self, key: str, output: Any) -> Any:
        """Keep one unit's output; return what the experiment holds in memory of it."""
        ...


class KpiStore:
    """A :class:`Checkpoint` of units whose output is their KPIs (sweeps, plans); the base of the
    stores that keep more per unit (a run's event logs, a comparison's digests).
    """

    def __init__(self, checkpoint: Checkpoint) -> None:
        self.checkpoint = checkpoint

    def done(self, keys: Iterable[str]) -> set[str]:
        """Units whose KPI file exists."""
        return self.checkpoint.done(keys)

    def load(self, key: str) -> dict:
        """The KPIs of a unit."""
        return self.checkpoint.kpis(key)

    def save(self, key: str, output: dict) -> dict:
        """Write the KPIs."""
        self.checkpoint.write(key, output)
        return output


def check_counts(replications: int, workers: int) -> None:
    """ValueError unless there is at least one replication and one worker."""
    if replications < 1:
        raise ValueError(f"replications must be ≥ 1 (got {replications})")
    if workers < 1:
        raise ValueError(f"workers must be ≥ 1 (got {workers})")


def run_units(
    units: Sequence[Unit],
    *,
    workers: int = 1,
    scheduler: str | None = None,
    store: Store | None = None,
    progress: Progress | None = None,
    on: Any = None,
) -> dict[str, Any]:
    """Run every unit not already in ``store``; return every unit's output by key.

    ``workers`` and ``scheduler`` choose where units run (a process pool or a local Dask cluster
    is never larger than the number of units left; a remote Dask cluster is used as it is).
    ``on`` is an executor that is already open (several experiments sharing one cluster); then
    ``workers`` and ``scheduler`` are not used. ``progress(done, total)`` is called once before
    anything runs and after every unit. Outputs arrive in the order units finish; callers
    assemble them by key, so results never depend on that order.
    """
    keys = [u.key for u in units]
    if len(set(keys)) != len(keys):
        raise ValueError("unit keys must be distinct")
    outputs: dict[str, Any] = {}
    if store is not None:
        for key in store.done(keys):
            outputs[key] = store.load(key)
    todo = [u for u in units if u.key not in outputs]
    total = len(units)
    if progress is not None:
        progress(len(outputs), total)
    if not todo:
        return outputs
    log.info("%d units to run (%d already done)", len(todo), len(outputs))
    if on is not None:
        context: Any = nullcontext(on)
    else:
        local = scheduler in (None, "local")
        context = executor(min(workers, len(todo)) if local else workers, scheduler)
    with context as ex:
        for key, output in imap_unordered(ex, ((u.key, u.fn, u.args) for u in todo)):
            outputs[key] = store.save(key, output) if store is not None else output
            if progress is not None:
                progress(len(outputs), total)
    return outputs
