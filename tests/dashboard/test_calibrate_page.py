"""The Calibrate tab reads a calibration's folder: posterior, fit, checks and a counterfactual."""

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from samflode.analysis.theory import markovian_scenario
from samflode.config.calibration import ParametersFile
from samflode.experiments.calibration import calibrate
from samflode.experiments.calibration.counterfactual import counterfactual
from samflode.experiments.calibration.recovery import MM1_PARAMETERS, synthetic_targets
from samflode.report.calibration import write_calibration, write_counterfactual

APP = Path(__file__).resolve().parents[2] / "samflode" / "dashboard" / "app.py"
PARAMS = ParametersFile.model_validate(MM1_PARAMETERS)


def _mm(servers: int, name: str):
    return markovian_scenario(
        arrival_rate_per_day=0.7, service_mean_days=0.8, servers=servers, horizon_days=200,
        warmup_days=20, name=name,
    )  # fmt: skip


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    site = _mm(1, "mm1")
    kpis = {"mm1": ["utilisation_forum", "days_to_first_meeting_mean"]}
    targets = synthetic_targets({"mm1": site}, PARAMS, {"inflow": 4.9, "service": 0.8}, kpis, 0)
    cal = calibrate({"mm1": site}, targets, PARAMS, replications=2, budget=40, workers=2)
    out = tmp_path_factory.mktemp("cal")
    write_calibration(cal, out, elapsed_seconds=1.0)
    cf = counterfactual(
        site, _mm(2, "mm2"), site_key="mm1", params=PARAMS, posterior=cal.posterior,
        take=["staff"], draws=3, replications=2,
    )  # fmt: skip
    write_counterfactual(cf, out / "counterfactual-mm1-under-mm2", ["days_to_first_meeting_mean"])
    return out


def _tab(folder: str, lang: str = "en") -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.run()
    if lang == "sv":
        at.radio(key="lang").set_value("sv")
        at.run()
    at.text_input(key="cal_folder").set_value(folder)
    at.run()
    return at


def test_the_tab_shows_the_fit_the_posterior_and_the_counterfactual(folder):
    at = _tab(str(folder))
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    frames = [d.value for d in at.dataframe]
    summary = next(f for f in frames if "shrinkage" in f.columns)
    assert list(summary["parameter"]) == ["inflow", "service"]
    fit = next(f for f in frames if "implausibility" in f.columns)
    assert set(fit["target"]) == {"mm1_utilisation_forum", "mm1_days_to_first_meeting_mean"}
    cf = next(f for f in frames if "difference_mean" in f.columns)
    assert cf.iloc[0]["kpi"] == "days_to_first_meeting_mean" and cf.iloc[0]["difference_mean"] < 0
    assert any("mm1 → mm2" in s.value for s in at.subheader)
    runs = json.loads((folder / "calibration.json").read_text())["simulations"]
    assert any(m.value.startswith(f"{runs} simulations") for m in at.markdown)


def test_a_folder_that_is_not_a_calibration_says_so(tmp_path):
    at = _tab(str(tmp_path))
    assert not at.exception
    assert any("not a calibration folder" in e.value for e in at.error)
    swedish = _tab(str(tmp_path), lang="sv")
    assert any("ingen kalibreringsmapp" in e.value for e in swedish.error)
