"""What binds: which resource limits each target, today and under the plan.

A planner's next question after "how many?" is "why that many?". For each target this names the
stage the KPI measures (first meeting, Konsultation, a place on the Insatsmarknad, a caseload
slot), the pools that serve that stage with their utilisation (share of paid hours in meetings)
or caseload-slot occupancy, today and planned, the stage's mean wait, and — from the plan's
neighbours, one unit less of each lever — which lever the target actually hangs on. All of it
is read from KPI means the search already has; nothing is run for it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from samflode.config.scenario import Scenario
from samflode.experiments.planning.spec import Target

if TYPE_CHECKING:
    from samflode.experiments.planning.search import Candidate, ScalePlan

# KPI name prefix → (stage, the KPI of that stage's mean wait).
STAGES = (
    (
        ("share_first_meeting", "days_to_first_meeting"),
        "first meeting",
        "days_to_first_meeting_mean",
    ),
    (("share_kontrakt", "days_to_kontrakt"), "kontrakt", "days_to_kontrakt_mean"),
    (("share_konsultation", "days_to_konsultation"), "Konsultation", "days_to_konsultation_mean"),
    (("days_waiting_for_insats",), "Insatsmarknad place", "days_waiting_for_insats_mean"),
    (("days_waiting_for_slot",), "caseload slot", "days_waiting_for_slot_mean"),
)


@dataclass(frozen=True)
class Bind:
    """One target's limiting resource."""

    target: str
    stage: str
    wait_kpi: str | None
    wait_today: float
    wait_planned: float
    pools: dict[str, dict[str, float]]
    busiest: str | None
    hangs_on: list[str] | None

    def as_dict(self) -> dict:
        """For plan.json."""
        return self.__dict__.copy()

    def sentence(self) -> str:
        """The plain-language line the CLI prints."""
        parts = [f"{self.target}: {self.stage}"]
        if self.busiest:
            p = self.pools[self.busiest]
            what = "caseload slots" if "occupancy_today" in p else "utilisation"
            key = "occupancy" if what == "caseload slots" else "utilisation"
            parts.append(
                f"busiest pool {self.busiest} ({what} {p[key + '_today']:.0%} today → "
                f"{p[key + '_planned']:.0%} planned)"
            )
        if self.wait_kpi:
            parts.append(f"mean wait {self.wait_today:.1f} → {self.wait_planned:.1f} days")
        if self.hangs_on:
            parts.append("one unit less of " + " or ".join(self.hangs_on) + " misses it")
        elif self.hangs_on == []:
            parts.append("no single lever: one unit less of any still meets it")
        return "; ".join(parts)


def stage_pools(scenario: Scenario, kpi: str) -> tuple[str, str | None, list[str]]:
    """The stage a KPI measures, its wait KPI and the pools serving it (every pool if none)."""
    forum = [scenario.forum.staff, *scenario.forum.triage_with] + [
        g.intake for g in scenario.groups.values() if g.intake
    ]
    case = [g.handlaggare for g in scenario.groups.values() if g.handlaggare]
    konsultation = (
        [*scenario.konsultation.roles, *scenario.konsultation.optional_roles]
        if scenario.konsultation
        else []
    )
    market = list(scenario.insatsmarknad.followup_roles or []) if scenario.insatsmarknad else []
    pools_by_stage = {
        "first meeting": forum,
        "kontrakt": forum,
        "Konsultation": konsultation,
        "Insatsmarknad place": market + case,
        "caseload slot": case,
    }
    for prefixes, stage, wait in STAGES:
        if kpi.startswith(prefixes):
            return stage, wait, list(dict.fromkeys(pools_by_stage[stage]))
    return "the whole flow", None, list(scenario.staff)


def binds(scale: ScalePlan, targets: list[Target], scenario: Scenario) -> list[Bind]:
    """For each target, what limits it at the chosen plan compared with today."""
    today, planned = scale.today, scale.chosen
    out = []
    for t in targets:
        stage, wait, pools = stage_pools(scenario, t.kpi)
        table: dict[str, dict[str, float]] = {}
        for pool in pools:
            row = {}
            for name, key in (
                ("utilisation", "utilisation_"),
                ("occupancy", "caseload_occupancy_"),
            ):
                a, b = today.mean(key + pool), planned.mean(key + pool)
                if not (math.isnan(a) and math.isnan(b)):
                    row[f"{name}_today"], row[f"{name}_planned"] = a, b
            if row:
                table[pool] = row
        busiest = max(
            table,
            key=lambda p: table[p].get("occupancy_planned", table[p].get("utilisation_planned", 0)),
            default=None,
        )
        hangs_on = (
            [lever for lever, nb in scale.neighbours.items() if not _meets(nb, t)]
            if scale.neighbours
            else None
        )
        out.append(
            Bind(
                target=t.label,
                stage=stage,
                wait_kpi=wait,
                wait_today=today.mean(wait) if wait else math.nan,
                wait_planned=planned.mean(wait) if wait else math.nan,
                pools=table,
                busiest=busiest,
                hangs_on=hangs_on,
            )
        )
    return out


def _meets(cand: Candidate, target: Target) -> bool:
    return any(e.target == target and e.met for e in cand.estimates)
