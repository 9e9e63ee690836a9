from pathlib import Path

import pytest

from samflode.config.loader import ScenarioError, load_scenario, merge_scenarios, parse_scenario


def test_merge_replaces_numbers_lists_and_distributions_and_null_removes():
    base = {
        "a": {"x": 1, "y": 2},
        "d": {"dist": "empirical", "values": [1], "unit": "days"},
        "l": [1, 2],
        "gone": {"k": 1},
    }
    over = {
        "a": {"y": 3},
        "d": {"dist": "fixed", "value": 2, "unit": "days"},
        "l": [9],
        "gone": None,
    }
    assert merge_scenarios(base, over) == {
        "a": {"x": 1, "y": 3},
        "d": {"dist": "fixed", "value": 2, "unit": "days"},
        "l": [9],
    }


def test_cited_value_replaces_the_whole_node():
    base = {"n": {"value": 1, "source": "old"}}
    assert merge_scenarios(base, {"n": {"value": 2, "assumption": "new"}}) == {
        "n": {"value": 2, "assumption": "new"}
    }


def test_extends_builds_on_the_bundled_default(tmp_path):
    path = tmp_path / "variant.yaml"
    path.write_text(
        "extends: nacka-forum.yaml\nname: variant\n"
        "staff:\n  forum_bedomare: {headcount: 2, assumption: test}\n"
    )
    # A file outside the scenarios folder may extend only files beside it.
    with pytest.raises(ScenarioError, match="no scenario file"):
        load_scenario(path)
    scenario = parse_scenario(path.read_text(), origin=str(path))
    assert scenario.name == "variant"
    assert scenario.staff["forum_bedomare"].headcount == 2
    assert scenario.staff["forum_bedomare"].share_on_method == 0.7  # from the base
    assert scenario.provenance["staff.forum_bedomare"] == "assumption: test"


def test_extends_refuses_other_folders_and_cycles(tmp_path):
    with pytest.raises(ScenarioError, match="must name a scenario file in the same folder"):
        parse_scenario("extends: ../pyproject.yaml\nname: x\n", origin="x.yaml")
    (tmp_path / "a.yaml").write_text("extends: b.yaml\nname: a\n")
    (tmp_path / "b.yaml").write_text("extends: a.yaml\nname: b\n")
    with pytest.raises(ScenarioError, match="circular"):
        load_scenario(tmp_path / "a.yaml")
    with pytest.raises(ScenarioError, match="extends: must name a .yaml"):
        parse_scenario("extends: 3\nname: x\n", origin="x.yaml")


def test_bundled_derived_designs_load():
    for name in ("silo-baseline", "rehab-guide", "amia-pair-teams"):
        scenario = load_scenario(Path("samflode/scenarios") / f"{name}.yaml")
        assert scenario.name == name.replace("-", "_")


def test_a_title_goes_with_the_name_that_set_it():
    parent = load_scenario("nacka-forum")
    assert parent.title and parent.label == parent.title
    # The same design, changed: the same title.
    same = parse_scenario("extends: nacka-forum.yaml\nhorizon_days: 400\n")
    assert same.title == parent.title
    # A design of its own, named in the file: not the parent's title.
    own = parse_scenario("extends: nacka-forum.yaml\nname: my_design\n")
    assert own.title == "" and own.label == "my_design"
    titled = parse_scenario('extends: nacka-forum.yaml\nname: my_design\ntitle: "Min modell"\n')
    assert titled.label == "Min modell"
