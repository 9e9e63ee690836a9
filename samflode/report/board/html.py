"""The board paper as one self-contained HTML file: styles and figures inline, no network.

A board member gets the file by e-mail and opens it anywhere, offline: the figures are PNG data
URIs, the styles are in the page, and nothing is fetched (a test checks that no ``src`` or
``href`` points outside the file). Jinja2 writes it with autoescaping, so a design's description
can never inject markup. The same page, printed by Chromium, is the PDF
(:mod:`samflode.report.board.pdf`): its ``@page`` rules set A4 and the page breaks.
"""

from __future__ import annotations

import base64
from typing import Any

import jinja2

from samflode.report.board.document import Bullets, Image, Paper, Paragraph, Table
from samflode.report.board.text import say

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("samflode.report.board", "templates"),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
    undefined=jinja2.StrictUndefined,
)


def _block(block: Paragraph | Bullets | Table | Image) -> dict[str, Any]:
    if isinstance(block, Paragraph):
        return {"kind": "paragraph", "text": block.text, "strong": block.strong}
    if isinstance(block, Bullets):
        return {"kind": "bullets", "points": block.items}
    if isinstance(block, Table):
        return {
            "kind": "table",
            "columns": block.columns,
            "rows": block.rows,
            "caption": block.caption,
        }
    return {
        "kind": "image",
        "data": base64.b64encode(block.png).decode("ascii"),
        "caption": block.caption,
    }


def render_html(paper: Paper, *, reference: str, replications: int, seed: object) -> str:
    """The paper as an HTML document (a string); sections without blocks are workbook-only."""
    sections = [
        {
            "key": s.key,
            "title": s.title,
            "page_break": s.page_break,
            "blocks": [_block(b) for b in s.blocks],
        }
        for s in paper.sections
        if s.blocks
    ]
    footer = say("footer", paper.lang, ref=reference, n=replications, seed=seed)
    return _ENV.get_template("paper.html.j2").render(paper=paper, sections=sections, footer=footer)
