"""Atomic writing: a reader never sees a half-written result file.

Every result file (final outputs, checkpoints, figures) goes through :func:`write_atomically`: it is
written in full under a temporary name in its destination folder and renamed into place
(``os.replace``, atomic on one file system) only once every file of the group is complete.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def _read_umask() -> int:
    # os.umask can only be read by setting it; done once, at import, while no other thread of
    # ours runs (the dashboard's Streamlit threads and Dask's client threads start later).
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


UMASK = _read_umask()


def write_atomically(out_dir: str | Path, writers: dict[str, Callable[[Path], None]]) -> list[Path]:
    """Write every file in ``writers`` (name → function writing to a path) into ``out_dir``.

    Each file is first written in full under a temporary name in the same directory, and only when
    all are complete are they renamed into place (``os.replace``, atomic on one file system). So a
    reader never sees a half-written file, and a failure while writing leaves the old files as
    they were. The renames themselves run one after another: a crash between two of them leaves
    some new files beside some old ones (a lock and a completion marker are the reliability
    issue's job).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    temps: list[tuple[Path, Path]] = []
    try:
        for name, write in writers.items():
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=out)
            os.close(fd)
            temps.append((Path(tmp), out / name))
            write(Path(tmp))
            # mkstemp creates 0600 files; results are ordinary files, readable per the umask.
            os.chmod(tmp, 0o666 & ~UMASK)
        for tmp, final in temps:
            os.replace(tmp, final)
    finally:
        for tmp, _ in temps:
            if tmp.exists():
                tmp.unlink()
    return [final for _, final in temps]


