"""The default scenario still gives the KPIs and event log it gave when the golden file was made.

A failure here means behaviour changed. If that was deliberate, regenerate the file with
``python tests/golden/golden_record.py`` in the same commit and add a line to
``tests/golden/CHANGES.md`` saying what changed and why.
"""

import json
import math

import numpy as np
import pytest
from golden_record import FILE, compute

REL = 1e-9  # KPIs are sums and means of the same events: only rounding may differ


@pytest.fixture(scope="module")
def golden_and_now():
    golden = json.loads(FILE.read_text(encoding="utf-8"))
    return golden, compute()


def test_made_with_the_pinned_numpy_major_version(golden_and_now):
    golden, _ = golden_and_now
    assert int(np.__version__.split(".")[0]) == golden["numpy_major"]


def test_event_log_is_unchanged(golden_and_now):
    golden, now = golden_and_now
    assert now["events"] == golden["events"]


def test_kpis_are_unchanged(golden_and_now):
    golden, now = golden_and_now
    assert now["kpis"].keys() == golden["kpis"].keys()
    for rep, kpis in golden["kpis"].items():
        assert sorted(now["kpis"][rep]) == sorted(kpis), f"replication {rep}: KPI names changed"
        for name, value in kpis.items():
            got = now["kpis"][rep][name]
            if value is None:
                assert got is None, (rep, name, got)
            else:
                assert got is not None and math.isclose(got, value, rel_tol=REL, abs_tol=1e-12), (
                    rep,
                    name,
                    got,
                    value,
                )
