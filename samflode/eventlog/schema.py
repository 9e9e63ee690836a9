"""The event log's schema: for every kind of event, what each column means.

A record has the same eight columns for every event — ``time, participant, group, event, stage,
resource, detail, value`` — so the log is one narrow table that is cheap to append to on the hot
path and to store. What ``resource``, ``detail`` and ``value`` hold depends on the event; this
module says it once, for people (:func:`markdown_table`, the table in the README) and for code
(:func:`check_log` checks a log against it: every event known, every stage allowed, every detail
in its vocabulary, every value present exactly when the schema says and in its range).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from samflode.config.casework import EXPOSURES
from samflode.config.scenario import CHANNELS, EXIT_STATES, Scenario

PARTICIPANT_STAGES = ("forum", "konsultation", "insatsmarknad", "exit")
# Where a participant can be (a direct referral to Konsultation opens its case on arrival).
ANYWHERE = ("arrival", *PARTICIPANT_STAGES)
MEETINGS = ("triage", "planning", "session", "checkin", "coordination")
ROUTES = ("simple", "complex")
STATUSES = ("work", "studies", "not_in_work")


@dataclass(frozen=True)
class Column:
    """What one column holds for one event: a description and the values it may take.

    ``domain`` names a vocabulary (see :func:`vocabularies`) or, for ``value``, a number kind:
    ``difficulty`` (1–3), ``count`` (a whole number ≥ 0), ``days`` or ``hours`` (≥ 0). ``None``
    means the column is empty for this event (``""``, or NaN for ``value``).
    """

    meaning: str = ""
    domain: str | None = None


EMPTY = Column()


@dataclass(frozen=True)
class EventSpec:
    """One kind of event: where it happens and what its resource, detail and value mean."""

    meaning: str
    stages: tuple[str, ...]
    resource: Column = EMPTY
    detail: Column = EMPTY
    value: Column = EMPTY
    staff: bool = False  # a staff record: participant −1, group ""


def _meeting(meaning: str, value: Column = EMPTY) -> EventSpec:
    return EventSpec(
        meaning,
        ("forum", "konsultation", "insatsmarknad"),
        resource=Column("staff pool(s) of the meeting, joined by `+`", "pools"),
        detail=Column("kind of meeting", "meeting"),
        value=value,
    )


SCHEMA: Mapping[str, EventSpec] = {
    "arrived": EventSpec(
        "a participant arrives",
        ("arrival",),
        detail=Column("entry channel", "channel"),
        value=Column("difficulty (1–3)", "difficulty"),
    ),
    "queued": EventSpec(
        "starts waiting for a meeting, or for a caseload slot",
        ANYWHERE,
        resource=Column("staff pool(s) waited for", "pools"),
        detail=Column(
            "what is waited for: triage, planning, session, or caseload (a handläggare's slot)",
            "queue",
        ),
    ),
    "meeting_start": _meeting("a meeting (or staff time on the case) begins"),
    "meeting_end": _meeting("it ends", Column("its duration, days", "days")),
    "triaged": EventSpec(
        "the first Forum meeting decides the route",
        ("forum",),
        detail=Column("route: simple (kontrakt in Forum) or complex (Konsultation)", "route"),
    ),
    "handed_off": EventSpec(
        "sent on to another organisation's intake",
        ("forum",),
        resource=Column("the sending intake", "pools"),
        detail=Column("the receiving intake", "pools"),
    ),
    "handover": EventSpec("handed over to Konsultation", ("konsultation",)),
    "case_opened": EventSpec(
        "a handläggare takes the case (a caseload slot, if capped)",
        ANYWHERE,
        resource=Column("the handläggare pool", "pools"),
    ),
    "kontrakt_signed": EventSpec(
        "a kontrakt is signed",
        ("forum", "konsultation"),
        value=Column("number of kontrakt so far", "count"),
    ),
    "check_issued": EventSpec(
        "the check (voucher) comes with the kontrakt",
        ("insatsmarknad",),
        detail=Column("intervention type", "intervention"),
        value=Column("provider hours it buys (hours a week × planned weeks)", "hours"),
    ),
    "insats_queued": EventSpec(
        "starts looking for a provider place",
        ("insatsmarknad",),
        detail=Column("intervention type", "intervention"),
    ),
    "insats_refused": EventSpec(
        "every provider turns the case away (cream skimming)",
        ("insatsmarknad",),
        detail=Column("intervention type", "intervention"),
        value=Column("difficulty", "difficulty"),
    ),
    "insats_started": EventSpec(
        "the intervention starts at a provider",
        ("insatsmarknad",),
        resource=Column("provider", "provider"),
        detail=Column("intervention type", "intervention"),
        value=Column("provider hours a week", "hours"),
    ),
    "handlaggare_changed": EventSpec(
        "the case changes handläggare (lost continuity)",
        ("insatsmarknad",),
        detail=Column("intervention type", "intervention"),
        value=Column("the pause it caused, days", "days"),
    ),
    "subgoal_reached": EventSpec(
        "the intervention's sub-goal is reached (a bonus)",
        ("insatsmarknad",),
        resource=Column("provider", "provider"),
        detail=Column("intervention type", "intervention"),
    ),
    "insats_ended": EventSpec(
        "the intervention ends",
        ("insatsmarknad",),
        resource=Column("provider", "provider"),
        detail=Column("the state the kontrakt ends in", "exit_state"),
    ),
    "dropped_out": EventSpec("gives up waiting", ANYWHERE),
    "restarted": EventSpec(
        "a failed kontrakt starts the track again",
        ANYWHERE,
        detail=Column("track", "route"),
        value=Column("number of restarts so far", "count"),
    ),
    "exited": EventSpec(
        "leaves the flow",
        ("exit",),
        detail=Column("exit state", "exit_state"),
        value=Column("number of kontrakt signed", "count"),
    ),
    "followup_90d": EventSpec(
        "status 90 days after the exit",
        ("exit",),
        detail=Column("status: work, studies, not_in_work or the exit state", "status"),
        value=Column("difficulty (the bonus level)", "difficulty"),
    ),
    "followup_6m": EventSpec(
        "status 6 months after the exit",
        ("exit",),
        detail=Column("status, as at 90 days", "status"),
        value=Column("difficulty (the bonus level)", "difficulty"),
    ),
    "in_system_at_end": EventSpec(
        "still in the flow at the horizon (recorded once, at the horizon)",
        ANYWHERE,
    ),
    "staff_left": EventSpec(
        "a person leaves a staff pool; the post stands vacant",
        ("staff",),
        resource=Column("staff pool", "pools"),
        value=Column("vacancy length, days", "days"),
        staff=True,
    ),
    "staff_joined": EventSpec(
        "a newcomer fills the post (and starts learning)",
        ("staff",),
        resource=Column("staff pool", "pools"),
        staff=True,
    ),
    "admin": EventSpec(
        "an officer's case administration for the day ends (documentation, planning)",
        ("staff",),
        resource=Column("staff pool", "pools"),
        value=Column("its duration, days", "days"),
        staff=True,
    ),
    "exposure": EventSpec(
        "what happened to the person during support, recorded when the exit state is drawn",
        PARTICIPANT_STAGES,
        detail=Column("the exposure (README, outcome model)", "exposure"),
        value=Column("its value", "real"),
    ),
    "outcome_score": EventSpec(
        "the outcome model's score from the exposures (0 = the outcome table holds)",
        PARTICIPANT_STAGES,
        value=Column("the score", "real"),
    ),
}


def vocabularies(scenario: Scenario) -> dict[str, frozenset[str]]:
    """The values each named ``resource``/``detail`` domain may take in a run of ``scenario``."""
    pools = set(scenario.staff)
    if scenario.forum.triage_with:
        pools.add("+".join([scenario.forum.staff, *scenario.forum.triage_with]))
    k = scenario.konsultation
    if k is not None:
        optional = list(k.optional_roles)
        for mask in range(2 ** len(optional)):
            chosen = [r for i, r in enumerate(optional) if mask >> i & 1]
            pools.add("+".join([*k.roles, *chosen]))
    market = scenario.insatsmarknad
    if market is not None and market.followup_roles is not None:
        pools.add("+".join(market.followup_roles))
    return {
        "channel": frozenset(CHANNELS),
        "meeting": frozenset(MEETINGS),
        "route": frozenset(ROUTES),
        "exit_state": frozenset(EXIT_STATES),
        "status": frozenset(STATUSES) | frozenset(EXIT_STATES),
        "pools": frozenset(pools),
        "provider": frozenset(market.providers) if market else frozenset(),
        "intervention": frozenset(market.types) if market else frozenset(),
        "exposure": frozenset(EXPOSURES),
        "queue": frozenset(MEETINGS) | {"caseload"},
    }


def check_log(events: pd.DataFrame, scenario: Scenario) -> list[str]:
    """Every way ``events`` (one run of ``scenario``) departs from the schema; empty if none."""
    problems: list[str] = []
    words = vocabularies(scenario)
    unknown = sorted(set(events["event"].astype(str)) - set(SCHEMA))
    if unknown:
        problems.append(f"unknown events: {unknown}")
    for event, rows in events.groupby(events["event"].astype(str), sort=True):
        spec = SCHEMA.get(str(event))
        if spec is None:
            continue
        where = f"{event}"
        stages = set(rows["stage"].astype(str)) - set(spec.stages)
        if stages:
            problems.append(f"{where}: stage {sorted(stages)} not in {spec.stages}")
        staff = rows["participant"].to_numpy() < 0
        if spec.staff != bool(staff.all()) or (not spec.staff and staff.any()):
            problems.append(f"{where}: participant should be {'−1' if spec.staff else '≥ 0'}")
        for name in ("resource", "detail"):
            column: Column = getattr(spec, name)
            values = set(rows[name].astype(str))
            if column.domain is None:
                if values - {""}:
                    problems.append(f"{where}: {name} should be empty, has {sorted(values)[:5]}")
            elif bad := values - words[column.domain]:
                problems.append(f"{where}: {name} {sorted(bad)[:5]} not a {column.domain}")
        problems += _check_values(where, rows["value"].to_numpy(dtype=float), spec.value)
    return problems


def _check_values(where: str, value: np.ndarray, column: Column) -> list[str]:
    missing = np.isnan(value)
    if column.domain is None:
        return [] if missing.all() else [f"{where}: value should be empty (NaN)"]
    if missing.any():
        return [f"{where}: value ({column.meaning}) missing in {int(missing.sum())} rows"]
    low, high, whole = {
        "difficulty": (1, 3, True),
        "count": (0, math.inf, True),
        "days": (0, math.inf, False),
        "hours": (0, math.inf, False),
        "real": (-math.inf, math.inf, False),
    }[column.domain]
    if (value < low).any() or (value > high).any():
        return [f"{where}: value ({column.meaning}) outside [{low}, {high}]"]
    if whole and (value != np.round(value)).any():
        return [f"{where}: value ({column.meaning}) not a whole number"]
    return []


def markdown_table() -> str:
    """The schema as the README's table: event → meaning of stage, resource, detail and value."""
    lines = [
        "| event | what happened | stage | resource | detail | value |",
        "|---|---|---|---|---|---|",
    ]
    for event, spec in SCHEMA.items():
        stage = ", ".join(f"`{s}`" for s in spec.stages) if len(spec.stages) < 4 else "where it is"
        cells = [f"`{event}`", spec.meaning, stage]
        cells += [c.meaning or "—" for c in (spec.resource, spec.detail, spec.value)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
