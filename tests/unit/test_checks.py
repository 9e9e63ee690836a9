"""Staff pools that no stage uses are paid for nothing: found by a pure check, warned about by
validate, run and compare (a warning, never a failure), and absent from every bundled design.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from samflode.cli.commands import app
from samflode.config.checks import unused_pool_warnings, unused_pools, used_pools
from samflode.config.loader import load_scenario
from samflode.config.scenario import Scenario

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "samflode" / "scenarios"
DEFAULT = SCENARIOS / "nacka-forum.yaml"
BUNDLED = sorted(SCENARIOS.rglob("*.yaml"))
IDLE = {
    "organisation": "af",
    "headcount": 3,
    "share_on_method": 0.5,
    "cost_per_hour_sek": 300,
    "assumption": "test: a pool no stage names",
}


def _with_idle_pool(raw: dict) -> None:
    raw["staff"]["idle_officers"] = dict(IDLE)


def _default_data() -> dict:
    return load_scenario(DEFAULT).model_dump()


def invoke(*args: object):
    return CliRunner().invoke(app, [str(a) for a in args])


def test_the_default_design_uses_every_pool():
    scenario = load_scenario(DEFAULT)
    assert used_pools(scenario) == set(scenario.staff)
    assert unused_pools(scenario) == []
    assert unused_pool_warnings(scenario) == []


def test_an_extra_pool_is_listed_in_file_order():
    data = _default_data()
    data["staff"] = {"first_idle": dict(IDLE)} | data["staff"] | {"last_idle": dict(IDLE)}
    for pool in data["staff"].values():
        pool.pop("assumption", None)
    scenario = Scenario.model_validate(data)
    assert unused_pools(scenario) == ["first_idle", "last_idle"]


@pytest.mark.parametrize(
    "use",
    [
        pytest.param(lambda d: d["forum"].update(staff="extra"), id="forum.staff"),
        pytest.param(lambda d: d["konsultation"]["roles"].append("extra"), id="konsultation"),
        pytest.param(lambda d: d["groups"]["sjuka"].update(intake="extra"), id="intake"),
        pytest.param(lambda d: d["groups"]["sjuka"].update(handlaggare="extra"), id="handlaggare"),
        pytest.param(
            lambda d: d.update(
                handoffs={
                    "share": 0.1,
                    "delay": {"dist": "fixed", "value": 1, "unit": "days"},
                    "pools": ["forum_bedomare", "extra"],
                }
            ),
            id="handoffs.pools",
        ),
    ],
)
def test_a_pool_named_by_any_stage_counts_as_used(use):
    data = _default_data()
    data["staff"]["extra"] = {k: v for k, v in IDLE.items() if k != "assumption"}
    assert unused_pools(Scenario.model_validate(data)) == ["extra"]
    use(data)
    # (Moving forum.staff or a group's handläggare to "extra" leaves the old pool unused instead.)
    assert "extra" not in unused_pools(Scenario.model_validate(data))


def test_a_pool_that_costs_nothing_is_called_unused_not_paid():
    data = _default_data()
    data["staff"]["free_help"] = {"organisation": "region", "headcount": 1}
    (message,) = unused_pool_warnings(Scenario.model_validate(data))
    assert message.startswith("staff.free_help is unused: ")
    assert "paid" not in message


def test_validate_warns_about_an_unused_pool_and_exits_0(tmp_path, write_scenario):
    path = write_scenario(tmp_path / "idle.yaml", mutate=_with_idle_pool)
    result = invoke("validate", path)
    assert result.exit_code == 0, result.output
    assert "valid scenario" in result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"warning: {path}: staff.idle_officers is paid but unused: ")
    assert "no stage names it" in lines[0]
    assert "1.5 FTE at 300 SEK/h are in the staff cost at 0 % utilisation" in lines[0]
    assert "idle_officers: null" in lines[0]


def test_validate_catches_a_handlaggare_pool_left_behind(tmp_path):
    # The rehab-guide defect (issue 12): a derived design gives every group's kontrakt to a new
    # pool but keeps paying the handläggare it inherited.
    shutil.copy(DEFAULT, tmp_path / DEFAULT.name)
    path = tmp_path / "guide.yaml"
    groups = "\n".join(
        f"  {g}: {{handlaggare: guide}}"
        for g in ("arbetslosa", "sjuka", "forsorjningsstod", "starta_omstallning")
    )
    path.write_text(
        "extends: nacka-forum.yaml\nname: guide\nstaff:\n  guide:\n"
        "    assumption: test\n    organisation: fk\n    headcount: 5\n"
        f"groups:\n{groups}\n",
        encoding="utf-8",
    )
    result = invoke("validate", path)
    assert result.exit_code == 0, result.output
    for pool in ("af_handlaggare", "fk_handlaggare", "kommun_handlaggare"):
        assert f"staff.{pool} is paid but unused" in result.stderr, result.stderr
    assert result.stderr.count("warning:") == 3


def test_run_warns_once_before_running(tmp_path, write_scenario):
    path = write_scenario(tmp_path / "idle.yaml", mutate=_with_idle_pool)
    out = tmp_path / "out"
    result = invoke("run", path, "--replications", 1, "--workers", 1, "--out", out)
    assert result.exit_code == 0, result.output
    assert result.stderr.count("staff.idle_officers is paid but unused") == 1, result.stderr
    assert (out / "kpis.csv").exists()


def test_compare_warns_once_per_scenario(tmp_path, write_scenario):
    idle = write_scenario(tmp_path / "idle.yaml", name="idle", mutate=_with_idle_pool)
    clean = write_scenario(tmp_path / "clean.yaml", name="clean")
    out = tmp_path / "out"
    result = invoke("compare", clean, idle, "--replications", 2, "--workers", 1, "--out", out)
    assert result.exit_code == 0, result.output
    assert result.stderr.count("paid but unused") == 1, result.stderr
    assert f"{idle}: staff.idle_officers is paid but unused" in result.stderr


def test_every_bundled_file_loads_on_its_own():
    # So the next test need skip none: bases such as amia-base.yaml are complete designs too.
    assert BUNDLED and DEFAULT in BUNDLED
    for path in BUNDLED:
        assert isinstance(load_scenario(path), Scenario), path


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: str(p.relative_to(SCENARIOS)))
def test_no_bundled_design_pays_an_unused_pool(path):
    assert unused_pools(load_scenario(path)) == []
    result = invoke("validate", path)
    assert result.exit_code == 0, result.output
    assert "unused" not in result.stderr, result.stderr
