"""Faults around real ``samflode`` processes: the output-folder lock, folders that are not
samflode's, the output manifest, signals to the parent, and the worker processes left behind.

Every command runs as a subprocess of the console script next to ``sys.executable``, in a session
of its own. Every wait polls a condition with a generous cap; the only fixed waits are the
observation windows in which nothing may happen. The ``procs`` fixture SIGKILLs whatever a test
started (the session, and every descendant seen while it ran), so a failing test leaves nothing
behind.

"Long" runs use the default design over 700 days, whose replications take about a second each,
so that a signal reliably arrives in the middle of a run of 8 replications on 2 workers.

Not here: SIGTERM to ``samflode dashboard`` (the port is free afterwards), which
tests/packaging/test_install.py::test_the_dashboard_serves_and_stops_on_sigterm checks.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

SAMFLODE = Path(sys.executable).with_name("samflode")
LONG_HORIZON_DAYS = 700.0
SEED = 7
LONG = ["--replications", "8", "--workers", "2", "--seed", str(SEED)]
SHORT = ["--replications", "2", "--workers", "1"]
HEADCOUNT = "staff.forum_bedomare.headcount"
RESULT_FILES = ("events.parquet", "kpis.csv", "summary.json")
LOCK = ".samflode.lock"
MANIFEST = "manifest.json"

START_CAP_S = 120.0  # until the first replication of a run is on disk
EXIT_CAP_S = 60.0  # until a signalled or refused process has exited
RUN_CAP_S = 300.0  # a whole run
CHILDREN_CAP_S = 30.0  # until the children of a dead parent are gone
EOF_CAP_S = 60.0  # until the parent's stdout reaches end of file
GRACE_S = 1.0  # writes this soon after the parent's death are tolerated
QUIET_S = 5.0  # then nothing may change in OUT/replications for this long
CONNECT_CAP_S = 120.0  # a closed scheduler port: the connection attempt gives up after ~10 s


# ------------------------------------------------------------------------------------ processes


def _stat(pid: int) -> tuple[str, int, int, int] | None:
    """(state, ppid, session, start time) of ``pid`` from /proc, or None if there is none."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    fields = text[text.rindex(")") + 2 :].split()
    return fields[0], int(fields[1]), int(fields[3]), int(fields[19])


def _alive(pid: int, start: int) -> bool:
    """The process ``pid`` that started at ``start`` still exists (a zombie counts as gone)."""
    stat = _stat(pid)
    return stat is not None and stat[3] == start and stat[0] not in ("Z", "X")


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return found
    for task in tasks:
        try:
            found.update(int(c) for c in (task / "children").read_text().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError, ValueError):
            pass
    return found


def _descendants(pid: int) -> dict[int, int]:
    """Every living descendant of ``pid``: pid → start time."""
    found: dict[int, int] = {}
    todo = [pid]
    while todo:
        for child in _children(todo.pop()):
            stat = _stat(child)
            if stat is not None and child not in found:
                found[child] = stat[3]
                todo.append(child)
    return found


def _session(sid: int, since: int) -> dict[int, int]:
    """Every living process of session ``sid`` started at or after ``since``: pid → start time."""
    found: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            stat = _stat(int(entry.name))
            if stat is not None and stat[2] == sid and stat[3] >= since:
                found[int(entry.name)] = stat[3]
    return found


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return ""


def _default_signals() -> None:
    # Whatever started the tests may have ignored SIGINT (a background job): the child must not.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


@dataclass
class Job:
    """A running ``samflode`` command: its process, stderr file and stdout (read by a thread)."""

    proc: subprocess.Popen
    argv: list[str]
    err_path: Path
    started: float
    start_ticks: int  # the parent's start time in /proc (clock ticks since boot)
    stdout: bytearray = field(default_factory=bytearray)
    eof: threading.Event = field(default_factory=threading.Event)
    seen: dict[int, int] = field(default_factory=dict)  # every descendant ever seen

    @property
    def pid(self) -> int:
        return self.proc.pid

    def stderr(self) -> str:
        return self.err_path.read_text(encoding="utf-8", errors="replace")

    def watch(self) -> dict[int, int]:
        """Record the descendants alive now (and return them)."""
        now = _descendants(self.pid)
        self.seen.update(now)
        return now

    def describe(self) -> str:
        return (
            f"{' '.join(self.argv)}\nexit {self.proc.returncode}\nstderr: {self.stderr()[-3000:]}"
        )


class Procs:
    """Starts samflode commands and, at the end of the test, kills what is left of them."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.jobs: list[Job] = []

    def start(self, *args: str, cwd: Path | None = None) -> Job:
        err_path = self.tmp / f"stderr-{len(self.jobs)}.txt"
        argv = [str(SAMFLODE), *map(str, args)]
        with err_path.open("wb") as err:  # the child has its own copy of the descriptor
            proc = subprocess.Popen(
                argv,
                cwd=cwd or self.tmp,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=err,
                start_new_session=True,
                preexec_fn=_default_signals,
            )
        stat = _stat(proc.pid)  # not reaped yet, so this pid is still the child's
        job = Job(proc, argv, err_path, time.monotonic(), stat[3] if stat else 0)
        self.jobs.append(job)
        reader = threading.Thread(target=_drain, args=(job,), daemon=True)
        reader.start()
        return job

    def run(self, *args: str, cap: float = RUN_CAP_S, cwd: Path | None = None) -> Job:
        """Start a command and wait for it to exit (within ``cap``), watching its descendants."""
        job = self.start(*args, cwd=cwd)
        exited = poll(lambda: job.proc.poll() is not None, cap, job.watch)
        assert exited, f"not finished within {cap:.0f} s: {job.describe()}"
        return job

    def cleanup(self) -> None:
        for job in self.jobs:
            if job.proc.poll() is None:  # not reaped: the process group is still ours
                try:
                    os.killpg(job.pid, signal.SIGKILL)  # pgid = sid = the parent's pid
                except (ProcessLookupError, PermissionError):
                    pass
            # Orphans: every descendant seen, and whatever else is left of the parent's session.
            left = dict(job.seen) | _session(job.pid, job.start_ticks)
            for pid, start in left.items():
                if _alive(pid, start):
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except (ProcessLookupError, PermissionError):
                        pass
            try:
                job.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pass
            if job.proc.stdout is not None:
                job.eof.wait(timeout=5)


def _drain(job: Job) -> None:
    stream = job.proc.stdout
    assert stream is not None
    try:
        while chunk := stream.read1(65536):
            job.stdout.extend(chunk)
    except (OSError, ValueError):
        pass
    finally:
        job.eof.set()


def poll(condition: Callable[[], bool], cap: float, also: Callable[[], object] = lambda: None):
    """Wait until ``condition()`` holds (True) or ``cap`` seconds pass (False); ``also()`` runs
    at every step (to record descendants while a run works).
    """
    deadline = time.monotonic() + cap
    while True:
        also()
        if condition():
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)


@pytest.fixture
def procs(tmp_path):
    tracker = Procs(tmp_path)
    yield tracker
    tracker.cleanup()


# ------------------------------------------------------------------------------------ scenarios


@pytest.fixture(scope="module")
def files(tmp_path_factory, write_scenario) -> dict[str, Path]:
    """Scenario files: short (60 days) and long (2000 days), each also as a second design."""
    base = tmp_path_factory.mktemp("scenarios")
    return {
        "short": write_scenario(base / "short.yaml"),
        "short_b": write_scenario(base / "short_b.yaml", name="short_b"),
        "long": write_scenario(base / "long.yaml", horizon=LONG_HORIZON_DAYS, warmup=None),
        "long_b": write_scenario(
            base / "long_b.yaml",
            horizon=LONG_HORIZON_DAYS,
            warmup=None,
            name="long_b",
            edits={HEADCOUNT: 3},
        ),
    }


@pytest.fixture(scope="module")
def reference(files, tmp_path_factory) -> bytes:
    """kpis.csv of an uninterrupted long run (8 replications, seed SEED) in a folder of its own."""
    out = tmp_path_factory.mktemp("reference") / "out"
    tracker = Procs(out.parent)
    try:
        job = tracker.run("run", files["long"], *LONG, "--out", out)
        assert job.proc.returncode == 0, job.describe()
    finally:
        tracker.cleanup()
    return (out / "kpis.csv").read_bytes()


# ------------------------------------------------------------------------------------ helpers


def _reps(out: Path) -> list[Path]:
    return sorted((out / "replications").rglob("rep-*.json"))


def _wait_for_a_replication(job: Job, out: Path) -> None:
    """Until the first replication of ``job`` is in ``out/replications`` (the run is working)."""
    started = poll(lambda: bool(_reps(out)) or job.proc.poll() is not None, START_CAP_S, job.watch)
    assert started, f"no replication on disk within {START_CAP_S:.0f} s: {job.describe()}"
    assert job.proc.poll() is None, f"finished before it could be interrupted: {job.describe()}"
    job.watch()


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    if not folder.exists():
        return {}
    return {
        str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in folder.rglob("*")
        if p.is_file()
    }


def _no_traceback(job: Job) -> None:
    text = job.stderr() + job.stdout.decode("utf-8", "replace")
    assert "Traceback" not in text, job.describe()


def _pause(job: Job) -> None:
    os.killpg(job.pid, signal.SIGSTOP)


def _resume(job: Job) -> None:
    try:
        os.killpg(job.pid, signal.SIGCONT)
    except ProcessLookupError:
        pass


def _names_pid(text: str, pid: int) -> bool:
    return re.search(rf"(?<!\d){pid}(?!\d)", text) is not None


def _assert_refused_as_in_use(job: Job, holder: Job) -> None:
    assert job.proc.returncode == 2, job.describe()
    _no_traceback(job)
    err = job.stderr()
    assert "error:" in err and "--out" in err and "in use" in err, err
    assert _names_pid(err, holder.pid), f"the message does not name pid {holder.pid}: {err}"


# ------------------------------------------------------------------------------------ lock


def test_a_second_command_on_a_busy_out_is_refused_and_the_first_is_untouched(
    files, reference, procs, tmp_path
):
    out = tmp_path / "out"
    first = procs.start("run", files["long"], *LONG, "--out", out)
    _wait_for_a_replication(first, out)
    # Stopped, the first run still holds OUT, for as long as the second commands take.
    _pause(first)
    try:
        assert (out / LOCK).exists(), sorted(p.name for p in out.iterdir())
        others = {
            "run": ["run", files["short"], *SHORT, "--seed", "2", "--out", out],
            "compare": ["compare", files["short"], files["short_b"], *SHORT, "--out", out],
            "sweep": ["sweep", files["short"], "--grid", f"{HEADCOUNT}=3,4", *SHORT, "--out", out],
            "run --resume": ["run", files["long"], *LONG, "--resume", "--out", out],
        }
        for name, argv in others.items():
            second = procs.run(*argv, cap=EXIT_CAP_S)
            assert second.proc.returncode == 2, f"{name}: {second.describe()}"
            _assert_refused_as_in_use(second, first)
    finally:
        _resume(first)
    assert poll(lambda: first.proc.poll() is not None, RUN_CAP_S, first.watch), first.describe()
    assert first.proc.returncode == 0, first.describe()
    assert (out / "kpis.csv").read_bytes() == reference, "the first run's results were changed"
    assert not (out / "replications").exists()

    # The lock went with the first run: OUT can be used again.
    again = procs.run("run", files["short"], *SHORT, "--out", out)
    assert again.proc.returncode == 0, again.describe()


@pytest.mark.parametrize("command", ["compare", "sweep"])
def test_compare_and_sweep_hold_the_lock_too(command, files, procs, tmp_path):
    out = tmp_path / "out"
    if command == "compare":
        argv = ["compare", files["long"], files["long_b"]]
    else:
        argv = ["sweep", files["long"], "--grid", f"{HEADCOUNT}=3,4"]
    first = procs.start(*argv, "--replications", "3", "--workers", "2", "--out", out)
    _wait_for_a_replication(first, out)
    _pause(first)
    try:
        second = procs.run("run", files["short"], *SHORT, "--out", out, cap=EXIT_CAP_S)
        _assert_refused_as_in_use(second, first)
    finally:
        _resume(first)
    assert poll(lambda: first.proc.poll() is not None, RUN_CAP_S, first.watch), first.describe()
    assert first.proc.returncode == 0, first.describe()
    assert not (out / "replications").exists()


# ------------------------------------------------------------------------------------ folders


@pytest.mark.parametrize("command", ["run", "compare", "sweep"])
def test_a_replications_folder_that_is_not_samflodes_is_never_deleted(
    command, files, procs, tmp_path
):
    out = tmp_path / "out"
    notes = out / "replications" / "sub" / "notes.txt"
    notes.parent.mkdir(parents=True)
    notes.write_text("my thesis\n", encoding="utf-8")
    argv = {
        "run": ["run", files["short"]],
        "compare": ["compare", files["short"], files["short_b"]],
        "sweep": ["sweep", files["short"], "--grid", f"{HEADCOUNT}=3,4"],
    }[command]
    job = procs.run(*argv, *SHORT, "--out", out, cap=RUN_CAP_S)
    assert job.proc.returncode == 2, job.describe()
    _no_traceback(job)
    assert "error:" in job.stderr() and str(out / "replications") in job.stderr(), job.describe()
    assert notes.read_text(encoding="utf-8") == "my thesis\n"
    left = sorted(p.name for p in out.iterdir() if p.name != LOCK)
    assert left == ["replications"], f"results written next to the user's folder: {left}"


def test_a_run_refused_after_claiming_a_new_folder_leaves_nothing(files, procs, tmp_path):
    """A closed scheduler port (the one slow case): exit 2 after the connection attempt, and OUT,
    which did not exist, still does not.
    """
    out = tmp_path / "new" / "out"
    job = procs.run(
        "run",
        files["short"],
        *SHORT,
        "--scheduler",
        "tcp://127.0.0.1:1",
        "--out",
        out,
        cap=CONNECT_CAP_S,
    )
    assert job.proc.returncode == 2, job.describe()
    _no_traceback(job)
    assert "error:" in job.stderr() and "--scheduler" in job.stderr(), job.describe()
    assert not (out / "replications").exists()
    assert not out.exists(), sorted(str(p) for p in out.rglob("*"))


# ------------------------------------------------------------------------------------ manifest


def test_the_output_manifest_is_written_last_and_an_interrupted_run_removes_it(
    files, procs, tmp_path
):
    out = tmp_path / "out"
    done = procs.run("run", files["short"], *SHORT, "--seed", "3", "--out", out)
    assert done.proc.returncode == 0, done.describe()
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert isinstance(manifest, dict)
    assert {"format", "command", "seed", "replications", "files"} <= set(manifest), manifest
    assert manifest["seed"] == 3 and manifest["replications"] == 2, manifest
    listed = json.dumps(manifest["files"])
    assert all(name in listed for name in RESULT_FILES), manifest["files"]
    last = (out / MANIFEST).stat().st_mtime_ns
    assert all((out / name).stat().st_mtime_ns <= last for name in RESULT_FILES), (
        "manifest.json is not the last file written"
    )

    # A new run in the same folder: the old manifest must not claim its work, not even meanwhile.
    job = procs.start("run", files["long"], *LONG, "--out", out)
    _wait_for_a_replication(job, out)
    assert not (out / MANIFEST).exists(), "a run at work left the previous run's manifest"
    os.kill(job.pid, signal.SIGINT)
    assert poll(lambda: job.proc.poll() is not None, EXIT_CAP_S, job.watch), job.describe()
    assert job.proc.returncode == 130, job.describe()
    assert not (out / MANIFEST).exists(), "an interrupted run left a manifest.json"


# ------------------------------------------------------------------------------------ signals


def _assert_nothing_left(job: Job, out: Path, died_at: float) -> None:
    """After the parent's death: its children go, its stdout ends, OUT/replications is quiet."""
    time.sleep(max(0.0, died_at + GRACE_S - time.monotonic()))
    before = _snapshot(out / "replications")
    seen_at = time.time()
    children = dict(job.seen)
    assert children, "the run had no worker processes to check"
    gone = poll(lambda: not any(_alive(p, s) for p, s in children.items()), CHILDREN_CAP_S)
    left = {p: _cmdline(p)[:120] for p, s in children.items() if _alive(p, s)}
    assert gone, f"children of the dead parent still alive after {CHILDREN_CAP_S:.0f} s: {left}"
    assert job.eof.wait(EOF_CAP_S), f"the parent's stdout did not reach EOF in {EOF_CAP_S:.0f} s"
    time.sleep(max(0.0, seen_at + QUIET_S - time.time()))
    after = _snapshot(out / "replications")
    assert after == before, {
        "created": sorted(set(after) - set(before)),
        "changed": sorted(k for k in set(after) & set(before) if after[k] != before[k]),
    }


EXIT_CODES = {signal.SIGINT: 130, signal.SIGTERM: 143, signal.SIGKILL: -signal.SIGKILL}


@pytest.mark.parametrize(
    "sig", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL], ids=["SIGINT", "SIGTERM", "SIGKILL"]
)
def test_a_signalled_run_leaves_no_process_and_a_checkpoint_that_completes(
    sig, files, reference, procs, tmp_path
):
    out = tmp_path / "out"
    job = procs.start("run", files["long"], *LONG, "--out", out)
    _wait_for_a_replication(job, out)
    os.kill(job.pid, sig)
    exited = poll(lambda: job.proc.poll() is not None, EXIT_CAP_S)
    died_at = time.monotonic()
    assert exited, f"the parent did not exit within {EXIT_CAP_S:.0f} s of {sig.name}"
    assert job.proc.returncode == EXIT_CODES[sig], job.describe()
    if sig != signal.SIGKILL:
        assert "--resume" in job.stderr(), job.describe()
        _no_traceback(job)
    assert (out / "replications" / MANIFEST).exists(), "the checkpoint was not kept"
    assert _reps(out), "the finished replications were not kept"
    assert not (out / MANIFEST).exists(), "an interrupted run left an output manifest"
    _assert_nothing_left(job, out, died_at)

    # SIGINT: a fresh run clears the real samflode checkpoint; SIGTERM and SIGKILL: --resume
    # continues it (after SIGKILL the lock of the dead run must not stand in the way).
    follow = [] if sig == signal.SIGINT else ["--resume"]
    done = procs.run("run", files["long"], *LONG, *follow, "--out", out)
    assert done.proc.returncode == 0, done.describe()
    assert (out / "kpis.csv").read_bytes() == reference
    assert not (out / "replications").exists()
    assert (out / MANIFEST).exists()


def test_sigterm_to_compare_is_an_interruption(files, procs, tmp_path):
    out = tmp_path / "out"
    job = procs.start(
        "compare",
        files["long"],
        files["long_b"],
        "--replications",
        "4",
        "--workers",
        "2",
        "--out",
        out,
    )
    _wait_for_a_replication(job, out)
    os.kill(job.pid, signal.SIGTERM)
    exited = poll(lambda: job.proc.poll() is not None, EXIT_CAP_S)
    died_at = time.monotonic()
    assert exited, f"compare did not exit within {EXIT_CAP_S:.0f} s of SIGTERM"
    assert job.proc.returncode == 143, job.describe()
    assert "--resume" in job.stderr(), job.describe()
    _no_traceback(job)
    assert _reps(out), "the finished replications were not kept"
    _assert_nothing_left(job, out, died_at)


# ------------------------------------------------------------------------------------ Dask


def test_a_local_dask_cluster_is_no_larger_than_the_replications(files, procs, tmp_path):
    out = tmp_path / "out"
    workers: set[int] = set()
    most = 0

    def count() -> None:
        nonlocal most
        now = {p for p in job.watch() if "spawn_main" in _cmdline(p)}
        workers.update(now)
        most = max(most, len(now))

    job = procs.start(
        "-v",
        "run",
        files["short"],
        "--scheduler",
        "local",
        "--workers",
        "6",
        "--replications",
        "2",
        "--out",
        out,
    )
    assert poll(lambda: job.proc.poll() is not None, RUN_CAP_S, count), job.describe()
    assert job.proc.returncode == 0, job.describe()
    assert workers, "no Dask worker process was seen"
    # The cluster asked for is what the run logs; the processes seen can briefly include one more
    # when a nanny restarts a worker that was slow to start on a loaded machine, so they are
    # bounded by the cluster plus one, not by the cluster.
    assert "local Dask cluster of 2 worker processes" in job.stderr(), job.describe()
    assert most <= 3, f"{most} Dask worker processes at once for 2 replications"
