"""Runs for the page: the experiment runner behind Streamlit's cache, keyed by the designs' YAML.

The cache key is (each design as YAML, seed, replications): the same designs run again, or a page
opened again, are shown from the cache without simulating. What is drawn or written in words
(figures, the board pack) has the page's language in its key as well; switching the language
draws again but never simulates again. Runs call :func:`samflode.compare` (or
:func:`samflode.simulate` for one design), so the figures equal ``samflode compare`` for the same
seed.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence

import pandas as pd
import streamlit as st

from samflode import Comparison, compare, simulate
from samflode.analysis.flows import outcome_flows
from samflode.dashboard.scenarios import scenario_from_yaml
from samflode.experiments.comparison import paired_comparison


def run_designs(
    designs: Sequence[str],
    seed: int,
    replications: int,
    progress: Callable[[int, int], None] | None = None,
) -> Comparison:
    """Run the designs given as YAML (the first is the reference) with one seed.

    One design is run with :func:`samflode.simulate` and wrapped as a comparison with itself (its
    differences are 0), so the page shows one kind of result.
    """
    scenarios = [scenario_from_yaml(text) for text in designs]
    if len(scenarios) > 1:
        return compare(scenarios, seed=seed, replications=replications, progress=progress)
    result = simulate(scenarios[0], seed=seed, replications=replications, progress=progress)
    return Comparison(
        results=(result,),
        seed=seed,
        replications=replications,
        table=paired_comparison(result.kpis, [result.scenario.name]),
    )


@st.cache_data(max_entries=8, show_spinner=False)
def cached_run(
    designs: tuple[str, ...],
    seed: int,
    replications: int,
    _progress: Callable[[int, int], None] | None = None,
) -> Comparison:
    """:func:`run_designs`, cached (``_progress`` is not part of the key)."""
    return run_designs(designs, seed, replications, _progress)


@st.cache_data(max_entries=8, show_spinner=False)
def cached_flows(designs: tuple[str, ...], seed: int, replications: int) -> list[pd.DataFrame]:
    """Outcome flows per design of a cached run (:func:`~samflode.analysis.flows.outcome_flows`)."""
    comparison = cached_run(designs, seed, replications)
    return [outcome_flows(r.events, r.scenario) for r in comparison.results]


@st.cache_data(max_entries=4, show_spinner=False)
def events_parquet(designs: tuple[str, ...], seed: int, replications: int) -> bytes:
    """The event logs of a cached run as one Parquet file, with a ``scenario`` column first."""
    comparison = cached_run(designs, seed, replications)
    frames = [r.events.assign(scenario=r.scenario.name) for r in comparison.results]
    events = pd.concat(frames, ignore_index=True)
    events = events[["scenario", *[c for c in events.columns if c != "scenario"]]]
    buffer = io.BytesIO()
    events.to_parquet(buffer, index=False)
    return buffer.getvalue()


@st.cache_data(max_entries=8, show_spinner=False)
def cached_pngs(
    designs: tuple[str, ...], seed: int, replications: int, lang: str = "en"
) -> dict[str, bytes]:
    """The four comparison figures of :mod:`samflode.report.plots` in ``lang``, as PNG bytes.

    The language is part of the cache key: a figure's titles and numbers are in the page's
    language, so the Swedish page never shows the English PNGs cached for the English page.
    """
    from samflode.dashboard.figures import png_bytes
    from samflode.report import plots

    results = list(cached_run(designs, seed, replications).results)
    return {name: png_bytes(make(results, lang=lang)) for name, make in plots.FIGURES.items()}


@st.cache_data(max_entries=6, show_spinner=False)
def board_pack(
    designs: tuple[str, ...], seed: int, replications: int, lang: str, fmt: str
) -> bytes:
    """The board pack of a cached run in ``lang``, as ``fmt`` (html, pdf or xlsx) bytes.

    Made by :func:`samflode.report.board.board_pack_bytes`, the code path of ``samflode report``,
    only when the reader asks for it (a download button's callable: a pack takes seconds), and
    cached with the run's key and the language, so a second click does not make it again.
    """
    from samflode.report.board import board_pack_bytes

    return board_pack_bytes(cached_run(designs, seed, replications), lang=lang, fmt=fmt)
