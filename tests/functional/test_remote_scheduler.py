"""--scheduler tcp://HOST:PORT against a real Dask scheduler and workers in their own processes.

The scheduler and a worker (two single-threaded worker processes under nannies) are started with
``python -m dask`` as a cluster on other machines would be, from the project folder with this
environment, so the workers import ``sim`` as installed. Results must be the same as in one process.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from samflode import load_scenario, simulate
from samflode.cli.commands import app

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ROOT / "samflode" / "scenarios" / "nacka-forum.yaml"
SAMFLODE = Path(sys.executable).with_name("samflode")
WORKER_PROCESSES = 2
START_TIMEOUT = 60.0


def _start(args: list[str], log: Path) -> subprocess.Popen:
    # A session of its own, so teardown can end the nannies' worker processes with them.
    with log.open("wb") as out:  # the child keeps its own copy of the file
        return subprocess.Popen(
            [sys.executable, "-m", "dask", *args],
            cwd=ROOT,
            env=os.environ.copy(),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
    try:  # whatever is left of its session (worker processes of a nanny that did not wait)
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=10)


def _wait_for(what: str, ready, procs: list[subprocess.Popen], logs: list[Path]) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while not ready():
        died = [p for p in procs if p.poll() is not None]
        if died or time.monotonic() > deadline:
            output = "\n".join(log.read_text(errors="replace")[-3000:] for log in logs)
            pytest.fail(f"the Dask {what} did not start:\n{output}")
        time.sleep(0.2)


@pytest.fixture(scope="module")
def address(tmp_path_factory):
    """The address of a running Dask scheduler with WORKER_PROCESSES single-threaded workers."""
    from distributed import Client

    base = tmp_path_factory.mktemp("dask")
    scheduler_file = base / "scheduler.json"
    logs = [base / "scheduler.log", base / "worker.log"]
    procs: list[subprocess.Popen] = []
    try:
        # Port 0: the scheduler picks a free port and writes its address to the scheduler file.
        procs.append(
            _start(
                [
                    "scheduler",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    "0",
                    "--no-dashboard",
                    "--scheduler-file",
                    str(scheduler_file),
                    "--idle-timeout",
                    "300",  # gone by itself should this test process die without teardown
                ],
                logs[0],
            )
        )
        _wait_for("scheduler", scheduler_file.exists, procs, logs[:1])
        time.sleep(0.1)  # the file is written in one go, but let it be closed
        addr = json.loads(scheduler_file.read_text(encoding="utf-8"))["address"]
        assert addr.startswith("tcp://127.0.0.1:")
        procs.append(
            _start(
                [
                    "worker",
                    addr,
                    "--nworkers",
                    str(WORKER_PROCESSES),
                    "--nthreads",
                    "1",
                    "--no-dashboard",
                    "--death-timeout",
                    "30",  # and the workers when the scheduler is gone
                ],
                logs[1],
            )
        )
        with Client(addr, timeout="20s") as client:
            _wait_for("workers", lambda: len(client.nthreads()) >= WORKER_PROCESSES, procs, logs)
        yield addr
    finally:
        for proc in reversed(procs):
            _stop(proc)


@pytest.fixture(scope="module")
def scenario_file(tmp_path_factory, write_scenario) -> Path:
    """The default scenario, shortened to 60 days without warm-up, as a file the CLI reads."""
    return write_scenario(tmp_path_factory.mktemp("scenario") / "small.yaml", horizon=60, warmup=0)


def test_remote_scheduler_equals_one_process(address, scenario_file):
    small = load_scenario(scenario_file)
    remote = simulate(small, seed=5, replications=3, scheduler=address)
    serial = simulate(small, seed=5, replications=3, workers=1)
    pd.testing.assert_frame_equal(serial.kpis, remote.kpis)
    pd.testing.assert_frame_equal(serial.events, remote.events)


def test_cli_run_on_remote_scheduler_equals_one_process(address, scenario_file, tmp_path):
    args = ["run", str(scenario_file), "--replications", "3", "--seed", "5"]
    remote, local = tmp_path / "remote", tmp_path / "local"
    # The installed command in a process of its own, as a user would run it against a cluster.
    done = subprocess.run(
        [str(SAMFLODE), *args, "--scheduler", address, "--out", str(remote)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    result = CliRunner().invoke(app, [*args, "--workers", "1", "--out", str(local)])
    assert result.exit_code == 0, result.output
    for name in ("kpis.csv", "summary.json"):
        assert (remote / name).read_bytes() == (local / name).read_bytes(), name
    pd.testing.assert_frame_equal(
        pd.read_parquet(remote / "events.parquet"), pd.read_parquet(local / "events.parquet")
    )
    # The checkpoint folder (and the lock) are gone: only the final files and the manifest.
    assert sorted(p.name for p in remote.iterdir()) == [
        "events.parquet",
        "kpis.csv",
        "manifest.json",
        "summary.json",
    ]
