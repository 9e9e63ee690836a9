"""Exit codes: bad input is 2 with one clear message, a lost worker 1, Ctrl-C 130.

Only errors that describe the user's input — a scenario that does not validate, a bad grid or
option, a checkpoint of another experiment, a scheduler that cannot be reached — are exit 2. Any
other exception is an internal error: it propagates with its traceback (exit 1), so a bug is never
reported as the user's mistake.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.markup import escape

from samflode.cli.render import err_console
from samflode.config.loader import ScenarioError
from samflode.execution.checkpoint import CheckpointError
from samflode.execution.parallel import SchedulerError, WorkerLost
from samflode.experiments.sweep import SweepError

# What bad input raises (SweepError is a ScenarioError; listed for the reader).
BAD_INPUT = (ScenarioError, SweepError, CheckpointError, SchedulerError)


def fail(message: str) -> typer.Exit:
    """Print ``message`` as an error and return the exit (code 2) to raise."""
    # The message is text, never markup: a "[" in a path or a value must print as it is.
    err_console.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(code=2)


def warn(message: str) -> None:
    """Print ``message`` as a warning on stderr (as text, never markup)."""
    text = f"[bold yellow]warning:[/] {escape(message)}"
    err_console.print(text, highlight=False, soft_wrap=True)


@contextmanager
def run_errors(out: Path) -> Iterator[None]:
    """Turn what can go wrong during a run into exit code 2 (or 130 for Ctrl-C) and a message."""
    try:
        yield
    except KeyboardInterrupt:
        err_console.print(
            f"interrupted; finished replications are kept in {out / 'replications'}: "
            "rerun the same command with --resume to continue",
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(code=130) from None
    except WorkerLost as exc:
        # Not bad input (so not exit 2): the machine lost a worker; what finished is on disk.
        err_console.print(
            f"[bold red]error:[/] {exc}; the finished replications are in {out / 'replications'}",
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(code=1) from None
    except BAD_INPUT as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(f"--out: cannot write results to {out} ({exc})") from None


