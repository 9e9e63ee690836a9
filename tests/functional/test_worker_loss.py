"""A worker process that dies (killed, out of memory) loses no finished replication.

The process pool turns into WorkerLost (and the run can be resumed); a Dask cluster runs the task
again on another worker. A replication is made to "die" by a stand-in for
``samflode.execution.tasks.run_one`` that calls ``os._exit`` in the worker process, as a SIGKILL or
the OOM killer would end it. Pool workers are forked and inherit the stand-in; Dask's spawned
workers import this module by name (multiprocessing hands them the test process's sys.path)."""

from __future__ import annotations

import functools
import os
from pathlib import Path

import dask
import pandas as pd
import pytest
from typer.testing import CliRunner

import samflode.execution.tasks
from samflode import simulate
from samflode.cli.commands import app
from samflode.execution.parallel import WorkerLost, executor, imap_unordered
from samflode.execution.runner import REPLICATIONS_DIR, run_to_directory

FINAL = ("events.parquet", "kpis.csv", "summary.json")
REAL_RUN_ONE = samflode.execution.tasks.run_one


def die_at_3(marker: str, parent: int, scenario, seed, replication):
    """run_one, except that replication 3 kills its worker process while ``marker`` exists."""
    if replication == 3 and Path(marker).exists():
        if os.getpid() == parent:  # never take the test process down with it
            raise AssertionError("replication 3 ran in the test process, not in a worker")
        os._exit(1)
    return REAL_RUN_ONE(scenario, seed, replication)


def die_once_at_3(marker: str, parent: int, scenario, seed, replication):
    """run_one, except that the first attempt at replication 3 kills its worker process."""
    if replication == 3:
        try:
            os.unlink(marker)  # only one attempt, in whichever process, finds the marker
        except FileNotFoundError:
            pass
        else:
            if os.getpid() == parent:
                raise AssertionError("replication 3 ran in the test process, not in a worker")
            os._exit(1)
    return REAL_RUN_ONE(scenario, seed, replication)


@pytest.fixture(scope="module")
def uninterrupted(small, tmp_path_factory):
    out = tmp_path_factory.mktemp("full")
    run_to_directory(small, out, seed=5, replications=6, workers=1)
    return out


def test_killed_pool_worker_raises_worker_lost_and_resume_completes(
    small, uninterrupted, tmp_path, monkeypatch, assert_same_files
):
    marker = tmp_path / "kill-replication-3"
    marker.touch()
    monkeypatch.setattr(
        samflode.execution.tasks, "run_one", functools.partial(die_at_3, str(marker), os.getpid())
    )
    out = tmp_path / "out"

    with pytest.raises(WorkerLost) as caught:
        run_to_directory(small, out, seed=5, replications=6, workers=2)
    message = str(caught.value)
    assert "worker process died" in message and "--resume" in message
    assert "BrokenProcessPool" in message
    assert isinstance(caught.value, RuntimeError)
    # Nothing final was written; what finished before the worker died is in the checkpoint.
    assert not any((out / name).exists() for name in FINAL)
    kept = {int(p.stem.removeprefix("rep-")) for p in (out / REPLICATIONS_DIR).glob("rep-*.json")}
    assert 3 not in kept
    assert kept <= {0, 1, 2, 4, 5}

    marker.unlink()
    ran = []
    run_to_directory(
        small,
        out,
        seed=5,
        replications=6,
        workers=2,
        resume=True,
        progress=lambda done, total: ran.append(done),
    )
    assert ran == list(range(len(kept), 7))  # only the missing replications ran again
    assert_same_files(uninterrupted, out)
    assert sorted(p.name for p in out.iterdir()) == sorted(FINAL)


def test_killed_pool_worker_in_memory_run(small, tmp_path, monkeypatch):
    marker = tmp_path / "kill-replication-3"
    marker.touch()
    monkeypatch.setattr(
        samflode.execution.tasks, "run_one", functools.partial(die_at_3, str(marker), os.getpid())
    )
    with pytest.raises(WorkerLost):
        simulate(small, seed=5, replications=6, workers=2)


def test_a_task_error_is_not_a_lost_worker():
    with executor(2) as ex, pytest.raises(ZeroDivisionError):
        calls = [(i, divmod, args) for i, args in enumerate([(1, 1), (1, 0), (2, 1)])]
        list(imap_unordered(ex, calls))


def test_dask_reruns_the_task_of_a_worker_that_died(small, tmp_path, monkeypatch):
    marker = tmp_path / "kill-replication-3-once"
    marker.touch()
    monkeypatch.setattr(
        samflode.execution.tasks,
        "run_one",
        functools.partial(die_once_at_3, str(marker), os.getpid()),
    )
    dask_run = simulate(small, seed=5, replications=6, workers=2, scheduler="local")
    assert not marker.exists()  # the worker did die once
    monkeypatch.setattr(samflode.execution.tasks, "run_one", REAL_RUN_ONE)
    serial = simulate(small, seed=5, replications=6, workers=1)
    pd.testing.assert_frame_equal(serial.kpis, dask_run.kpis)
    pd.testing.assert_frame_equal(serial.events, dask_run.events)


def test_dask_worker_that_keeps_dying_raises_worker_lost(small, tmp_path, monkeypatch):
    marker = tmp_path / "kill-replication-3"
    marker.touch()
    monkeypatch.setattr(
        samflode.execution.tasks, "run_one", functools.partial(die_at_3, str(marker), os.getpid())
    )
    # Give up at the first death instead of after three, to keep the test short.
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        with pytest.raises(WorkerLost) as caught:
            simulate(small, seed=5, replications=6, workers=2, scheduler="local")
    assert "KilledWorker" in str(caught.value)


def test_cli_reports_a_lost_worker_without_a_traceback_and_resumes(
    uninterrupted, tmp_path, monkeypatch, write_scenario, assert_same_files
):
    path = write_scenario(tmp_path / "small.yaml")  # the `small` scenario, as a file
    marker = tmp_path / "kill-replication-3"
    marker.touch()
    monkeypatch.setattr(
        samflode.execution.tasks, "run_one", functools.partial(die_at_3, str(marker), os.getpid())
    )
    out = tmp_path / "out"
    args = ["run", str(path), "--replications", "6", "--seed", "5", "--out", str(out)]
    result = CliRunner().invoke(app, [*args, "--workers", "2"])
    assert result.exit_code == 1, result.output
    assert "worker process died" in result.stderr and "--resume" in result.stderr
    assert "Traceback" not in result.output + result.stderr
    marker.unlink()
    result = CliRunner().invoke(app, [*args, "--workers", "2", "--resume"])
    assert result.exit_code == 0, result.output
    assert_same_files(uninterrupted, out)
