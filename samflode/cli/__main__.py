"""``python -m samflode.cli``: the same command line as the ``samflode`` script."""

from samflode.cli import app

app(prog_name="samflode")
