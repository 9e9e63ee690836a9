"""Numbers for people, one set of rules for the command line and the dashboard.

Shares and utilisations in per cent (differences in percentage points), kronor with a space
between thousands, lead times in days with one decimal; a missing value is a dash. With ``mega``
kronor are shown in Mkr, so a column of large costs stays narrow.
"""

from __future__ import annotations

import math

MISSING = "–"


def _missing(x: float | None) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def fmt(kpi: str, x: float | None, *, mega: bool = False) -> str:
    """A KPI value: shares in %, costs, benefits, savings in kr (Mkr with ``mega``), days in d."""
    if _missing(x):
        return MISSING
    if kpi.startswith(("share_", "utilisation_")):
        return f"{100 * x:.1f} %"
    if kpi.startswith(("cost_", "saving_", "benefit_")):
        if mega:
            return f"{x / 1e6:,.2f} Mkr".replace(",", " ")
        return f"{x:,.0f} kr".replace(",", " ")
    if kpi.startswith("days_"):
        return f"{x:.1f} d"
    return f"{x:,.1f}".replace(",", " ")


def fmt_delta(kpi: str, x: float | None, *, mega: bool = False) -> str:
    """A signed paired difference; shares and utilisations in percentage points."""
    if _missing(x):
        return MISSING
    sign = "+" if x > 0 else "−" if x < 0 else "±"
    return sign + fmt(kpi, abs(x), mega=mega).replace(" %", " pp")


def fmt_ci(kpi: str, low: float | None, high: float | None, *, mega: bool = False) -> str:
    """A confidence interval ``low – high`` (a dash when either end is missing)."""
    if _missing(low) or _missing(high):
        return MISSING
    return f"{fmt(kpi, low, mega=mega)} – {fmt(kpi, high, mega=mega)}"


def excludes_zero(low: float, high: float) -> bool:
    """Whether a difference's CI lies wholly on one side of 0 (marked with a star)."""
    return low > 0 or high < 0
