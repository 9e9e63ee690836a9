"""Pure page logic: uploads, edited variants, YAML round trips, runs and the dashboard command."""

import pytest
import yaml

from samflode import ScenarioError, compare, load_scenario
from samflode.analysis.flows import outcome_flows
from samflode.cli.commands import dashboard_command
from samflode.config.loader import BUNDLED_DIR, MAX_FILE_BYTES
from samflode.dashboard.figures import kpi_table
from samflode.dashboard.runs import run_designs
from samflode.dashboard.scenarios import (
    bundled_scenarios,
    editable_parameters,
    load_bundled,
    parse_upload,
    quick,
    scenario_from_yaml,
    scenario_yaml,
    with_changes,
)


def test_bundled_includes_amia_sites():
    files = bundled_scenarios()
    assert {"nacka-forum.yaml", "silo-baseline.yaml", "amia/nord.yaml"} <= set(files)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"name: [unclosed\n", "broken.yaml: not valid YAML (line 2, column 1)"),
        (b"- a list\n", "broken.yaml: expected a YAML mapping"),
        (b"\xff\xfe not utf-8", "broken.yaml: not a UTF-8 text file"),
        (b"x" * (MAX_FILE_BYTES + 1), f"broken.yaml: file is larger than {MAX_FILE_BYTES} bytes"),
        (b"!!python/object/apply:os.system ['true']\n", "broken.yaml: not valid YAML"),
        (b"extends: ../../etc/passwd.yaml\nname: x\n", "a scenario file in the same folder"),
        (b"extends: nacka-forum.yaml\nhorizon_days: -1\n", "broken.yaml: horizon_days: must be >"),
        # The reliability review's uploads that showed tracebacks or the install path:
        (b"description: " + b"[" * 2000 + b"]" * 2000 + b"\n", "nested deeper than 50 levels"),
        (
            b"extends: nacka-forum.yaml\ncalendar:\n  start_date: 9999-06-01\n",
            "broken.yaml: calendar.start_date: must be between",
        ),
        (b"extends: ../../../../../etc/hostname.yaml\n", "a scenario file in the same folder"),
        (b"extends: /etc/hostname.yaml\n", "a scenario file in the same folder"),
    ],
)
def test_bad_uploads_give_a_user_message(data, message):
    with pytest.raises(ScenarioError) as info:
        parse_upload(data, "some/dir/broken.yaml")
    assert message in str(info.value)
    # Never the server's install path.
    assert str(BUNDLED_DIR) not in str(info.value) and "site-packages" not in str(info.value)


def test_upload_extending_a_bundled_design():
    sc = parse_upload(b"extends: nacka-forum.yaml\nname: my_design\n", "mine.yaml")
    assert sc.name == "my_design"
    assert sc.groups == load_bundled("nacka-forum.yaml").groups


def test_yaml_round_trip_keeps_the_design():
    for label in ("nacka-forum.yaml", "silo-baseline.yaml", "amia/syd.yaml"):
        sc = load_bundled(label)
        again = scenario_from_yaml(scenario_yaml(sc))
        assert again.model_dump(exclude={"provenance"}) == sc.model_dump(exclude={"provenance"})
        assert "provenance" not in yaml.safe_load(scenario_yaml(sc))


def test_editable_parameters_cover_the_key_numbers():
    params = {p.dotted: p for p in editable_parameters(load_bundled("nacka-forum.yaml"))}
    assert "groups.arbetslosa.inflow_per_week" in params
    assert "staff.forum_bedomare.headcount" in params
    assert any(k.endswith(".caseload_cap") for k in params)
    assert any(k.startswith("insatsmarknad.providers.") and k.endswith(".places") for k in params)
    assert "costs.bonus_6m_sek.3" in params
    assert "costs.bonus_job_sek" in params


def test_variant_is_validated_with_the_cli_message():
    sc = load_bundled("nacka-forum.yaml")
    variant = with_changes(sc, {("staff", "forum_bedomare", "headcount"): 9}, origin="x.yaml")
    assert variant.staff["forum_bedomare"].headcount == 9
    with pytest.raises(ScenarioError) as info:
        with_changes(sc, {("groups", "sjuka", "inflow_per_week"): -2.0}, origin="x.yaml")
    assert str(info.value) == "x.yaml: groups.sjuka.inflow_per_week: must be ≥ 0.0 (got -2.0)"


def test_dashboard_run_equals_the_cli_comparison():
    paths = ["samflode/scenarios/nacka-forum.yaml", "samflode/scenarios/silo-baseline.yaml"]
    loaded = [quick(load_scenario(p)) for p in paths]
    expected = compare(loaded, seed=3, replications=2)
    got = run_designs(tuple(scenario_yaml(s) for s in loaded), 3, 2)
    assert got.table.equals(expected.table)
    table = kpi_table(got.table, got.names, "en")
    assert "Δ silo_baseline" in table.columns


def test_single_design_run_and_outcome_flows():
    sc = quick(load_bundled("nacka-forum.yaml"))
    got = run_designs((scenario_yaml(sc),), 1, 2)
    assert got.names == ["nacka_forum"]
    assert (got.table["diff_vs_first"].dropna() == 0).all()
    flows = outcome_flows(got.results[0].events, sc)
    arrivals = got.table.set_index("kpi").loc["arrivals", "mean"]
    out_of_cohort = flows.loc[flows["source"] == "arrived:cohort", "participants"].sum()
    assert out_of_cohort == pytest.approx(arrivals)
    # flows are conserved: what reaches 90 days goes on to 6 months
    into_90 = flows.loc[flows["target"].str.startswith("90d:"), "participants"].sum()
    out_of_90 = flows.loc[flows["source"].str.startswith("90d:"), "participants"].sum()
    assert into_90 == pytest.approx(out_of_90)


def test_dashboard_command_serves_localhost_only():
    cmd = dashboard_command(8765)
    assert cmd[1:4] == ["-m", "streamlit", "run"]
    assert cmd[4].endswith("dashboard/app.py")
    assert cmd[cmd.index("--server.address") + 1] == "127.0.0.1"
    assert cmd[cmd.index("--server.port") + 1] == "8765"
    assert cmd[cmd.index("--server.headless") + 1] == "true"
    # No traceback with the server's paths in the page.
    assert cmd[cmd.index("--client.showErrorDetails") + 1] == "none"
    # No Deploy button and no developer menu for a board (the browser test checks the page).
    assert cmd[cmd.index("--client.toolbarMode") + 1] == "minimal"


def test_dashboard_rejects_a_bad_port():
    from typer.testing import CliRunner

    from samflode.cli.commands import app

    result = CliRunner().invoke(app, ["dashboard", "--port", "80"])
    assert result.exit_code == 2
    assert "--port" in result.output
