"""Bad scenario files end in exit 2 and one clear message; files that should load, load.

The cases are the reliability review's probe of bad files (§1a; defects D4, D5, D6, D8), written
by ``bad_files.py`` into a folder of this session and run by ``probe.py`` in this process: each bad
file through ``validate`` and ``run``, each control through ``validate`` (three also through
``run``). A handful also go through a real ``samflode`` process, because the in-process runner
cannot see what only a real process shows: a crash of the interpreter, a traceback Python prints
itself, an output folder made before the failure.
"""

from __future__ import annotations

import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from bad_files import MARKER_SUFFIX, MIN_CONTROLS, MIN_TOTAL, MINIMUMS, Case, _specs, cases, specs
from probe import RUN_ARGS, describe, probe_one

SPECS = specs()
BAD = [s.name for s in SPECS if not s.control]
CONTROLS = [s.name for s in SPECS if s.control]
# A 900 KB bad value must not come back as a 900 KB message (review D8).
MAX_MESSAGE_CHARS = 2000
# One case of each kind of refusal, through a real process.
IN_A_PROCESS = (
    "num-staff_forum_bedomare_headcount-minus3",
    "missing-forum_staff",
    "syntax-unclosed_bracket",
    "alias-billion_laughs",
    "deep-flow_list_5000",
    "tag-python_apply",
    "dist-gamma_shape_overflow",
    "bracket-key_bold",
    "ext-dotdot",
    "special-dev_zero",
)
# The child process may not take the machine with it if a cap fails.
CHILD_ADDRESS_SPACE = 3 * 1024**3


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Case]:
    """Every case, written once for this module (about 80 MB, most of it one 5 MB file and
    a 2 GiB file that is a hole on disk).
    """
    root = tmp_path_factory.mktemp("bad_files")
    return {case.name: case for case in cases(root)}


@pytest.fixture(scope="module")
def out_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the probe's `run --out` folders go (each emptied after its command)."""
    return tmp_path_factory.mktemp("bad_files_out")


def _no_marker(case: Case) -> None:
    made = sorted(case.target.parent.glob(f"*{MARKER_SUFFIX}"))
    assert not made, f"{case.name}: YAML ran a command: {made} exists"


@pytest.mark.parametrize("name", BAD)
def test_bad_file_is_refused_with_one_clear_message(
    name: str, built: dict[str, Case], out_root: Path
) -> None:
    case = built[name]
    outcome = probe_one(case, out_root)
    if case.category == "YAML tags":
        _no_marker(case)
    assert outcome.ok, describe(outcome)
    if case.category == "long strings":
        lengths = {r.command: len(r.stderr) for r in outcome.results}
        long = {command: n for command, n in lengths.items() if n >= MAX_MESSAGE_CHARS}
        assert not long, (
            f"{case.name}: messages of {long} characters (want < {MAX_MESSAGE_CHARS}); "
            f"starts {outcome.results[0].stderr[:300]!r}"
        )


@pytest.mark.parametrize("name", CONTROLS)
def test_control_loads(name: str, built: dict[str, Case], out_root: Path) -> None:
    case = built[name]
    outcome = probe_one(case, out_root)
    if case.category == "YAML tags":
        _no_marker(case)
    assert outcome.ok, describe(outcome)


def test_the_cases_cover_the_review() -> None:
    counts: dict[str, list[int]] = {category: [0, 0] for category in MINIMUMS}
    for spec in SPECS:
        counts[spec.category][spec.control] += 1
    short = {
        category: (
            f"{bad} bad of {MINIMUMS[category][0]}",
            f"{ok} controls of {MINIMUMS[category][1]}",
        )
        for category, (bad, ok) in counts.items()
        if bad < MINIMUMS[category][0] or ok < MINIMUMS[category][1]
    }
    assert not short, f"categories below the review's counts: {short}"
    assert len(SPECS) >= MIN_TOTAL, f"{len(SPECS)} cases, want ≥ {MIN_TOTAL}"
    assert len(CONTROLS) >= MIN_CONTROLS, f"{len(CONTROLS)} controls, want ≥ {MIN_CONTROLS}"
    assert sum(spec.control and "run" in spec.commands for spec in SPECS) <= 3  # keeps it fast
    assert set(IN_A_PROCESS) <= set(BAD), sorted(set(IN_A_PROCESS) - set(BAD))
    # Deterministic: a fresh generation lists the same cases, in the same order.
    again = _specs.__wrapped__()
    key = [(s.name, s.category, s.expect, s.control, s.commands) for s in SPECS]
    assert key == [(s.name, s.category, s.expect, s.control, s.commands) for s in again]


def _samflode() -> Path | None:
    beside = Path(sys.executable).parent / "samflode"
    found = beside if beside.exists() else shutil.which("samflode")
    return Path(found) if found else None


def _cap_child_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (CHILD_ADDRESS_SPACE, CHILD_ADDRESS_SPACE))


@pytest.mark.parametrize("name", IN_A_PROCESS)
def test_a_real_process_refuses_without_traceback_or_output(
    name: str, built: dict[str, Case], tmp_path: Path
) -> None:
    exe = _samflode()
    if exe is None:
        pytest.skip("no samflode executable next to this Python or on PATH")
    case = built[name]
    out = tmp_path / "out"
    proc = subprocess.run(
        [str(exe), "run", str(case.target), *RUN_ARGS, "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=_cap_child_memory,
    )
    shown = f"exit {proc.returncode}\nstderr: {proc.stderr[-3000:]}\nstdout: {proc.stdout[-1000:]}"
    assert proc.returncode == 2, shown
    assert "Traceback" not in proc.stderr, shown
    assert not out.exists(), f"{out} was left behind; {shown}"
