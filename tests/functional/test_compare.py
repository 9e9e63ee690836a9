"""`samflode compare`: common random numbers, paired differences, the output files, the series."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from typer.testing import CliRunner

from samflode import Scenario, compare, load_scenario, write_comparison
from samflode.analysis.kpi import lead_time_samples
from samflode.analysis.series import STAGES, daily_average, in_system, queue_length, waits
from samflode.analysis.stats import replications_needed
from samflode.cli.commands import app
from samflode.eventlog.log import concat_logs, records_to_frame
from samflode.execution.tasks import run_one

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ROOT / "samflode" / "scenarios" / "nacka-forum.yaml"
CONTRACT_COLUMNS = [
    "kpi",
    "scenario",
    "mean",
    "ci_low",
    "ci_high",
    "diff_vs_first",
    "diff_ci_low",
    "diff_ci_high",
]
OUTPUT_FILES = (
    "comparison.csv",
    "replications_check.csv",
    "warmup_check.csv",
    "designs.json",
    "lead_times.png",
    "outcomes.png",
    "costs.png",
    "queues.png",
)
REPLICATIONS = 5
ASSESSORS = "staff.forum_bedomare.headcount"
SJUKA_INFLOW = "groups.sjuka.inflow_per_week"


def edited(base: Scenario, name: str, **paths) -> Scenario:
    """A validated variant: nested fields given as 'staff__forum_bedomare__headcount'=1
    (STYLE §2: edit a dump and re-validate, never model_copy(update=…)).
    """
    data = base.model_dump() | {"name": name}
    for path, value in paths.items():
        node = data
        *parents, leaf = path.split("__")
        for key in parents:
            node = node[key]
        node[leaf] = value
    return Scenario.model_validate(data)


@pytest.fixture(scope="module")
def base() -> Scenario:
    short = load_scenario(DEFAULT).model_dump() | {"horizon_days": 250.0, "warmup_days": 30.0}
    return Scenario.model_validate(short)


@pytest.fixture(scope="module")
def comparison(base):
    # One Forum assessor instead of four: overloaded (long queue); three: nearly the same design.
    one = edited(base, "one_assessor", staff__forum_bedomare__headcount=1)
    three = edited(base, "three_assessors", staff__forum_bedomare__headcount=3)
    return compare([base, one, three], seed=7, replications=REPLICATIONS)


def test_arrival_records_are_identical_across_designs(comparison):
    """Common random numbers: the same participants arrive in every design, replication by
    replication, although the designs differ downstream (Forum staffing)."""
    columns = ["replication", "time", "participant", "group", "detail", "value"]

    def arrivals(result) -> pd.DataFrame:
        ev = result.events
        rows = ev.loc[ev["event"] == "arrived", columns].reset_index(drop=True)
        return rows.astype({"group": str, "detail": str})

    reference = arrivals(comparison.results[0])
    assert len(reference) > 500 * REPLICATIONS
    assert set(reference["replication"]) == set(range(REPLICATIONS))
    for result in comparison.results[1:]:
        pd.testing.assert_frame_equal(arrivals(result), reference)
    # ... while downstream the designs do differ.
    table = comparison.table.set_index(["kpi", "scenario"])
    wait = table.loc[("days_to_first_meeting_mean", "one_assessor"), "diff_vs_first"]
    assert wait > 3, f"one assessor should lengthen the wait by days, got {wait:.2f}"


def test_paired_ci_is_narrower_than_the_unpaired_one(comparison):
    kpi = "days_to_first_meeting_mean"
    kpis = pd.concat([r.kpis for r in comparison.results])
    values = kpis[kpis["kpi"] == kpi].pivot(index="replication", columns="scenario", values="value")
    first, other = values["nacka_forum"].to_numpy(), values["three_assessors"].to_numpy()
    # Welch's t interval of the difference of two independent means.
    va, vb = first.var(ddof=1) / len(first), other.var(ddof=1) / len(other)
    df = (va + vb) ** 2 / (va**2 / (len(first) - 1) + vb**2 / (len(other) - 1))
    unpaired = stats.t.ppf(0.975, df) * math.sqrt(va + vb)
    row = comparison.table.set_index(["kpi", "scenario"]).loc[(kpi, "three_assessors")]
    paired = (row["diff_ci_high"] - row["diff_ci_low"]) / 2
    assert row["diff_vs_first"] == pytest.approx(np.mean(other - first))
    assert paired < 0.5 * unpaired, f"paired half-width {paired:.4f}, Welch {unpaired:.4f}"


def test_comparison_table_has_the_contract_columns_and_one_row_per_kpi_and_design(comparison):
    table = comparison.table
    assert list(table.columns) == CONTRACT_COLUMNS
    assert not table.duplicated(["kpi", "scenario"]).any()
    kpis = set().union(*(set(r.kpis["kpi"]) for r in comparison.results))
    assert len(table) == len(kpis) * 3
    first = table[table["scenario"] == "nacka_forum"]
    for column in ("diff_vs_first", "diff_ci_low", "diff_ci_high"):
        values = first[column]
        assert ((values == 0) | values.isna()).all(), f"first design's {column}: {values.tolist()}"
    # The design means are those of the plain summary of each design.
    summary = comparison.results[1].summary().set_index("kpi")
    mine = table[table["scenario"] == "one_assessor"].set_index("kpi")
    pd.testing.assert_series_equal(
        mine["mean"], summary["mean"].reindex(mine.index), check_names=False
    )


def test_written_files(comparison, tmp_path):
    written = write_comparison(comparison, tmp_path, target_half_width=0.05)
    assert sorted(p.name for p in written) == sorted(OUTPUT_FILES)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(OUTPUT_FILES)  # no temp files
    table = pd.read_csv(tmp_path / "comparison.csv")
    assert list(table.columns) == CONTRACT_COLUMNS
    checks = pd.read_csv(tmp_path / "replications_check.csv")
    arrivals = checks[(checks["kpi"] == "arrivals") & (checks["scenario"] == "nacka_forum")].iloc[0]
    assert arrivals["n"] == REPLICATIONS
    # The file reports the precision of the design's own summary (the formula is tested below).
    summary = comparison.results[0].summary().set_index("kpi").loc["arrivals"]
    half, relative, needed = replications_needed(
        summary["mean"], summary["ci_low"], summary["ci_high"], REPLICATIONS, 0.05
    )
    assert arrivals["mean"] == pytest.approx(summary["mean"])
    assert arrivals["half_width"] == pytest.approx(half)
    assert arrivals["relative_half_width"] == pytest.approx(relative)
    assert arrivals["replications_needed"] == needed
    assert bool(arrivals["target_met"]) == (relative <= 0.05)
    warmup = pd.read_csv(tmp_path / "warmup_check.csv")
    assert list(warmup["scenario"]) == comparison.names
    assert (warmup["warmup_days"] == 30).all()
    assert (warmup["mser5_warmup_days"] % 5 == 0).all()
    assert (warmup["mser5_warmup_days"] <= 125).all()  # searched over the first half only
    for name in OUTPUT_FILES:
        if name.endswith(".png"):
            data = (tmp_path / name).read_bytes()
            assert data.startswith(b"\x89PNG") and len(data) > 10_000, name


@pytest.mark.parametrize(
    ("mean", "ci", "n", "target", "expected"),
    [
        # half-width (112 − 88)/2 = 12, relative 12/100 = 0.12; 5 · (0.12/0.05)² = 5 · 5.76 = 28.8
        (100.0, (88.0, 112.0), 5, 0.05, (12.0, 0.12, 29)),
        # |mean| counts: 3/60 = 0.05; 10 · (0.05/0.02)² = 10 · 6.25 = 62.5
        (-60.0, (-63.0, -57.0), 10, 0.02, (3.0, 0.05, 63)),
        # already precise: 20 · (0.01/0.05)² = 0.8, but never fewer than 2
        (100.0, (99.0, 101.0), 20, 0.05, (1.0, 0.01, 2)),
        # a KPI that is 0 in every replication meets any target with the replications it has
        (0.0, (0.0, 0.0), 4, 0.05, (0.0, 0.0, 4)),
        # a mean of 0 with a positive width has no relative precision
        (0.0, (-1.0, 1.0), 4, 0.05, (1.0, math.inf, None)),
    ],
)
def test_replications_needed_by_hand(mean, ci, n, target, expected):
    half, relative, needed = replications_needed(mean, ci[0], ci[1], n, target)
    assert (half, relative) == pytest.approx(expected[:2], rel=1e-12)
    assert needed == expected[2]


@pytest.mark.parametrize(
    ("mean", "ci"),
    [(math.nan, (math.nan, math.nan)), (7.0, (math.nan, math.nan))],  # no value; one value
    ids=["no-replication", "one-replication"],
)
def test_replications_needed_without_an_interval(mean, ci):
    half, relative, needed = replications_needed(mean, ci[0], ci[1], 1, 0.05)
    assert math.isnan(half) and math.isnan(relative) and needed is None


def test_comparing_a_design_with_itself_gives_zero_differences(base):
    copy_of_base = Scenario.model_validate(base.model_dump() | {"name": "same_again"})
    table = compare([base, copy_of_base], seed=3, replications=3).table
    again = table[table["scenario"] == "same_again"]
    defined = again.dropna(subset=["mean"])
    assert len(defined) > 20
    assert (defined["diff_vs_first"] == 0).all()
    assert (defined["diff_ci_low"] == 0).all() and (defined["diff_ci_high"] == 0).all()


def test_compare_rejects_fewer_than_two_or_duplicate_names(base):
    with pytest.raises(ValueError, match="at least two"):
        compare([base], seed=1, replications=2)
    with pytest.raises(ValueError, match="distinct"):
        compare([base, base], seed=1, replications=2)


def test_lead_time_samples_are_the_samples_behind_the_kpis(comparison):
    result = comparison.results[1]
    samples = lead_time_samples(result.events, result.scenario)
    kpis = result.kpis.set_index(["replication", "kpi"])["value"]
    names = {
        "first_meeting": "days_to_first_meeting_mean",
        "kontrakt": "days_to_kontrakt_mean",
        "konsultation": "days_to_konsultation_mean",
        "insats_wait": "days_waiting_for_insats_mean",
    }
    assert (samples["days"] >= 0).all()
    for (replication, measure), days in samples.groupby(["replication", "measure"])["days"]:
        assert days.mean() == pytest.approx(kpis[(replication, names[measure])]), measure


# --- queue and in-system series ------------------------------------------------------------


def test_queue_lengths_are_never_negative_and_grow_with_fewer_staff(comparison):
    lengths = {}
    for result in comparison.results:
        for stage in STAGES:
            series = queue_length(result.events, stage, horizon_days=result.scenario.horizon_days)
            assert len(series) == 250
            assert (series >= 0).all(), f"{result.scenario.name} {stage}: negative queue"
            lengths[result.scenario.name, stage] = series.iloc[30:].mean()
    assert lengths["one_assessor", "forum"] > 5 * lengths["nacka_forum", "forum"]


def test_no_queue_when_staff_and_places_are_ample(base):
    data = base.model_dump() | {"name": "ample", "patience": None}
    data["calendar"]["enabled"] = False  # else a meeting waits for office hours
    for pool in data["staff"].values():
        pool.update(headcount=400, caseload_cap=None)
    for provider in data["insatsmarknad"]["providers"].values():
        provider["places"] = None
    scenario = Scenario.model_validate(data)
    events, _ = run_one(scenario, 5, 0)
    for stage in STAGES:
        w = waits(events, stage, horizon_days=scenario.horizon_days)
        assert len(w) > 50, stage
        assert (w["end"] == w["start"]).all(), stage
        assert (queue_length(events, stage, horizon_days=scenario.horizon_days) == 0).all()


def _log(records: list[tuple], replication: int = 0) -> pd.DataFrame:
    return records_to_frame(records, replication)


def test_waits_pair_queue_records_with_the_right_closing_record():
    nan = math.nan
    records = [
        (0.0, 1, "g", "arrived", "arrival", "", "walk_in", 1.0),
        (0.0, 1, "g", "queued", "forum", "f", "triage", nan),
        (0.0, 2, "g", "arrived", "arrival", "", "walk_in", 1.0),
        (0.0, 2, "g", "queued", "forum", "f", "triage", nan),
        (0.5, 1, "g", "meeting_start", "forum", "f", "coordination", nan),  # not the participant
        (1.0, 1, "g", "meeting_start", "forum", "f", "triage", nan),
        (2.0, 1, "g", "queued", "forum", "f", "planning", nan),
        (2.5, 2, "g", "dropped_out", "forum", "", "", nan),
        (3.0, 1, "g", "insats_queued", "insatsmarknad", "", "matchning", nan),
    ]
    w = waits(_log(records), "forum", horizon_days=4.0)
    assert w[["participant", "start", "end"]].values.tolist() == [
        [1, 0.0, 1.0],  # closed by the triage meeting, not by the coordination record
        [2, 0.0, 2.5],  # closed by the drop-out
        [1, 2.0, 4.0],  # still waiting for the planning meeting at the horizon
    ]
    market = waits(_log(records), "insatsmarknad", horizon_days=4.0)
    assert market[["start", "end"]].values.tolist() == [[3.0, 4.0]]
    # Day 0: both wait all day; day 1: participant 2; day 2: 2 until 2.5 and 1 from 2.0; day 3: 1.
    series = queue_length(_log(records), "forum", horizon_days=4.0)
    np.testing.assert_allclose(series.to_numpy(), [2.0, 1.0, 1.5, 1.0])


def test_series_average_over_replications_and_within_days():
    np.testing.assert_allclose(
        daily_average(np.array([0.5]), np.array([2.5]), horizon_days=3.0), [0.5, 1.0, 0.5]
    )
    rep0 = [
        (0.0, 1, "g", "arrived", "arrival", "", "walk_in", 1.0),
        (1.0, 1, "g", "exited", "exit", "", "work", 1.0),
    ]
    rep1 = [(0.0, 1, "g", "arrived", "arrival", "", "walk_in", 1.0)]
    both = concat_logs([_log(rep0, 0), _log(rep1, 1)])
    # Replication 0: in system on day 0 only; replication 1: until the horizon.
    np.testing.assert_allclose(in_system(both, horizon_days=2.0).to_numpy(), [1.0, 0.5])


# --- the command line -------------------------------------------------------------------------


def _compare(*args: str | Path):
    return CliRunner().invoke(app, ["compare", *map(str, args)])


def test_cli_compare_writes_every_file(tmp_path, write_scenario):
    a = write_scenario(tmp_path / "a.yaml", name="four", edits={ASSESSORS: 4})
    b = write_scenario(tmp_path / "b.yaml", name="two", edits={ASSESSORS: 2})
    out = tmp_path / "out"
    result = _compare(a, b, "--replications", "2", "--seed", "4", "--out", out)
    assert result.exit_code == 0, result.output
    # The result files and the manifest written after them (the lock file is gone).
    assert sorted(p.name for p in out.iterdir()) == sorted([*OUTPUT_FILES, "manifest.json"])
    table = pd.read_csv(out / "comparison.csv")
    assert list(table.columns) == CONTRACT_COLUMNS
    assert list(dict.fromkeys(table["scenario"])) == ["four", "two"]
    assert "Days to first Forum" in result.output  # a KPI label (the cell may wrap)
    assert "Δ two" in result.output


def test_cli_compare_bad_scenario_exits_2_and_writes_nothing(tmp_path, write_scenario):
    good = write_scenario(tmp_path / "good.yaml", name="good")
    bad = write_scenario(tmp_path / "bad.yaml", name="bad", edits={SJUKA_INFLOW: -2})
    out = tmp_path / "out"
    result = _compare(good, bad, "--replications", "2", "--out", out)
    assert result.exit_code == 2, result.output
    assert "bad.yaml" in result.output and "inflow_per_week" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


@pytest.mark.parametrize(
    "make_args, message",
    [
        (lambda d, w: [w(d / "a.yaml", name="a")], "at least two"),
        (lambda d, w: [w(d / "a.yaml", name="same"), w(d / "b.yaml", name="same")], "distinct"),
        (
            lambda d, w: [
                w(d / "a.yaml", name="a"),
                w(d / "b.yaml", name="b"),
                "--replications",
                "1",
            ],
            "--replications",
        ),
        (lambda d, w: [w(d / "a.yaml", name="a"), d / "missing.yaml"], "no such scenario file"),
    ],
)
def test_cli_compare_rejects_bad_input_with_exit_2(tmp_path, write_scenario, make_args, message):
    out = tmp_path / "out"
    result = _compare(*make_args(tmp_path, write_scenario), "--out", out)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert not out.exists()
