"""Run the bad scenario files through the CLI in this process and sort what happens, as §1a did.

Each case's commands (``validate FILE``; ``run FILE --replications 2 --workers 1 --seed 1 --out
DIR``) go through ``typer.testing.CliRunner`` against the real app, so 500 cases take seconds
rather than the minutes that 1 000 interpreter start-ups would. Two guards keep a bad file from
taking the test process with it: an alarm ends a command that hangs (a FIFO that is opened and
waits for a writer), and while a bad file is tried the address space is capped, so that reading
``/dev/zero`` or a 2 GB file ends in a MemoryError instead of the machine's memory.

``python tests/robustness/probe.py`` writes the cases into a temporary folder and prints the
review's table 1a for the current code (``--keep DIR`` keeps the files, ``--category`` picks). The
``-m tests.robustness.probe`` form works only where no installed distribution ships a top-level
``tests`` package; this project's venv has one, which hides the repository's ``tests`` folder.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import resource
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from typer.testing import CliRunner

from samflode.cli.commands import app

if __package__:  # python -m tests.robustness.probe
    from tests.robustness.bad_files import ALT, CATEGORIES, Case, cases
else:  # pytest (rootdir-relative imports, as the other test folders use) or a script
    from bad_files import ALT, CATEGORIES, Case, cases

# A bad file is refused while it is read or validated: a fraction of a second. Ten seconds is
# only reached by a hang, or by a run that simulates what should have been refused.
DEFAULT_TIMEOUT = 10.0
# A control's run simulates the short design for two replications (well under a second).
CONTROL_RUN_TIMEOUT = 60.0
# Address space allowed on top of what the process already has while a bad file is tried.
MEMORY_HEADROOM = 1536 * 1024**2
RUN_ARGS = ("--replications", "2", "--workers", "1", "--seed", "1")

CLEAR = "clear"
UNCLEAR = "unclear message"
PARTIAL = "partial output"
ACCEPTED = "accepted but bad"
TRACEBACK = "traceback"
HANG = "hang"
CONTROL_OK = "control ok"
CONTROL_FAILED = "control failed"


class Hang(BaseException):
    """Raised by the alarm: a BaseException, so that no ``except Exception`` in the code under
    test (or CliRunner's own) swallows it.
    """


@dataclass(frozen=True)
class Result:
    """What one command did with one case, and how that is classified.

    ``kind``: ``clear`` (exit 2 by SystemExit, the message names the file and holds every
    expectation, no traceback), ``unclear message`` (refused, but another exit code or a message
    without the file or a field), ``partial output`` (a failed run left its --out folder),
    ``accepted but bad`` (exit 0 for a bad file), ``traceback`` (any other exception, or a
    traceback printed), ``hang`` (the alarm ended it), ``control ok`` / ``control failed``.
    """

    command: str
    kind: str
    exit_code: int | None
    exception: str | None
    output: str
    stderr: str
    seconds: float
    partial_output: bool = False
    missing: tuple[str, ...] = ()


@dataclass(frozen=True)
class Outcome:
    """Every command's result for one case."""

    case: Case
    results: tuple[Result, ...] = field(default=())

    def result(self, command: str) -> Result | None:
        """The result of ``command``, if the case has it."""
        return next((r for r in self.results if r.command == command), None)

    @property
    def ok(self) -> bool:
        """Whether every command did what the case asks (clear, or a loading control)."""
        want = CONTROL_OK if self.case.control else CLEAR
        return all(r.kind == want for r in self.results)


@contextlib.contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    """Raise :class:`Hang` in the main thread after ``seconds`` (an interrupted ``open()`` of a
    FIFO, a loop in Python code); needs the main thread, where pytest runs tests.

    The alarm rings again every half second until the command returns: the in-process executor
    hands a replication's BaseException to a future and starts the next replication, so one
    ring alone would only end the replication it lands in.
    """

    def ring(_signum: int, _frame: object) -> None:
        raise Hang

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.5)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _address_space() -> int | None:
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return None
    found = re.search(r"^VmSize:\s+(\d+) kB", status, re.MULTILINE)
    return int(found.group(1)) * 1024 if found else None


@contextlib.contextmanager
def _memory_cap(headroom: int | None) -> Iterator[None]:
    """Cap the address space at its current size plus ``headroom`` (None: no cap), then restore."""
    used = _address_space() if headroom is not None else None
    if used is None:
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = used + headroom
    for limit in (soft, hard):
        if limit != resource.RLIM_INFINITY:
            cap = min(cap, limit)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _found(expect: str, text: str) -> bool:
    return any(alt.strip().lower() in text for alt in expect.split(ALT))


def _classify(
    case: Case,
    command: str,
    exit_code: int | None,
    exception: BaseException | None,
    output: str,
    out_left: bool,
) -> tuple[str, tuple[str, ...]]:
    printed_traceback = "Traceback" in output
    if case.control:
        fine = exit_code == 0 and exception is None and not printed_traceback
        return (CONTROL_OK if fine else CONTROL_FAILED), ()
    # The expectations are looked for in the message, not in the echoed path of the file (a case
    # file's name may well contain the very field it breaks).
    message = output.replace(str(case.target), "").lower()
    missing = tuple(e for e in case.expect if not _found(e, message))
    if case.target.name not in output:
        missing = (f"the file's name {case.target.name!r}", *missing)
    if printed_traceback or (exception is not None and not isinstance(exception, SystemExit)):
        return TRACEBACK, missing
    if exit_code == 0:
        return ACCEPTED, missing
    if out_left:
        return PARTIAL, missing
    if exit_code != 2 or missing:
        return UNCLEAR, missing
    return CLEAR, ()


def _args(case: Case, command: str, out: Path) -> list[str]:
    if command == "validate":
        return ["validate", str(case.target)]
    if command == "run":
        return ["run", str(case.target), *RUN_ARGS, "--out", str(out)]
    raise ValueError(f"unknown command {command!r}")


def probe_one(case: Case, out_root: Path, *, timeout: float = DEFAULT_TIMEOUT) -> Outcome:
    """Run each of ``case.commands`` in this process; a fresh --out folder under ``out_root``.

    After a hang the case's later commands are not tried (they read the same file the same way)
    and count as hangs too: one FIFO costs one timeout, not two.
    """
    results: list[Result] = []
    runner = CliRunner()
    for command in case.commands:
        out = out_root / f"{case.name}--{command}"
        shutil.rmtree(out, ignore_errors=True)
        if any(r.kind == HANG for r in results):
            results.append(
                Result(command, HANG, None, "not tried: an earlier command hung", "", "", 0.0)
            )
            continue
        limit = CONTROL_RUN_TIMEOUT if case.control and command == "run" else timeout
        headroom = None if case.control else MEMORY_HEADROOM
        start = time.perf_counter()
        try:
            with _deadline(limit), _memory_cap(headroom):
                result = runner.invoke(app, _args(case, command, out))
        except Hang:
            seconds = time.perf_counter() - start
            left = out.exists()
            shutil.rmtree(out, ignore_errors=True)
            results.append(
                Result(command, HANG, None, f"no answer after {limit:g} s", "", "", seconds, left)
            )
            continue
        seconds = time.perf_counter() - start
        failed = result.exit_code != 0
        left = command == "run" and failed and out.exists()
        kind, missing = _classify(
            case, command, result.exit_code, result.exception, result.output, left
        )
        exception = None
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            exception = f"{type(result.exception).__name__}: {str(result.exception)[:500]}"
        shutil.rmtree(out, ignore_errors=True)  # results of accepted runs are not needed
        results.append(
            Result(
                command,
                kind,
                result.exit_code,
                exception,
                result.output,
                result.stderr,
                seconds,
                left,
                missing,
            )
        )
    return Outcome(case, tuple(results))


def probe(
    cases: Iterable[Case], out_root: Path, *, timeout: float = DEFAULT_TIMEOUT
) -> list[Outcome]:
    """:func:`probe_one` for each case, in order."""
    out_root.mkdir(parents=True, exist_ok=True)
    return [probe_one(case, out_root, timeout=timeout) for case in cases]


def describe(outcome: Outcome, limit: int = 3000) -> str:
    """A readable account of one case's results, for assertion messages and the report."""
    case = outcome.case
    lines = [
        f"case {case.name} ({case.category}{', control' if case.control else ''}): "
        f"{case.target}; expect {list(case.expect)}"
    ]
    for r in outcome.results:
        lines.append(f"  {r.command}: {r.kind}, exit {r.exit_code}, {r.seconds:.2f} s")
        if r.exception:
            lines.append(f"    exception: {r.exception}")
        if r.missing:
            lines.append(f"    message lacks: {list(r.missing)}")
        if r.partial_output:
            lines.append("    left its --out folder behind")
        text = r.output if len(r.output) <= limit else r.output[:limit] + " …"
        if text:
            lines.append("    output: " + text.rstrip().replace("\n", "\n            "))
    return "\n".join(lines)


def reason(outcome: Outcome) -> str:
    """One line: what went wrong with a case (empty if nothing did)."""
    parts = []
    for r in outcome.results:
        want = CONTROL_OK if outcome.case.control else CLEAR
        if r.kind == want:
            continue
        detail = r.exception or (f"lacks {list(r.missing)}" if r.missing else "")
        if r.kind == UNCLEAR and r.exit_code != 2:
            detail = f"exit {r.exit_code}; {detail}"
        if r.kind == CONTROL_FAILED:
            detail = f"exit {r.exit_code}; {r.exception or r.stderr.strip()[:200]}"
        parts.append(f"{r.command}: {r.kind}" + (f" ({detail})" if detail else ""))
    return "; ".join(parts)


COLUMNS = (
    "category",
    "cases",
    "controls",
    "validate: exit 2, clear",
    "run: exit 2, clear",
    "accepted but bad",
    "traceback",
    "hang / timeout",
    "partial output",
    "unclear message",
    "controls failed",
)


def _row(label: str, outcomes: list[Outcome]) -> list[str]:
    bad = [o for o in outcomes if not o.case.control]

    def kinds(o: Outcome) -> set[str]:
        return {r.kind for r in o.results}

    def clear(command: str) -> str:
        have = [o for o in bad if o.result(command) is not None]
        n = sum(o.result(command).kind == CLEAR for o in have)
        return f"{n} of {len(have)}"

    return [
        label,
        str(len(outcomes)),
        str(len(outcomes) - len(bad)),
        clear("validate"),
        clear("run"),
        str(sum(ACCEPTED in kinds(o) for o in bad)),
        str(sum(TRACEBACK in kinds(o) for o in outcomes)),
        str(sum(HANG in kinds(o) for o in outcomes)),
        str(sum(any(r.partial_output for r in o.results) for o in bad)),
        str(sum(UNCLEAR in kinds(o) for o in bad)),
        str(sum(CONTROL_FAILED in kinds(o) for o in outcomes)),
    ]


def table(outcomes: list[Outcome]) -> str:
    """The review's table 1a for these outcomes, as Markdown: one row per category, a total."""
    rows = [list(COLUMNS), ["---"] + ["---:"] * (len(COLUMNS) - 1)]
    for category in CATEGORIES:
        mine = [o for o in outcomes if o.case.category == category]
        if mine:
            rows.append(_row(category, mine))
    rows.append([f"**{cell}**" for cell in _row("total", outcomes)])
    return "\n".join("| " + " | ".join(row) + " |" for row in rows)


def main(argv: list[str] | None = None) -> int:
    """Write the cases into a temporary folder (or --keep DIR), probe them, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="write the cases here and keep them")
    parser.add_argument("--category", action="append", help="only these categories")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT)
    args = parser.parse_args(argv)
    with contextlib.ExitStack() as stack:
        root = args.keep or Path(stack.enter_context(tempfile.TemporaryDirectory()))
        chosen = [
            c for c in cases(root / "cases") if not args.category or c.category in args.category
        ]
        outcomes = probe(chosen, root / "out", timeout=args.timeout)
    print(table(outcomes))
    failing = [o for o in outcomes if not o.ok]
    if failing:
        print(f"\n{len(failing)} of {len(outcomes)} cases not as expected:")
        for o in failing:
            print(f"- {o.case.name}: {reason(o)}")
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
