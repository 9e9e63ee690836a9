"""Who holds a case and what it costs them, and how what happened to a person sets the outcome.

Two parts of a scenario, both optional, that make a design's effect come from what it changes:

* :class:`Casework` — the officers of some pools hold cases as individuals: a fixed FK+AF pair
  for the whole case (AMiA Öst), a small team (Nord), any free officer of the pool (Syd, a
  whole-office rollout) or officers split by geography whose areas do not match across the
  organisations (Väst). Every open case also costs its officers administration time each week
  (documentation, planning, double documentation; AMiA 2013 p. 7, p. 119), so a higher caseload or
  a smaller share of time on the method leaves less time for meetings.
* :class:`OutcomeModel` — the exit state is drawn at the end of the support period from a
  multinomial logit whose utilities are the outcome table's log-shares shifted by one score built
  from the person's recorded exposures (support hours, joint meetings, officers met, pauses, …).

The run-time side is :mod:`samflode.model.casework` and :mod:`samflode.model.outcome`.
"""

from __future__ import annotations

from typing import Annotated, Literal, get_args

from pydantic import Field, model_validator

from samflode.config.distributions import Ident
from samflode.config.distributions import Section as _Frozen

Assignment = Literal["any", "pair", "team", "area"]
ASSIGNMENTS: tuple[str, ...] = get_args(Assignment)
Exposure = Literal[
    "support_hours_per_month",
    "joint_hours_per_month",
    "joint_meetings_per_month",
    "distinct_officers",
    "continuity_index",
    "days_to_health_activity",
    "days_to_work_activity",
    "pause_days",
    "months_of_support",
    "difficulty",
]
EXPOSURES: tuple[str, ...] = get_args(Exposure)
# States the score can move at the end of support. A drop-out is decided when the intervention
# starts (its timing is part of the period), so it takes no loading.
LoadedState = Literal["work", "studies", "af_programme", "benefits", "permanent_support", "restart"]
Coefficient = Annotated[float, Field(ge=-20.0, le=20.0)]


class Casework(_Frozen):
    """Officers who hold cases, how a case is assigned to them, and the time a case costs.

    ``pools``: the pools whose officers hold the case; every meeting of such a pool with the
    participant is with the case's own officer(s). ``assignment``:

    * ``any`` — any free officer of the pool, meeting by meeting (a shared booking calendar);
    * ``pair`` — a fixed pair for the whole case: post k of every listed pool works together
      (equal headcounts); a case goes to the pair with the fewest open cases;
    * ``team`` — the posts of each pool are split into teams of ``team_size``; a case goes to the
      team with the fewest open cases and, in it, to the officer of each pool with the fewest;
      when an officer leaves, their cases stay in the team;
    * ``area`` — each pool is split into ``areas[pool]`` geographic areas, offices along a region
      of length 1; a participant lives at a random place. The first pool's office covering it
      holds the case (any free officer there); the other pools' officers come from every one of
      their offices whose area overlaps that office's (boundaries that do not match, 3 FK offices
      against 2 AF offices, give an office several counterpart offices). A joint meeting between
      offices in different towns costs ``travel_minutes`` × the distance between the centres.

    When an officer leaves (turnover), the cases only they held go to the colleague with the
    fewest cases. ``admin_minutes_per_case_week`` (any pool, also a plain handläggare pool)
    is each open case's administration time, taken from the officers' working days;
    ``new_officer_minutes`` lengthens a meeting in which an officer meets the participant for the
    first time after someone else of that pool did (re-building contact).

    Service intensity: with ``client_share``, an officer's time with participants each week is
    client_share × share on the method × weekly office hours; less the administration of their
    open cases, divided by those cases, it is the time each case gets. A case's next follow-up
    comes when that time has bought one follow-up meeting (its mean length), for the scarcest
    officer of the meeting, within ``followup_range_days``: a low caseload and much time on the
    method bring more frequent meetings; a high one, fewer.
    """

    pools: list[Ident] = Field(default_factory=list, description="pools whose officers hold cases")
    assignment: Assignment = "any"
    team_size: int | None = Field(default=None, ge=1, le=1000)
    areas: dict[Ident, Annotated[int, Field(ge=1, le=1000)]] = Field(default_factory=dict)
    admin_minutes_per_case_week: dict[Ident, Annotated[float, Field(ge=0, le=2400)]] = Field(
        default_factory=dict, description="administration per open case and week, minutes"
    )
    new_officer_minutes: float = Field(default=0.0, ge=0, le=600)
    travel_minutes: float = Field(
        default=0.0,
        ge=0,
        le=600,
        description="assignment area: travel time added to a joint meeting whose officers' "
        "offices are a whole region apart; scaled by the distance between the centres of the "
        "participant's areas (0 where the areas match)",
    )
    client_share: float | None = Field(
        default=None,
        gt=0,
        le=1,
        description="share of time on the method that goes to participants (meetings and case "
        "administration); with it, each case's follow-ups come as often as its officers' "
        "remaining time allows; none = every followup_interval_days",
    )
    followup_range_days: tuple[float, float] = Field(
        default=(14.0, 90.0),
        description="shortest and longest time between follow-ups when client_share sets it",
    )

    @model_validator(mode="after")
    def _assignment(self) -> Casework:
        if self.assignment != "any" and not self.pools:
            raise ValueError(f"assignment {self.assignment} needs pools to assign")
        if self.assignment == "team" and self.team_size is None:
            raise ValueError("assignment team needs team_size")
        if self.assignment != "team" and self.team_size is not None:
            raise ValueError(f"team_size applies to assignment team only (got {self.assignment})")
        if self.assignment == "area":
            missing = sorted(set(self.pools) - set(self.areas))
            if missing:
                raise ValueError(f"assignment area needs areas for every pool; missing {missing}")
        if self.areas and self.assignment != "area":
            raise ValueError(f"areas apply to assignment area only (got {self.assignment})")
        unknown = sorted(set(self.areas) - set(self.pools))
        if unknown:
            raise ValueError(f"areas: {unknown} not in pools {self.pools}")
        if len(set(self.pools)) != len(self.pools):
            raise ValueError("pools: each pool at most once")
        low, high = self.followup_range_days
        if not 0 < low <= high <= 365:
            raise ValueError(
                f"followup_range_days: need 0 < shortest ≤ longest ≤ 365 (got {low}, {high})"
            )
        return self


class OutcomeModel(_Frozen):
    """The exit state from what happened to the person: a stereotype logit (Anderson 1984).

    For a person with exposures x, the score is s = Σ_j β_j (x_j − r_j) over the listed
    ``coefficients`` β and ``reference`` values r (0 where not given). Exit state k then has
    probability ∝ p_k · exp(φ_k · s), with p_k the outcome table's share for the person's
    (group, track, intervention) and φ_k the state's ``loadings`` (0 where not given). At the
    reference, or with every coefficient 0, the table holds exactly; a positive score moves
    people towards the states with positive loadings, a negative one away from them.

    ``pause_days`` sums every single wait (for a meeting, a caseload slot, a provider place, a
    hand-off) beyond ``pause_grace_days``: a booked meeting a few days off is not a pause in
    support, a month without one is. ``health_types``: the intervention types that are health
    activities (meeting a pool marked ``health_staff`` is one too); ``days_to_health_activity``
    is counted from arrival for people who get one (others take no term). ``work_types``: the
    intervention types that are work-oriented (work training, matching, a combined health and
    work intervention); ``days_to_work_activity`` is counted from arrival to the first start of
    one (Gränsgångare 2022, BIP: work-oriented support in parallel with health support, not
    after it).

    Exposures: ``support_hours_per_month`` and ``joint_hours_per_month`` (meetings with the
    participant, all and with officers of several organisations), ``joint_meetings_per_month``,
    ``distinct_officers`` and ``continuity_index`` (the share of a pool's meetings held by the
    officer met most often, the usual-provider index of Breslau and Reeb 1975, averaged over the
    casework pools), ``days_to_health_activity``, ``days_to_work_activity``, ``pause_days``,
    ``months_of_support`` (arrival to
    the end of support) and ``difficulty``.
    """

    coefficients: dict[Exposure, Coefficient] = Field(default_factory=dict)
    reference: dict[Exposure, Annotated[float, Field(ge=0, le=100_000)]] = Field(
        default_factory=dict
    )
    loadings: dict[LoadedState, Annotated[float, Field(ge=-10, le=10)]] = Field(
        default={"work": 1.0, "studies": 1.0, "af_programme": 1.0}
    )
    health_types: list[Ident] = Field(default_factory=list)
    work_types: list[Ident] = Field(default_factory=list)
    pause_grace_days: float = Field(
        default=14.0,
        ge=0,
        le=365,
        description="a wait counts towards pause_days for the part beyond this many days",
    )

    @model_validator(mode="after")
    def _loaded(self) -> OutcomeModel:
        if self.coefficients and not any(v != 0 for v in self.loadings.values()):
            raise ValueError("loadings: at least one state needs a non-zero loading")
        return self
