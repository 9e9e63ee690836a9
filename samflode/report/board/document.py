"""The board paper as data: sections of paragraphs, tables and figures, before any format.

The paper is built once (:mod:`samflode.report.board.paper`) and written three ways. HTML (and the
PDF printed from it) shows text: tables of formatted cells ("12,3 %"). The workbook shows numbers:
each section also carries its numbers as data frames (:class:`Data`), so the workbook never has
to parse "12,3 %" back into a number, and a reader can compute with every cell.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd


@dataclass(frozen=True)
class Cell:
    """One table cell of the paper: its text, and how the HTML marks it."""

    text: str
    mark: str = ""  # "good" / "bad" (a clear difference in a good or bad direction) / ""


@dataclass(frozen=True)
class Table:
    """A table with a header row, for the paper."""

    columns: list[str]
    rows: list[list[Cell]]
    caption: str = ""


@dataclass(frozen=True)
class Data:
    """A section's numbers for the workbook: one frame, numeric columns as numbers.

    A ``kpi`` column sets each row's number format (a share as per cent, kronor with thousands);
    ``kinds`` sets it per column otherwise ("share", "sek", "days", "count", "number").
    """

    title: str
    frame: pd.DataFrame
    kinds: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Image:
    """A figure as PNG bytes (inlined in the HTML; not in the workbook, which has its numbers)."""

    png: bytes
    caption: str


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of plain text (escaped when written); ``strong`` for a sub-heading."""

    text: str
    strong: bool = False


@dataclass(frozen=True)
class Bullets:
    """A list of plain-text points."""

    items: list[str]


Block = Paragraph | Bullets | Table | Image


@dataclass
class Section:
    """One section of the paper; ``sheet`` is its workbook sheet's name (≤ 31 characters)."""

    key: str
    title: str
    sheet: str
    blocks: list[Block] = field(default_factory=list)
    data: list[Data] = field(default_factory=list)
    page_break: bool = True  # starts on a new printed page

    def texts(self) -> list[str]:
        """The section's paragraphs and points, for the top of its workbook sheet."""
        out: list[str] = []
        for block in self.blocks:
            if isinstance(block, Paragraph):
                out.append(block.text)
            elif isinstance(block, Bullets):
                out.extend(f"• {item}" for item in block.items)
        return out


@dataclass
class Paper:
    """The whole board paper in one language; ``headline`` is page one's answer in a line."""

    lang: str
    title: str
    subtitle: str
    headline: str
    sections: list[Section]
