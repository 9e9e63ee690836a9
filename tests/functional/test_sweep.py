"""Factorial sweeps: the tidy table, common random numbers, and clear errors for bad grids."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from samflode import simulate
from samflode.cli.commands import app
from samflode.experiments.sweep import SweepError, parse_grid, sweep, with_value
from samflode.report.files import write_sweep

DEFAULT = "samflode/scenarios/nacka-forum.yaml"
HEADCOUNT = "staff.forum_bedomare.headcount"
INFLOW = "groups.arbetslosa.inflow_per_week"
# Defined in every replication whatever happens in it: counts of the cohort, costs (staff are
# paid even with nobody to meet) and the utilisation of each pool (its working hours are > 0).
ALWAYS_DEFINED = ("arrivals", "exits", "in_system_end", "cost_total_sek", "cost_staff_sek")


@pytest.fixture(scope="module")
def axes():
    return parse_grid([f"{HEADCOUNT}=1,2", f"{INFLOW}=2.5,4"])


@pytest.fixture(scope="module")
def table(small, axes):
    return sweep(small, axes, seed=3, replications=2, workers=2)


def test_one_row_per_grid_point_and_kpi(table, small):
    kpis = simulate(small, seed=3, replications=1).kpis["kpi"].unique()
    assert list(table.columns) == [HEADCOUNT, INFLOW, "kpi", "mean", "ci_low", "ci_high", "n"]
    assert len(table) == 4 * len(kpis)
    assert not table.duplicated([HEADCOUNT, INFLOW, "kpi"]).any()
    points = table[[HEADCOUNT, INFLOW]].drop_duplicates().itertuples(index=False, name=None)
    assert sorted(points) == [(1, 2.5), (1, 4.0), (2, 2.5), (2, 4.0)]
    always = table[table["kpi"].isin(ALWAYS_DEFINED) | table["kpi"].str.startswith("utilisation_")]
    assert len(always) == 4 * (len(ALWAYS_DEFINED) + len(small.staff))
    assert (always["n"] == 2).all(), always[always["n"] != 2]


def test_grid_point_equals_a_run_of_its_variant(table, small):
    variant = with_value(with_value(small, HEADCOUNT, 2), INFLOW, 4.0)
    run = simulate(variant, seed=3, replications=2)
    summary = run.summary().set_index("kpi")
    rows = table[(table[HEADCOUNT] == 2) & (table[INFLOW] == 4.0)].set_index("kpi")
    pd.testing.assert_frame_equal(rows[["mean", "ci_low", "ci_high"]], summary[rows.columns[2:5]])
    # n is the number of replications in which the KPI is defined (not NaN), KPI by KPI.
    defined = run.kpis.dropna(subset=["value"]).groupby("kpi").size()
    expected = defined.reindex(rows.index, fill_value=0)
    assert rows["n"].tolist() == expected.tolist()


def test_common_random_numbers_across_grid_points(table):
    # Headcount changes waiting, not who arrives: arrivals are the same at every headcount.
    arrivals = table[table["kpi"] == "arrivals"]
    for _, block in arrivals.groupby(INFLOW):
        assert block["mean"].nunique() == 1


def test_write_sweep_writes_table_and_heat_map(table, axes, tmp_path):
    written = write_sweep(table, axes, tmp_path, "days_to_first_meeting_mean")
    assert [p.name for p in written] == ["sweep.csv", "sweep_days_to_first_meeting_mean.png"]
    assert written[1].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(pd.read_csv(written[0])) == len(table)


def test_grid_reaches_an_outcome_rule_by_a_field(small):
    """The outcome rules are a list: an entry is named by one of its fields."""
    (axis,) = parse_grid(["exit.outcomes[track=complex].keep_90d=0.5,0.7"])
    assert axis.key == "exit.outcomes[track=complex].keep_90d" and axis.values == (0.5, 0.7)
    changed = with_value(small, axis.key, 0.5)
    rules = {rule.track: rule.keep_90d for rule in changed.exit.outcomes}
    before = {rule.track: rule.keep_90d for rule in small.exit.outcomes}
    assert rules == before | {"complex": 0.5}


@pytest.mark.parametrize(
    ("grid", "message"),
    [
        ("exit.outcomes[track=*].keep_90d=0.5", "no entry with track"),
        ("staff.forum_bedomare.headcnt=1,2", "allowed: organisation, headcount"),
        ("staff.forum_bedomare.headcount=0,2", "must be ≥ 1"),
        ("staff.forum_bedomare.headcount=one", "numbers"),
        ("staff.forum_bedomare.headcount", "KEY=V1,V2"),
        ("staff.forum_bedomare=1", "not a single number"),
    ],
)
def test_bad_grid(small, grid, message):
    with pytest.raises(SweepError, match=message):
        for axis in parse_grid([grid]):
            for value in axis.values:
                with_value(small, axis.key, value)


@pytest.mark.parametrize(
    ("grid", "message"),
    [
        ("staff.forum_bedomare.headcnt=1,2", "headcnt"),
        ("groups.arbetslosa.inflow_per_week=-1", "≥ 0"),
        ("horizon_days=abc", "numbers"),
    ],
)
def test_cli_bad_grid_exits_2(grid, message, tmp_path):
    result = CliRunner().invoke(app, ["sweep", DEFAULT, "--grid", grid, "--out", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert message in result.stderr and "--grid" in result.stderr
    assert not any(tmp_path.iterdir())


def test_cli_sweep(tmp_path, write_scenario):
    path = write_scenario(tmp_path / "small.yaml")
    out = tmp_path / "out"
    args = ["sweep", str(path), "--grid", f"{HEADCOUNT}=1,2", "--replications", "2"]
    result = CliRunner().invoke(app, [*args, "--workers", "1", "--kpi", "arrivals", "--out", out])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "manifest.json",
        "sweep.csv",
        "sweep_arrivals.png",
    ]
    table = pd.read_csv(out / "sweep.csv")
    assert table[HEADCOUNT].tolist().count(1) == table[HEADCOUNT].tolist().count(2)
