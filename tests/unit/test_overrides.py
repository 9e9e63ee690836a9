"""``--set PATH=VALUE`` and ``--inflow-scale``: what-ifs without a new file, on every command."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from samflode.cli.commands import app
from samflode.config.loader import ScenarioError, load_scenario
from samflode.config.overrides import parse_sets, scale_inflow, with_overrides

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ROOT / "samflode" / "scenarios" / "nacka-forum.yaml"
runner = CliRunner()


def test_values_are_read_as_yaml_and_the_last_equals_sign_splits() -> None:
    sets = parse_sets(
        [
            "staff.forum_bedomare.headcount=6",
            "staff.forum_bedomare.share_on_method=0.5",
            "exit.outcomes[intervention=matchning].keep_90d=0.4",
            "calendar.enabled=false",
            "description=a what-if",
        ]
    )
    assert sets == {
        "staff.forum_bedomare.headcount": 6,
        "staff.forum_bedomare.share_on_method": 0.5,
        "exit.outcomes[intervention=matchning].keep_90d": 0.4,
        "calendar.enabled": False,
        "description": "a what-if",
    }


@pytest.mark.parametrize(
    ("options", "says"),
    [
        (["staff.forum_bedomare.headcount"], "expected PATH=VALUE"),
        (["=3"], "expected PATH=VALUE"),
        (["a.b=1", "a.b=2"], "given twice"),
        (["a.b=[1, 2]"], "not a section"),
        (["a.b=.nan"], "finite"),
    ],
)
def test_a_set_that_does_not_parse_says_why(options: list[str], says: str) -> None:
    with pytest.raises(ScenarioError, match=says):
        parse_sets(options)


def test_overrides_change_only_what_they_name_and_are_validated() -> None:
    base = load_scenario(DEFAULT)
    changed = with_overrides(
        base, {"staff.forum_bedomare.headcount": 6}, inflow_scale=2.0, origin="x.yaml"
    )
    assert changed.staff["forum_bedomare"].headcount == 6
    for name, group in base.groups.items():
        assert changed.groups[name].inflow_per_week == pytest.approx(2 * group.inflow_per_week)
    assert changed.model_dump(exclude={"staff", "groups"}) == base.model_dump(
        exclude={"staff", "groups"}
    )
    with pytest.raises(ScenarioError, match=r"x.yaml --set: staff.forum_bedomare.headcount"):
        with_overrides(base, {"staff.forum_bedomare.headcount": 0}, origin="x.yaml")
    with pytest.raises(ScenarioError, match="allowed: forum_bedomare"):
        with_overrides(base, {"staff.nobody.headcount": 3}, origin="x.yaml")
    with pytest.raises(ScenarioError, match="greater than 0"):
        scale_inflow(base, -1.0)
    assert scale_inflow(base, 1.0) is base


def test_run_with_overrides_records_them_and_bad_ones_exit_2(tmp_path: Path) -> None:
    """The manifest says what was changed; a bad override leaves no output folder behind."""
    out = tmp_path / "what-if"
    args = ["run", str(DEFAULT), "--replications", "1", "--out", str(out)]
    short = ["--set", "horizon_days=120", "--set", "warmup_days=0"]
    result = runner.invoke(app, [*args, *short, "--inflow-scale", "1.5"])
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["overrides"] == {
        "set": {"horizon_days": 120, "warmup_days": 0},
        "inflow_scale": 1.5,
    }
    events = pd.read_parquet(out / "events.parquet")
    assert 100 < events["time"].max() <= 120
    bad = tmp_path / "bad"
    for extra in (["--set", "staff.forum_bedomare.headcount=0"], ["--inflow-scale", "0"]):
        result = runner.invoke(app, ["run", str(DEFAULT), "--out", str(bad), *extra])
        assert result.exit_code == 2
        assert "Traceback" not in result.output
        assert not bad.exists()
