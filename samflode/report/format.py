"""Numbers for people, one set of rules for the command line, the dashboard and the board pack.

Shares and utilisations in per cent (differences in percentage points), kronor with a space
between thousands, lead times in days with one decimal; a missing value is a dash. With ``mega``
kronor are shown in millions, so a column of large costs stays narrow.

``lang="sv"`` writes Swedish numbers as a Swedish board paper does (Språkrådet's rules): a decimal
comma, a thin space between thousands (U+202F, narrow and non-breaking, so a number never wraps),
"mnkr" for million kronor and "p.e." (procentenheter) for percentage points. English keeps the
full stop, a space between thousands, "Mkr" and "pp".
"""

from __future__ import annotations

import math

MISSING = "–"
THIN_SPACE = "\u202f"
MEGA_UNIT = {"en": "Mkr", "sv": "mnkr"}
POINTS_UNIT = {"en": "pp", "sv": "p.e."}


def _missing(x: float | None) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def number(x: float, decimals: int, lang: str = "en") -> str:
    """``x`` with ``decimals`` decimals and grouped thousands, in the language's convention."""
    # A minus sign, not a hyphen, as fmt_delta writes it.
    text = f"{x:,.{decimals}f}".replace("-", "−")
    if lang == "sv":
        return text.replace(",", THIN_SPACE).replace(".", ",")
    return text.replace(",", " ")


def fmt(kpi: str, x: float | None, *, mega: bool = False, lang: str = "en") -> str:
    """A KPI value: shares in %, costs, benefits, savings in kr (millions with ``mega``), days."""
    if _missing(x):
        return MISSING
    if kpi.startswith(("share_", "utilisation_")):
        return f"{number(100 * x, 1, lang)} %"
    if kpi.startswith(("cost_", "saving_", "benefit_")):
        if mega:
            return f"{number(x / 1e6, 2, lang)} {MEGA_UNIT.get(lang, 'Mkr')}"
        return f"{number(x, 0, lang)} kr"
    if kpi.startswith("days_"):
        return f"{number(x, 1, lang)} d"
    return number(x, 1, lang)


def fmt_delta(kpi: str, x: float | None, *, mega: bool = False, lang: str = "en") -> str:
    """A signed paired difference; shares and utilisations in percentage points."""
    if _missing(x):
        return MISSING
    sign = "+" if x > 0 else "−" if x < 0 else "±"
    text = fmt(kpi, abs(x), mega=mega, lang=lang)
    return sign + text.replace(" %", f" {POINTS_UNIT.get(lang, 'pp')}")


def fmt_ci(
    kpi: str, low: float | None, high: float | None, *, mega: bool = False, lang: str = "en"
) -> str:
    """A confidence interval ``low – high`` (a dash when either end is missing)."""
    if _missing(low) or _missing(high):
        return MISSING
    return f"{fmt(kpi, low, mega=mega, lang=lang)} – {fmt(kpi, high, mega=mega, lang=lang)}"


def excludes_zero(low: float, high: float) -> bool:
    """Whether a difference's CI lies wholly on one side of 0 (marked with a star)."""
    return low > 0 or high < 0
