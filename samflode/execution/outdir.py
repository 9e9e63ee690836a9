"""An output folder held by one experiment at a time, and the manifest that says it finished.

Two runs writing into one folder would mix their replications silently (the second clears the
first one's checkpoint and writes its own under the same names). So an experiment first
*claims* its folder (:func:`claim`): an exclusive ``flock`` on ``OUT/.samflode.lock``, held until
it ends, however it ends. The kernel releases the lock when the process dies, even by SIGKILL, so
a stale lock file never blocks anyone; a second claim is refused with the holder's PID and
command. A folder the claim created is removed again if the experiment fails before writing
anything (no output folder for bad input).

The results manifest (``OUT/manifest.json``, :func:`write_manifest`) is written last, after every
result file: its presence says the files beside it are complete and belong together. A claim
removes an earlier run's manifest before any work starts, so an interrupted or failed run never
leaves a manifest that claims work it did not do.
"""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import hashlib
import json
import os
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from samflode.execution.atomic import write_atomically

LOCK_NAME = ".samflode.lock"
MANIFEST_NAME = "manifest.json"
RESULTS_FORMAT = "samflode-results/1"


class OutputFolderError(ValueError):
    """An output folder that cannot be used (in use, not a folder, not ours to clear)."""


@dataclass(frozen=True)
class Claim:
    """A folder held by this process: ``created`` says whether the claim made it."""

    path: Path
    created: bool


def check_out_path(text: str) -> Path:
    """The output folder named by ``--out``; an empty name is refused (it would mean the
    current folder without saying so).
    """
    if not text.strip():
        raise OutputFolderError("--out: must name a folder (got an empty name; use . for here)")
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise OutputFolderError(f"--out: {path} exists and is not a directory")
    return path


@contextmanager
def claim(path: Path, command: str) -> Iterator[Claim]:
    """Hold ``path`` for one experiment (see the module docstring); release it on any exit.

    Raises OutputFolderError if another process holds it, or it cannot be created.
    """
    created = not path.exists()
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputFolderError(f"--out: cannot create {path} ({exc.strerror})") from None
    try:
        fd = _lock(path / LOCK_NAME, command)
    except BaseException:
        if created:
            _remove_if_empty(path)
        raise
    held = Claim(path, created)
    finished = False
    try:
        _remove_manifest(path)
        yield held
        finished = True
    finally:
        _unlock(path / LOCK_NAME, fd)
        if not finished and created:
            _remove_if_empty(path)


def _lock(lock: Path, command: str) -> int:
    """An fd holding an exclusive lock on ``lock``, with the holder's details written in it."""
    for _ in range(10):
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            raise OutputFolderError(
                f"--out: cannot write in {lock.parent} ({exc.strerror})"
            ) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            holder = _holder(fd)
            os.close(fd)
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise OutputFolderError(
                    f"--out: cannot lock {lock} ({exc.strerror})"
                ) from None
            raise OutputFolderError(
                f"--out: {lock.parent} is in use by another samflode run ({holder}); wait for "
                "it to finish or choose another --out"
            ) from None
        # The lock file may have been removed (its holder finished) between our open and flock:
        # then we hold a lock on a file nobody else can see, and must try again.
        try:
            same = os.stat(lock).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            holder = {
                "pid": os.getpid(),
                "host": socket.gethostname(),
                "command": command,
                "since": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            }
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps(holder).encode("utf-8"), 0)
            return fd
        os.close(fd)
    raise OutputFolderError(f"--out: could not lock {lock} (other runs keep taking it)")


def _holder(fd: int) -> str:
    try:
        info = json.loads(os.pread(fd, 4096, 0).decode("utf-8"))
        return f"pid {info['pid']} on {info['host']}, `{info['command']}`, since {info['since']}"
    except (OSError, ValueError, KeyError, TypeError):
        return "a process that has not yet written its details"


def _unlock(lock: Path, fd: int) -> None:
    # Removed while still locked, so nobody can lock the old file after we let go.
    try:
        lock.unlink()
    except FileNotFoundError:
        pass
    finally:
        os.close(fd)


def _remove_if_empty(path: Path) -> None:
    """Remove a folder the claim created, if nothing is in it (a failed run leaves no trace)."""
    try:
        path.rmdir()  # refused by the OS unless empty
    except OSError:
        pass


def _remove_manifest(path: Path) -> None:
    manifest = path / MANIFEST_NAME
    if not manifest.exists():
        return
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        data = None
    if not isinstance(data, dict) or data.get("format") != RESULTS_FORMAT:
        raise OutputFolderError(
            f"--out: {manifest} exists and was not written by samflode; samflode never "
            "overwrites what it did not write: move it away or choose another --out"
        )
    manifest.unlink()


def write_manifest(path: Path, files: list[Path], **facts: object) -> Path:
    """Write ``OUT/manifest.json`` last: the files with their sizes and SHA-256, the samflode
    version and command line, and ``facts`` (seed, replications, scenario digests …).
    """
    from importlib.metadata import PackageNotFoundError, version

    try:
        samflode_version = version("samflode")
    except PackageNotFoundError:  # pragma: no cover - run from a source tree without install
        samflode_version = "unknown"
    payload = {
        "format": RESULTS_FORMAT,
        "samflode_version": samflode_version,
        "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
        "finished": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        **facts,
        "files": {
            os.path.relpath(f, path): {"bytes": f.stat().st_size, "sha256": _sha256(f)}
            for f in files
        },
    }
    text = json.dumps(payload, indent=2, ensure_ascii=False, default=str)
    write_atomically(path, {MANIFEST_NAME: lambda p: p.write_text(text, encoding="utf-8")})
    return path / MANIFEST_NAME


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
