"""Checkpoints and digests: compare and sweep resume to exactly the uninterrupted results, and
figures need no event log in memory.
"""

from __future__ import annotations

import glob
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from samflode import compare, load_scenario
from samflode.analysis.digest import Digest, ReplicationDigest
from samflode.analysis.kpi import kpi_names
from samflode.cli.commands import app
from samflode.config.scenario import Scenario
from samflode.eventlog.log import concat_logs
from samflode.execution.checkpoint import Checkpoint
from samflode.execution.tasks import run_one, run_one_digest, run_one_kpis
from samflode.experiments.sweep import SweepError, check_kpi, parse_grid, sweep

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ROOT / "samflode" / "scenarios" / "nacka-forum.yaml"
SEED = 7
REPS = 4


def _short(data: dict, name: str) -> Scenario:
    return Scenario.model_validate(
        data | {"name": name, "horizon_days": 150.0, "warmup_days": 20.0}
    )


@pytest.fixture(scope="module")
def designs() -> list[Scenario]:
    data = load_scenario(DEFAULT).model_dump()
    fewer = load_scenario(DEFAULT).model_dump()
    fewer["staff"]["forum_bedomare"]["headcount"] = 1
    return [_short(data, "base"), _short(fewer, "fewer")]


@pytest.fixture(scope="module")
def uninterrupted(designs):
    return compare(designs, seed=SEED, replications=REPS, keep_events=True)


def test_digest_from_workers_equals_digest_from_the_log(designs):
    sc = designs[0]
    logs, per_rep = [], []
    for r in range(3):
        _, digest, events = run_one_digest(sc, SEED, r, keep_events=True)
        logs.append(events)
        per_rep.append(digest)
    merged = Digest.merge(list(reversed(per_rep)))  # any order: merged by replication
    direct = Digest.from_events(concat_logs(logs), sc)
    pd.testing.assert_frame_equal(merged.lead_times, direct.lead_times)
    pd.testing.assert_frame_equal(merged.queues, direct.queues)
    pd.testing.assert_series_equal(merged.in_system_first, direct.in_system_first)
    assert merged.replications == 3
    assert set(merged.lead_times["measure"]) >= {"first_meeting", "kontrakt"}
    # The queue series is the mean over replications of each replication's series.
    np.testing.assert_allclose(
        merged.queues["forum"].to_numpy(), np.mean([d.queues["forum"] for d in per_rep], axis=0)
    )


def test_replication_digest_file_round_trip(designs, tmp_path):
    events, _ = run_one(designs[0], SEED, 2)
    digest = ReplicationDigest.from_events(events, designs[0])
    digest.write(tmp_path / "d.npz")
    back = ReplicationDigest.read(tmp_path / "d.npz", 2)
    assert back.replication == 2
    assert back.lead_times.keys() == digest.lead_times.keys()
    for k in digest.lead_times:
        np.testing.assert_array_equal(back.lead_times[k], digest.lead_times[k])
    for k in digest.queues:
        np.testing.assert_array_equal(back.queues[k], digest.queues[k])
    np.testing.assert_array_equal(back.in_system, digest.in_system)


def test_compare_without_event_logs_gives_the_same_comparison(designs, uninterrupted):
    lean = compare(designs, seed=SEED, replications=REPS, keep_events=False, workers=2)
    assert all(r.events is None for r in lean.results)
    pd.testing.assert_frame_equal(lean.table, uninterrupted.table)
    for a, b in zip(lean.results, uninterrupted.results, strict=True):
        pd.testing.assert_frame_equal(a.digest.lead_times, b.digest.lead_times)
        pd.testing.assert_frame_equal(a.digest.queues, b.digest.queues)
    pd.testing.assert_frame_equal(lean.warmup_check(), uninterrupted.warmup_check())


def test_compare_resumes_to_the_uninterrupted_comparison(
    designs, uninterrupted, tmp_path, interrupt
):
    folder = tmp_path / "replications"
    with pytest.raises(interrupt.Error):
        compare(
            designs,
            seed=SEED,
            replications=REPS,
            keep_events=False,
            checkpoint_dir=folder,
            progress=interrupt.at(3),
        )
    finished = sorted(folder.glob("design-*/rep-*.json"))
    assert len(finished) == 3
    ran: list[int] = []
    resumed = compare(
        designs,
        seed=SEED,
        replications=REPS,
        keep_events=False,
        checkpoint_dir=folder,
        resume=True,
        progress=lambda done, total: ran.append(done),
    )
    # Progress starts at the 3 kept replications; only the other 5 run.
    assert ran[0] == 3 and ran[-1] == 2 * REPS and len(ran) == 1 + 2 * REPS - 3
    pd.testing.assert_frame_equal(resumed.table, uninterrupted.table)
    for a, b in zip(resumed.results, uninterrupted.results, strict=True):
        pd.testing.assert_frame_equal(a.kpis, b.kpis)
        pd.testing.assert_frame_equal(a.digest.lead_times, b.digest.lead_times)


def test_compare_resume_refuses_another_seed_and_keep_events(designs, tmp_path, interrupt):
    folder = tmp_path / "replications"
    with pytest.raises(interrupt.Error):
        compare(designs, seed=1, replications=2, keep_events=False, checkpoint_dir=folder,
                progress=interrupt.at(1))  # fmt: skip
    with pytest.raises(ValueError, match="another experiment .*seed"):
        compare(designs, seed=2, replications=2, keep_events=False, checkpoint_dir=folder,
                resume=True)  # fmt: skip
    with pytest.raises(ValueError, match="keep_events"):
        compare(designs, seed=1, replications=2, checkpoint_dir=folder)


@pytest.fixture(scope="module")
def grid():
    return parse_grid(["staff.forum_bedomare.headcount=1,3"])


def test_sweep_resumes_to_the_uninterrupted_table(designs, grid, tmp_path, interrupt):
    base = designs[0]
    full = sweep(base, grid, seed=SEED, replications=3)
    folder = tmp_path / "replications"
    with pytest.raises(interrupt.Error):
        sweep(
            base, grid, seed=SEED, replications=3, checkpoint_dir=folder, progress=interrupt.at(4)
        )
    assert len(list(folder.glob("point-*/rep-*.json"))) == 4
    resumed = sweep(
        base, grid, seed=SEED, replications=3, workers=2, checkpoint_dir=folder, resume=True
    )
    pd.testing.assert_frame_equal(resumed, full)
    other = parse_grid(["staff.forum_bedomare.headcount=1,4"])
    with pytest.raises(ValueError, match="another experiment .*grid"):
        sweep(base, other, seed=SEED, replications=3, checkpoint_dir=folder, resume=True)


def test_checkpoint_counts_a_unit_only_when_its_kpis_are_written(tmp_path):
    cp = Checkpoint(tmp_path / "c", {"x": 1}, resume=False)
    key = Checkpoint.key(3, "design-00")
    cp.path(key, ".npz").parent.mkdir(parents=True, exist_ok=True)
    cp.path(key, ".npz").write_bytes(b"half")  # a data file without its KPI file: not complete
    assert cp.done([key]) == set()
    cp.write(key, {"a": float("nan"), "b": 0.1 + 0.2}, {".npz": lambda p: p.write_bytes(b"x")})
    assert cp.done([key]) == {key}
    back = cp.kpis(key)
    assert np.isnan(back["a"]) and back["b"] == 0.1 + 0.2
    assert Checkpoint(tmp_path / "c", {"x": 1}, resume=True).done([key]) == {key}
    assert Checkpoint(tmp_path / "c", {"x": 1}, resume=False).done([key]) == set()


@pytest.mark.parametrize(
    "path", sorted(glob.glob(str(ROOT / "samflode/scenarios/**/*.yaml"), recursive=True))
)
def test_kpi_names_without_a_run_are_the_names_of_a_run(path):
    sc = load_scenario(path)
    short = Scenario.model_validate(sc.model_dump() | {"horizon_days": 40.0, "warmup_days": 0.0})
    assert kpi_names(sc) == list(run_one_kpis(short, 1, 0))


def test_unknown_kpi_is_refused_with_a_suggestion(designs):
    with pytest.raises(SweepError, match="did you mean days_to_first_meeting_mean"):
        check_kpi(designs[0], "days_to_first_meting_mean")
    check_kpi(designs[0], "utilisation_forum_bedomare")


def test_cli_compare_and_sweep_resume(tmp_path, write_scenario, interrupt):
    a = write_scenario(tmp_path / "a.yaml", name="base")
    b = write_scenario(
        tmp_path / "b.yaml", name="fewer", edits={"staff.forum_bedomare.headcount": 1}
    )
    designs = [load_scenario(a), load_scenario(b)]
    args = ["--replications", "3", "--seed", str(SEED), "--workers", "2"]

    out = tmp_path / "cmp"
    with pytest.raises(interrupt.Error):
        compare(designs, seed=SEED, replications=3, keep_events=False,
                checkpoint_dir=out / "replications", progress=interrupt.at(2))  # fmt: skip
    done = CliRunner().invoke(
        app, ["compare", str(a), str(b), *args, "--out", str(out), "--resume"]
    )
    assert done.exit_code == 0, done.output
    assert not (out / "replications").exists()  # the checkpoint goes once the results are in
    fresh = tmp_path / "cmp-fresh"
    done = CliRunner().invoke(app, ["compare", str(a), str(b), *args, "--out", str(fresh)])
    assert done.exit_code == 0, done.output
    for name in ("comparison.csv", "replications_check.csv", "warmup_check.csv"):
        assert (out / name).read_bytes() == (fresh / name).read_bytes(), name

    grid = ["--grid", "staff.forum_bedomare.headcount=1,2"]
    out = tmp_path / "sw"
    with pytest.raises(interrupt.Error):
        sweep(designs[0], parse_grid(grid[1:]), seed=SEED, replications=3,
              checkpoint_dir=out / "replications", progress=interrupt.at(3))  # fmt: skip
    done = CliRunner().invoke(app, ["sweep", str(a), *grid, *args, "--out", str(out), "--resume"])
    assert done.exit_code == 0, done.output
    fresh = tmp_path / "sw-fresh"
    done = CliRunner().invoke(app, ["sweep", str(a), *grid, *args, "--out", str(fresh)])
    assert done.exit_code == 0, done.output
    assert (out / "sweep.csv").read_bytes() == (fresh / "sweep.csv").read_bytes()


def test_cli_sweep_unknown_kpi_exits_2_before_running(tmp_path, write_scenario):
    a = write_scenario(tmp_path / "a.yaml", name="base")
    out = tmp_path / "sw"
    done = CliRunner().invoke(
        app,
        ["sweep", str(a), "--grid", "staff.forum_bedomare.headcount=1,2", "--kpi", "nope",
         "--out", str(out)],
    )  # fmt: skip
    assert done.exit_code == 2, done.output
    assert "--kpi 'nope'" in done.stderr
    assert not out.exists()  # refused before any replication ran or any file was written
