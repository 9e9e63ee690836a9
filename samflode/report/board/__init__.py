"""The board pack: a paper a samordningsförbund board can read, from a comparison's files.

``samflode report RESULT_DIR`` and the dashboard's "Download board pack" both come here. The
paper is built once from the result folder (:mod:`~samflode.report.board.bundle`,
:mod:`~samflode.report.board.paper`) and written as one self-contained HTML file
(:mod:`~samflode.report.board.html`), a PDF printed from it (:mod:`~samflode.report.board.pdf`)
and an Excel workbook of its numbers (:mod:`~samflode.report.board.xlsx`), in Swedish or English.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from samflode.execution.atomic import write_atomically
from samflode.execution.checkpoint import scenario_digest
from samflode.execution.outdir import write_manifest
from samflode.report.board.bundle import BoardPackError, Bundle, read_bundle
from samflode.report.board.html import render_html
from samflode.report.board.paper import build_paper
from samflode.report.board.pdf import PdfUnavailable, find_chromium, html_to_pdf
from samflode.report.board.xlsx import render_xlsx

if TYPE_CHECKING:
    from samflode.experiments.comparison import Comparison

__all__ = [
    "FORMATS",
    "LANGUAGES",
    "BoardPackError",
    "PdfUnavailable",
    "board_pack_bytes",
    "default_name",
    "find_chromium",
    "render",
    "write_pack",
]

FORMATS = ("html", "pdf", "xlsx")
LANGUAGES = ("sv", "en")
MEDIA_TYPES = {
    "html": "text/html",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
BASE_NAMES = {"sv": "styrelseunderlag", "en": "board-pack"}


def default_name(lang: str, fmt: str) -> str:
    """The file name of a pack: ``styrelseunderlag.pdf`` in Swedish, ``board-pack.pdf`` in
    English.
    """
    return f"{BASE_NAMES[lang]}.{fmt}"


def check_request(formats: Sequence[str], lang: str) -> None:
    """Refuse an unknown format or language, and a PDF with no Chromium, before any work."""
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise BoardPackError(
            f"--format: must be one or more of {', '.join(FORMATS)} (got {', '.join(formats)})"
        )
    if lang not in LANGUAGES:
        raise BoardPackError(f"--lang: must be one of {', '.join(LANGUAGES)} (got {lang!r})")
    if "pdf" in formats:
        find_chromium()


def render(bundle: Bundle, *, lang: str, formats: Sequence[str]) -> dict[str, bytes]:
    """The pack in each of ``formats`` as bytes (the paper is built once)."""
    check_request(formats, lang)
    paper = build_paper(bundle, lang)
    out: dict[str, bytes] = {}
    html = render_html(
        paper,
        reference=bundle.reference,
        replications=bundle.replications,
        seed=bundle.manifest.get("seed"),
    )
    if "html" in formats:
        out["html"] = html.encode("utf-8")
    if "pdf" in formats:
        out["pdf"] = html_to_pdf(html)
    if "xlsx" in formats:
        out["xlsx"] = render_xlsx(paper)
    return out


def write_pack(
    folder: str | Path,
    *,
    formats: Sequence[str] = FORMATS,
    lang: str = "sv",
    out: str | Path | None = None,
    plan_dir: str | Path | None = None,
    calibration_dir: str | Path | None = None,
) -> list[Path]:
    """Write the pack of the result folder ``folder``, atomically, and return the files.

    ``out`` is a file name whose suffix each format replaces (``pack.pdf`` → ``pack.html``,
    ``pack.pdf``, ``pack.xlsx``); without it the files go into ``folder`` as
    :func:`default_name`. Every format is made before any file is written, so a failure leaves
    no half-written pack.
    """
    check_request(formats, lang)
    bundle = read_bundle(folder, plan_dir=plan_dir, calibration_dir=calibration_dir)
    made = render(bundle, lang=lang, formats=formats)
    if out is None:
        target_dir, names = Path(folder), {f: default_name(lang, f) for f in made}
    else:
        target = Path(out)
        target_dir = target.parent
        names = {f: target.with_suffix(f".{f}").name for f in made}
    return write_atomically(
        target_dir,
        {names[f]: (lambda p, data=data: p.write_bytes(data)) for f, data in made.items()},
    )


def board_pack_bytes(comparison: Comparison, *, lang: str, fmt: str = "html") -> bytes:
    """The board pack of an in-memory comparison (the dashboard's), as one format's bytes.

    The comparison is written to a temporary folder as ``samflode compare`` writes it (its tables,
    designs.json and manifest; not the four PNGs, which the pack does not use), and the pack made
    from that folder: the page's pack and the command line's are one code path.
    """
    from samflode.report.files import write_comparison

    check_request([fmt], lang)
    with tempfile.TemporaryDirectory(prefix="samflode-pack-") as tmp:
        written = write_comparison(comparison, tmp, figures=False)
        write_manifest(
            Path(tmp),
            written,
            seed=comparison.seed,
            replications=comparison.replications,
            scenarios={r.scenario.name: scenario_digest(r.scenario) for r in comparison.results},
        )
        return render(read_bundle(tmp), lang=lang, formats=[fmt])[fmt]
