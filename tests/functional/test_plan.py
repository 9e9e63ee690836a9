"""The capacity planner against queueing theory, and its promises: monotone in inflow, never dearer
than today when today suffices, "no solution" said plainly, bad input refused before any run.

On Markovian scenarios (:func:`samflode.analysis.theory.markovian_scenario`) the least headcount
that meets "a share p of first meetings within t days" is known exactly from Erlang C:
P(Wq ≤ t) = 1 − C(c, a) e^{−(cμ − λ)t}. The cases below are chosen so that the exact share at c − 1
is clearly below p and at c clearly above (margins of 4–16 points against a replication standard
error of about 1 point), so a correct planner must answer c and a planner off by one must fail.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from samflode.analysis.theory import least_servers, markovian_scenario, mmc_wait_within
from samflode.cli.commands import app
from samflode.config.variants import variant
from samflode.execution.checkpoint import Checkpoint
from samflode.execution.parallel import executor
from samflode.execution.units import KpiStore
from samflode.experiments.planning.decide import judge
from samflode.experiments.planning.search import least_feasible, plan
from samflode.experiments.planning.spec import PlanError, Target, parse_levers, parse_targets

runner = CliRunner()
HORIZON, WARMUP = 200.0, 20.0
# (λ per day, μ per day, rule t in days, share p): exact least c and the margins are in the test.
MARKOVIAN = [(8.0, 1.0, 0.25, 0.8), (3.0, 1.0, 0.1, 0.7), (4.0, 0.5, 1.0, 0.9)]


def mmc(lam: float, mu: float, t: float, servers: int, *, cost: float = 300.0):
    sc = markovian_scenario(
        arrival_rate_per_day=lam, service_mean_days=1 / mu, servers=servers,
        horizon_days=HORIZON, warmup_days=WARMUP,
    )  # fmt: skip
    return variant(
        sc, {"rules.first_meeting_days": t, "staff.forum.cost_per_hour_sek": cost}, origin="test"
    )


def first_meeting_plan(sc, share: float, lever: str = "staff.forum.headcount=1:30", **kw):
    targets = parse_targets([f"share_first_meeting_within_7d>={share}"], sc)
    return plan(sc, targets, parse_levers([lever], sc), **kw)


@pytest.mark.parametrize(("lam", "mu", "t", "share"), MARKOVIAN)
def test_the_plan_is_the_least_c_of_the_exact_mmc_wait_distribution(lam, mu, t, share):
    exact = least_servers(lam, mu, within=t, share=share)
    assert mmc_wait_within(lam, mu, exact - 1, t) < share - 0.04
    assert mmc_wait_within(lam, mu, exact, t) > share + 0.04
    result = first_meeting_plan(mmc(lam, mu, t, servers=int(lam / mu)), share)
    scale = result.scales[0]
    assert scale.met and scale.confirmed
    assert scale.chosen.values == (exact,)
    # The neighbour below was run and misses; the answer is not a lucky guess.
    assert not scale.neighbours["staff.forum.headcount"].met
    assert scale.guesses[0].method.startswith("Erlang C")


def test_more_inflow_never_needs_less_staff_and_probability_mode_is_stricter():
    lam, mu, t, share = 3.0, 1.0, 0.1, 0.75
    scales = (1.0, 1.25, 1.5)  # exact margins at c − 1 and c of at least 5 points at each
    exact = [least_servers(k * lam, mu, within=t, share=share) for k in scales]
    for k, c in zip(scales, exact, strict=True):
        assert mmc_wait_within(k * lam, mu, c - 1, t) < share - 0.05
        assert mmc_wait_within(k * lam, mu, c, t) > share + 0.05
    sc = mmc(lam, mu, t, servers=3)
    result = first_meeting_plan(sc, share, inflow_scales=scales)
    chosen = [s.chosen.values[0] for s in result.scales]
    assert all(s.met for s in result.scales)
    assert chosen == sorted(chosen) == exact
    strict = first_meeting_plan(sc, share, mode="probability", confidence=0.95)
    assert strict.scales[0].chosen.values[0] >= chosen[0]
    assert all(e.p_met >= 0.95 for e in strict.scales[0].chosen.estimates)


def test_a_target_met_today_returns_today_or_fewer():
    lam, mu, t, share = 3.0, 1.0, 0.1, 0.7
    exact = least_servers(lam, mu, within=t, share=share)
    # Today already the least: the plan keeps it.
    kept = first_meeting_plan(mmc(lam, mu, t, servers=exact), share).scales[0]
    assert kept.today.met and kept.chosen.values == (exact,)
    # Today has three too many: the plan gives back what costs money and is not needed.
    fewer = first_meeting_plan(mmc(lam, mu, t, servers=exact + 3), share).scales[0]
    assert fewer.today.met and fewer.chosen.values == (exact,)
    assert fewer.chosen.cost_per_year < fewer.today.cost_per_year


def test_two_levers_in_a_tandem_each_get_their_own_least_c():
    """Forum (M/M/c1) then Konsultation (M/M/c2): by Burke's theorem the second stage is again
    M/M/c, so each target has its own exact least c; the team lever starts from square-root
    staffing, not Erlang C.
    """
    lam = 3.0
    sc = markovian_scenario(
        arrival_rate_per_day=lam, service_mean_days=1.0, servers=3, horizon_days=HORIZON,
        warmup_days=WARMUP, second_stage=(0.5, 2),
    )  # fmt: skip
    sc = variant(
        sc,
        {"rules.first_meeting_days": 0.1, "rules.konsultation_days": 0.1,
         "staff.forum.cost_per_hour_sek": 300, "staff.team.cost_per_hour_sek": 500},
        origin="test",
    )  # fmt: skip
    targets = parse_targets(
        ["share_first_meeting_within_7d>=0.7", "share_konsultation_within_7d>=0.7"], sc
    )
    levers = parse_levers(["staff.forum.headcount=1:12", "konsultation.teams=1:12"], sc)
    with executor(2) as ex:
        result = plan(sc, targets, levers, on=ex)
    scale = result.scales[0]
    c1 = least_servers(lam, 1.0, within=0.1, share=0.7)
    c2 = least_servers(lam, 2.0, within=0.1, share=0.7)
    assert mmc_wait_within(lam, 2.0, c2 - 1, 0.1) < 0.66
    assert scale.met and scale.chosen.values == (c1, c2)
    assert "square-root" in scale.guesses[1].method
    assert result.simulations < 0.5 * 12 * 12 * result.cap  # far fewer than the grid


def test_same_seed_same_plan_whatever_the_workers():
    sc = mmc(3.0, 1.0, 0.1, servers=3)
    serial = first_meeting_plan(sc, 0.7, seed=4)
    with executor(2) as ex:
        pooled = first_meeting_plan(sc, 0.7, seed=4, on=ex)
    a, b = serial.scales[0], pooled.scales[0]
    assert [c.values for c in a.candidates] == [c.values for c in b.candidates]
    def dump(candidates) -> str:  # NaN-safe comparison of every replication's KPIs
        return json.dumps([c.kpis for c in candidates], sort_keys=True)

    assert dump(a.candidates) == dump(b.candidates)


def _scenario_file(tmp_path: Path, servers: int = 3) -> Path:
    import yaml

    sc = mmc(3.0, 1.0, 0.1, servers=servers)
    data = sc.model_dump(mode="json", exclude={"provenance"})
    path = tmp_path / "mmc.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_cli_writes_the_plan_and_no_solution_is_exit_1_naming_the_best_reachable(tmp_path):
    path = _scenario_file(tmp_path)
    out = tmp_path / "plan"
    args = ["plan", str(path), "--target", "share_first_meeting_within_7d>=0.7", "--workers", "1",
            "--out", str(out)]  # fmt: skip
    result = runner.invoke(app, [*args, "--lever", "staff.forum.headcount=1:12"])
    assert result.exit_code == 0, result.output
    payload = json.loads((out / "plan.json").read_text())
    assert payload["met"] and payload["mode"] == "mean"
    assert payload["chosen"] == {"staff.forum.headcount": 5}
    assert payload["targets"][0]["low"] >= 0.7 and 0 <= payload["targets"][0]["p_met"] <= 1
    assert payload["simulations"] == sum(p["simulations"] for p in payload["plans"])
    assert {"plan.json", "candidates.csv", "plan_targets.png", "plan_frontier.png"} <= {
        p.name for p in out.iterdir()
    }
    assert "What binds" in result.output and "forum" in result.output
    short = tmp_path / "short"
    result = runner.invoke(
        app, [*args[:-1], str(short), "--lever", "staff.forum.headcount=1:3"]
    )
    assert result.exit_code == 1
    assert "no plan meets every target" in result.output and "Best reachable" in result.output
    assert "Traceback" not in result.output
    assert json.loads((short / "plan.json").read_text())["met"] is False


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        (["--target", "share_frist_meeting_within_7d>=0.9"], "did you mean"),
        (["--target", "share_first_meeting_within_7d>=1.5"], "outside the values"),
        (["--target", "share_first_meeting_within_7d>=0.9", "--target",
          "share_first_meeting_within_7d<=0.8"], "contradict"),  # fmt: skip
        (["--target", "days_to_first_meeting_mean=3"], "expected KPI>=VALUE"),
        (["--target", "cost_total_sek_per_year<=1e6"], "--budget-sek"),
        (["--lever", "horizon_days"], "not a resource"),
        (["--lever", "staff.nobody.headcount"], "allowed: forum"),
        (["--lever", "staff.forum.headcount=5:2"], "MIN < MAX"),
        (["--lever", "staff.forum.caseload_cap"], "no whole number today"),
        (["--mode", "median"], "--mode"),
        (["--confidence", "1"], "--confidence"),
        (["--inflow-scale", "1,x"], "--inflow-scale"),
    ],
)
def test_bad_targets_levers_and_options_exit_2_before_anything_runs(tmp_path, extra, says):
    path = _scenario_file(tmp_path)
    out = tmp_path / "never"
    base = ["plan", str(path), "--out", str(out)]
    if "--target" not in extra:
        base += ["--target", "share_first_meeting_within_7d>=0.7"]
    if "--lever" not in extra:
        base += ["--lever", "staff.forum.headcount"]
    result = runner.invoke(app, [*base, *extra])
    assert result.exit_code == 2, result.output
    assert says in result.output and "Traceback" not in result.output
    assert not out.exists()


def test_judge_in_both_modes():
    target = Target("share_x", ">=", 0.8)
    clear_yes = judge(target, [0.9, 0.91, 0.89, 0.9, 0.92], "mean", 0.95)
    assert clear_yes.met and clear_yes.clear and clear_yes.low > 0.8
    unclear = judge(target, [0.7, 0.95, 0.78, 0.9, 0.83], "mean", 0.95)
    assert not unclear.met and not unclear.clear
    # 4 of 5 years meet it: 80 % < 95 %, and the interval says more years could change that.
    prob = judge(target, [0.9, 0.91, 0.79, 0.9, 0.92], "probability", 0.95)
    assert prob.p_met == 0.8 and not prob.met and not prob.clear
    assert prob.p_low < 0.8 < prob.p_high
    lower = judge(Target("days_x", "<=", 5.0), [3.0, 3.2, 2.9, float("nan")], "mean", 0.95)
    assert lower.met and lower.p_met == 0.75  # the NaN replication counts as a miss


@given(
    low=st.integers(1, 20), span=st.integers(0, 40), answer=st.integers(0, 80),
    start=st.integers(-5, 100),
)  # fmt: skip
def test_least_feasible_finds_the_threshold_of_any_monotone_test(low, span, answer, start):
    high = low + span
    answer = min(max(answer, low), high)
    calls = []

    def ok(v):
        calls.append(v)
        return v >= answer

    assert least_feasible(ok, low, high, start) == answer
    assert all(low <= v <= high for v in calls)


def test_a_lever_without_a_price_says_so():
    sc = mmc(3.0, 1.0, 0.1, servers=3)
    (lever,) = parse_levers(["staff.forum.headcount"], sc)
    assert lever.unit_cost_per_year > 0 and lever.low == 1 and lever.high == 9
    assert "cost_per_hour_sek" in lever.cost_source
    priced = parse_levers(["staff.forum.headcount=2:6@500000"], sc)[0]
    assert priced.unit_cost_per_year == 500_000 and (priced.low, priced.high) == (2, 6)
    with pytest.raises(PlanError, match="@SEK"):
        parse_levers(["staff.forum.headcount@-3"], sc)


def test_a_budget_below_the_least_plan_is_no_solution_and_resume_repeats_the_plan(tmp_path):
    sc = mmc(3.0, 1.0, 0.1, servers=3)
    free = first_meeting_plan(sc, 0.7).scales[0]
    capped = first_meeting_plan(sc, 0.7, budget_sek=free.chosen.cost_per_year - 1).scales[0]
    assert not capped.met and capped.reason.startswith("over budget")
    assert capped.chosen.values == free.chosen.values  # the least plan, named with its cost
    # Interrupted after 12 simulations, resumed from the checkpoint: the same path, the same plan.
    manifest = {"test": "resume"}

    def stop_at(limit: int):
        done = [0]

        def progress(n: int) -> None:
            done[0] += n
            if done[0] >= limit:
                raise KeyboardInterrupt

        return progress

    store = KpiStore(Checkpoint(tmp_path / "reps", manifest, resume=False))
    with pytest.raises(KeyboardInterrupt):
        first_meeting_plan(sc, 0.7, store=store, progress=stop_at(12))
    assert len(list((tmp_path / "reps").rglob("rep-*"))) >= 10  # what finished is kept
    store = KpiStore(Checkpoint(tmp_path / "reps", manifest, resume=True))
    resumed = first_meeting_plan(sc, 0.7, store=store).scales[0]
    assert [c.values for c in resumed.candidates] == [c.values for c in free.candidates]
    assert json.dumps([c.kpis for c in resumed.candidates], sort_keys=True) == json.dumps(
        [c.kpis for c in free.candidates], sort_keys=True
    )


@pytest.mark.parametrize("command", ["run", "compare", "sweep", "plan", "calibrate"])
def test_every_command_takes_set(command):
    result = runner.invoke(app, [command, "--help"], terminal_width=200)
    assert "--set" in result.output and "--inflow-scale" in result.output
