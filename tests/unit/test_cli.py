"""The ``samflode`` CLI: exit codes, one clear message, complete and reproducible output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pandas.testing as pdt
import pytest
import yaml
from typer.testing import CliRunner

from samflode.analysis.theory import markovian_scenario
from samflode.cli.commands import app
from samflode.execution.results import write_results
from samflode.execution.runner import simulate

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ROOT / "samflode" / "scenarios" / "nacka-forum.yaml"
RESULT_FILES = ("events.parquet", "kpis.csv", "summary.json")
DESIGN_KPIS = (
    "arrivals",
    "exits",
    "in_system_end",
    "days_to_first_meeting_mean",
    "days_to_first_meeting_p90",
    "share_first_meeting_within_7d",
    "days_to_kontrakt_mean",
    "share_kontrakt_within_14d",
    "days_to_konsultation_mean",
    "share_konsultation_within_7d",
    "days_waiting_for_insats_mean",
    "share_work_90d",
    "share_studies_90d",
    "share_work_or_studies_90d",
    "share_work_or_studies_6m",
    "share_dropout",
    "cost_total_sek",
    "cost_per_participant_sek",
    "cost_per_work_outcome_sek",
    "cost_fk_sek",
    "cost_af_sek",
    "cost_region_sek",
    "cost_municipality_sek",
)


def _negative_inflow(raw: dict) -> None:
    raw["groups"]["sjuka"]["inflow_per_week"] = -2


def _unknown_dist(raw: dict) -> None:
    raw["konsultation"]["session_duration"]["dist"] = "weibull"


def _missing_field(raw: dict) -> None:
    del raw["exit"]["outcomes"]


def _wrong_type(raw: dict) -> None:
    raw["staff"]["konsultation_af"]["headcount"] = "two"


def _unknown_field(raw: dict) -> None:
    raw["rules"]["first_meting_days"] = 3


def _shares(raw: dict) -> None:
    raw["groups"]["forsorjningsstod"]["interventions"]["utbildning"] = 0.5


def _unknown_benefit_group(raw: dict) -> None:
    raw["costs"]["benefits_per_month_sek"]["sjukskrivna"] = {"fk": 20000, "assumption": "test"}


BAD_VARIANTS = [
    pytest.param(_negative_inflow, "groups.sjuka.inflow_per_week", "≥ 0", id="negative-inflow"),
    pytest.param(_unknown_dist, "konsultation.session_duration", "lognormal", id="unknown-dist"),
    pytest.param(_missing_field, "exit.outcomes", "required", id="missing-field"),
    pytest.param(_wrong_type, "staff.konsultation_af.headcount", "integer", id="wrong-type"),
    pytest.param(_unknown_field, "rules.first_meting_days", "unknown field", id="unknown-field"),
    pytest.param(_shares, "groups.forsorjningsstod", "interventions must sum to 1", id="shares"),
    pytest.param(
        _unknown_benefit_group,
        "costs.benefits_per_month_sek: unknown target groups ['sjukskrivna']",
        "defined in groups: ['arbetslosa', 'forsorjningsstod', 'sjuka', 'starta_omstallning']",
        id="unknown-benefit-group",
    ),
]


def invoke(*args: str):
    return CliRunner().invoke(app, [str(a) for a in args])


def assert_one_clear_error(result, path: Path, *parts: str) -> None:
    assert result.exit_code == 2, f"exit code {result.exit_code}; output {result.output!r}"
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one message line, got {lines}"
    assert lines[0].startswith(f"error: {path}: "), lines[0]
    for part in parts:
        assert part in lines[0], f"expected {part!r} in {lines[0]!r}"
    assert result.stdout == "", f"nothing on stdout for an error; got {result.stdout!r}"


def test_validate_default_scenario():
    result = invoke("validate", DEFAULT)
    assert result.exit_code == 0, result.output
    assert "valid scenario 'nacka_forum'" in result.stdout
    assert result.stderr == ""


@pytest.mark.parametrize(("mutate", "field", "allowed"), BAD_VARIANTS)
def test_validate_bad_scenario(tmp_path, write_scenario, mutate, field, allowed):
    path = write_scenario(tmp_path / "bad.yaml", mutate=mutate)
    assert_one_clear_error(invoke("validate", path), path, field, allowed)


def test_validate_missing_file(tmp_path):
    path = tmp_path / "nowhere.yaml"
    assert_one_clear_error(invoke("validate", path), path, "no such scenario file")


def test_validate_not_yaml(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("groups: {a: [1, 2}\n", encoding="utf-8")
    assert_one_clear_error(invoke("validate", path), path, "not valid YAML", "line 1")


def test_validate_not_a_mapping(tmp_path):
    path = tmp_path / "list.yaml"
    path.write_text("- 1\n- 2\n", encoding="utf-8")
    assert_one_clear_error(invoke("validate", path), path, "mapping")


def test_validate_console_script(tmp_path, write_scenario):
    path = write_scenario(tmp_path / "bad.yaml", mutate=_negative_inflow)
    exe = Path(sys.executable).with_name("samflode")
    proc = subprocess.run(
        [str(exe), "validate", str(path)], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 2, proc
    assert "Traceback" not in proc.stderr
    assert str(path) in proc.stderr and "groups.sjuka.inflow_per_week" in proc.stderr
    assert "≥ 0" in proc.stderr, proc.stderr


def _assert_no_results(out: Path) -> None:
    if out.exists():
        left = sorted(p.name for p in out.iterdir())
        assert not any(name in left for name in RESULT_FILES), left
        assert not any(name.endswith(".tmp") for name in left), left


@pytest.mark.parametrize(("mutate", "field", "allowed"), BAD_VARIANTS[:3])
def test_run_bad_scenario_writes_nothing(tmp_path, write_scenario, mutate, field, allowed):
    path = write_scenario(tmp_path / "bad.yaml", mutate=mutate)
    out = tmp_path / "out"
    result = invoke("run", path, "--replications", "1", "--out", out)
    assert_one_clear_error(result, path, field, allowed)
    _assert_no_results(out)


def test_run_bad_scenario_keeps_old_results(tmp_path, write_scenario):
    out = tmp_path / "out"
    out.mkdir()
    for name in RESULT_FILES:
        (out / name).write_text("old", encoding="utf-8")
    path = write_scenario(tmp_path / "bad.yaml", mutate=_wrong_type)
    assert invoke("run", path, "--out", out).exit_code == 2
    assert {p.name: p.read_text(encoding="utf-8") for p in out.iterdir()} == dict.fromkeys(
        RESULT_FILES, "old"
    )


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--replications", "0", "--replications: must be between 1 and 10000 (got 0)"),
        ("--replications", "10001", "--replications"),
        ("--seed", "-1", "--seed: must be ≥ 0"),
        ("--workers", "0", "--workers: must be between 1 and 512"),
    ],
)
def test_run_bad_option(tmp_path, option, value, message):
    out = tmp_path / "out"
    result = invoke("run", DEFAULT, option, value, "--out", out)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert message in result.stderr, result.stderr
    _assert_no_results(out)


def test_run_out_is_a_file(tmp_path, write_scenario):
    path = write_scenario(tmp_path / "short.yaml")
    out = tmp_path / "out"
    out.write_text("not a directory", encoding="utf-8")
    result = invoke("run", path, "--replications", "1", "--out", out)
    assert result.exit_code == 2, result.output
    assert "--out" in result.stderr and "not a directory" in result.stderr, result.stderr


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory, write_scenario):
    """The same small run twice (shortened default scenario, 2 replications, seed 1)."""
    base = tmp_path_factory.mktemp("cli")
    path = write_scenario(base / "short.yaml")
    outs = []
    for i in range(2):
        out = base / f"out{i}"
        result = invoke("run", path, "--replications", "2", "--seed", "1", "--out", out)
        assert result.exit_code == 0, result.output
        outs.append((out, result))
    return outs


def test_run_writes_the_three_files(two_runs):
    out, result = two_runs[0]
    # The three result files and, written last, the manifest that lists them.
    assert sorted(p.name for p in out.iterdir()) == sorted([*RESULT_FILES, "manifest.json"])
    for name in RESULT_FILES:
        assert str(out / name) in result.stdout
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert sorted(manifest["files"]) == sorted(RESULT_FILES)
    assert manifest["seed"] == 1 and manifest["replications"] == 2
    assert "nacka_forum" in result.stdout and "2 replications" in result.stdout


def test_run_is_reproducible(two_runs):
    (a, _), (b, _) = two_runs
    assert (a / "kpis.csv").read_bytes() == (b / "kpis.csv").read_bytes()
    assert (a / "summary.json").read_bytes() == (b / "summary.json").read_bytes()
    pdt.assert_frame_equal(
        pd.read_parquet(a / "events.parquet"), pd.read_parquet(b / "events.parquet")
    )


def test_run_outputs_have_the_design_columns_and_kpis(two_runs, default_raw):
    out, _ = two_runs[0]
    events = pd.read_parquet(out / "events.parquet")
    assert list(events.columns) == [
        "replication",
        "time",
        "participant",
        "group",
        "event",
        "stage",
        "resource",
        "detail",
        "value",
    ]
    assert sorted(events["replication"].unique()) == [0, 1]
    kpis = pd.read_csv(out / "kpis.csv")
    assert list(kpis.columns) == ["scenario", "replication", "kpi", "value"]
    assert sorted(kpis["replication"].unique()) == [0, 1]

    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["scenario"] == "nacka_forum"
    assert summary["seed"] == 1
    assert summary["replications"] == 2
    staff = default_raw["staff"]
    expected = list(DESIGN_KPIS) + [f"utilisation_{role}" for role in staff]
    missing = sorted(set(expected) - set(summary["kpis"]))
    assert not missing, f"KPIs missing from summary.json: {missing}"
    assert set(kpis["kpi"]) == set(summary["kpis"])
    # n: the replications in which the KPI is defined, as kpis.csv shows them (NaN = undefined).
    defined = kpis.dropna(subset=["value"]).groupby("kpi").size()
    for name, entry in summary["kpis"].items():
        assert set(entry) == {"mean", "ci_low", "ci_high", "n"}, (name, entry)
        assert entry["n"] == defined.get(name, 0), (name, entry)
        if entry["n"] == 2:
            assert entry["ci_low"] <= entry["mean"] <= entry["ci_high"], (name, entry)
    assert summary["kpis"]["arrivals"]["n"] == 2
    assert summary["kpis"]["arrivals"]["mean"] > 0
    mean_of_csv = kpis.loc[kpis["kpi"] == "arrivals", "value"].mean()
    assert summary["kpis"]["arrivals"]["mean"] == pytest.approx(mean_of_csv)


# ---------------------------------------------------------------- write_results atomicity


@pytest.fixture(scope="module")
def small_result():
    scenario = markovian_scenario(
        arrival_rate_per_day=2.0, service_mean_days=0.3, servers=1, horizon_days=60.0
    )
    return simulate(scenario, seed=3, replications=2)


def test_write_results_writes_all_three(tmp_path, small_result):
    written = write_results(small_result, tmp_path / "deep" / "out")
    assert [p.name for p in written] == list(RESULT_FILES)
    assert sorted(p.name for p in (tmp_path / "deep" / "out").iterdir()) == sorted(RESULT_FILES)


def _boom(*args, **kwargs):
    raise OSError("disk full (simulated)")


@pytest.mark.parametrize(
    ("target", "attribute"),
    [
        (pd.DataFrame, "to_parquet"),
        (pd.DataFrame, "to_csv"),
        (Path, "write_text"),
    ],
    ids=["events.parquet", "kpis.csv", "summary.json"],
)
@pytest.mark.parametrize("old_files", [False, True], ids=["empty-dir", "old-results"])
def test_write_results_is_atomic(tmp_path, small_result, monkeypatch, target, attribute, old_files):
    out = tmp_path / "out"
    out.mkdir()
    if old_files:
        for name in RESULT_FILES:
            (out / name).write_bytes(b"old")
    monkeypatch.setattr(target, attribute, _boom)
    with pytest.raises(OSError, match="simulated"):
        write_results(small_result, out)
    monkeypatch.undo()
    left = {p.name: p.read_bytes() for p in out.iterdir()}
    if old_files:
        assert left == dict.fromkeys(RESULT_FILES, b"old"), sorted(left)
    else:
        assert left == {}, f"half-written files left behind: {sorted(left)}"


def test_write_results_failure_in_cli_is_a_clear_error(tmp_path, monkeypatch):
    scenario = markovian_scenario(
        arrival_rate_per_day=1.0, service_mean_days=0.3, servers=1, horizon_days=30.0
    )
    path = tmp_path / "mm1.yaml"
    path.write_text(
        yaml.safe_dump(scenario.model_dump(mode="python", exclude={"provenance"})),
        encoding="utf-8",
    )
    monkeypatch.setattr(pd.DataFrame, "to_csv", _boom)
    out = tmp_path / "out"
    result = invoke("run", path, "--replications", "1", "--out", out)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "--out: cannot write results" in result.stderr, result.stderr
    _assert_no_results(out)
