"""Shared fixtures for functional tests: short versions of the default scenario as YAML files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

DEFAULT = Path(__file__).resolve().parents[2] / "samflode" / "scenarios" / "nacka-forum.yaml"
WriteScenario = Callable[..., Path]


def _write(
    path: Path,
    *,
    horizon: float = 150,
    warmup: float = 20,
    name: str | None = None,
    edits: dict[str, object] | None = None,
) -> Path:
    """Write the default scenario to ``path`` with a short horizon and warm-up (cited as test
    assumptions), another ``name``, and ``edits`` (dotted path → value, e.g.
    ``{"staff.forum_bedomare.headcount": 1}``), as the CLI would read a user's file.
    """
    raw = yaml.safe_load(DEFAULT.read_text(encoding="utf-8"))
    raw["horizon_days"] = {"value": horizon, "assumption": "short test run"}
    raw["warmup_days"] = {"value": warmup, "assumption": "short test run"}
    if name is not None:
        raw["name"] = name
    for dotted, value in (edits or {}).items():
        *parents, leaf = dotted.split(".")
        node = raw
        for key in parents:
            node = node[key]
        node[leaf] = {"value": value, "assumption": "test variant"}
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def write_scenario() -> WriteScenario:
    """:func:`_write`: a short default scenario (optionally edited) as a YAML file."""
    return _write
