"""Outcome flows: where the cohort went, from arrival to exit to its status at 90 days and 6 months.

A pure function of the event log (as :mod:`samflode.analysis.kpi`), for a funnel or Sankey diagram:
it counts the same cohort the outcome KPIs use (arrived in the analysis window) and the same records
(``exited``, ``followup_90d``, ``followup_6m``), so the diagram agrees with the outcome shares.
Someone with no exit before the horizon is ``in_system``; an exit whose follow-up falls after the
horizon is ``not_yet_followed_up`` (censored, not a status).
"""

from __future__ import annotations

import pandas as pd

from samflode.analysis.kpi import cohort_arrivals
from samflode.config.scenario import Scenario
from samflode.eventlog.log import Event

IN_SYSTEM = "in_system"
NOT_YET = "not_yet_followed_up"
STEPS = ("arrived", "exit", "90d", "6m")
FLOW_COLUMNS = ("source", "target", "participants")


def _last_detail(log: pd.DataFrame, event: Event) -> pd.Series:
    rows = log.loc[log["event"] == event.value, ["replication", "participant", "detail"]]
    return rows.groupby(["replication", "participant"], sort=False)["detail"].last().astype(str)


def outcome_flows(log: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """Flows between steps as ``source, target, participants`` (mean per replication).

    Nodes are named ``step:state``: ``arrived:cohort`` → ``exit:<exit state>`` or
    ``exit:in_system`` → ``90d:<status>`` → ``6m:<status>`` (``not_yet_followed_up`` where the
    follow-up lies after the horizon). Flows out of ``exit:in_system`` stop there.
    """
    cohorts = []
    for rep, rows in log.groupby("replication", sort=True):
        cohort = cohort_arrivals(rows, scenario.warmup_days, scenario.horizon_days)
        cohorts.append(pd.DataFrame({"replication": rep, "participant": cohort.index}))
    if not cohorts:
        return pd.DataFrame(columns=list(FLOW_COLUMNS))
    people = pd.concat(cohorts, ignore_index=True).set_index(["replication", "participant"])
    replications = max(1, len(cohorts))
    people["exit"] = _last_detail(log, Event.EXITED).reindex(people.index).fillna(IN_SYSTEM)
    for step, event in (("90d", Event.FOLLOWUP_90D), ("6m", Event.FOLLOWUP_6M)):
        status = _last_detail(log, event).reindex(people.index).fillna(NOT_YET)
        people[step] = status.where(people["exit"] != IN_SYSTEM, None)
    people["arrived"] = "cohort"
    frames = []
    for source, target in zip(STEPS, STEPS[1:], strict=False):
        moved = people.dropna(subset=[source, target])
        counts = moved.groupby([source, target], sort=True).size().reset_index(name="n")
        frames.append(
            pd.DataFrame(
                {
                    "source": source + ":" + counts[source].astype(str),
                    "target": target + ":" + counts[target].astype(str),
                    "participants": counts["n"] / replications,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)[list(FLOW_COLUMNS)]
