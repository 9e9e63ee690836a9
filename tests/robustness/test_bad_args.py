"""Bad command lines end with exit code 2, a message naming the option, no traceback, no output.

Every case of :mod:`bad_args` runs in this process through typer's ``CliRunner``, in a fresh
folder that is also the working directory (so ``--out ''`` or a default output folder would show
up there). Nothing under that folder may be created or changed by a bad case. The good controls
must exit 0 and write their results. A 1000 × 1000 sweep grid runs as a subprocess (with a memory
cap), because a samflode that builds the grid before counting it would take the test process down.
"""

from __future__ import annotations

import os
import re
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from bad_args import BAD_GRIDS, ERR, HEADCOUNT, INFLOW, ArgCase, cases, make_inputs
from typer.testing import CliRunner

from samflode.cli.commands import app

SAMFLODE = Path(sys.executable).with_name("samflode")
PLACEHOLDER = Path("/placeholder")  # cases() only names paths: enough for the test ids
CASES = cases(PLACEHOLDER, PLACEHOLDER / "scenario.yaml")
BAD = [c.name for c in CASES if c.code == 2]
GOOD = [c.name for c in CASES if c.code == 0]
RESULTS = {
    "run": {"events.parquet", "kpis.csv", "summary.json"},
    "compare": {"comparison.csv", "replications_check.csv"},
    "sweep": {"sweep.csv"},
}
HUGE_GRID_CAP_S = 60.0
HUGE_GRID_MEMORY = 3 * 2**30  # address space, bytes: far more than samflode needs to refuse it
# Box-drawing characters and spaces of click's rich error panel (it wraps long lines).
PANEL = re.compile(r"[\s│╭╮╰╯─]+")


def _refuse(*args, **kwargs):
    raise AssertionError("a bad dashboard command must not start a server")


class _RefusePopen:
    def __init__(self, *args, **kwargs):
        _refuse()


@pytest.fixture
def sandbox(tmp_path, write_scenario, monkeypatch):
    """A folder with the cases' input files that is also the working directory."""
    scenario = write_scenario(tmp_path / "scenario.yaml")
    make_inputs(tmp_path, scenario)
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    return {c.name: c for c in cases(tmp_path, scenario)}


def _tree(root: Path) -> dict[str, tuple[int, int] | None]:
    """Every path under ``root``: files with their (size, mtime), folders and links as None."""
    tree: dict[str, tuple[int, int] | None] = {}
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            st = path.stat()
            tree[str(path.relative_to(root))] = (st.st_size, st.st_mtime_ns)
        else:
            tree[str(path.relative_to(root))] = None
    return tree


def _says(stderr: str, part: str) -> bool:
    """``part`` is in ``stderr``, allowing for the line wrapping of click's error panel; only
    ``error:`` (samflode's own messages) must match exactly.
    """
    if part in stderr:
        return True
    if part == ERR:
        return False
    return PANEL.sub("", part).lower() in PANEL.sub("", stderr).lower()


def _invoke(case: ArgCase, monkeypatch):
    if case.group == "dashboard" or case.argv[:1] == ["dashboard"]:
        # If a bad port were accepted, the server must not replace or block the test process.
        for name in ("execv", "execve", "execvp", "execvpe"):
            monkeypatch.setattr(os, name, _refuse)
        monkeypatch.setattr(subprocess, "Popen", _RefusePopen)
    return CliRunner().invoke(app, case.argv)


def _no_traceback(result) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{type(result.exception).__name__}: {result.exception}"
    )
    assert "Traceback" not in result.output + result.stderr, result.output + result.stderr


def test_the_case_list_is_complete():
    groups = {c.group for c in CASES}
    assert len(BAD) >= 80 and len(GOOD) >= 5
    assert len(BAD_GRIDS) >= 22
    assert {
        "replications",
        "seed",
        "workers",
        "unknown-flags",
        "extra-args",
        "out",
        "scheduler",
        "compare",
        "sweep",
        "validate",
        "dashboard",
    } <= groups


@pytest.mark.parametrize("name", BAD)
def test_bad_command_line(name, sandbox, tmp_path, monkeypatch):
    case = sandbox[name]
    before = _tree(tmp_path)
    result = _invoke(case, monkeypatch)
    assert result.exit_code == 2, (
        f"{case.argv}: exit code {result.exit_code}; stderr {result.stderr!r}; "
        f"exception {result.exception!r}"
    )
    _no_traceback(result)
    missing = [part for part in case.expect if not _says(result.stderr, part)]
    assert not missing, f"stderr does not name {missing}: {result.stderr!r}"
    assert not (tmp_path / "out").exists(), sorted(os.listdir(tmp_path / "out"))
    assert not os.listdir(tmp_path / "cwd"), f"written to the working directory: {os.listdir()}"
    after = _tree(tmp_path)
    assert after == before, {
        "created": sorted(set(after) - set(before)),
        "removed": sorted(set(before) - set(after)),
        "changed": sorted(k for k in set(after) & set(before) if after[k] != before[k]),
    }


@pytest.mark.parametrize("name", GOOD)
def test_good_command_line(name, sandbox, tmp_path, monkeypatch):
    case = sandbox[name]
    result = _invoke(case, monkeypatch)
    assert result.exit_code == 0, f"{case.argv}: {result.stderr!r} {result.exception!r}"
    _no_traceback(result)
    assert not os.listdir(tmp_path / "cwd")
    command = case.argv[0]
    if command in RESULTS:
        out = Path(case.argv[len(case.argv) - case.argv[::-1].index("--out")])
        written = {p.name for p in out.iterdir()}
        assert RESULTS[command] <= written, sorted(written)
        assert "replications" not in written, "the checkpoint is removed after a good run"
        assert not (tmp_path / "out").exists()


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (HUGE_GRID_MEMORY, HUGE_GRID_MEMORY))


def test_a_huge_grid_is_refused_before_its_points_are_built(tmp_path, write_scenario):
    """1000 × 1000 points: refused at once as too many, not after validating a million variants."""
    scenario = write_scenario(tmp_path / "scenario.yaml")
    values = ",".join(str(v) for v in range(1, 1001))
    out = tmp_path / "out"
    argv = [
        str(SAMFLODE),
        "sweep",
        str(scenario),
        "--grid",
        f"{HEADCOUNT}={values}",
        "--grid",
        f"{INFLOW}={values}",
        "--replications",
        "2",
        "--workers",
        "1",
        "--out",
        str(out),
    ]
    started = time.monotonic()
    proc = subprocess.Popen(
        argv,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=_limit_memory,  # only setrlimit, in the child
    )
    try:
        _, stderr = proc.communicate(timeout=HUGE_GRID_CAP_S)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail(f"a 1000 × 1000 grid was not refused within {HUGE_GRID_CAP_S:.0f} s")
    elapsed = time.monotonic() - started
    assert proc.returncode == 2, (proc.returncode, stderr[-2000:])
    assert "Traceback" not in stderr and "MemoryError" not in stderr, stderr[-2000:]
    assert "error:" in stderr and "--grid" in stderr and "too many" in stderr, stderr[-2000:]
    assert not out.exists()
    assert elapsed < HUGE_GRID_CAP_S
