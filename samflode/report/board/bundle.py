"""Read what a board pack reports: a comparison folder, and a plan and a calibration beside it.

The pack is made from files, never from a run: a folder that ``samflode compare`` finished (its
``manifest.json`` is written last, so its presence says the files beside it are complete),
``designs.json`` for the designs' names, descriptions, contents and sources, and, where given, a
``samflode plan`` folder (``plan.json``) and a ``samflode calibrate`` folder (``calibration.json``,
``fit.csv``). A folder that is not such a result is bad input: :class:`BoardPackError` names the
file and what is wrong with it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from samflode.analysis.stats import COMPARISON_COLUMNS
from samflode.execution.outdir import MANIFEST_NAME
from samflode.report.files import DESIGNS_FORMAT, DESIGNS_NAME

COMPARISON_NAME = "comparison.csv"
WARMUP_NAME = "warmup_check.csv"
PLAN_NAME = "plan.json"
CALIBRATION_NAME = "calibration.json"
FIT_NAME = "fit.csv"


class BoardPackError(ValueError):
    """A result folder the board pack cannot be made from (for the user: names file and field)."""


@dataclass(frozen=True)
class Bundle:
    """The files of one comparison (and optionally a plan and a calibration), read and checked."""

    folder: Path
    manifest: dict[str, Any]
    table: pd.DataFrame
    designs: list[dict[str, Any]]
    warmup: pd.DataFrame | None = None
    plan: dict[str, Any] | None = None
    calibration: dict[str, Any] | None = None
    fit: pd.DataFrame | None = None

    @property
    def names(self) -> list[str]:
        """Design names, the reference first (the order compared)."""
        return [d["name"] for d in self.designs]

    @property
    def reference(self) -> str:
        """The design every difference is measured against."""
        return self.names[0]

    @property
    def replications(self) -> int:
        """Replications per design."""
        return int(self.manifest["replications"])

    def label(self, name: str) -> str:
        """A design's name for people: its title, or its name without one."""
        return self.design(name).get("title") or name

    @property
    def labels(self) -> list[str]:
        """Every design's :meth:`label`, the reference first."""
        return [self.label(n) for n in self.names]

    def design(self, name: str) -> dict[str, Any]:
        """One design's record of designs.json."""
        return next(d for d in self.designs if d["name"] == name)

    @cached_property
    def _cells(self) -> dict[tuple[str, str], dict[str, float]]:
        # The paper reads thousands of cells; one pass over the table, not one filter per cell.
        numbers = self.table.drop(columns=["kpi", "scenario"])
        keys = zip(self.table["kpi"], self.table["scenario"], strict=True)
        return dict(zip(keys, numbers.to_dict("records"), strict=True))

    def cell(self, kpi: str, name: str, column: str = "mean") -> float:
        """One number of comparison.csv (NaN when the KPI does not apply to the design)."""
        row = self._cells.get((kpi, name))
        return float(row[column]) if row is not None else float("nan")

    def has(self, kpi: str) -> bool:
        """Whether any design has a value for ``kpi``."""
        rows = self.table[self.table["kpi"] == kpi]
        return bool(len(rows)) and bool(rows["mean"].notna().any())


def _json(path: Path) -> dict[str, Any]:
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise BoardPackError(f"{path}: cannot be read ({exc})") from None
    except json.JSONDecodeError as exc:
        raise BoardPackError(f"{path}: not valid JSON (line {exc.lineno}: {exc.msg})") from None
    if not isinstance(body, dict):
        raise BoardPackError(f"{path}: must hold a JSON object")
    return body


def _csv(path: Path, columns: tuple[str, ...] | list[str]) -> pd.DataFrame:
    try:
        frame = pd.read_csv(path)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise BoardPackError(f"{path}: cannot be read as CSV ({exc})") from None
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise BoardPackError(f"{path}: missing columns {', '.join(missing)}")
    return frame


def _require(folder: Path, name: str, what: str) -> Path:
    path = folder / name
    if not path.is_file():
        raise BoardPackError(f"{folder}: no {name} ({what})")
    return path


def read_bundle(
    folder: str | Path,
    *,
    plan_dir: str | Path | None = None,
    calibration_dir: str | Path | None = None,
) -> Bundle:
    """Read a ``samflode compare`` folder, and a plan and a calibration folder where given.

    Without ``plan_dir`` / ``calibration_dir``, subfolders ``plan/`` and ``calibration/`` of
    ``folder`` are used when they hold a finished result.

    Raises
    ------
    BoardPackError
        When a folder or file is missing, unfinished or not of the expected kind.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise BoardPackError(f"RESULT_DIR: {folder} is not a folder")
    manifest = _json(
        _require(folder, MANIFEST_NAME, "not a finished samflode result: run samflode compare")
    )
    table_path = _require(folder, COMPARISON_NAME, "not a samflode compare folder")
    designs_path = _require(
        folder, DESIGNS_NAME, "written by samflode compare since the board pack; run compare again"
    )
    for field in ("seed", "replications", "scenarios"):
        if field not in manifest:
            raise BoardPackError(f"{folder / MANIFEST_NAME}: field {field!r} missing")
    table = _csv(table_path, COMPARISON_COLUMNS)
    body = _json(designs_path)
    if body.get("format") != DESIGNS_FORMAT:
        raise BoardPackError(
            f"{designs_path}: format: must be {DESIGNS_FORMAT!r} (got {body.get('format')!r})"
        )
    designs = body.get("designs")
    if not isinstance(designs, list) or len(designs) < 2:
        raise BoardPackError(f"{designs_path}: designs: must list at least two designs")
    names = [d.get("name") for d in designs]
    unknown = sorted(set(table["scenario"]) - set(names))
    if unknown:
        raise BoardPackError(
            f"{table_path}: scenario: {', '.join(map(str, unknown))} not in {DESIGNS_NAME}"
        )
    warmup = folder / WARMUP_NAME
    plan, calibration, fit = None, None, None
    plan_folder = Path(plan_dir) if plan_dir is not None else folder / "plan"
    if plan_dir is not None or (plan_folder / PLAN_NAME).is_file():
        plan = _json(_require(plan_folder, PLAN_NAME, "not a samflode plan folder"))
    cal_folder = Path(calibration_dir) if calibration_dir is not None else folder / "calibration"
    if calibration_dir is not None or (cal_folder / CALIBRATION_NAME).is_file():
        calibration = _json(
            _require(cal_folder, CALIBRATION_NAME, "not a samflode calibrate folder")
        )
        fit = _csv(
            _require(cal_folder, FIT_NAME, "not a samflode calibrate folder"),
            ("target", "kpi", "holdout", "observed", "predicted_mean", "within_90"),
        )
    return Bundle(
        folder=folder,
        manifest=manifest,
        table=table,
        designs=designs,
        warmup=pd.read_csv(warmup) if warmup.is_file() else None,
        plan=plan,
        calibration=calibration,
        fit=fit,
    )
