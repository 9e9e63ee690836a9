"""Where replications run: in this process, a process pool, or a Dask distributed cluster.

One code path maps a function over tasks on any of them (:func:`imap_unordered`). At most a few
tasks per worker are in flight at a time, and each result is handed to the caller as soon as it
finishes and then forgotten, so memory stays flat however many tasks there are. Which worker ran a
task never changes its result: a replication's random streams depend only on (seed, replication,
name) (see :mod:`samflode.rng.streams`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import Any

log = logging.getLogger(__name__)

# Tasks in flight per worker: enough to keep every worker busy, few enough to keep memory flat.
IN_FLIGHT_PER_WORKER = 2

WORKER_LOST = (
    "a worker process died (killed or out of memory) while running replications; "
    "finished replications are kept — rerun with --resume to continue"
)


class SchedulerError(ValueError):
    """A Dask scheduler that cannot be reached; the message is for the user."""


class WorkerLost(RuntimeError):
    """A worker process died while running tasks (killed, out of memory, crashed).

    Raised by :func:`imap_unordered` in place of the process pool's ``BrokenProcessPool`` or
    Dask's ``KilledWorker`` (a task whose workers kept dying). Every result that finished before
    has already been handed to the caller.
    """

    def __init__(self, cause: BaseException | None = None) -> None:
        detail = f" ({type(cause).__name__}: {cause})" if cause is not None else ""
        super().__init__(WORKER_LOST + detail)


def _is_worker_loss(exc: BaseException) -> bool:
    """Whether ``exc`` says a worker process died, rather than that a task itself failed."""
    if isinstance(exc, BrokenProcessPool):
        return True
    # Dask raises KilledWorker for a task that was running on workers that died too often
    # (``distributed.scheduler.allowed-failures``). Checked by name: no import of distributed.
    return any(
        cls.__name__ == "KilledWorker" and cls.__module__.startswith("distributed")
        for cls in type(exc).__mro__
    )


class _Serial:
    """Runs each task at once in this process; the futures it returns are already done."""

    workers = 1

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller through the future
            future.set_exception(exc)
        return future

    @staticmethod
    def wait_first(pending: set) -> tuple[set, set]:
        done, rest = wait(pending, return_when=FIRST_COMPLETED)
        return set(done), set(rest)

    def cancel(self, pending: set) -> None:
        """Nothing runs in the background."""


class _Pool(_Serial):
    def __init__(self, pool: ProcessPoolExecutor, workers: int) -> None:
        self.pool = pool
        self.workers = workers

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future:
        return self.pool.submit(fn, *args)

    def cancel(self, pending: set) -> None:
        for future in pending:
            future.cancel()


class _Dask:
    def __init__(self, client: Any) -> None:
        self.client = client
        self.workers = max(1, sum(client.nthreads().values()))

    def submit(self, fn: Callable[..., Any], *args: Any) -> Any:
        # pure=False: two identical calls are two tasks (never the case here, but never merged).
        return self.client.submit(fn, *args, pure=False)

    @staticmethod
    def wait_first(pending: set) -> tuple[set, set]:
        from distributed import wait as dask_wait

        done, rest = dask_wait(list(pending), return_when="FIRST_COMPLETED")
        return set(done), set(rest)

    def cancel(self, pending: set) -> None:
        if pending:
            self.client.cancel(list(pending))


def _quiet_dask() -> None:
    """Keep Dask's INFO messages (scheduler start, worker registration …) off the terminal.

    distributed sets its own loggers to INFO when it is first imported, whatever the application
    configured; unless samflode runs with debug logging (``samflode -v``), only its warnings and
    errors are shown.
    """
    if logging.getLogger().getEffectiveLevel() > logging.DEBUG:
        for name in ("distributed", "dask"):
            logging.getLogger(name).setLevel(logging.WARNING)


@contextmanager
def executor(workers: int = 1, scheduler: str | None = None) -> Iterator[Any]:
    """Yield something tasks can be submitted to.

    ``scheduler`` is ``None`` (a process pool of ``workers`` processes, or this process when
    ``workers`` is 1), ``"local"`` (a Dask LocalCluster of ``workers`` single-threaded worker
    processes) or a Dask scheduler address such as ``tcp://10.0.0.5:8786`` (its workers are used;
    ``workers`` is then ignored).
    """
    if workers < 1:
        raise ValueError(f"workers must be ≥ 1 (got {workers})")
    if scheduler is None:
        if workers == 1:
            yield _Serial()
            return
        with ProcessPoolExecutor(max_workers=workers) as pool:
            ex = _Pool(pool, workers)
            yield ex
        return
    from distributed import Client, LocalCluster

    _quiet_dask()
    if scheduler == "local":
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
        try:
            with Client(cluster) as client:
                yield _Dask(client)
        finally:
            cluster.close()
        return
    try:
        client = Client(scheduler, timeout="20s")
    except (OSError, TimeoutError) as exc:
        raise SchedulerError(f"--scheduler: cannot connect to {scheduler} ({exc})") from None
    with client:
        yield _Dask(client)


Call = tuple[Any, Callable[..., Any], tuple]  # (key, fn, args)


def imap_unordered(ex: Any, calls: Iterable[Call]) -> Iterator[tuple[Any, Any]]:
    """Yield ``(key, fn(*args))`` for every ``(key, fn, args)`` call, in the order they finish.

    Only ``IN_FLIGHT_PER_WORKER`` calls per worker are submitted at a time; the rest wait here, so
    finished results never pile up. If the caller stops early (an exception, Ctrl-C), the calls not
    yet started are cancelled. If a worker process dies (killed, out of memory), the results that
    did finish are yielded and then :class:`WorkerLost` is raised.
    """
    todo = iter(calls)
    limit = max(1, ex.workers * IN_FLIGHT_PER_WORKER)
    pending: dict[Any, Any] = {}
    try:
        while True:
            while len(pending) < limit:
                call = next(todo, None)
                if call is None:
                    break
                key, fn, args = call
                try:
                    future = ex.submit(fn, *args)
                except BrokenProcessPool as exc:  # the pool broke after the last wait
                    raise WorkerLost(exc) from exc
                pending[future] = key
            if not pending:
                return
            done, _ = ex.wait_first(set(pending))
            # Every result that did finish is handed over before a failure is raised, so the
            # caller keeps it (a broken pool fails all the tasks it had not finished at once).
            failure: BaseException | None = None
            for future in done:
                key = pending.pop(future)
                try:
                    result = future.result()
                except Exception as exc:
                    if failure is None or _is_worker_loss(failure):
                        failure = exc  # a task's own error says more than a lost worker
                    continue
                yield key, result
            if failure is not None:
                if _is_worker_loss(failure):
                    raise WorkerLost(failure) from failure
                raise failure
    finally:
        ex.cancel(set(pending))
