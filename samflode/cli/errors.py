"""Exit codes and messages: bad input is 2, a lost worker 1, Ctrl-C 130, SIGTERM 143.

Only errors that describe the user's input — a scenario that does not validate, a bad grid or
option, a checkpoint of another experiment, an output folder in use, a scheduler that cannot be
reached — are exit 2. Any other exception is an internal error: it propagates with its traceback
(exit 1), so a bug is never reported as the user's mistake. Every message is printed as plain
text (the consoles have markup off): a ``[`` in a path, a key or a value prints as it is.

:func:`experiment` is the frame every command that writes results runs in: it claims the output
folder, turns SIGTERM (and SIGHUP) into the same clean stop as Ctrl-C, and maps failures to exit
codes, keeping the checkpoint wherever a ``--resume`` can use it.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

import typer
from rich.text import Text

from samflode.cli.render import err_console
from samflode.config.loader import ScenarioError
from samflode.execution.checkpoint import CheckpointError, remove_if_unused
from samflode.execution.outdir import Claim, OutputFolderError, claim
from samflode.execution.parallel import SchedulerError, Terminated, WorkerLost, deliver_stop
from samflode.execution.runner import REPLICATIONS_DIR
from samflode.experiments.sweep import SweepError

# What bad input raises (SweepError is a ScenarioError; listed for the reader).
BAD_INPUT = (ScenarioError, SweepError, CheckpointError, SchedulerError, OutputFolderError)


def _say(label: str, style: str, message: str) -> None:
    err_console.print(Text.assemble((label, style), " ", message), soft_wrap=True)


def fail(message: str) -> typer.Exit:
    """Print ``message`` as an error and return the exit (code 2) to raise."""
    _say("error:", "bold red", message)
    return typer.Exit(code=2)


def warn(message: str) -> None:
    """Print ``message`` as a warning on stderr."""
    _say("warning:", "bold yellow", message)


@contextmanager
def _terminate_like_interrupt() -> Iterator[None]:
    """While inside, SIGTERM and SIGHUP stop the run as Ctrl-C does (:class:`Terminated`, a
    KeyboardInterrupt), and all three are raised where it is safe (:func:`deliver_stop`).
    """

    def stop(signum: int, _frame: FrameType | None) -> None:
        deliver_stop(signum)

    # A signal the process was started with ignored (SIGINT of a background job) stays ignored.
    signals = [
        sig
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
        if signal.getsignal(sig) is not signal.SIG_IGN
    ]
    previous = {sig: signal.signal(sig, stop) for sig in signals}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@contextmanager
def run_errors(out: Path) -> Iterator[None]:
    """Turn what can go wrong during a run into an exit code and one message."""
    kept = out / REPLICATIONS_DIR
    try:
        yield
    except KeyboardInterrupt as exc:
        code = 128 + exc.signum if isinstance(exc, Terminated) else 130
        what = f"stopped by {exc}" if isinstance(exc, Terminated) else "interrupted"
        err_console.print(
            Text(
                f"{what}; finished replications are kept in {kept}: rerun the same command "
                "with --resume to continue"
            ),
            soft_wrap=True,
        )
        raise typer.Exit(code=code) from None
    except WorkerLost as exc:
        # Not bad input (so not exit 2): the machine lost a worker; what finished is on disk.
        _say("error:", "bold red", f"{exc}; the finished replications are in {kept}")
        raise typer.Exit(code=1) from None
    except BAD_INPUT as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(f"--out: cannot write results to {out} ({exc})") from None


@contextmanager
def experiment(out: Path) -> Iterator[Claim]:
    """Run an experiment that writes into ``out``: claimed, signal-safe, with clean failures.

    Bad input found once the work has started (a scheduler that cannot be reached) removes the
    checkpoint if nothing in it finished, and the folder if this run created it, so a failed run
    leaves no output behind; an interruption keeps the checkpoint for ``--resume``.
    """
    with _terminate_like_interrupt():
        try:
            with claim(out, " ".join([Path(sys.argv[0]).name, *sys.argv[1:]])) as held:
                try:
                    with run_errors(out):
                        yield held
                except typer.Exit as stop:
                    if stop.exit_code == 2:
                        remove_if_unused(out / REPLICATIONS_DIR)
                    raise
        except OutputFolderError as exc:
            raise fail(str(exc)) from None
