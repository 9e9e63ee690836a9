"""`samflode calibrate` end to end on an M/M/1 queue whose two parameters generated the targets:
the truth is recovered inside the 90 % intervals, the files are written, a resumed calibration is
the same calibration, and bad input stops before any run with exit 2.

The small version of the recovery benchmark (``benchmarks/recovery.py`` runs 20+ truths and
reports coverage); one truth here, fixed, so the test is deterministic and cannot pass by luck of
a lucky draw: its intervals must also be narrower than the prior box.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from samflode.analysis.theory import markovian_scenario
from samflode.cli import app
from samflode.config.calibration import ParametersFile
from samflode.experiments.calibration import calibrate
from samflode.experiments.calibration.recovery import (
    MM1_KPIS,
    MM1_PARAMETERS,
    synthetic_targets,
)

TRUTH = {"inflow": 4.9, "service": 0.8}  # λ = 0.7 a day, ρ = 0.56
PARAMS = MM1_PARAMETERS
KPIS = MM1_KPIS
SCENARIO = markovian_scenario(
    arrival_rate_per_day=0.7, service_mean_days=0.8, servers=1, horizon_days=300,
    warmup_days=20, name="mm1",
)  # fmt: skip


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("calibration")
    params = ParametersFile.model_validate(PARAMS)
    targets = synthetic_targets({"mm1": SCENARIO}, params, TRUTH, KPIS, replication=0)
    paths = {
        "scenario": folder / "mm1.yaml",
        "targets": folder / "targets.yaml",
        "params": folder / "params.yaml",
    }
    paths["scenario"].write_text(yaml.safe_dump(SCENARIO.model_dump(mode="json")))
    paths["targets"].write_text(yaml.safe_dump(targets.model_dump(mode="json")))
    paths["params"].write_text(yaml.safe_dump(PARAMS))
    return paths


def _args(files: dict[str, Path], *more: str) -> list[str]:
    return [
        "calibrate", str(files["scenario"]), "--targets", str(files["targets"]),
        "--params", str(files["params"]), *more,
    ]  # fmt: skip


@pytest.fixture(scope="module")
def result(files, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("out") / "cal"
    args = _args(files, "--budget", "100", "--replications", "2", "--workers", "2")
    run = CliRunner().invoke(app, [*args, "--out", str(out)])
    assert run.exit_code == 0, run.output
    return out


def test_the_truth_is_inside_narrow_90_percent_intervals(result):
    summary = pd.read_csv(result / "summary.csv").set_index("parameter")
    for name, value in TRUTH.items():
        row = summary.loc[name]
        assert row.q05 <= value <= row.q95, (name, value, row.to_dict())
        # Narrower than the box: the data identify the parameter, the interval is not the prior.
        assert row.q95 - row.q05 < 0.75 * (row.prior_high - row.prior_low), row.to_dict()
    assert (summary["shrinkage"] > 0.3).all()


def test_the_files_and_the_fit(result):
    names = {p.name for p in result.iterdir()}
    assert {
        "posterior.parquet", "summary.csv", "fit.csv", "points.parquet", "checks.parquet",
        "calibration.json", "calibration_marginals.png", "calibration_pairs.png",
        "calibration_fit.png", "manifest.json",
    } <= names  # fmt: skip
    assert "replications" not in names
    fit = pd.read_csv(result / "fit.csv")
    assert list(fit["kpi"]) == KPIS["mm1"]
    assert (fit["implausibility"] < 3).all()
    assert fit["within_90"].all()
    facts = json.loads((result / "calibration.json").read_text())
    assert facts["simulations"] <= 100
    points = pd.read_parquet(result / "points.parquet")
    assert len(points) * 2 == facts["simulations"]
    assert set(points["stage"]) == {"wave_1", "wave_2", "check"}
    posterior = pd.read_parquet(result / "posterior.parquet")
    assert list(posterior.columns) == ["draw", "inflow", "service"]
    # History matching cut the box: wave 2 went to the part that wave 1 did not rule out.
    assert 0 < facts["nroy_share_after_wave_1"] < 0.8


def test_a_resumed_calibration_is_the_same_calibration(files, tmp_path):
    params = ParametersFile.model_validate(PARAMS)
    targets = synthetic_targets({"mm1": SCENARIO}, params, TRUTH, KPIS, replication=0)
    ran: list[int] = []
    kwargs = dict(seed=5, replications=2, budget=40, checkpoint_dir=tmp_path / "ck")
    first = calibrate({"mm1": SCENARIO}, targets, params, workers=2, **kwargs)
    again = calibrate(
        {"mm1": SCENARIO}, targets, params, workers=1, resume=True,
        progress=lambda done, total: ran.append(done), **kwargs,
    )  # fmt: skip
    pd.testing.assert_frame_equal(first.posterior, again.posterior)
    pd.testing.assert_frame_equal(first.fit, again.fit)
    # Everything came from the checkpoint: the first report already counts every wave-1 unit.
    assert ran[1] == first.plan.wave_1 * 2  # (ran[0] is the 0 before anything)


@pytest.mark.parametrize(
    ("edit", "more", "words"),
    [
        (lambda t, p: t["targets"][0].update(kpi="utilisation_forun"), [],
         ["targets[0].kpi", "did you mean utilisation_forum"]),
        (lambda t, p: t["targets"][0].update(scenario="nacka"), [],
         ["targets[0].scenario", "'nacka' is not among the scenarios"]),
        (lambda t, p: p["parameters"][0].update(paths=["groups.nobody.inflow_per_week"]), [],
         ["parameters[0].paths[0]"]),
        (lambda t, p: None, ["--budget", "10"], ["--budget: 10 simulations is too few"]),
        (lambda t, p: None, ["--replications", "1"], ["--replications: must be between 2"]),
    ],
)  # fmt: skip
def test_bad_input_exits_2_before_any_run(files, tmp_path, edit, more, words):
    targets = yaml.safe_load(files["targets"].read_text())
    params = yaml.safe_load(files["params"].read_text())
    edit(targets, params)
    bad = dict(files)
    bad["targets"] = tmp_path / "targets.yaml"
    bad["params"] = tmp_path / "params.yaml"
    bad["targets"].write_text(yaml.safe_dump(targets))
    bad["params"].write_text(yaml.safe_dump(params))
    out = tmp_path / "out"
    run = CliRunner().invoke(app, [*_args(bad, *more), "--out", str(out)])
    assert run.exit_code == 2, run.output
    text = " ".join(run.output.split())
    for word in words:
        assert word in text, text
    assert "Traceback" not in run.output
    assert not out.exists()


UNUSED = {
    "name": "unused",
    "paths": ["forum.booking_delay.value"],
    "prior": {"dist": "uniform", "low": 0.0, "high": 0.001},
}


def test_morris_screening_finds_the_parameters_that_matter(files, tmp_path):
    params = tmp_path / "params.yaml"
    params.write_text(yaml.safe_dump({"parameters": [*PARAMS["parameters"], UNUSED]}))
    out = tmp_path / "sens"
    args = [
        "sensitivity", str(files["scenario"]), "--params", str(params), "--kpi",
        "utilisation_forum", "--trajectories", "4", "--workers", "2", "--out", str(out),
    ]  # fmt: skip
    run = CliRunner().invoke(app, args)
    assert run.exit_code == 0, run.output
    table = pd.read_csv(out / "sensitivity.csv")
    mu = table[table["index"] == "mu_star"].set_index("parameter")["value"]
    # Utilisation is about λ·s: both move it by several points over their boxes; a booking
    # delay of at most 1/1000 day does nothing.
    assert mu["service"] > 0.1 and mu["inflow"] > 0.05
    assert mu["unused"] < 0.01 * mu["service"]
    assert 0 <= table["noise_share"].iloc[0] < 0.5
    assert (out / "sensitivity.png").stat().st_size > 0
    assert len(pd.read_csv(out / "sensitivity_points.csv")) == 4 * 4


def test_sobol_indices_on_the_emulator_rank_the_same_way():
    from samflode.experiments.calibration.sensitivity import sensitivity

    params = ParametersFile.model_validate({"parameters": [*PARAMS["parameters"], UNUSED]})
    result = sensitivity(
        "mm1", SCENARIO, params, ["utilisation_forum"], method="sobol", replications=2, workers=2
    )
    st = result.table[result.table["index"] == "ST"].set_index("parameter")["value"]
    assert st["service"] > 0.3 and st["inflow"] > 0.1
    assert st["unused"] < 0.02
    assert result.facts["simulations"] == 30 * 2


def test_a_counterfactual_replays_the_same_people_under_another_design(result, tmp_path, files):
    # The M/M/1 site under a design with two servers: the same arrivals (common random numbers,
    # so the paired difference in arrivals is exactly 0 in every pair), shorter waits at every
    # posterior draw.
    two = markovian_scenario(
        arrival_rate_per_day=0.7, service_mean_days=0.8, servers=2, horizon_days=300,
        warmup_days=20, name="mm2",
    )  # fmt: skip
    design = tmp_path / "mm2.yaml"
    design.write_text(yaml.safe_dump(two.model_dump(mode="json")))
    out = tmp_path / "cf"
    args = [
        "counterfactual", str(result), "--site", str(files["scenario"]), "--design", str(design),
        "--take", "staff", "--draws", "5", "--replications", "2", "--workers", "2",
        "--kpi", "days_to_first_meeting_mean", "--out", str(out),
    ]  # fmt: skip
    run = CliRunner().invoke(app, args)
    assert run.exit_code == 0, run.output
    runs = pd.read_parquet(out / "counterfactual_runs.parquet")
    assert len(runs) == 5 * 2 * 2
    paired = runs.pivot_table(index=["draw", "replication"], columns="arm", values="arrivals")
    assert (paired["factual"] == paired["counterfactual"]).all()
    table = pd.read_csv(out / "counterfactual.csv").set_index("kpi")
    wait = table.loc["days_to_first_meeting_mean"]
    assert wait.expected_q95 < 0 and wait.share_draws_positive == 0
    # Half the load per server: utilisation about halves.
    util = table.loc["utilisation_forum"]
    assert 0.4 < util.counterfactual_mean / util.factual_mean < 0.6
    draws = pd.read_parquet(out / "counterfactual_draws.parquet")
    posterior = pd.read_parquet(result / "posterior.parquet")
    assert draws["inflow"].isin(posterior["inflow"]).all()
    assert (out / "counterfactual.png").stat().st_size > 0
    # Bad input: an unknown section, and a folder that is no calibration, exit 2.
    bad = CliRunner().invoke(app, [
        "counterfactual", str(result), "--site", str(files["scenario"]), "--design", str(design),
        "--take", "stafff", "--out", str(tmp_path / "x"),
    ])  # fmt: skip
    assert bad.exit_code == 2 and "stafff is not a section" in " ".join(bad.output.split())
    none = CliRunner().invoke(app, [
        "counterfactual", str(tmp_path), "--site", str(files["scenario"]), "--design",
        str(design), "--out", str(tmp_path / "y"),
    ])  # fmt: skip
    assert none.exit_code == 2 and "not a calibration folder" in none.output
    assert not (tmp_path / "x").exists() and not (tmp_path / "y").exists()


def test_leave_one_out_predicts_the_scenario_it_did_not_see(tmp_path):
    # Two queues share inflow and service time; the second has two servers. Fitted on one, the
    # parameters predict the other's utilisation (λ·s / c) inside its 90 % interval.
    two = markovian_scenario(
        arrival_rate_per_day=0.7, service_mean_days=0.8, servers=2, horizon_days=300,
        warmup_days=20, name="mm2",
    )  # fmt: skip
    params = ParametersFile.model_validate(PARAMS)
    both = {"mm1": SCENARIO, "mm2": two}
    kpis = {"mm1": ["arrivals", "utilisation_forum"], "mm2": ["arrivals", "utilisation_forum"]}
    targets = synthetic_targets(both, params, TRUTH, kpis, replication=0)
    paths = []
    for key, sc in both.items():
        paths.append(tmp_path / f"{key}.yaml")
        paths[-1].write_text(yaml.safe_dump(sc.model_dump(mode="json")))
    (tmp_path / "t.yaml").write_text(yaml.safe_dump(targets.model_dump(mode="json")))
    (tmp_path / "p.yaml").write_text(yaml.safe_dump(PARAMS))
    out = tmp_path / "cal"
    run = CliRunner().invoke(app, [
        "calibrate", *map(str, paths), "--targets", str(tmp_path / "t.yaml"), "--params",
        str(tmp_path / "p.yaml"), "--budget", "80", "--replications", "2", "--workers", "2",
        "--leave-one-out", "--out", str(out),
    ])  # fmt: skip
    assert run.exit_code == 0, run.output
    loo = pd.read_csv(out / "leave_one_out.csv")
    assert set(loo["left_out"]) == {"mm1", "mm2"}
    # Each left-out scenario is predicted from the other's fit alone: its own targets only.
    assert all(t.startswith(left) for left, t in zip(loo["left_out"], loo["target"], strict=True))
    util = loo[loo["kpi"] == "utilisation_forum"]
    assert util["within_90"].all(), util.to_dict(orient="records")
    assert "Leave one out" in run.output
    facts = json.loads((out / "leave_one_out.json").read_text())
    assert set(facts) >= {"mm1", "mm2", "elapsed_seconds"}
