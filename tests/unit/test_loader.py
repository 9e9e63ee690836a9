"""Scenario loading: one clear error per bad file, provenance, and citations of every number.

Drawing from the duration distributions is tested in ``test_samplers.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from samflode.config.distributions import DAYS_PER_UNIT, DIST_NAMES
from samflode.config.loader import (
    MAX_FILE_BYTES,
    MAX_NODES,
    ScenarioError,
    load_scenario,
    parse_scenario,
    split_provenance,
    uncited_numbers,
)
from samflode.config.scenario import Scenario

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "samflode" / "scenarios"
DEFAULT = SCENARIOS / "nacka-forum.yaml"


@pytest.fixture
def write_variant(tmp_path, write_scenario):
    """Write the default scenario, unshortened, changed by ``mutate``, to ``tmp_path/bad.yaml``."""

    def write(mutate) -> Path:
        return write_scenario(tmp_path / "bad.yaml", horizon=None, warmup=None, mutate=mutate)

    return write


def _set(*keys, value):
    """Mutator that sets raw[k0][k1]…[kn] = value."""

    def mutate(raw: dict) -> None:
        node = raw
        for key in keys[:-1]:
            node = node[key]
        node[keys[-1]] = value

    return mutate


def _pop(*keys):
    def mutate(raw: dict) -> None:
        node = raw
        for key in keys[:-1]:
            node = node[key]
        del node[keys[-1]]

    return mutate


# (mutation, substrings the message must contain: the field path and the allowed range/values)
BAD_SCENARIOS = [
    pytest.param(
        _set("groups", "arbetslosa", "inflow_per_week", value=-1.0),
        ["groups.arbetslosa.inflow_per_week", "≥ 0", "-1"],
        id="negative-inflow",
    ),
    pytest.param(
        _set("groups", "arbetslosa", "inflow_per_week", value={"value": -3, "source": "x"}),
        ["groups.arbetslosa.inflow_per_week", "≥ 0", "-3"],
        id="negative-inflow-with-provenance",
    ),
    pytest.param(
        _set("groups", "sjuka", "channels", "walk_in", value=0.7),
        ["groups.sjuka", "channels", "sum to 1", "1.2"],
        id="channel-shares-not-summing-to-1",
    ),
    pytest.param(
        _set("groups", "arbetslosa", "difficulty", 1, value=0.9),
        ["groups.arbetslosa", "difficulty", "sum to 1"],
        id="difficulty-shares-not-summing-to-1",
    ),
    pytest.param(
        _set("financing", "pot_shares", "fk", value=0.9),
        ["financing", "pot_shares must sum to 1", "1.4"],
        id="pot-shares-not-summing-to-1",
    ),
    pytest.param(
        _set("groups", "arbetslosa", "complex_share", value=1.5),
        ["groups.arbetslosa.complex_share", "≤ 1", "1.5"],
        id="share-above-1",
    ),
    pytest.param(
        _set("groups", "arbetslosa", "channels", value={"walkin": 1.0}),
        ["groups.arbetslosa.channels.walkin: key must be one of", "'walk_in'", "'booked'"],
        id="unknown-channel-key",
    ),
    pytest.param(
        _set("groups", "arbetslosa", "difficulty", value={1: 0.5, 4: 0.5}),
        ["groups.arbetslosa.difficulty[4]: key must be ≤ 3 (got 4)"],
        id="difficulty-key-out-of-range",
    ),
    pytest.param(
        _set("forum", "triage_duration", "dist", value="weibull"),
        ["forum.triage_duration", "'weibull'", *DIST_NAMES],
        id="unknown-distribution",
    ),
    pytest.param(
        _pop("forum", "triage_duration", "dist"),
        ["forum.triage_duration", "dist", *DIST_NAMES],
        id="distribution-without-dist",
    ),
    pytest.param(
        _set("konsultation", "session_duration", "unit", value="fortnights"),
        ["konsultation.session_duration.unit", "'fortnights'", *DAYS_PER_UNIT],
        id="unknown-unit",
    ),
    pytest.param(
        _pop("forum", "triage_duration"),
        ["forum.triage_duration", "required field is missing"],
        id="missing-field",
    ),
    pytest.param(
        _pop("name"),
        ["name", "required field is missing"],
        id="missing-top-level-field",
    ),
    pytest.param(
        _set("staff", "forum_bedomare", "headcount", value="four"),
        ["staff.forum_bedomare.headcount", "integer", "'four'"],
        id="wrong-type-int",
    ),
    pytest.param(
        _set("horizon_days", value="long"),
        ["horizon_days", "number", "'long'"],
        id="wrong-type-number",
    ),
    pytest.param(
        _set("groups", value=["arbetslosa"]),
        ["groups", "dictionary"],
        id="wrong-type-mapping",
    ),
    pytest.param(
        _set("staff", "forum_bedomare", "headcount", value=0),
        ["staff.forum_bedomare.headcount", "≥ 1", "0"],
        id="headcount-zero",
    ),
    pytest.param(
        _set("insatsmarknad", "providers", "jobbhuset", "places", value=0),
        ["insatsmarknad.providers.jobbhuset.places", "≥ 1"],
        id="provider-places-zero",
    ),
    pytest.param(
        _set("staff", "forum_bedomare", "headcont", value=3),
        ["staff.forum_bedomare.headcont", "unknown field"],
        id="unknown-field",
    ),
    pytest.param(
        _set("forum", "staff", value="nobody"),
        ["forum.staff", "'nobody'", "forum_bedomare"],
        id="unknown-staff-pool",
    ),
    pytest.param(
        _set("warmup_days", value=5000),
        ["warmup_days", "horizon_days"],
        id="warmup-after-horizon",
    ),
    pytest.param(
        _set("groups", "arbetslosa", "inflow_per_week", value=float("nan")),
        ["groups.arbetslosa.inflow_per_week", "nan"],
        id="nan-inflow",
    ),
    pytest.param(
        _set("forum", "booking_delay", "mode", value=9),
        ["forum.booking_delay", "low <= mode <= high"],
        id="triangular-out-of-order",
    ),
]


@pytest.mark.parametrize(("mutate", "expected"), BAD_SCENARIOS)
def test_bad_scenario_names_file_field_and_range(write_variant, mutate, expected):
    path = write_variant(mutate)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    message = str(info.value)
    assert message.startswith(f"{path}: "), f"message should start with the file; got {message!r}"
    for part in expected:
        assert part in message, f"expected {part!r} in the message; got {message!r}"
    assert "Traceback" not in message
    assert "errors.pydantic.dev" not in message, f"pydantic internals leak: {message!r}"


def test_only_one_problem_gives_one_line(write_variant):
    path = write_variant(_set("groups", "arbetslosa", "inflow_per_week", value=-1))
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert len(str(info.value).splitlines()) == 1, str(info.value)


def test_not_yaml(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("name: x\ngroups: [1, 2\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    message = str(info.value)
    assert message.startswith(f"{path}: not valid YAML"), message
    assert "line" in message, message


@pytest.mark.parametrize(
    ("text", "kind"),
    [("- a\n- b\n", "list"), ("just a sentence\n", "str"), ("42\n", "int"), ("", "NoneType")],
    ids=["list", "string", "number", "empty"],
)
def test_yaml_that_is_not_a_mapping(tmp_path, text, kind):
    path = tmp_path / "notamap.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    message = str(info.value)
    assert message.startswith(f"{path}: "), message
    assert "mapping" in message and kind in message, message


def test_missing_file(tmp_path):
    path = tmp_path / "nowhere.yaml"
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert str(info.value) == f"{path}: no such scenario file"


def test_directory_instead_of_file(tmp_path):
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path)
    assert str(info.value).startswith(f"{tmp_path}: is a folder"), str(info.value)


def test_binary_file(tmp_path):
    path = tmp_path / "binary.yaml"
    path.write_bytes(b"\xff\xfe\x00\x81garbage")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert str(info.value).startswith(f"{path}: "), str(info.value)


def test_oversized_file(tmp_path):
    path = tmp_path / "huge.yaml"
    path.write_text("# " + "x" * MAX_FILE_BYTES + "\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="larger than"):
        load_scenario(path)


def test_yaml_alias_bomb_is_refused_quickly(tmp_path):
    # 460 bytes that expand to 10^8 values through aliases; expanding them took minutes and GBs.
    lines = ["a0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 8)]
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert str(info.value) == (
        f"{path}: more than {MAX_NODES} values once YAML aliases (*name) are expanded"
    )


def test_yaml_aliases_for_reuse_still_work(tmp_path):
    text = DEFAULT.read_text(encoding="utf-8")
    text = text.replace("  triage_duration:\n", "  triage_duration: &meeting\n", 1)
    start = text.index("  planning_duration:")
    end = text.index("\n\n", start)
    text = text[:start] + "  planning_duration: *meeting" + text[end:]
    path = tmp_path / "aliases.yaml"
    path.write_text(text, encoding="utf-8")
    scenario = load_scenario(path)
    assert scenario.forum.planning_duration == scenario.forum.triage_duration


def test_parse_scenario_uses_origin():
    with pytest.raises(ScenarioError, match=r"^custom-origin: expected a YAML mapping"):
        parse_scenario("[]", origin="custom-origin")


def test_many_errors_are_capped(write_variant):
    def mutate(raw: dict) -> None:
        for pool in raw["staff"].values():
            pool["headcount"] = 0
            pool["cost_per_hour_sek"] = -1

    path = write_variant(mutate)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    lines = str(info.value).splitlines()
    assert len(lines) == 11, lines
    assert lines[-1].startswith("… and 6 more"), lines[-1]
    assert all(line.startswith(f"{path}: staff.") for line in lines[:10]), lines


# ---------------------------------------------------------------- provenance


def test_value_wrapped_number_is_unwrapped():
    clean, prov = split_provenance({"a": {"value": 7, "source": "000 §6.1"}, "b": "text"})
    assert clean == {"a": 7, "b": "text"}
    assert prov == {"a": "source: 000 §6.1"}
    assert uncited_numbers(clean, prov) == []


def test_value_with_source_and_assumption():
    clean, prov = split_provenance({"x": {"value": 1.5, "source": "S", "assumption": "A"}})
    assert clean == {"x": 1.5}
    assert prov == {"x": "source: S; assumption: A"}


def test_value_alone_is_not_provenance():
    clean, prov = split_provenance({"x": {"value": 3}})
    assert clean == {"x": {"value": 3}}
    assert prov == {}
    assert uncited_numbers(clean, prov) == ["x.value"]


def test_value_with_other_keys_keeps_the_mapping():
    # A fixed distribution has a `value` field of its own; `assumption` then covers the block.
    node = {"dist": "fixed", "value": 20, "unit": "minutes", "assumption": "A"}
    clean, prov = split_provenance({"d": node})
    assert clean == {"d": {"dist": "fixed", "value": 20, "unit": "minutes"}}
    assert prov == {"d": "assumption: A"}
    assert uncited_numbers(clean, prov) == []


def test_block_level_source_covers_nested_numbers():
    raw = {
        "costs": {"source": "000 §6.3", "bonus": 5000, "by": {1: 10, 2: 20}},
        "loose": {"n": 4, "m": {"value": 2, "assumption": "A"}},
    }
    clean, prov = split_provenance(raw)
    assert clean == {"costs": {"bonus": 5000, "by": {1: 10, 2: 20}}, "loose": {"n": 4, "m": 2}}
    assert prov == {"costs": "source: 000 §6.3", "loose.m": "assumption: A"}
    assert uncited_numbers(clean, prov) == ["loose.n"]


def test_top_level_source_covers_everything():
    clean, prov = split_provenance({"source": "S", "a": 1, "b": {"c": [2, 3]}})
    assert clean == {"a": 1, "b": {"c": [2, 3]}}
    assert prov == {"": "source: S"}
    assert uncited_numbers(clean, prov) == []


def test_nested_lists():
    raw = {
        "outcomes": [
            {"assumption": "A", "keep": 0.5, "exit": {"work": 1.0}},
            {"keep": {"value": 0.4, "source": "S"}, "exit": {"work": 1.0}},
        ],
        "values": [{"value": 1, "source": "s1"}, 2, [3, {"value": 4, "assumption": "a4"}]],
    }
    clean, prov = split_provenance(raw)
    assert clean == {
        "outcomes": [{"keep": 0.5, "exit": {"work": 1.0}}, {"keep": 0.4, "exit": {"work": 1.0}}],
        "values": [1, 2, [3, 4]],
    }
    assert prov == {
        "outcomes[0]": "assumption: A",
        "outcomes[1].keep": "source: S",
        "values[0]": "source: s1",
        "values[2][1]": "assumption: a4",
    }
    assert uncited_numbers(clean, prov) == [
        "outcomes[1].exit.work",
        "values[1]",
        "values[2][0]",
    ]


def test_non_numbers_need_no_citation():
    clean, prov = split_provenance({"name": "x", "on": True, "none": None, "roles": ["a", "b"]})
    assert uncited_numbers(clean, prov) == []


def test_loader_keeps_provenance_on_the_scenario():
    scenario = load_scenario(DEFAULT)
    assert scenario.provenance["rules.first_meeting_days"].startswith("source: Nacka 2008")
    assert scenario.provenance["groups.arbetslosa.inflow_per_week"].startswith("assumption:")
    assert scenario.groups["arbetslosa"].inflow_per_week == pytest.approx(11.00)


SCENARIO_FILES = sorted(SCENARIOS.glob("**/*.yaml")) + sorted(SCENARIOS.glob("**/*.yml"))


def test_scenario_folder_is_not_empty():
    assert DEFAULT in SCENARIO_FILES


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.name)
def test_every_bundled_scenario_loads_and_cites_every_number(path):
    scenario = load_scenario(path)
    assert isinstance(scenario, Scenario)
    clean, provenance = split_provenance(yaml.safe_load(path.read_text(encoding="utf-8")))
    uncited = uncited_numbers(clean, provenance)
    assert uncited == [], f"{path.name}: numbers without source or assumption: {uncited}"
