"""One colour per design, per financing party and per follow-up state, for every chart.

A board compares designs across several charts; the same design must have the same colour in each
of them (the figures of ``samflode compare``, the dashboard's Plotly charts, the board pack). The
colours are the Okabe–Ito palette (Okabe & Ito 2008, "Color Universal Design"), readable with the
common colour-vision deficiencies and in grey print. A design's colour is fixed by its place in the
comparison: the reference design is always the first colour.
"""

from __future__ import annotations

from collections.abc import Sequence

# Okabe–Ito, without its yellow (too light on white paper) and with black last.
DESIGN_COLOURS = (
    "#0072B2",  # blue: the reference design
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermilion
    "#000000",
)
PARTY_COLOURS = {
    "fk": "#005AA0",  # Försäkringskassan
    "af": "#7FB6D9",  # Arbetsförmedlingen
    "region": "#B5651D",
    "municipality": "#E7C58A",
}
# From the best outcome to the worst: greens for work and studies, greys, then reds.
STATE_COLOURS = {
    "work": "#1B7837",
    "studies": "#7FBF7B",
    "af_programme": "#A6DBA0",
    "not_in_work": "#BDBDBD",
    "benefits": "#F4A582",
    "permanent_support": "#D6604D",
    "dropout": "#B2182B",
}


def design_colour(index: int) -> str:
    """The colour of the design at ``index`` in a comparison (0 = the reference)."""
    return DESIGN_COLOURS[index % len(DESIGN_COLOURS)]


def design_colours(names: Sequence[str]) -> dict[str, str]:
    """Each design's colour, by its place in ``names`` (the comparison's order)."""
    return {name: design_colour(i) for i, name in enumerate(names)}
