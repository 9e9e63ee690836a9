"""Checkpoints: each finished replication written to disk at once, so a long run can be resumed.

``run``, ``compare`` and ``sweep`` all run many independent units of work (one replication of one
design or grid point). A :class:`Checkpoint` is a folder in which each unit's files are written as
soon as it finishes — all files of a unit renamed into place together, the KPI file last, so that
file's existence means the unit is complete — next to a manifest saying what experiment they belong
to. An interrupted run (Ctrl-C, a killed worker, a lost machine) is resumed by running only the
units whose KPI file is missing; a manifest that differs (another scenario, seed or grid) is refused
(:class:`CheckpointError`) rather than mixed in. Nothing is lost or counted twice: a unit is either
complete on disk or run again.

A folder is only ever cleared when it is recognisably a checkpoint (:func:`is_checkpoint`: a
samflode manifest and nothing but samflode's own file names), never a user's folder that happens
to be called ``replications``.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path

from samflode.config.scenario import Scenario
from samflode.execution.atomic import write_atomically

MANIFEST = "manifest.json"
KPIS_SUFFIX = ".json"
FORMAT = "samflode-checkpoint/1"
# What a checkpoint folder may hold: units (rep-NNNNN.*) in groups (design-NN, point-NNNN, and
# point-NNNN-SS: scenario SS at a calibration's point NNNN), the
# manifest, and the temporary files of a write that was interrupted (.NAME.XXXX.tmp).
_UNIT_FILE = re.compile(r"^(rep-\d{5}\.(json|parquet|npz)|manifest\.json|\..+\.tmp)$")
# design-NN (compare), point-NNNN[-SS] (sweep, calibration), plan-SS-V1_V2… (plan: inflow scale
# number and the candidate's lever values).
_GROUP_DIR = re.compile(r"^(design-\d{2,}|point-\d{4,}(-\d{2,})?|plan-\d{2,}-\d+(_\d+)*)$")


def scenario_digest(scenario: Scenario) -> str:
    """SHA-256 of the validated scenario: equal exactly when every value is equal."""
    return hashlib.sha256(scenario.model_dump_json().encode("utf-8")).hexdigest()


class CheckpointError(ValueError):
    """A checkpoint that cannot be resumed (it belongs to another experiment); for the user."""


class Checkpoint:
    """A folder of finished units, keyed ``"<group>/rep-NNNNN"`` or ``"rep-NNNNN"``.

    Parameters
    ----------
    folder
        Where the units go (created if missing).
    manifest
        JSON-able description of the experiment (scenarios' digests, seed, grid …).
    resume
        Keep the units already in ``folder`` if its manifest equals ``manifest`` (ValueError if it
        differs); without it, any earlier units are removed first.
    """

    def __init__(self, folder: str | Path, manifest: dict, *, resume: bool) -> None:
        self.folder = Path(folder)
        manifest = {"format": FORMAT, **manifest}
        path = self.folder / MANIFEST
        if self.folder.exists() and any(self.folder.iterdir()) and not is_checkpoint(self.folder):
            raise CheckpointError(
                f"{self.folder} exists and is not a samflode checkpoint (no samflode "
                f"{MANIFEST}, or files samflode did not write); samflode never deletes what it "
                "did not write: move it away or choose another --out"
            )
        if resume and path.exists():
            earlier = _read_json(path)
            if earlier != manifest:
                raise CheckpointError(
                    f"--resume: the replications in {self.folder} belong to another experiment "
                    f"(scenario, seed or grid differ: {_difference(earlier, manifest)}); "
                    "run without --resume to start afresh"
                )
        elif self.folder.exists():
            shutil.rmtree(self.folder)
        write_atomically(self.folder, {MANIFEST: lambda p: p.write_text(json.dumps(manifest))})

    @staticmethod
    def key(replication: int, group: str | None = None) -> str:
        """The key of replication ``replication`` (of ``group``, a design or grid point)."""
        name = f"rep-{replication:05d}"
        return name if group is None else f"{group}/{name}"

    @staticmethod
    def replication(key: str) -> int:
        """The replication number in a unit's key (the inverse of :meth:`key`)."""
        return int(key.rsplit("rep-", 1)[1])

    def path(self, key: str, suffix: str) -> Path:
        """The file of unit ``key`` with ``suffix`` (e.g. ``.parquet``)."""
        return self.folder / f"{key}{suffix}"

    def done(self, keys: Iterable[str]) -> set[str]:
        """Those of ``keys`` complete on disk (their KPI file exists)."""
        return {k for k in keys if self.path(k, KPIS_SUFFIX).exists()}

    def write(
        self, key: str, kpis: dict, files: dict[str, Callable[[Path], None]] | None = None
    ) -> None:
        """Write unit ``key``: ``files`` (suffix → writer) and then its KPIs, atomically.

        json keeps floats exactly (the shortest repr round-trips) and writes NaN as NaN.
        """
        folder = self.path(key, "").parent
        name = self.path(key, "").name
        writers = {name + suffix: write for suffix, write in (files or {}).items()}
        # Renamed in this order, KPIs last: its existence says the unit is complete.
        writers[name + KPIS_SUFFIX] = lambda p: p.write_text(json.dumps(kpis), encoding="utf-8")
        write_atomically(folder, writers)

    def kpis(self, key: str) -> dict:
        """The KPIs of a complete unit."""
        kpis = _read_json(self.path(key, KPIS_SUFFIX))
        if not isinstance(kpis, dict):
            raise CheckpointError(f"{self.path(key, KPIS_SUFFIX)}: {_CORRUPT}")
        return kpis

    def remove(self) -> None:
        """Delete the folder: once the final files are written, the checkpoint has done its job."""
        shutil.rmtree(self.folder, ignore_errors=True)


_CORRUPT = (
    "corrupted checkpoint file (not what samflode wrote); delete it to run that replication "
    "again, or run without --resume to start afresh"
)


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise CheckpointError(f"{path}: {_CORRUPT} ({exc})") from None


def is_checkpoint(folder: Path) -> bool:
    """Whether ``folder`` is a samflode checkpoint: its manifest is samflode's, and it holds only
    the file names samflode writes (so clearing it can never delete a user's files).
    """
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return False
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        return False
    for entry in folder.iterdir():
        if entry.is_symlink():
            return False
        if entry.is_dir():
            if not _GROUP_DIR.match(entry.name):
                return False
            if any(not (f.is_file() and _UNIT_FILE.match(f.name)) for f in entry.iterdir()):
                return False
        elif not _UNIT_FILE.match(entry.name):
            return False
    return True


def remove_if_unused(folder: Path) -> None:
    """Remove a checkpoint in which no unit finished (a run that failed before any work was
    done); a checkpoint with finished units, or a folder that is not a checkpoint, is left alone.
    """
    if folder.is_dir() and is_checkpoint(folder):
        if not any(folder.rglob(f"rep-*{KPIS_SUFFIX}")):
            shutil.rmtree(folder, ignore_errors=True)


def _difference(earlier: dict, now: dict) -> str:
    keys = sorted(k for k in set(earlier) | set(now) if earlier.get(k) != now.get(k))
    return ", ".join(keys) or "unknown"
