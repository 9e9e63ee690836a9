"""Participants and the draw of their personal attributes at arrival.

Everything that is personal — entry channel, simple or complex, need of a second Forum meeting,
intervention type, difficulty, own meeting durations, patience, and the uniform numbers that decide
outcomes — is drawn when the participant arrives, each from its own stream named after the target
group and the attribute (``"sjuka.triage_duration"``). The k-th participant of a group therefore
gets the same draws in every design that has that attribute: common random numbers hold even when
designs route people through different stages. A new kontrakt after a failure draws its
durations from separate ``"<group>.restart.*"`` streams for the same reason.
"""

from __future__ import annotations

from samflode.config.scenario import IntChoice, Scenario
from samflode.rng.samplers import Sampler
from samflode.rng.streams import Streams

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
        "handoffs",
        "waited",
        "changes",
        "u_changes",
        "u_accept",
        "placement_delay",
        "arrived_at",
        "days_joint",
        "days_single",
        "joint_meetings",
        "health_at",
        "work_at",
        "case",
        "met",
        "u_location",
        "admin_pool",
        "k_roles",
        "benefit_days",
        "u_phase",
        "phase_duration",
        "paused",
        "travel",
    )

    def __init__(self, pid: int, group: str) -> None:
        self.pid = pid
        self.group = group
        self.track = TRACK_SIMPLE
        self.kontrakts = 0
        self.restarts = 0
        self.stage = "arrival"
        self.slot = None
        self.handoffs: tuple[tuple[float, float], ...] = ()
        self.waited = 0.0
        self.changes = 0
        self.u_accept: float | None = None
        self.patience: float | None = None
        # Exposures the outcome model reads (samflode.model.outcome): time with staff, in joint
        # and one-officer meetings (days), joint meetings held, when the first health activity
        # started, and (with casework) the case's officers and everyone met.
        self.arrived_at = 0.0
        self.days_joint = 0.0
        self.days_single = 0.0
        self.joint_meetings = 0
        self.health_at: float | None = None
        self.work_at: float | None = None
        self.case = None
        self.met = None
        self.u_location = 0.0
        self.admin_pool: str | None = None
        self.k_roles: tuple[str, ...] = ()  # Konsultation's optional roles on this case
        self.benefit_days: float | None = None  # benefit left at arrival (the benefit clock)
        self.u_phase: float | None = None  # the outcome number of a follow-on intervention
        self.phase_duration = 0.0  # its planned duration
        self.paused = 0.0  # days of waiting beyond the grace period, summed (outcome model)
        self.travel = 0.0  # the officers' travel to this person's last meeting (casework areas)


class _Choice:
    """A categorical attribute drawn by inverse CDF from its own uniform stream.

    An attribute with a single possible value draws nothing: the stream is the attribute's own,
    so skipping it shifts no other draw and common random numbers are unaffected.
    """

    __slots__ = ("keys", "cum", "u", "const")

    def __init__(self, shares: dict, make_uniform) -> None:  # noqa: ANN001 - () -> UniformBlock
        positive = [(k, v) for k, v in shares.items() if v > 0]
        self.const = positive[0][0] if len(positive) == 1 else None
        self.u = None if len(positive) == 1 else make_uniform()
        total = sum(v for _, v in positive)
        acc = 0.0
        self.keys = []
        self.cum = []
        for key, value in positive:
            acc += value / total
            self.keys.append(key)
            self.cum.append(acc)

    def pick(self):  # noqa: ANN201 - a key of the shares
        """Draw one value."""
        if self.u is None:
            return self.const
        u = self.u.draw()
        for key, c in zip(self.keys, self.cum, strict=True):
            if u < c:
                return key
        return self.keys[-1]


def _session_shares(sessions: IntChoice) -> dict[int, float]:
    weights = sessions.weights or [1.0] * len(sessions.values)
    shares: dict[int, float] = {}
    for value, weight in zip(sessions.values, weights, strict=True):
        shares[value] = shares.get(value, 0.0) + weight
    return shares


class GroupDraws:
    """The named streams of one target group, and the draw of a new participant from them.

    Streams that the scenario can never use (a booking delay when nobody books, follow-up draws
    when there is no follow-up) are not drawn from; that is decided per scenario, never per
    participant, so within a scenario every participant draws the same set.
    """

    def __init__(self, scenario: Scenario, streams: Streams, group: str) -> None:
        self.scenario = scenario
        self.group = group
        cfg = scenario.groups[group]
        self.streams = streams
        g = group

        def uni(attr: str):  # noqa: ANN202 - () -> UniformBlock
            return lambda: streams.uniform(f"{g}.{attr}")

        self.channel = _Choice(cfg.channels, uni("channel"))
        self.complex = _Choice(
            {TRACK_COMPLEX: cfg.complex_share, TRACK_SIMPLE: 1.0 - cfg.complex_share},
            uni("complex"),
        )
        self.second = _Choice(
            {True: cfg.second_meeting_share, False: 1.0 - cfg.second_meeting_share},
            uni("second_meeting"),
        )
        self.intervention = _Choice(cfg.interventions or {"none": 1.0}, uni("intervention"))
        self.difficulty = _Choice(cfg.difficulty, uni("difficulty"))
        self.u_exit = streams.uniform(f"{g}.exit")
        follow = scenario.exit.follow_up
        self.u_90 = streams.uniform(f"{g}.followup_90d") if follow else None
        self.u_6m = streams.uniform(f"{g}.followup_6m") if follow else None
        m = scenario.insatsmarknad
        self.u_provider = streams.uniform(f"{g}.provider") if m is not None else None
        self._restart: dict[str, object] = {}
        forum = scenario.forum
        self.booking = (
            streams.sampler(f"{g}.booking_delay", forum.booking_delay)
            if cfg.channels.get("booked", 0) > 0
            else None
        )
        self.triage = streams.sampler(f"{g}.triage_duration", forum.triage_duration)
        if cfg.second_meeting_share > 0:
            self.second_delay = streams.sampler(
                f"{g}.second_meeting_delay", forum.second_meeting_delay
            )
            self.planning = streams.sampler(f"{g}.planning_duration", forum.planning_duration)
        else:
            self.second_delay = self.planning = None
        self.patience = (
            streams.sampler(f"{g}.patience", scenario.patience) if scenario.patience else None
        )
        k = scenario.konsultation
        self.konsultation = k is not None
        if k is not None:
            self.handover = streams.sampler(f"{g}.handover_delay", k.handover_delay)
            self.optional = [
                (role, share, streams.uniform(f"{g}.konsultation.{role}"))
                for role, share in k.optional_roles.items()
            ]
            self.sessions = _Choice(_session_shares(k.sessions), uni("sessions"))
            self.session = streams.sampler(f"{g}.session_duration", k.session_duration)
            self.interval = streams.sampler(f"{g}.session_interval", k.session_interval)
        h = scenario.handoffs
        if h is not None:
            self.handoff_count = streams.uniform(f"{g}.handoffs")
            self.handoff_to = streams.uniform(f"{g}.handoff_to")
            self.handoff_delay = streams.sampler(f"{g}.handoff_delay", h.delay)
        self.u_changes = (
            streams.uniform(f"{g}.continuity") if scenario.continuity is not None else None
        )
        cream = m.cream_skimming if m is not None else None
        if cream is not None:
            self.u_accept = streams.uniform(f"{g}.acceptance")
            self.placement = streams.sampler(f"{g}.placement_delay", cream.placement_delay)
        else:
            self.u_accept = None
        cw = scenario.casework
        self.u_location = (
            streams.uniform(f"{g}.location") if cw is not None and cw.assignment == "area" else None
        )
        self.extras = (
            h is not None
            or self.u_changes is not None
            or self.u_accept is not None
            or self.u_location is not None
        )
        self.insats: dict[str, Sampler] = {}
        if m is not None:
            for itype in cfg.interventions:
                self.insats[itype] = streams.sampler(
                    f"{g}.insats_duration.{itype}", m.types[itype].duration
                )
        # A follow-on intervention (AMiA: ALI after the preparation) has its own outcome number
        # and duration, drawn at arrival like everything personal.
        follow_on = sorted(
            {m.types[t].then for t in cfg.interventions if m.types[t].then} if m else set()
        )
        self.u_phase = streams.uniform(f"{g}.phase.exit") if follow_on else None
        self.phase = {
            t: streams.sampler(f"{g}.phase.duration.{t}", m.types[t].duration) for t in follow_on
        }
        self.then = {t: m.types[t].then for t in cfg.interventions} if m else {}
        self.clock = (
            streams.sampler(f"{g}.benefit_clock", cfg.benefit_clock) if cfg.benefit_clock else None
        )

    def new(self, pid: int) -> Participant:
        """Draw a participant of this group with all personal attributes."""
        p = Participant(pid, self.group)
        p.channel = self.channel.pick()
        p.track = self.complex.pick()
        p.second_meeting = self.second.pick()
        p.intervention = self.intervention.pick()
        p.difficulty = self.difficulty.pick()
        p.u_exit = self.u_exit.draw()
        if self.u_90 is not None:
            p.u_90 = self.u_90.draw()
            p.u_6m = self.u_6m.draw()
        if self.u_provider is not None:
            p.u_provider = self.u_provider.draw()
        p.booking_delay = self.booking.draw() if self.booking is not None else 0.0
        p.triage_duration = self.triage.draw()
        if self.second_delay is not None:
            p.second_meeting_delay = self.second_delay.draw()
            p.planning_duration = self.planning.draw()
        if self.patience is not None:
            p.patience = self.patience.draw()
        if self.konsultation:
            self._draw_konsultation(p, self.handover, self.sessions, self.session, self.interval)
            if self.optional:
                p.k_roles = tuple(role for role, share, u in self.optional if u.draw() < share)
        if self.insats:
            p.insats_duration = self.insats[p.intervention].draw()
        if self.u_phase is not None:
            p.u_phase = self.u_phase.draw()
            # Every follow-on is drawn, whichever the person's type leads to: the draws do not
            # depend on the type, so designs with other type shares keep common random numbers.
            durations = {t: s.draw() for t, s in self.phase.items()}
            then = self.then.get(p.intervention)
            p.phase_duration = durations.get(then, 0.0)
        if self.clock is not None:
            p.benefit_days = self.clock.draw()
        if self.extras:
            self._draw_extras(p)
        return p

    def _draw_extras(self, p: Participant) -> None:
        """Attributes of the optional mechanisms: hand-offs, continuity, cream skimming."""
        h = self.scenario.handoffs
        if h is not None:
            # Always max_handoffs draws per participant, so the count does not shift the streams.
            sent = True
            handoffs = []
            for _ in range(h.max_handoffs):
                again = self.handoff_count.draw() < h.share
                u_to, delay = self.handoff_to.draw(), self.handoff_delay.draw()
                sent = sent and again
                if sent:
                    handoffs.append((u_to, delay))
            p.handoffs = tuple(handoffs)
        if self.u_changes is not None:
            p.u_changes = self.u_changes.draw()
        if self.u_accept is not None:
            p.u_accept = self.u_accept.draw()
            p.placement_delay = self.placement.draw()
        if self.u_location is not None:
            p.u_location = self.u_location.draw()

    @staticmethod
    def _draw_konsultation(p: Participant, handover, sessions, session, interval) -> None:  # noqa: ANN001
        n = sessions.pick()
        p.handover_delay = handover.draw()
        if n == 1:  # the common case in theory configurations: skip the comprehensions
            p.session_durations = (session.draw(),)
            p.session_intervals = ()
            return
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
                r["sessions"] = _Choice(
                    _session_shares(k.sessions), lambda: s.uniform(f"{g}.restart.sessions")
                )
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
