"""Fixtures shared by the test folders: the default design as YAML data, short versions of it (as a
scenario and as a file the CLI reads), interruptions of a run, and equality of two result folders.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
import yaml

from samflode.config.loader import load_scenario
from samflode.config.scenario import Scenario

DEFAULT = Path(__file__).resolve().parents[1] / "samflode" / "scenarios" / "nacka-forum.yaml"
# A short run of the default design: long enough for every stage to be used, short enough for
# tests that run it many times (parallel, resume, sweeps). Test assumptions, not model values.
SHORT_HORIZON_DAYS = 60.0
SHORT_WARMUP_DAYS = 0.0
WriteScenario = Callable[..., Path]


@functools.cache
def _default_yaml() -> dict:
    return yaml.safe_load(DEFAULT.read_text(encoding="utf-8"))


def _default_raw() -> dict:
    """The default scenario as plain YAML data, provenance included (a fresh copy)."""
    return copy.deepcopy(_default_yaml())


@pytest.fixture
def default_raw() -> dict:
    """A fresh copy of the default scenario's YAML data (provenance included), to edit freely."""
    return _default_raw()


def _write(
    path: Path,
    *,
    horizon: float | None = SHORT_HORIZON_DAYS,
    warmup: float | None = SHORT_WARMUP_DAYS,
    name: str | None = None,
    edits: dict[str, object] | None = None,
    mutate: Callable[[dict], None] | None = None,
) -> Path:
    """Write the default scenario to ``path`` as the CLI would read a user's file.

    ``horizon`` and ``warmup`` shorten it (cited as test assumptions; None keeps the default's);
    ``name`` renames it; ``edits`` (dotted path → value, e.g. ``{"staff.forum_bedomare.headcount":
    1}``) set cited values; ``mutate(raw)`` changes the YAML data in any other way, last.
    """
    raw = _default_raw()
    if horizon is not None:
        raw["horizon_days"] = {"value": horizon, "assumption": "short test run"}
    if warmup is not None:
        raw["warmup_days"] = {"value": warmup, "assumption": "short test run"}
    if name is not None:
        raw["name"] = name
    for dotted, value in (edits or {}).items():
        *parents, leaf = dotted.split(".")
        node = raw
        for key in parents:
            node = node[key]
        node[leaf] = {"value": value, "assumption": "test variant"}
    if mutate is not None:
        mutate(raw)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def write_scenario() -> WriteScenario:
    """:func:`_write`: the default scenario, short unless told otherwise, as a YAML file."""
    return _write


@pytest.fixture(scope="session")
def small() -> Scenario:
    """The default design, run for ``SHORT_HORIZON_DAYS`` after ``SHORT_WARMUP_DAYS``: the
    scenario that ``write_scenario(path)`` writes, for tests that run it in several ways.
    """
    data = load_scenario(DEFAULT).model_dump()
    return Scenario.model_validate(
        data | {"horizon_days": SHORT_HORIZON_DAYS, "warmup_days": SHORT_WARMUP_DAYS}
    )


class Interrupt(Exception):
    """Stands in for Ctrl-C or a lost worker in the middle of a run."""


class Interruptions:
    """``at(n)``: a progress callback that raises :attr:`Error` once ``n`` units are done."""

    Error = Interrupt

    @staticmethod
    def at(n: int) -> Callable[[int, int], None]:
        def progress(done: int, _total: int) -> None:
            if done == n:
                raise Interrupt

        return progress


@pytest.fixture(scope="session")
def interrupt() -> Interruptions:
    """Interrupt a run: ``progress=interrupt.at(2)``, then ``pytest.raises(interrupt.Error)``."""
    return Interruptions()


def _assert_same_files(a: Path, b: Path) -> None:
    """Two result folders hold the same results: byte-identical ``kpis.csv`` and
    ``summary.json``, and equal ``events.parquet`` frames.
    """
    for name in ("kpis.csv", "summary.json"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    pd.testing.assert_frame_equal(
        pd.read_parquet(a / "events.parquet"), pd.read_parquet(b / "events.parquet")
    )


@pytest.fixture(scope="session")
def assert_same_files() -> Callable[[Path, Path], None]:
    """:func:`_assert_same_files`."""
    return _assert_same_files
