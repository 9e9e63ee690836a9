"""Where replications run: in this process, a process pool, or a Dask distributed cluster.

One code path maps a function over tasks on any of them (:func:`imap_unordered`). At most a few
tasks per worker are in flight at a time, and each result is handed to the caller as soon as it
finishes and then forgotten, so memory stays flat however many tasks there are. Which worker ran a
task never changes its result: a replication's random streams depend only on (seed, replication,
name) (see :mod:`samflode.rng.streams`).

Workers never outlive the experiment. A process-pool worker ignores Ctrl-C (the parent decides
what it means) and asks the kernel to kill it when its parent dies (``PR_SET_PDEATHSIG`` on Linux,
a watchdog thread elsewhere), so a parent killed by SIGKILL leaves no worker writing into its
checkpoint or holding its output pipe open; a parent that stops on an exception (Ctrl-C,
SIGTERM, a lost worker) terminates its workers at once instead of waiting for their tasks.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import sys
import threading
import time
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


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP: a stop like Ctrl-C, with the signal that asked for it."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


# While the main thread waits on a pool or Dask cluster, a stop signal (Ctrl-C, SIGTERM) is not
# raised where it lands: an exception inside concurrent.futures' own locks (``wait`` holds every
# future's condition while it installs its waiter) can leave one held, and the executor then
# hangs for ever when it shuts down. It is recorded and raised by the loop between two waits.
_defer_stops = False
_stop_requested: int | None = None
WAIT_SLICE_S = 0.2


def deliver_stop(signum: int) -> None:
    """What a stop-signal handler calls: raise the stop now, or at the pool loop's next safe
    point (within ``WAIT_SLICE_S``) if the loop is waiting on workers.
    """
    global _stop_requested
    if _defer_stops:
        _stop_requested = signum
        return
    raise _interrupt(signum)


def _interrupt(signum: int) -> KeyboardInterrupt:
    return KeyboardInterrupt() if signum == signal.SIGINT else Terminated(signum)


def _raise_requested_stop() -> None:
    global _stop_requested
    if _stop_requested is not None:
        signum, _stop_requested = _stop_requested, None
        raise _interrupt(signum)


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _worker_init(parent: int) -> None:
    """Run in each pool worker as it starts: ignore Ctrl-C, and die with the parent."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL) != 0:  # pragma: no cover - never fails
            _watch_parent(parent)
    else:  # pragma: no cover - samflode is tested on Linux
        _watch_parent(parent)
    if os.getppid() != parent:  # the parent died before the kernel was asked to tell us
        os._exit(1)


def _watch_parent(parent: int) -> None:
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="samflode-parent-watch", daemon=True).start()


def _stop_now(pool: ProcessPoolExecutor) -> None:
    """Terminate the pool's workers without waiting for their tasks (Python 3.14 has
    ``ProcessPoolExecutor.terminate_workers`` for this; 3.11 needs the process table).
    """
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(timeout=30)
    pool.shutdown(wait=True)


class _Serial:
    """Runs each task at once in this process; the futures it returns are already done."""

    workers = 1
    # A stop signal is raised at once: the task runs here, and no executor lock is held.
    defer_stops = False

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller through the future
            future.set_exception(exc)
        return future

    @staticmethod
    def wait_first(pending: set, timeout: float | None = None) -> tuple[set, set]:
        done, rest = wait(pending, timeout=timeout, return_when=FIRST_COMPLETED)
        return set(done), set(rest)

    def cancel(self, pending: set) -> None:
        """Nothing runs in the background."""


class _Pool(_Serial):
    defer_stops = True

    def __init__(self, pool: ProcessPoolExecutor, workers: int) -> None:
        self.pool = pool
        self.workers = workers

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future:
        return self.pool.submit(fn, *args)

    def cancel(self, pending: set) -> None:
        for future in pending:
            future.cancel()


class _Dask:
    defer_stops = True

    def __init__(self, client: Any) -> None:
        self.client = client
        self.workers = max(1, sum(client.nthreads().values()))

    def submit(self, fn: Callable[..., Any], *args: Any) -> Any:
        # pure=False: two identical calls are two tasks (never the case here, but never merged).
        return self.client.submit(fn, *args, pure=False)

    @staticmethod
    def wait_first(pending: set, timeout: float | None = None) -> tuple[set, set]:
        from distributed import wait as dask_wait

        try:
            done, rest = dask_wait(list(pending), timeout=timeout, return_when="FIRST_COMPLETED")
        except TimeoutError:
            return set(), set(pending)
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
        pool = ProcessPoolExecutor(
            max_workers=workers, initializer=_worker_init, initargs=(os.getpid(),)
        )
        try:
            yield _Pool(pool, workers)
        except BaseException:
            _stop_now(pool)
            raise
        pool.shutdown(wait=True)
        return
    from distributed import Client, LocalCluster

    _quiet_dask()
    if scheduler == "local":
        log.info("local Dask cluster of %d worker processes", workers)
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
        client = Client(scheduler, timeout="10s")
    except (OSError, TimeoutError, ValueError, TypeError) as exc:
        # The address was checked (check_scheduler); what is left is the connection itself.
        raise SchedulerError(
            f"--scheduler: cannot connect to a Dask scheduler at {scheduler} "
            f"({type(exc).__name__}: {str(exc)[:200]})"
        ) from None
    with client:
        yield _Dask(client)


def check_scheduler(scheduler: str | None) -> None:
    """SchedulerError unless ``scheduler`` is None, ``"local"`` or ``tcp://HOST:PORT``.

    Dask also knows tls://, ucx:// and inproc://, but they need security settings or hardware
    samflode does not configure, and failed with library errors rather than messages.
    """
    if scheduler is None or scheduler == "local":
        return
    from urllib.parse import urlsplit

    usage = f"--scheduler: 'local' or a Dask scheduler address tcp://HOST:PORT (got {scheduler!r})"
    try:
        parts = urlsplit(scheduler)
        port = parts.port
    except ValueError:
        raise SchedulerError(f"{usage}: the port must be a number from 1 to 65535") from None
    if parts.scheme != "tcp":
        raise SchedulerError(f"{usage}: only tcp:// is supported")
    if not parts.hostname or port is None or not 1 <= port <= 65535:
        raise SchedulerError(f"{usage}: needs a host and a port from 1 to 65535")
    if parts.path or parts.query or parts.fragment or parts.username:
        raise SchedulerError(f"{usage}: nothing may follow HOST:PORT")


Call = tuple[Any, Callable[..., Any], tuple]  # (key, fn, args)


def imap_unordered(ex: Any, calls: Iterable[Call]) -> Iterator[tuple[Any, Any]]:
    """Yield ``(key, fn(*args))`` for every ``(key, fn, args)`` call, in the order they finish.

    Only ``IN_FLIGHT_PER_WORKER`` calls per worker are submitted at a time; the rest wait here, so
    finished results never pile up. If the caller stops early (an exception, Ctrl-C), the calls not
    yet started are cancelled. If a worker process dies (killed, out of memory), the results that
    did finish are yielded and then :class:`WorkerLost` is raised.
    """
    global _defer_stops
    todo = iter(calls)
    limit = max(1, ex.workers * IN_FLIGHT_PER_WORKER)
    pending: dict[Any, Any] = {}
    defer = getattr(ex, "defer_stops", False)
    try:
        while True:
            _defer_stops = defer
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
            done: set = set()
            while not done:
                done, _ = ex.wait_first(set(pending), WAIT_SLICE_S if defer else None)
                _raise_requested_stop()  # a safe point: no executor lock is held here
            _defer_stops = False
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
        _defer_stops = False
        ex.cancel(set(pending))
