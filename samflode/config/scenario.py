"""The scenario schema: every parameter of one organisational design, validated and frozen.

A scenario is a tree of pydantic models with ``frozen=True, extra="forbid"``; bounds live in
``Field(ge=…, le=…)`` and rules that span fields in ``model_validator``. Loading from YAML, with its
``source:``/``assumption:`` provenance and its error messages, is :mod:`samflode.config.loader`'s
job. Domain words (Forum, Konsultation, Insatsmarknad, kontrakt, handläggare) are explained in
GLOSSARY.md.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal, get_args

from pydantic import Field, ValidationError, field_validator, model_validator

from samflode.config.casework import Casework, OutcomeModel
from samflode.config.distributions import Distribution, Ident, check_weights
from samflode.config.distributions import Section as _Frozen

# Each vocabulary is written once, as a Literal for the schema; the tuple is derived from it.
Party = Literal["fk", "af", "region", "municipality"]
Channel = Literal["walk_in", "booked", "direct_konsultation"]
ExitState = Literal[
    "work", "studies", "af_programme", "benefits", "permanent_support", "dropout", "restart"
]
PARTIES: tuple[str, ...] = get_args(Party)
CHANNELS: tuple[str, ...] = get_args(Channel)
EXIT_STATES: tuple[str, ...] = get_args(ExitState)
Share = Annotated[float, Field(ge=0.0, le=1.0)]
Difficulty = Annotated[int, Field(ge=1, le=3)]
SHARE_TOLERANCE = 1e-6
# Dates the working calendar supports (Swedish holidays are computed for every year of the run,
# plus a margin of 400 days; 20 years from 2199 stay far inside Python's year 9999).
DATE_RANGE = (dt.date(1900, 1, 1), dt.date(2199, 12, 31))
# Expected arrivals in one replication (inflow × horizon): at about 25 events per participant
# and a few hundred bytes per event, 200 000 arrivals need about 1 GB of memory per worker.
MAX_ARRIVALS = 200_000


def _check_sum(shares: dict, what: str) -> None:
    total = sum(shares.values())
    if abs(total - 1.0) > SHARE_TOLERANCE:
        raise ValueError(f"{what} must sum to 1 (got {total:.6g})")


class Summer(_Frozen):
    """The summer dip: ISO weeks in which staff take their holidays and fewer people come.

    ``staff_share`` is the share of each person's usual working time available in those weeks
    (holidays spread over the team); ``inflow_share`` the share of the usual inflow.
    """

    start_week: int = Field(default=27, ge=1, le=53)
    end_week: int = Field(default=32, ge=1, le=53)
    staff_share: float = Field(default=0.6, gt=0, le=1)
    inflow_share: float = Field(default=0.6, ge=0, le=1)

    @model_validator(mode="after")
    def _weeks(self) -> Summer:
        if self.end_week < self.start_week:
            raise ValueError(
                f"end_week must not be before start_week (got {self.start_week}–{self.end_week})"
            )
        return self


class Calendar(_Frozen):
    """Working calendar: meetings start only on working days within office hours.

    With ``enabled: false`` the model runs in continuous time (the queueing-theory configuration).
    """

    enabled: bool = True
    start_date: dt.date = dt.date(2026, 1, 5)
    weekdays: list[Annotated[int, Field(ge=0, le=6)]] = Field(
        default=[0, 1, 2, 3, 4], min_length=1, description="0 = Monday"
    )
    open_hour: float = Field(default=8.0, ge=0, lt=24)
    close_hour: float = Field(default=16.5, gt=0, le=24)
    holidays: Literal["none", "public", "public_and_de_facto"] = Field(
        default="public_and_de_facto",
        description="Swedish public holidays closed; de facto also closes midsummer, Christmas "
        "and New Year's eves",
    )
    summer: Summer | None = None

    @field_validator("start_date")
    @classmethod
    def _supported_date(cls, value: dt.date) -> dt.date:
        low, high = DATE_RANGE
        if not low <= value <= high:
            raise ValueError(f"must be between {low} and {high} (got {value})")
        return value

    @model_validator(mode="after")
    def _hours(self) -> Calendar:
        if self.close_hour <= self.open_hour:
            raise ValueError(
                f"close_hour must be after open_hour (got {self.open_hour}–{self.close_hour})"
            )
        return self

    @property
    def hours_per_day(self) -> float:
        """Office hours in a working day."""
        return self.close_hour - self.open_hour


class TargetGroup(_Frozen):
    """One target group (arbetslösa, sjuka, försörjningsstöd, starta/omställning): how many come,
    through which door, and how their needs split.
    """

    inflow_per_week: float = Field(ge=0, le=100_000, description="Poisson arrivals per week")
    channels: dict[Channel, Share] = Field(
        default={"walk_in": 1.0}, description="entry channel shares"
    )
    complex_share: Share = Field(description="share triaged complex in Forum → Konsultation")
    second_meeting_share: Share = Field(
        default=0.0, description="share of simple cases needing a second Forum meeting"
    )
    intake: Ident | None = Field(
        default=None,
        description="staff pool for the first meeting; none = Forum's (a silo design sets each "
        "group's own organisation)",
    )
    handlaggare: Ident | None = Field(
        default=None,
        description="staff pool whose handläggare hold the kontrakt (caseload, monthly follow-up)",
    )
    interventions: dict[Ident, Share] = Field(
        default_factory=dict, description="intervention type shares in the kontrakt"
    )
    difficulty: dict[Difficulty, Share] = Field(
        default={1: 1.0}, description="assessed difficulty 1–3 (scales the 6-month bonus)"
    )
    benefit_clock: Distribution | None = Field(
        default=None,
        description="benefit left at arrival (days of sjukpenning or time-limited sickness "
        "compensation); an intervention type with ends_with_benefit lasts until it runs out",
    )

    @model_validator(mode="after")
    def _shares(self) -> TargetGroup:
        _check_sum(self.channels, "channels")
        _check_sum(self.difficulty, "difficulty")
        if self.interventions:
            _check_sum(self.interventions, "interventions")
        return self


class Turnover(_Frozen):
    """Staff leaving and being replaced (001 p. 197 names high turnover in Öst, never quantified).

    People leave as a Poisson process at ``per_year`` × headcount; the post stands empty for
    ``vacancy``; the newcomer's meetings take ``learning_slowdown`` times as long for
    ``learning_days`` (applied to the pool as the share of newcomers in it).
    """

    per_year: float = Field(ge=0, le=5, description="share of the headcount leaving per year")
    vacancy: Distribution
    learning_days: float = Field(default=90.0, ge=0, le=3650)
    learning_slowdown: float = Field(default=1.5, ge=1, le=5)


class StaffPool(_Frozen):
    """A group of interchangeable staff of one role, e.g. the FK handläggare in Forum.

    ``share_on_method`` is the share of each person's office hours spent on this work; a part-time
    officer is available in the first part of each working day only.
    """

    organisation: Party | dict[Party, Share] = Field(
        description="employer; a mapping splits a mixed pool between parties"
    )
    headcount: int = Field(ge=1, le=10_000)
    share_on_method: float = Field(default=1.0, gt=0, le=1)
    cost_per_hour_sek: float = Field(default=0.0, ge=0, le=100_000)
    caseload_cap: int | None = Field(
        default=None, ge=1, le=10_000, description="active kontrakt per person; none = no cap"
    )
    weekdays: list[Annotated[int, Field(ge=0, le=6)]] | None = Field(
        default=None, min_length=1, description="own working days (0 = Monday); none = calendar's"
    )
    turnover: Turnover | None = None
    open_hour: float | None = Field(default=None, ge=0, lt=24, description="none = calendar's")
    close_hour: float | None = Field(default=None, gt=0, le=24, description="none = calendar's")
    health_staff: bool = Field(
        default=False,
        description="health staff (a health guide): a meeting with them is a health activity",
    )

    @model_validator(mode="after")
    def _org(self) -> StaffPool:
        if isinstance(self.organisation, dict):
            _check_sum(self.organisation, "organisation shares")
        return self

    def party_shares(self) -> dict[str, float]:
        """Cost shares of this pool per financing party."""
        if isinstance(self.organisation, str):
            return {self.organisation: 1.0}
        return dict(self.organisation)


class Forum(_Frozen):
    """One door in: first meeting (triage); simple cases get a kontrakt in at most 2 meetings."""

    staff: Ident = Field(description="staff pool that meets participants in Forum")
    triage_with: list[Ident] = Field(
        default_factory=list,
        description="pools that also attend the first meeting (AMiA's three-party enrolment: the "
        "AF officer with the FK officer)",
    )
    booking_delay: Distribution = Field(description="booked channel: delay until the booked time")
    triage_duration: Distribution
    second_meeting_delay: Distribution
    planning_duration: Distribution


class IntChoice(_Frozen):
    """A small whole number drawn from listed values (e.g. the number of Konsultation sessions)."""

    values: list[Annotated[int, Field(ge=1, le=100)]] = Field(min_length=1)
    weights: list[Annotated[float, Field(ge=0)]] | None = None

    @field_validator("weights")
    @classmethod
    def _weights_sum(cls, weights: list[float] | None) -> list[float] | None:
        if weights is not None:
            check_weights(weights)
        return weights

    @model_validator(mode="after")
    def _weights(self) -> IntChoice:
        if self.weights is not None and len(self.weights) != len(self.values):
            raise ValueError("weights must have one entry per value")
        return self


class Konsultation(_Frozen):
    """Multi-professional team: the listed roles meet the participant together, several sessions.

    ``roles`` attend every case; each of ``optional_roles`` joins a case's sessions with its
    probability — the team is matched to the person's dominant problem (000 §6.2), so the doctor
    does not sit in on every session.
    """

    roles: list[Ident] = Field(min_length=1, description="staff pools that must all be present")
    optional_roles: dict[Ident, Share] = Field(
        default_factory=dict, description="pools that join a case's team with this probability"
    )
    handover_delay: Distribution = Field(description="triage decision → participant can be met")
    sessions: IntChoice
    session_duration: Distribution
    session_interval: Distribution = Field(description="gap between sessions")


class InterventionType(_Frozen):
    """A kind of intervention bought on the Insatsmarknad (matchning, arbetsträning, …)."""

    duration: Distribution
    hours_per_week: float = Field(gt=0, le=60, description="provider hours billed per week")
    subgoal_at: Share = Field(
        default=0.5, description="sub-goal checked at this share of the planned duration"
    )
    ends_with_benefit: bool = Field(
        default=False,
        description="lasts until the participant's benefit runs out (the benefit clock); "
        "`duration` applies to groups without a clock",
    )
    then: Ident | None = Field(
        default=None,
        description="the intervention that follows when this one ends in a continue_on state "
        "(AMiA: preparation, then ALI)",
    )
    continue_on: list[ExitState] = Field(
        default=["af_programme"],
        min_length=1,
        description="end states that lead on to `then` instead of an exit",
    )
    benefits_per_month_sek: dict[Party, Annotated[float, Field(ge=0, le=1_000_000)]] | None = Field(
        default=None,
        description="while in this intervention the participant is paid these benefits, SEK "
        "a month per party, instead of the group's (AMiA: AF's aktivitetsstöd during ALI)",
    )


class Provider(_Frozen):
    """An authorised provider: what it offers, how many places, how attractive it is."""

    offers: list[Ident] = Field(min_length=1)
    places: int | None = Field(default=None, ge=1, le=100_000, description="none = unlimited")
    available_from_days: float = Field(
        default=0.0, ge=0, le=3650, description="procurement lag: places open at this day"
    )
    preference: float = Field(default=1.0, gt=0, le=1000, description="choice weight")
    base_fee_per_hour_sek: float = Field(default=0.0, ge=0, le=100_000)


class CreamSkimming(_Frozen):
    """Providers turning away hard cases when the bonus does not rise with difficulty (000 §6.3).

    With a flat 6-month bonus, a provider accepts a case of difficulty d with probability
    1 − ``refusal_per_difficulty_step`` · (d − 1); a case turned away by every provider waits
    ``placement_delay`` for the handläggare to arrange a place. With bonuses that rise with
    difficulty nobody is turned away.
    """

    refusal_per_difficulty_step: Share = 0.2
    placement_delay: Distribution


class Insatsmarknad(_Frozen):
    """Authorised providers with places, customer choice, monthly follow-up by the handläggare.

    ``choice: assigned`` models procured programmes: no customer choice, the first provider in
    the listed order with a free place is assigned.
    """

    types: dict[Ident, InterventionType] = Field(min_length=1)
    providers: dict[Ident, Provider] = Field(min_length=1)
    choice: Literal["customer", "assigned"] = "customer"
    cream_skimming: CreamSkimming | None = None
    followup_interval_days: float = Field(default=30.0, gt=0, le=365)
    followup_duration: Distribution
    followup_roles: list[Ident] | None = Field(
        default=None,
        min_length=1,
        description="pools that must all attend the monthly follow-up (a joint follow-up needs "
        "both organisations' officers); none = the group's handläggare alone",
    )

    @model_validator(mode="after")
    def _offers(self) -> Insatsmarknad:
        for name, provider in self.providers.items():
            unknown = sorted(set(provider.offers) - set(self.types))
            if unknown:
                raise ValueError(
                    f"provider {name} offers unknown types {unknown}; allowed: {sorted(self.types)}"
                )
        missing = sorted(
            t for t in self.types if not any(t in p.offers for p in self.providers.values())
        )
        if missing:
            raise ValueError(f"no provider offers {missing}")
        for name, itype in self.types.items():
            if itype.then is None:
                continue
            if itype.then not in self.types:
                raise ValueError(
                    f"types.{name}.then: unknown type {itype.then!r}; allowed: {sorted(self.types)}"
                )
            if self.types[itype.then].then is not None:
                raise ValueError(
                    f"types.{name}.then: {itype.then} has a `then` of its own; one follow-on "
                    "intervention at most"
                )
        return self


class OutcomeRule(_Frozen):
    """Outcome probabilities for one (group, track, intervention) cell; ``*`` matches any.

    ``exit`` is the state when the kontrakt ends; ``keep_*`` the chance that work or studies still
    hold at the follow-up, ``gain_*`` the chance that someone not in work or studies is in work
    then.
    """

    group: str = "*"
    track: Literal["simple", "complex", "*"] = "*"
    intervention: str = "*"
    exit: dict[
        ExitState,
        Share,
    ]
    keep_90d: Share
    gain_90d: Share
    keep_6m: Share
    gain_6m: Share

    @model_validator(mode="after")
    def _shares(self) -> OutcomeRule:
        _check_sum(self.exit, "exit")
        return self

    def matches(self, group: str, track: str, intervention: str) -> bool:
        """True if this rule applies to the cell."""
        return (
            self.group in ("*", group)
            and self.track in ("*", track)
            and self.intervention in ("*", intervention)
        )


class Exit(_Frozen):
    """Exits, follow-up at 90 days and 6 months, and restarts after a failed kontrakt."""

    outcomes: list[OutcomeRule] = Field(min_length=1, description="first matching rule applies")
    restart_limit: int = Field(
        default=2, ge=0, le=10, description="new kontrakt after a failure, at most this often"
    )
    follow_up: bool = Field(
        default=True, description="record status 90 days and 6 months after exit"
    )


class Rules(_Frozen):
    """Lead-time promises, in calendar days, against which the KPIs are measured."""

    first_meeting_days: float = Field(default=7, gt=0, le=365)
    kontrakt_days: float = Field(default=14, gt=0, le=365)
    konsultation_days: float = Field(default=7, gt=0, le=365)


class Costs(_Frozen):
    """Result bonuses to providers and the start bonus to the participant (000 §6.3), and the
    benefits each party pays while a participant is in the flow (what waiting costs the parties).
    """

    bonus_subgoal_sek: float = Field(default=0.0, ge=0, le=10_000_000)
    bonus_job_sek: float = Field(default=0.0, ge=0, le=10_000_000)
    bonus_6m_sek: dict[Difficulty, Annotated[float, Field(ge=0, le=10_000_000)]] = Field(
        default={1: 0.0, 2: 0.0, 3: 0.0}, description="in work at 6 months, by difficulty"
    )
    startbidrag_sek: float = Field(default=0.0, ge=0, le=10_000_000)
    forsorjningsstod_per_month_sek: float = Field(
        default=0.0,
        ge=0,
        le=1_000_000,
        description="income support a household of the försörjningsstöd group gets a month; "
        "what the municipality saves for each month such a participant is in work",
    )
    benefits_per_month_sek: dict[
        Ident, dict[Party, Annotated[float, Field(ge=0, le=1_000_000)]]
    ] = Field(
        default_factory=dict,
        description="target group → paying party → SEK a month paid to a participant of that "
        "group from arrival to exit (e.g. sjukpenning by fk, aktivitetsstöd by af, "
        "försörjningsstöd by the municipality); a design that keeps people waiting pays longer",
    )


class Financing(_Frozen):
    """Who pays the provider costs: the samordningsförbund pot, split by its members' shares."""

    pot_shares: dict[Party, Share] = Field(
        default={"fk": 0.5, "af": 0.0, "region": 0.25, "municipality": 0.25}
    )

    @model_validator(mode="after")
    def _sum(self) -> Financing:
        _check_sum(self.pot_shares, "pot_shares")
        return self


class Handoffs(_Frozen):
    """Cases sent on between organisations ("bollas mellan aktörer", 000 §3; re-referrals, 003).

    After each intake meeting a case is sent on with probability ``share`` (at most
    ``max_handoffs`` times) to another intake pool, after ``delay``; it then has a new intake
    meeting there.
    """

    share: Share
    max_handoffs: int = Field(default=3, ge=1, le=10)
    delay: Distribution
    pools: list[Ident] = Field(min_length=2, description="intake pools a case can be sent to")


class Continuity(_Frozen):
    """Changes of handläggare while a kontrakt runs (001 case 4; 004 BIP: changes hurt).

    Changes come as a Poisson process at ``changes_per_month``; each pauses the case for
    ``delay`` and multiplies the chance of an exit to work by ``work_factor``.
    """

    changes_per_month: float = Field(ge=0, le=10)
    delay: Distribution
    work_factor: float = Field(gt=0, le=1)


class Pauses(_Frozen):
    """Waiting is not neutral (004 BIP): every 30 days of waiting beyond ``grace_days`` multiply
    the chance of an exit to work by ``work_factor_per_30_days``.
    """

    grace_days: float = Field(default=14.0, ge=0, le=3650)
    work_factor_per_30_days: float = Field(gt=0, le=1)


class Coordination(_Frozen):
    """Staff time that cross-organisation work costs beyond the meeting (001 p. 78, 119, 160):
    documentation and reflection after a joint meeting, and the write-up of a hand-off.
    """

    joint_meeting_minutes: float = Field(default=0.0, ge=0, le=600)
    handoff_minutes: float = Field(default=0.0, ge=0, le=600)


class Scenario(_Frozen):
    """One organisational design: flow, staffing, durations, rules, outcomes and costs.

    ``name`` is the design's key (file names, tables, ``--set`` paths); ``title`` is what a board
    reads ("Nacka Forum: en dörr in"), :attr:`label` the one to show.
    """

    name: Ident
    title: str = Field(
        default="",
        max_length=80,
        description="the design's name for people (board pack, dashboard); empty = name",
    )
    description: str = ""
    horizon_days: float = Field(gt=0, le=20 * 365.25)
    warmup_days: float = Field(default=0.0, ge=0)
    intake_until_days: float | None = Field(
        default=None,
        gt=0,
        description="no arrivals from this day on (end of intake); none = "
        "arrivals until the horizon",
    )
    calendar: Calendar = Calendar()
    groups: dict[Ident, TargetGroup] = Field(min_length=1)
    staff: dict[Ident, StaffPool] = Field(default_factory=dict)
    forum: Forum
    konsultation: Konsultation | None = None
    insatsmarknad: Insatsmarknad | None = None
    exit: Exit
    patience: Distribution | None = Field(
        default=None, description="time a participant waits in one queue before dropping out"
    )
    handoffs: Handoffs | None = None
    continuity: Continuity | None = None
    pauses: Pauses | None = None
    coordination: Coordination | None = None
    casework: Casework | None = None
    outcome_model: OutcomeModel | None = None
    rules: Rules = Rules()
    costs: Costs = Costs()
    financing: Financing = Financing()
    provenance: dict[str, str] = Field(
        default_factory=dict, description="dotted path → source or assumption (set by the loader)"
    )

    @property
    def label(self) -> str:
        """The design's name for people: its ``title``, or its ``name`` without one."""
        return self.title or self.name

    @model_validator(mode="after")
    def _cross(self) -> Scenario:
        if self.warmup_days >= self.horizon_days:
            raise ValueError(
                f"warmup_days must be below horizon_days ({self.horizon_days}); "
                f"got {self.warmup_days}"
            )
        pools = set(self.staff)
        for role in self.staff:
            try:
                self.pool_calendar(role)
            except ValidationError as exc:
                detail = exc.errors()[0].get("ctx", {}).get("error", exc.errors()[0]["msg"])
                raise ValueError(f"staff.{role}: working hours: {detail}") from None
        used = {"forum.staff": [self.forum.staff], "forum.triage_with": self.forum.triage_with}
        if self.konsultation is not None:
            used["konsultation.roles"] = self.konsultation.roles
            used["konsultation.optional_roles"] = list(self.konsultation.optional_roles)
            both = sorted(set(self.konsultation.roles) & set(self.konsultation.optional_roles))
            if both:
                raise ValueError(f"konsultation.optional_roles: {both} are also in roles")
        for gname, group in self.groups.items():
            if group.handlaggare is not None:
                used[f"groups.{gname}.handlaggare"] = [group.handlaggare]
            if group.intake is not None:
                used[f"groups.{gname}.intake"] = [group.intake]
        if self.handoffs is not None:
            used["handoffs.pools"] = self.handoffs.pools
        if self.insatsmarknad is not None and self.insatsmarknad.followup_roles is not None:
            used["insatsmarknad.followup_roles"] = self.insatsmarknad.followup_roles
        if self.casework is not None:
            used["casework.pools"] = self.casework.pools
            used["casework.admin_minutes_per_case_week"] = list(
                self.casework.admin_minutes_per_case_week
            )
        for where, names in used.items():
            for name in names:
                if name not in pools:
                    raise ValueError(
                        f"{where}: unknown staff pool {name!r}; defined: {sorted(pools)}"
                    )
        if self.konsultation is not None:
            for role in sorted(set(self.konsultation.roles)):
                needed = self.konsultation.roles.count(role)
                if needed > self.staff[role].headcount:
                    raise ValueError(
                        f"konsultation.roles: {role} is listed {needed} times, so every session "
                        f"needs {needed} of its people, but staff.{role}.headcount is "
                        f"{self.staff[role].headcount}: no session could ever start"
                    )
        arrivals = sum(g.inflow_per_week for g in self.groups.values()) * self.horizon_days / 7
        if arrivals > MAX_ARRIVALS:
            raise ValueError(
                f"groups: inflow_per_week × horizon_days gives {arrivals:,.0f} expected arrivals "
                f"per replication, more than the {MAX_ARRIVALS:,} one replication can hold in "
                "memory; shorten horizon_days or lower the inflow"
            )
        types = set(self.insatsmarknad.types) if self.insatsmarknad else set()
        for gname, group in self.groups.items():
            unknown = sorted(set(group.interventions) - types)
            if unknown:
                raise ValueError(
                    f"groups.{gname}.interventions: unknown types {unknown}; "
                    f"defined in insatsmarknad.types: {sorted(types)}"
                )
            if self.insatsmarknad is not None and not group.interventions:
                raise ValueError(f"groups.{gname}.interventions: needs at least one type")
            if self.konsultation is None and group.channels.get("direct_konsultation", 0) > 0:
                raise ValueError(
                    f"groups.{gname}.channels: direct_konsultation needs a konsultation stage"
                )
            for track in ("simple", "complex"):
                for itype in group.interventions or {"none": 1.0}:
                    if self.outcome_rule(gname, track, itype) is None:
                        raise ValueError(
                            f"exit.outcomes: no rule matches group {gname}, track {track}, "
                            f"intervention {itype}; add one or a '*' rule"
                        )
        return self

    @model_validator(mode="after")
    def _benefit_groups(self) -> Scenario:
        """Benefit rates must name defined target groups: a misspelt group would otherwise be
        paid nothing, silently, and its design would look cheaper than it is.
        """
        unknown = sorted(set(self.costs.benefits_per_month_sek) - set(self.groups))
        if unknown:
            raise ValueError(
                f"costs.benefits_per_month_sek: unknown target groups {unknown}; "
                f"defined in groups: {sorted(self.groups)}"
            )
        return self

    @model_validator(mode="after")
    def _casework_fits(self) -> Scenario:
        """Assignments that the staffing can carry, and health types that exist."""
        cw = self.casework
        if cw is not None and cw.pools and all(p in self.staff for p in cw.pools):
            heads = {p: self.staff[p].headcount for p in cw.pools}
            if cw.assignment == "pair" and len(set(heads.values())) > 1:
                raise ValueError(
                    f"casework.pools: assignment pair needs equal headcounts (post k of each pool "
                    f"is a pair); got {heads}"
                )
            if cw.assignment == "team" and cw.team_size > min(heads.values()):
                raise ValueError(
                    f"casework.team_size: {cw.team_size} is more than the smallest headcount "
                    f"among {heads}"
                )
            for pool, n in cw.areas.items():
                if n > heads[pool]:
                    raise ValueError(
                        f"casework.areas.{pool}: {n} areas but staff.{pool}.headcount is "
                        f"{heads[pool]}: every area needs an officer"
                    )
        om = self.outcome_model
        if om is not None:
            types = set(self.insatsmarknad.types) if self.insatsmarknad else set()
            for field, listed in (("health_types", om.health_types), ("work_types", om.work_types)):
                unknown = sorted(set(listed) - types)
                if unknown:
                    raise ValueError(
                        f"outcome_model.{field}: unknown types {unknown}; defined in "
                        f"insatsmarknad.types: {sorted(types)}"
                    )
        return self

    def pool_calendar(self, role: str) -> Calendar:
        """The working calendar of one staff pool: the scenario's, with the pool's own days and
        hours where it sets them (e.g. a doctor in Konsultation two days a week).
        """
        pool = self.staff[role]
        own = {
            key: getattr(pool, key)
            for key in ("weekdays", "open_hour", "close_hour")
            if getattr(pool, key) is not None
        }
        if not own:
            return self.calendar
        return Calendar.model_validate(self.calendar.model_dump() | own)

    def outcome_rule(self, group: str, track: str, intervention: str) -> OutcomeRule | None:
        """Return the first outcome rule matching the cell, or None."""
        for rule in self.exit.outcomes:
            if rule.matches(group, track, intervention):
                return rule
        return None
