"""The event log follows its documented schema, in every bundled design, for every event."""

from pathlib import Path

import numpy as np
import pytest

from samflode import load_scenario
from samflode.config.loader import bundled_names
from samflode.config.variants import variant
from samflode.eventlog.schema import SCHEMA, check_log, markdown_table
from samflode.execution.tasks import run_one

ROOT = Path(__file__).resolve().parents[2]
SHORT = {"horizon_days": 500, "warmup_days": 60}
TURNOVER = {
    "per_year": 2.0,
    "vacancy": {"dist": "fixed", "value": 20, "unit": "days"},
    "learning_days": 30,
}


def _short(name: str):
    sc = load_scenario(name)
    return variant(sc, {k: min(v, getattr(sc, k)) for k, v in SHORT.items()}, origin=name)


@pytest.fixture(scope="module")
def logs():
    """One short replication of every bundled design, plus one with staff turnover."""
    runs = {name: _short(name) for name in bundled_names()}
    base = runs["nacka-forum"]
    data = base.model_dump()
    data["staff"]["forum_bedomare"]["turnover"] = TURNOVER
    runs["nacka-forum+turnover"] = type(base).model_validate(data)
    return {name: (sc, run_one(sc, 5, 0)[0]) for name, sc in runs.items()}


def test_every_design_logs_by_the_schema(logs):
    problems = {name: check_log(events, sc) for name, (sc, events) in logs.items()}
    assert not any(problems.values()), {k: v for k, v in problems.items() if v}


def test_every_event_of_the_schema_occurs(logs):
    # So the schema has no dead entries and the check above has seen every kind.
    seen = set().union(*(set(events["event"].astype(str)) for _, events in logs.values()))
    assert seen == set(SCHEMA), set(SCHEMA) ^ seen


def test_a_departure_from_the_schema_is_reported(logs):
    sc, events = logs["nacka-forum"]
    broken = events.copy()
    arrived = broken.index[broken["event"] == "arrived"][:3]
    broken.loc[arrived, "value"] = np.nan
    problems = check_log(broken, sc)
    assert any("arrived: value (difficulty (1–3)) missing in 3 rows" in p for p in problems)


def test_the_readme_table_is_the_schema():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert markdown_table() in readme
