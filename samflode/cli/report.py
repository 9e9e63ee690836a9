"""``samflode report``: the board pack of a comparison — HTML, PDF and Excel, Swedish or English.

Reads a finished ``samflode compare`` folder (and a plan and a calibration folder, where given or
found beside it), never runs a model. Bad input — a folder that is not a finished comparison, an
unknown format or language, a PDF asked for with no Chromium — exits 2 with the file or option
named and writes nothing; every format is made before any file is written.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from samflode.cli.commands import app
from samflode.cli.errors import fail
from samflode.cli.render import console
from samflode.report.board import (
    FORMATS,
    LANGUAGES,
    BoardPackError,
    PdfUnavailable,
    check_request,
    write_pack,
)


def parse_formats(text: str) -> list[str]:
    """``html,pdf,xlsx`` → the formats, in the order given, without repeats."""
    return list(dict.fromkeys(f.strip().lower() for f in text.split(",") if f.strip()))


@app.command("report")
def report_command(
    result_dir: Annotated[
        Path,
        typer.Argument(help="a finished samflode compare folder (manifest.json, designs.json)"),
    ],
    format_: Annotated[
        str,
        typer.Option("--format", help=f"one or more of {', '.join(FORMATS)}, comma-separated"),
    ] = ",".join(FORMATS),
    lang: Annotated[str, typer.Option(help=f"{' or '.join(LANGUAGES)}")] = "sv",
    out: Annotated[
        Path | None,
        typer.Option(
            help="file name; each format replaces its suffix (default: RESULT_DIR/"
            "styrelseunderlag.<format> in Swedish, board-pack.<format> in English)"
        ),
    ] = None,
    plan: Annotated[
        Path | None,
        typer.Option(help="a samflode plan folder (default: RESULT_DIR/plan when it exists)"),
    ] = None,
    calibration: Annotated[
        Path | None,
        typer.Option(
            help="a samflode calibrate folder (default: RESULT_DIR/calibration when it exists)"
        ),
    ] = None,
) -> None:
    """Write the board pack of a comparison: the question, the answer on one page, designs,
    lead times, outcomes, costs a year, what binds, calibration, assumptions, method, manifest.
    """
    formats = parse_formats(format_)
    try:
        check_request(formats, lang)
        if out is not None and (out.is_dir() or not out.name or out.name.startswith(".")):
            raise BoardPackError(f"--out: {out} must name a file (its suffix is replaced)")
        written = write_pack(
            result_dir,
            formats=formats,
            lang=lang,
            out=out,
            plan_dir=plan,
            calibration_dir=calibration,
        )
    except (BoardPackError, PdfUnavailable) as exc:
        raise fail(str(exc)) from None
    console.print(f"wrote {', '.join(os.fspath(p) for p in written)}", highlight=False)
