"""Participants and the draw of their personal attributes at arrival.

Everything that is personal — entry channel, simple or complex, need of a second Forum meeting,
intervention type, difficulty, own meeting durations, patience, and the uniform numbers that decide
outcomes — is drawn when the participant arrives, each from its own stream named after the target
group and the attribute (``"sjuka.triage_duration"``). The k-th participant of a group therefore
gets the same draws in every design that has that attribute: common random numbers hold even when
designs route people through different stages (STYLE §3). A new kontrakt after a failure draws its
durations from separate ``"<group>.restart.*"`` streams for the same reason.
"""

from __future__ import annotations

from sim.distributions import Sampler, UniformBlock
from sim.scenario import Scenario
from sim.streams import Streams

TRACK_SIMPLE = "simple"
TRACK_COMPLEX = "complex"


class Participant:
    """One person in the flow; plain slots so that a million of them stay cheap."""

    __slots__ = (
        "pid",
        "group",
        "channel",
        "track",
        "second_meeting",
        "intervention",
        "difficulty",
        "u_exit",
        "u_90",
        "u_6m",
        "u_provider",
        "patience",
        "booking_delay",
        "triage_duration",
        "second_meeting_delay",
        "planning_duration",
        "handover_delay",
        "session_durations",
        "session_intervals",
        "insats_duration",
        "kontrakts",
        "restarts",
        "stage",
        "slot",
        "exit_state",
    )

    def __init__(self, pid: int, group: str) -> None:
        self.pid = pid
        self.group = group
        self.track = TRACK_SIMPLE
        self.kontrakts = 0
        self.restarts = 0
        self.stage = "arrival"
        self.slot = None
        self.exit_state = ""
        self.patience: float | None = None


def _pick(shares: dict, u: float):  # noqa: ANN202 - returns a key of shares
    """Inverse-CDF choice from a mapping of shares (keys in the order written in the scenario)."""
    acc = 0.0
    last = None
    for key, share in shares.items():
        acc += share
        last = key
        if u < acc and share > 0:
            return key
    # Rounding can leave u just above the cumulative sum: return the last key with a share.
    for key, share in reversed(list(shares.items())):
        if share > 0:
            return key
    return last


class GroupDraws:
    """The named streams of one target group, and the draw of a new participant from them."""

    def __init__(self, scenario: Scenario, streams: Streams, group: str) -> None:
        self.scenario = scenario
        self.group = group
        self.cfg = scenario.groups[group]
        self.streams = streams
        g = group

        def uni(attr: str) -> UniformBlock:
            return streams.uniform(f"{g}.{attr}")

        self.u_channel = uni("channel")
        self.u_complex = uni("complex")
        self.u_second = uni("second_meeting")
        self.u_intervention = uni("intervention")
        self.u_difficulty = uni("difficulty")
        self.u_exit = uni("exit")
        self.u_90 = uni("followup_90d")
        self.u_6m = uni("followup_6m")
        self.u_provider = uni("provider")
        self.u_sessions = None
        self._restart: dict[str, object] = {}
        forum = scenario.forum
        self.booking = streams.sampler(f"{g}.booking_delay", forum.booking_delay)
        self.triage = streams.sampler(f"{g}.triage_duration", forum.triage_duration)
        self.second_delay = streams.sampler(f"{g}.second_meeting_delay", forum.second_meeting_delay)
        self.planning = streams.sampler(f"{g}.planning_duration", forum.planning_duration)
        self.patience = (
            streams.sampler(f"{g}.patience", scenario.patience) if scenario.patience else None
        )
        k = scenario.konsultation
        if k is not None:
            self.handover = streams.sampler(f"{g}.handover_delay", k.handover_delay)
            self.u_sessions = uni("sessions")
            self.session = streams.sampler(f"{g}.session_duration", k.session_duration)
            self.interval = streams.sampler(f"{g}.session_interval", k.session_interval)
        m = scenario.insatsmarknad
        self.insats: dict[str, Sampler] = {}
        if m is not None:
            for itype in self.cfg.interventions:
                self.insats[itype] = streams.sampler(
                    f"{g}.insats_duration.{itype}", m.types[itype].duration
                )

    def new(self, pid: int) -> Participant:
        """Draw a participant of this group with all personal attributes."""
        cfg = self.cfg
        p = Participant(pid, self.group)
        p.channel = _pick(cfg.channels, self.u_channel.draw())
        p.track = TRACK_COMPLEX if self.u_complex.draw() < cfg.complex_share else TRACK_SIMPLE
        p.second_meeting = self.u_second.draw() < cfg.second_meeting_share
        p.intervention = (
            _pick(cfg.interventions, self.u_intervention.draw()) if cfg.interventions else "none"
        )
        p.difficulty = _pick(cfg.difficulty, self.u_difficulty.draw())
        p.u_exit = self.u_exit.draw()
        p.u_90 = self.u_90.draw()
        p.u_6m = self.u_6m.draw()
        p.u_provider = self.u_provider.draw()
        p.booking_delay = self.booking.draw()
        p.triage_duration = self.triage.draw()
        p.second_meeting_delay = self.second_delay.draw()
        p.planning_duration = self.planning.draw()
        if self.patience is not None:
            p.patience = self.patience.draw()
        if self.u_sessions is not None:
            self._draw_konsultation(p, self.handover, self.u_sessions, self.session, self.interval)
        if self.insats:
            p.insats_duration = self.insats[p.intervention].draw()
        return p

    def _draw_konsultation(self, p: Participant, handover, u_sessions, session, interval) -> None:  # noqa: ANN001
        n = self.scenario.konsultation.sessions.pick(u_sessions.draw())
        p.handover_delay = handover.draw()
        p.session_durations = [session.draw() for _ in range(n)]
        p.session_intervals = [interval.draw() for _ in range(n - 1)]

    def redraw_for_restart(self, p: Participant) -> None:
        """New personal durations and outcome draws for a new kontrakt, from restart streams."""
        r = self._restart
        if not r:
            g, s, sc = self.group, self.streams, self.scenario
            r["u_exit"] = s.uniform(f"{g}.restart.exit")
            r["u_90"] = s.uniform(f"{g}.restart.followup_90d")
            r["u_6m"] = s.uniform(f"{g}.restart.followup_6m")
            r["second_delay"] = s.sampler(
                f"{g}.restart.second_meeting_delay", sc.forum.second_meeting_delay
            )
            r["planning"] = s.sampler(f"{g}.restart.planning_duration", sc.forum.planning_duration)
            if sc.konsultation is not None:
                k = sc.konsultation
                r["handover"] = s.sampler(f"{g}.restart.handover_delay", k.handover_delay)
                r["sessions"] = s.uniform(f"{g}.restart.sessions")
                r["session"] = s.sampler(f"{g}.restart.session_duration", k.session_duration)
                r["interval"] = s.sampler(f"{g}.restart.session_interval", k.session_interval)
            for itype in self.insats:
                r[f"insats.{itype}"] = s.sampler(
                    f"{g}.restart.insats_duration.{itype}",
                    sc.insatsmarknad.types[itype].duration,
                )
        p.u_exit = r["u_exit"].draw()
        p.u_90 = r["u_90"].draw()
        p.u_6m = r["u_6m"].draw()
        p.second_meeting_delay = r["second_delay"].draw()
        p.planning_duration = r["planning"].draw()
        if "handover" in r:
            self._draw_konsultation(p, r["handover"], r["sessions"], r["session"], r["interval"])
        if self.insats:
            p.insats_duration = r[f"insats.{p.intervention}"].draw()
