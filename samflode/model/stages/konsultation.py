"""Konsultation: the multi-professional team for complex cases (000 §6.2).

After the hand-over (dossier and fullmakt; "ofta ... direkt", otherwise within a week, 000 §6.1) the
team meets the participant together: every role listed in the scenario (e.g. FK, AF, municipality,
region) must be free at the same time. Several sessions, a set interval apart, end in a kontrakt
with goals and a check. Rule: first session within 7 days of the hand-over.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

import simpy

from samflode.eventlog.log import Kind
from samflode.model.staff import NAN, meet

if TYPE_CHECKING:
    from samflode.model.participant import Participant
    from samflode.model.replication import Context

STAGE = "konsultation"


def run(ctx: Context, p: Participant) -> Generator[simpy.Event, object, bool]:
    """Hand-over, sessions and kontrakt; returns False if the participant gave up waiting."""
    env = ctx.env
    p.stage = STAGE
    pid, group, append = p.pid, p.group, ctx.append
    append((env.now, pid, group, Kind.HANDOVER, STAGE, "", "", NAN))
    if p.handover_delay > 0:
        yield env.timeout(p.handover_delay)
    append((env.now, pid, group, Kind.QUEUED, STAGE, ctx.konsultation_team.label, "session", NAN))
    last = len(p.session_durations) - 1
    for i, duration in enumerate(p.session_durations):
        met = yield from meet(ctx, p, STAGE, "session", ctx.konsultation_team, duration)
        if not met:
            return False
        if i < last and p.session_intervals[i] > 0:
            yield env.timeout(p.session_intervals[i])
    p.kontrakts += 1
    append((env.now, pid, group, Kind.KONTRAKT_SIGNED, STAGE, "", "", p.kontrakts))
    return True
