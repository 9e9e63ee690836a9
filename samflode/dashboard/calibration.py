"""The Calibrate tab: show a calibration's output folder — fit, marginals, checks, counterfactuals.

It reads the files ``samflode calibrate`` and ``samflode counterfactual`` wrote and redraws the
figures from their tables (:mod:`samflode.report.calibration`); it never runs a calibration,
which takes minutes to hours and belongs on the command line.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from samflode.dashboard.i18n import t
from samflode.report.calibration import (
    fit_figure,
    marginals_figure,
    pairs_figure,
    read_calibration,
    read_counterfactuals,
)

FIT_SHOWN = ["target", "scenario", "holdout", "observed", "predicted_mean", "predicted_q05",
             "predicted_q95", "implausibility", "within_90"]  # fmt: skip
SUMMARY_SHOWN = ["parameter", "prior_low", "prior_high", "mean", "q05", "q25", "q50", "q75",
                 "q95", "shrinkage"]  # fmt: skip


@st.cache_data(show_spinner=False)
def _load(folder: str, stamp: float) -> dict:
    """The folder's tables (cached on the folder and its calibration.json's time)."""
    found = read_calibration(folder)
    found["counterfactuals"] = read_counterfactuals(folder)
    return found


def calibrate_tab(lang: str) -> None:
    """Lay out the tab for the folder typed in its text box."""
    st.caption(t("cal_intro", lang))
    folder = st.text_input(t("cal_folder", lang), key="cal_folder").strip()
    if not folder:
        return
    record = Path(folder) / "calibration.json"
    if not record.is_file():
        st.error(t("cal_bad", lang, folder=folder, reason="no calibration.json"))
        return
    try:
        found = _load(folder, record.stat().st_mtime)
    except (OSError, ValueError, KeyError) as exc:
        st.error(t("cal_bad", lang, folder=folder, reason=str(exc)))
        return
    facts = found["facts"]
    st.markdown(
        t(
            "cal_facts", lang, runs=facts.get("simulations", "?"),
            seconds=facts.get("elapsed_seconds", "?"),
            nroy=f"{facts.get('nroy_share_final', float('nan')):.1%}",
        )
    )  # fmt: skip
    summary, fit, posterior = found["summary"], found["fit"], found["posterior"]
    st.subheader(t("cal_posterior", lang))
    st.dataframe(summary[SUMMARY_SHOWN], hide_index=True, key="cal_summary")
    st.pyplot(marginals_figure(posterior, summary))
    if len(summary) > 1:
        with st.expander("pairs"):
            st.pyplot(pairs_figure(posterior, summary))
    st.subheader(t("cal_fit", lang))
    st.dataframe(fit[FIT_SHOWN], hide_index=True, key="cal_fit_table")
    st.pyplot(fit_figure(fit))
    if found.get("orders") is not None and len(found["orders"]):
        st.subheader(t("cal_orders", lang))
        st.dataframe(found["orders"], hide_index=True, key="cal_orders_table")
    if found.get("leave_one_out") is not None:
        st.subheader(t("cal_loo", lang))
        st.dataframe(found["leave_one_out"], hide_index=True, key="cal_loo_table")
    counterfactuals = found["counterfactuals"]
    if not counterfactuals:
        st.info(t("cal_no_counterfactual", lang))
    for name, cf in counterfactuals.items():
        cf_facts = cf["facts"]
        title = f"{cf_facts['site']} → {cf_facts['design']} ({', '.join(cf_facts['take'])})"
        st.subheader(t("cal_counterfactual", lang, name=title))
        table: pd.DataFrame = cf["table"]
        wanted = cf_facts.get("figure_kpis") or list(table["kpi"])
        st.dataframe(table[table["kpi"].isin(wanted)], hide_index=True, key=f"cal_cf_{name}")
        if Path(cf["figure"]).is_file():
            st.image(str(cf["figure"]))
