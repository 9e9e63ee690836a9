"""Golden back test: the default scenario's KPIs and a fingerprint of its event log, for one seed.

``python tests/golden/golden_record.py`` rewrites ``nacka-forum.json`` from the current code. Do
that only for a deliberate change of behaviour, in the same commit as the change, with a line in
``CHANGES.md`` saying what changed and why; an unexplained difference is a regression.

The fingerprint is the SHA-256 of the log in a canonical text form: the columns in a fixed order,
categories as text, numbers rounded to 12 significant digits (so the last bit of a libm function
cannot change it, while any change of an event, its order or a time beyond 1e-12 relative does).
The random streams come from numpy's ``Generator``, whose bit streams numpy may change in a new
major version, so the file records the numpy major version it was made with and ``pyproject.toml``
pins that major version.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from samflode import load_scenario, simulate

HERE = Path(__file__).resolve().parent
FILE = HERE / "nacka-forum.json"
SPEC = {"scenario": "nacka-forum", "seed": 20261202, "replications": 2}
DIGITS = 12


def fingerprint(events: pd.DataFrame) -> str:
    """SHA-256 of the event log in canonical text form (see the module docstring)."""
    h = hashlib.sha256()
    columns = list(events.columns)
    h.update(("\t".join(columns) + "\n").encode())
    frame = events.copy()
    for column in columns:
        values = frame[column]
        if pd.api.types.is_float_dtype(values):
            frame[column] = [f"{v:.{DIGITS}g}" for v in values.to_numpy()]
        else:
            frame[column] = values.astype(str)
    for row in frame.itertuples(index=False):
        h.update(("\t".join(row) + "\n").encode())
    return h.hexdigest()


def compute() -> dict:
    """The golden record of the current code."""
    result = simulate(
        load_scenario(SPEC["scenario"]), seed=SPEC["seed"], replications=SPEC["replications"]
    )
    kpis: dict[str, dict[str, float | None]] = {}
    for row in result.kpis.itertuples(index=False):
        value = None if np.isnan(row.value) else float(row.value)
        kpis.setdefault(str(row.replication), {})[row.kpi] = value
    return {
        "spec": SPEC,
        "numpy_major": int(np.__version__.split(".")[0]),
        "kpis": kpis,
        "events": {"rows": len(result.events), "sha256": fingerprint(result.events)},
    }


def main() -> None:
    """Rewrite the golden file (for a deliberate change of behaviour; see CHANGES.md)."""
    record = compute()
    FILE.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    sys.stdout.write(f"wrote {FILE} ({record['events']['rows']} events)\n")


if __name__ == "__main__":
    main()
