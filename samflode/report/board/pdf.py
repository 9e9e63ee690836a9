"""The board paper as a PDF: the HTML page printed by headless Chromium.

Why Chromium and not WeasyPrint: Chromium is already the project's browser (the dashboard's
browser test drives Debian's ``chromium``, which ``make browser`` installs), so the PDF needs no
further system library (WeasyPrint needs Pango and its font stack), and it is printed by the same
engine that shows the HTML file to a board member, so the two look alike. The page's own ``@page``
rules set A4, the margins and the page breaks; ``--no-pdf-header-footer`` keeps Chromium's date
and file path off the pages. Each print runs in a fresh temporary profile, so it never touches a
browser the user has open, and is given a generous time cap.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
PRINT_TIMEOUT_S = 300
ENV_VAR = "SAMFLODE_CHROMIUM"


class PdfUnavailable(RuntimeError):
    """No Chromium to print with (the message says how to install one)."""


def find_chromium() -> str:
    """The Chromium to print with: ``$SAMFLODE_CHROMIUM``, else the first on the PATH."""
    chosen = os.environ.get(ENV_VAR)
    if chosen:
        if shutil.which(chosen) is None:
            raise PdfUnavailable(f"{ENV_VAR}={chosen}: no such program")
        return chosen
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    raise PdfUnavailable(
        "the PDF is printed by Chromium, and none was found: install Debian's chromium "
        f"(make browser, or apt-get install chromium), or set {ENV_VAR}; "
        "--format html,xlsx works without it"
    )


def html_to_pdf(html: str) -> bytes:
    """Print an HTML document to PDF bytes with headless Chromium."""
    browser = find_chromium()
    with tempfile.TemporaryDirectory(prefix="samflode-pdf-") as tmp:
        page, out = Path(tmp) / "paper.html", Path(tmp) / "paper.pdf"
        page.write_text(html, encoding="utf-8")
        command = [
            browser,
            "--headless",
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
            f"--user-data-dir={Path(tmp) / 'profile'}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={out}",
            page.as_uri(),
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.insert(1, "--no-sandbox")  # Chromium refuses to run as root with a sandbox
        log.info("printing the board pack with %s", browser)
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=PRINT_TIMEOUT_S, check=False
        )
        if not out.is_file() or not out.read_bytes().startswith(b"%PDF"):
            tail = (done.stderr or "").strip().splitlines()[-3:]
            raise RuntimeError(
                f"{browser} printed no PDF (exit {done.returncode}): {' / '.join(tail)}"
            )
        return out.read_bytes()
