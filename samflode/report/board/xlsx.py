"""The board paper's numbers as an Excel workbook (openpyxl): one sheet per section.

Each sheet starts with the section's text, then its tables as numbers, not strings: a share is
0.613 shown as 61.3 %, a cost 112 360 000 shown with thousands, so a reader can sort, sum and
chart every cell. The last sheet, "KPI", holds every KPI of the comparison per design with its
95 % interval and the paired difference to the reference.
"""

from __future__ import annotations

import io
import math
import re
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from samflode.report.board.document import Data, Paper

FORMATS = {
    "share": "0.0%",
    "sek": "#,##0",
    "days": "0.0",
    "count": "#,##0",
    "number": "0.000",
}
HEADER_FILL = PatternFill("solid", fgColor="EEF3F8")
# A KPI's number columns; their format follows the KPI (a share, kronor, days).
KPI_VALUE_COLUMNS = {
    "mean",
    "ci_low",
    "ci_high",
    "diff_vs_reference",
    "diff_ci_low",
    "diff_ci_high",
}


def kpi_format(kpi: str) -> str:
    """The number format of a KPI's values."""
    if kpi.startswith(("share_", "utilisation_", "caseload_occupancy_")):
        return FORMATS["share"]
    if kpi.startswith(("cost_", "saving_", "benefit_")):
        return FORMATS["sek"]
    if kpi.startswith("days_"):
        return FORMATS["days"]
    return "0.00"


def sheet_name(name: str, taken: set[str]) -> str:
    """A valid, unique sheet name: at most 31 characters, none of the characters Excel forbids
    (square brackets, colon, asterisk, question mark, slashes).
    """
    clean = re.sub(r"[\[\]:*?/\\]", " ", name).strip()[:31] or "Sheet"
    candidate, i = clean, 2
    while candidate.lower() in taken:
        suffix = f" ({i})"
        candidate, i = clean[: 31 - len(suffix)] + suffix, i + 1
    taken.add(candidate.lower())
    return candidate


def _plain(value: Any) -> Any:
    """A cell value openpyxl writes as a number, a bool, text or an empty cell."""
    if value is None:
        return None
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def _write_data(ws: Any, row: int, data: Data) -> int:
    ws.cell(row=row, column=1, value=data.title).font = Font(bold=True)
    row += 1
    columns = list(data.frame.columns)
    for j, column in enumerate(columns, start=1):
        cell = ws.cell(row=row, column=j, value=str(column))
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
    row += 1
    for record in data.frame.itertuples(index=False):
        values = dict(zip(columns, record, strict=True))
        for j, column in enumerate(columns, start=1):
            cell = ws.cell(row=row, column=j, value=_plain(values[column]))
            if column in KPI_VALUE_COLUMNS and "kpi" in values:
                cell.number_format = kpi_format(str(values["kpi"]))
            elif column in data.kinds:
                cell.number_format = FORMATS.get(data.kinds[column], "General")
        row += 1
    return row + 1


def render_xlsx(paper: Paper) -> bytes:
    """The workbook as bytes: one sheet per section that has text or numbers."""
    book = Workbook()
    book.remove(book.active)
    taken: set[str] = set()
    for section in paper.sections:
        texts = section.texts()
        if not texts and not section.data:
            continue
        ws = book.create_sheet(sheet_name(section.sheet, taken))
        ws.cell(row=1, column=1, value=section.title).font = Font(bold=True, size=13)
        row = 2
        if section.key == "answer":
            ws.cell(row=row, column=1, value=paper.headline).font = Font(bold=True, size=12)
            row += 1
        for text in texts:
            cell = ws.cell(row=row, column=1, value=text)
            cell.alignment = Alignment(wrap_text=False)
            row += 1
        row += 1
        for data in section.data:
            row = _write_data(ws, row, data)
        for j in range(1, ws.max_column + 1):
            ws.column_dimensions[get_column_letter(j)].width = 18 if j > 1 else 28
    book.properties.title = paper.title
    book.properties.language = paper.lang
    book.properties.creator = "samflode"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
