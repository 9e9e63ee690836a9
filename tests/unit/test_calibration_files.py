"""The targets and parameters files a calibration reads: the bundled AMiA pair loads, reaches the
four site scenarios and sets what it names; every kind of bad file is refused with the file, the
field and what is allowed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from samflode import load_scenario
from samflode.config.calibration import (
    apply,
    check_parameters,
    check_targets,
    load_parameters,
    load_targets,
)
from samflode.config.loader import ScenarioError

ROOT = Path(__file__).resolve().parents[2]
TARGETS = ROOT / "samflode" / "targets" / "amia-fit.yaml"
PARAMS = ROOT / "samflode" / "targets" / "amia-parameters.yaml"
SITES = ("nord", "ost", "syd", "vast")


@pytest.fixture(scope="module")
def sites():
    return {site: load_scenario(f"amia/{site}") for site in SITES}


def test_the_amia_files_load_and_reach_the_sites(sites):
    targets = load_targets(TARGETS)
    params = load_parameters(PARAMS)
    check_targets(targets, sites, str(TARGETS))
    check_parameters(params, sites, str(PARAMS))
    fitted = [t for t in targets.targets if not t.holdout]
    assert {t.scenario for t in fitted} == set(SITES)
    assert {t.kpi for t in fitted} == {"share_active_90d_after_ali", "share_entered_ali"}
    pooled = [t for t in targets.targets if t.pooled is not None]
    assert pooled and all(t.holdout and set(t.pooled) == set(SITES) for t in pooled)
    assert {o.kpi for o in targets.orders} == {"days_in_flow_mean", "interventions_per_participant"}
    nord = next(t for t in targets.targets if t.name == "nord_entered_ali")
    assert nord.sd == pytest.approx((124 / 146 * 22 / 146 / 146) ** 0.5)
    ost = next(t for t in targets.targets if t.name == "ost_entered_ali")
    assert ost.sd == pytest.approx(0.1 / 4)  # a range is read as a 95 % interval


def test_a_shared_parameter_is_set_in_every_site(sites):
    params = load_parameters(PARAMS)
    values = {p.name: sum(p.bounds) / 2 for p in params.parameters}
    changed = apply(params, values, sites, str(PARAMS))
    for site in SITES:
        coefficients = changed[site].outcome_model.coefficients
        assert coefficients["support_hours_per_month"] == pytest.approx(1.25)
        assert coefficients["pause_days"] == pytest.approx(-0.02)
        # Everything else is the site's own.
        assert changed[site].staff == sites[site].staff


def test_a_list_entry_is_reached_by_a_field(sites, tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "parameters": [
                    {
                        "name": "ali_keep",
                        "paths": ["exit.outcomes[intervention=ali].keep_90d"],
                        "scenarios": ["ost"],
                        "prior": {"dist": "beta", "a": 8, "b": 2},
                    }
                ]
            }
        ),
        encoding="utf-8",
    )
    params = load_parameters(path)
    check_parameters(params, sites, str(path))
    changed = apply(params, {"ali_keep": 0.6}, sites, str(path))
    keeps = [rule.keep_90d for rule in changed["ost"].exit.outcomes]
    assert keeps == [0.6, sites["ost"].exit.outcomes[1].keep_90d]
    assert changed["nord"] is sites["nord"]  # not named, not touched


TARGET = {
    "name": "t",
    "scenario": "ost",
    "kpi": "share_entered_ali",
    "observed": 0.85,
    "se": 0.02,
    "source": "AMiA 2013 p. 172",
}
PARAM = {
    "name": "p",
    "paths": ["outcome_model.coefficients.pause_days"],
    "prior": {"dist": "uniform", "low": -0.04, "high": 0.0},
}
BAD_TARGETS = {
    "two uncertainties": (
        [TARGET | {"range": [0.8, 0.9]}],
        ["targets[0]", "exactly one", "se, range"],
    ),
    "no uncertainty": ([{k: v for k, v in TARGET.items() if k != "se"}], ["exactly one", "none"]),
    "count above trials": (
        [TARGET | {"se": None, "count": {"successes": 9, "trials": 8}}],
        ["successes (9) > trials (8)"],
    ),
    "count disagrees": (
        [TARGET | {"se": None, "count": {"successes": 1, "trials": 8}}],
        ["not count 1/8"],
    ),
    "outside its range": ([TARGET | {"se": None, "range": [0.1, 0.2]}], ["outside range"]),
    "negative se": ([TARGET | {"se": -1}], ["targets[0].se", "must be > 0"]),
    "nan observed": ([TARGET | {"observed": float("nan")}], ["targets[0].observed", "finite"]),
    "bad name": ([TARGET | {"name": "Nord Ali"}], ["targets[0].name", "pattern"]),
    "unknown field": ([TARGET | {"weight": 2}], ["targets[0].weight", "unknown field"]),
    "twice": ([TARGET, TARGET], ["unique", "'t'"]),
    "all holdouts": ([TARGET | {"holdout": True}], ["every target is a holdout"]),
    "empty": ([], ["targets", "at least 1"]),
    "pooled and fitted": (
        [TARGET, TARGET | {"name": "u", "scenario": None, "pooled": ["nord", "ost"]}],
        ["targets[1]", "pooled targets are checked, not fitted"],
    ),
    "scenario and pooled": (
        [TARGET, TARGET | {"name": "u", "holdout": True, "pooled": ["nord", "ost"]}],
        ["targets[1]", "exactly one of scenario"],
    ),
}
BAD_PARAMS = {
    "low not below high": (
        [PARAM | {"prior": {"dist": "uniform", "low": 1, "high": 1}}],
        ["low < high"],
    ),
    "unknown prior": (
        [PARAM | {"prior": {"dist": "cauchy", "low": 0, "high": 1}}],
        ["prior", "cauchy"],
    ),
    "normal without bounds": (
        [PARAM | {"prior": {"dist": "normal", "mean": 0, "sd": 1}}],
        ["prior.normal.low", "required"],
    ),
    "normal mean outside": (
        [PARAM | {"prior": {"dist": "normal", "mean": 5, "sd": 1, "low": 0, "high": 1}}],
        ["mean 5"],
    ),
    "log-uniform at 0": (
        [PARAM | {"prior": {"dist": "log_uniform", "low": 0, "high": 1}}],
        ["log_uniform.low", "must be > 0"],
    ),
    "no paths": ([PARAM | {"paths": []}], ["parameters[0].paths", "at least 1"]),
    "twice": ([PARAM, PARAM], ["unique", "'p'"]),
}


def write(tmp_path: Path, key: str, rows: list) -> Path:
    path = tmp_path / f"{key}.yaml"
    path.write_text(yaml.safe_dump({key: rows}), encoding="utf-8")
    return path


BAD_FILES = [
    *(("targets", load_targets, case, *BAD_TARGETS[case]) for case in BAD_TARGETS),
    *(("parameters", load_parameters, case, *BAD_PARAMS[case]) for case in BAD_PARAMS),
]


@pytest.mark.parametrize(
    ("key", "load", "case", "rows", "words"),
    BAD_FILES,
    ids=[f"{k}-{c}" for k, _, c, *_ in BAD_FILES],
)
def test_a_bad_file_is_refused_with_file_and_field(tmp_path, key, load, case, rows, words):
    path = write(tmp_path, key, rows)
    with pytest.raises(ScenarioError) as err:
        load(path)
    message = str(err.value)
    assert message.startswith(str(path)), message
    for word in words:
        assert word in message, (case, word, message)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (
            {"paths": ["outcome_model.coefficients.pause_dayz"]},
            ["paths[0]", "no field 'pause_dayz'"],
        ),
        ({"paths": ["outcome_model.coefficients"]}, ["paths[0]", "not a single number"]),
        ({"paths": ["exit.outcomes[group=*].keep_90d"]}, ["paths[0]", "2 entries with group"]),
        ({"scenarios": ["ost", "norr"]}, ["parameters[0].scenarios", "'norr'"]),
    ],
    ids=["no-field", "section", "ambiguous-entry", "unknown-scenario"],
)
def test_a_parameter_that_reaches_no_number_is_refused_before_any_run(
    sites, tmp_path, change, words
):
    path = write(tmp_path, "parameters", [PARAM | change])
    params = load_parameters(path)
    with pytest.raises(ScenarioError) as err:
        check_parameters(params, sites, str(path))
    message = str(err.value)
    assert message.startswith(str(path)), message
    for word in words:
        assert word in message, (word, message)


def test_a_target_of_an_unknown_scenario_is_refused(sites, tmp_path):
    path = write(tmp_path, "targets", [TARGET | {"scenario": "norr"}])
    with pytest.raises(ScenarioError, match=r"targets\[0\]\.scenario: 'norr'"):
        check_targets(load_targets(path), sites, str(path))


def test_a_file_that_is_not_a_mapping_or_missing_is_refused(tmp_path):
    path = tmp_path / "list.yaml"
    path.write_text("- 1\n- 2\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="expected a YAML mapping of targets fields"):
        load_targets(path)
    with pytest.raises(ScenarioError, match="no such parameters file"):
        load_parameters(tmp_path / "missing.yaml")
