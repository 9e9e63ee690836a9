"""The ``samflode`` command line (typer); ``app`` is the console script's entry point."""

from samflode.cli import calibration as _calibration  # noqa: F401 - registers its commands
from samflode.cli import plan as _plan  # noqa: F401 - registers its command
from samflode.cli import report as _report  # noqa: F401 - registers its command
from samflode.cli.commands import app

__all__ = ["app"]
