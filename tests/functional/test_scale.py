"""Parallel runs and resume: results never depend on where or in how many pieces they ran."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from samflode import load_scenario, simulate, write_results
from samflode.cli.commands import app
from samflode.execution.checkpoint import Checkpoint
from samflode.execution.runner import REPLICATIONS_DIR, run_to_directory

DEFAULT = "samflode/scenarios/nacka-forum.yaml"
FINAL = ("events.parquet", "kpis.csv", "summary.json")


@pytest.fixture(scope="module")
def serial(small):
    return simulate(small, seed=5, replications=4, workers=1)


@pytest.fixture(scope="module")
def uninterrupted(small, tmp_path_factory):
    out = tmp_path_factory.mktemp("full")
    run_to_directory(small, out, seed=5, replications=4, workers=1)
    return out


def test_pool_of_two_equals_one_process(small, serial):
    two = simulate(small, seed=5, replications=4, workers=2)
    pd.testing.assert_frame_equal(serial.kpis, two.kpis)
    pd.testing.assert_frame_equal(serial.events, two.events)


def test_dask_local_cluster_equals_process_pool(small, serial):
    dask = simulate(small, seed=5, replications=4, workers=2, scheduler="local")
    pd.testing.assert_frame_equal(serial.kpis, dask.kpis)
    pd.testing.assert_frame_equal(serial.events, dask.events)


def test_directory_run_equals_in_memory_run(
    small, serial, uninterrupted, tmp_path, assert_same_files
):
    write_results(serial, tmp_path)
    assert_same_files(uninterrupted, tmp_path)
    # The per-replication checkpoint is gone once the final files are in place.
    assert sorted(p.name for p in uninterrupted.iterdir()) == sorted(FINAL)


def test_directory_run_with_two_workers_is_identical(
    small, uninterrupted, tmp_path, assert_same_files
):
    run_to_directory(small, tmp_path, seed=5, replications=4, workers=2)
    assert_same_files(uninterrupted, tmp_path)


def test_resume_after_an_interruption(small, uninterrupted, tmp_path, interrupt, assert_same_files):
    with pytest.raises(interrupt.Error):
        run_to_directory(small, tmp_path, seed=5, replications=4, progress=interrupt.at(2))
    written = sorted(p.name for p in (tmp_path / "replications").glob("rep-*"))
    assert written == [f"rep-{r:05d}.{ext}" for r in (0, 1) for ext in ("json", "parquet")]
    assert not any((tmp_path / name).exists() for name in FINAL)

    ran = []
    result, _ = run_to_directory(
        small,
        tmp_path,
        seed=5,
        replications=4,
        resume=True,
        progress=lambda done, total: ran.append(done),
    )
    assert ran == [2, 3, 4]  # two were kept, two were run
    assert_same_files(uninterrupted, tmp_path)
    events = pd.read_parquet(tmp_path / "events.parquet")
    assert sorted(events["replication"].unique()) == [0, 1, 2, 3]
    # No participant's record twice (staff records, participant -1, can repeat: two officers
    # with the same caseload do the same administration at the same time).
    assert not events[events["participant"] >= 0].duplicated().any()
    assert result.kpis.groupby("replication").size().nunique() == 1


def test_resume_recomputes_only_a_missing_replication(
    small, uninterrupted, tmp_path, interrupt, assert_same_files
):
    with pytest.raises(interrupt.Error):  # after the last of the 4 replications
        run_to_directory(
            small, tmp_path, seed=5, replications=4, workers=2, progress=interrupt.at(4)
        )
    folder = tmp_path / REPLICATIONS_DIR
    for suffix in (".parquet", ".json"):
        (folder / f"{Checkpoint.key(2)}{suffix}").unlink()
    ran = []
    run_to_directory(
        small, tmp_path, seed=5, replications=4, resume=True, progress=lambda d, t: ran.append(d)
    )
    assert ran == [3, 4]
    assert_same_files(uninterrupted, tmp_path)


def test_resume_refuses_another_seed(small, tmp_path, interrupt):
    with pytest.raises(interrupt.Error):
        run_to_directory(small, tmp_path, seed=5, replications=2, progress=interrupt.at(1))
    with pytest.raises(ValueError, match="another experiment .*differ: seed"):
        run_to_directory(small, tmp_path, seed=6, replications=2, resume=True)


def test_without_resume_old_replications_are_discarded(
    small, uninterrupted, tmp_path, interrupt, assert_same_files
):
    with pytest.raises(interrupt.Error):
        run_to_directory(small, tmp_path, seed=9, replications=4, progress=interrupt.at(1))
    run_to_directory(small, tmp_path, seed=5, replications=4)
    assert_same_files(uninterrupted, tmp_path)


def test_cli_run_resume(tmp_path, write_scenario, interrupt, assert_same_files):
    path = write_scenario(tmp_path / "small.yaml")
    out = tmp_path / "out"
    # A checkpoint of two replications of the same scenario and seed, as an interrupted run leaves.
    with pytest.raises(interrupt.Error):
        run_to_directory(load_scenario(path), out, seed=5, replications=4, progress=interrupt.at(2))
    args = ["run", str(path), "--replications", "4", "--seed", "5", "--workers", "2"]
    result = CliRunner().invoke(app, [*args, "--out", str(out), "--resume"])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["replications"] == 4
    fresh = tmp_path / "fresh"
    result = CliRunner().invoke(app, [*args, "--out", str(fresh)])
    assert result.exit_code == 0, result.output
    assert_same_files(fresh, out)


@pytest.mark.parametrize("scheduler", ["nowhere", "127.0.0.1"])
def test_cli_bad_scheduler_exits_2(scheduler, tmp_path):
    result = CliRunner().invoke(
        app, ["run", DEFAULT, "--scheduler", scheduler, "--out", str(tmp_path)]
    )
    assert result.exit_code == 2, result.output
    assert "--scheduler" in result.stderr
