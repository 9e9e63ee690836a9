"""Properties that hold for every valid scenario (hypothesis, derandomized, short horizons).

Loader: random in-range values are accepted, out-of-range ones are refused with the field named.
Model: on small random scenarios (Markovian queues and shortened copies of the default), waits are
non-negative, the log runs forward in time, each participant's events are in a legal order, flow is
conserved, utilisation and shares lie in [0, 1], a seed fixes the log, and more downstream capacity
leaves the arrival records alone (common random numbers). The cost amounts themselves are checked
against a hand computation in ``tests/functional/test_costs_oracle.py``.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from samflode.analysis.kpi import insats_waits
from samflode.analysis.theory import markovian_scenario
from samflode.config.distributions import DAYS_PER_UNIT
from samflode.config.loader import (
    ScenarioError,
    format_validation_error,
    load_scenario,
    parse_scenario,
)
from samflode.config.scenario import EXIT_STATES, MAX_ARRIVALS, Scenario
from samflode.execution.tasks import run_one

ROOT = Path(__file__).resolve().parents[2]
BASE = load_scenario(ROOT / "samflode" / "scenarios" / "nacka-forum.yaml")
BASE_DUMP = BASE.model_dump()
# Casework pools assigned in pairs need equal headcounts (post k of each pool is one pair).
PAIRED = frozenset(BASE.casework.pools) if BASE.casework.assignment == "pair" else frozenset()
MMC = markovian_scenario(
    arrival_rate_per_day=2.0, service_mean_days=0.4, servers=2, horizon_days=100.0
)
# mode="python": JSON mode turns the int keys of `difficulty` and `bonus_6m_sek` into strings,
# which the schema then refuses (see the report on Scenario JSON round trips).
MMC_DUMP = MMC.model_dump(exclude={"provenance"})

# One example costs a validation or a single short run: 40 of each. The properties that run every
# example two or three times get fewer.
EXAMPLES = settings(deadline=None, max_examples=40, derandomize=True)
FEWER_EXAMPLES = settings(deadline=None, max_examples=15, derandomize=True)
AFTER_EXIT = {"followup_90d", "followup_6m"}


# ---------------------------------------------------------------- strategies


def shares(keys: list) -> st.SearchStrategy[dict]:
    """Random shares over ``keys`` that sum to 1 (normalised random weights)."""
    weights = st.lists(
        st.floats(0.0, 1.0, allow_nan=False), min_size=len(keys), max_size=len(keys)
    ).filter(lambda w: sum(w) > 1e-3)
    return weights.map(lambda w: {k: x / sum(w) for k, x in zip(keys, w, strict=True)})


positive = st.floats(1e-3, 1e4, allow_nan=False, allow_infinity=False)
units = st.sampled_from(sorted(DAYS_PER_UNIT))


@st.composite
def distributions(draw) -> dict:
    """Any valid distribution spec, as YAML-like data."""
    kind = draw(
        st.sampled_from(["exponential", "lognormal", "gamma", "triangular", "fixed", "empirical"])
    )
    spec: dict = {"dist": kind, "unit": draw(units)}
    if kind == "exponential":
        spec["mean"] = draw(positive)
    elif kind in ("lognormal", "gamma"):
        # sd / mean within the range the samplers support (distributions.CV_RANGE).
        spec["mean"] = draw(positive)
        spec["sd"] = min(1e6, spec["mean"] * draw(st.floats(2e-6, 999)))
    elif kind == "triangular":
        low, mode, high = sorted(draw(st.lists(st.floats(0, 1e4), min_size=3, max_size=3)))
        if low == high:
            high = low + 1.0
        spec.update(low=low, mode=mode, high=high)
    elif kind == "fixed":
        spec["value"] = draw(st.floats(0, 1e4))
    else:
        values = draw(st.lists(st.floats(0, 1e4), min_size=1, max_size=5))
        spec["values"] = values
        if draw(st.booleans()):
            spec["weights"] = list(draw(shares(list(range(len(values))))).values())
    return spec


@st.composite
def valid_changes(draw) -> dict:
    """Top-level changes to the default scenario with random in-range values."""
    groups = {}
    for name, cfg in BASE_DUMP["groups"].items():
        groups[name] = cfg | {
            "inflow_per_week": draw(st.floats(0, 200)),
            "channels": draw(shares(sorted(cfg["channels"]))),
            "complex_share": draw(st.floats(0, 1)),
            "second_meeting_share": draw(st.floats(0, 1)),
            "interventions": draw(shares(sorted(cfg["interventions"]))),
            "difficulty": draw(shares([1, 2, 3])),
        }
    paired = draw(st.integers(1, 10_000))
    staff = {
        name: pool
        | {
            "headcount": paired if name in PAIRED else draw(st.integers(1, 10_000)),
            "share_on_method": draw(st.floats(1e-3, 1)),
            "cost_per_hour_sek": draw(st.floats(0, 100_000)),
        }
        for name, pool in BASE_DUMP["staff"].items()
    }
    forum = BASE_DUMP["forum"] | {
        "triage_duration": draw(distributions()),
        "booking_delay": draw(distributions()),
    }
    outcomes = [
        rule | {"exit": draw(shares(list(EXIT_STATES))), "keep_90d": draw(st.floats(0, 1))}
        for rule in BASE_DUMP["exit"]["outcomes"]
    ]
    # Long enough to be any horizon, short enough for the expected arrivals to stay within
    # what one replication may hold (scenario.MAX_ARRIVALS).
    inflow = sum(g["inflow_per_week"] for g in groups.values())
    horizon = draw(st.floats(1, min(20 * 365, 0.99 * MAX_ARRIVALS * 7 / max(inflow, 1e-9))))
    return {
        "groups": groups,
        "staff": staff,
        "forum": forum,
        "exit": BASE_DUMP["exit"] | {"outcomes": outcomes},
        "patience": draw(distributions()),
        "financing": {"pot_shares": draw(shares(["fk", "af", "region", "municipality"]))},
        "horizon_days": horizon,
        "warmup_days": draw(st.floats(0, 0.99)) * horizon,
    }


# (path in the scenario, value strategy, words the message must contain)
OUT_OF_RANGE = {
    "negative inflow": (
        ("groups", "sjuka", "inflow_per_week"),
        st.floats(-1e9, -1e-9),
        ["groups.sjuka.inflow_per_week", "≥ 0"],
    ),
    "share above 1": (
        ("groups", "arbetslosa", "complex_share"),
        st.floats(1 + 1e-9, 1e9),
        ["groups.arbetslosa.complex_share", "≤ 1"],
    ),
    "negative share": (
        ("groups", "forsorjningsstod", "second_meeting_share"),
        st.floats(-1e9, -1e-9),
        ["groups.forsorjningsstod.second_meeting_share", "≥ 0"],
    ),
    "headcount 0 or less": (
        ("staff", "konsultation_region", "headcount"),
        st.integers(-(10**6), 0),
        ["staff.konsultation_region.headcount", "≥ 1"],
    ),
    "provider places 0 or less": (
        ("insatsmarknad", "providers", "jobbhuset", "places"),
        st.integers(-(10**6), 0),
        ["insatsmarknad.providers.jobbhuset.places", "≥ 1"],
    ),
    "non-positive mean": (
        ("forum", "triage_duration", "mean"),
        st.floats(-1e6, 0),
        ["forum.triage_duration.mean", "> 0"],
    ),
}


def with_value(dump: dict, path: tuple, value) -> dict:
    """A copy of ``dump`` with the nested ``path`` set to ``value`` (other branches shared)."""
    head, *rest = path
    return dump | {head: with_value(dump[head], tuple(rest), value) if rest else value}


# ---------------------------------------------------------------- loader properties


@EXAMPLES
@given(changes=valid_changes())
def test_valid_values_are_accepted(changes):
    scenario = Scenario.model_validate(BASE_DUMP | changes)
    for name, cfg in changes["groups"].items():
        assert scenario.groups[name].inflow_per_week == cfg["inflow_per_week"]
        assert scenario.groups[name].channels == cfg["channels"]
    for name, pool in changes["staff"].items():
        assert scenario.staff[name].headcount == pool["headcount"]
    # Distributions are kept as given: no value is clipped, rounded or reinterpreted.
    for got, drawn in (
        (scenario.forum.triage_duration, changes["forum"]["triage_duration"]),
        (scenario.forum.booking_delay, changes["forum"]["booking_delay"]),
        (scenario.patience, changes["patience"]),
    ):
        assert got.model_dump(exclude_none=True) == drawn


@EXAMPLES
@given(
    lam=st.floats(0, 100),
    mean=positive,
    servers=st.integers(1, 10_000),
    complex_share=st.floats(0, 1),
    service=distributions(),
)
def test_valid_yaml_text_is_accepted(lam, mean, servers, complex_share, service):
    data = MMC_DUMP | {
        "groups": {"arbetslosa": MMC_DUMP["groups"]["arbetslosa"] | {"inflow_per_week": lam}},
        "staff": {"forum": MMC_DUMP["staff"]["forum"] | {"headcount": servers}},
        "forum": MMC_DUMP["forum"] | {"triage_duration": service},
    }
    data["groups"]["arbetslosa"]["complex_share"] = complex_share
    text = yaml.safe_dump(data, allow_unicode=True)
    scenario = parse_scenario(text, origin="random.yaml")
    assert scenario.groups["arbetslosa"].inflow_per_week == lam
    assert scenario.staff["forum"].headcount == servers
    assert scenario.forum.triage_duration.dist == service["dist"]


@pytest.mark.parametrize("case", sorted(OUT_OF_RANGE))
def test_out_of_range_values_are_refused_with_the_field_named(case):
    path, values, words = OUT_OF_RANGE[case]

    @EXAMPLES
    @given(value=values)
    def check(value):
        with pytest.raises(ValidationError) as info:
            Scenario.model_validate(with_value(BASE_DUMP, path, value))
        message = format_validation_error(info.value, "x.yaml")
        assert message.startswith("x.yaml: "), message
        for word in words:
            assert word in message, f"{word!r} not in {message!r}"

    check()


@EXAMPLES
@given(
    field=st.sampled_from(["inflow", "headcount", "share"]),
    bad=st.floats(1e-6, 1e6),
)
def test_out_of_range_yaml_raises_scenario_error(field, bad):
    group = MMC_DUMP["groups"]["arbetslosa"]
    if field == "inflow":
        data = with_value(MMC_DUMP, ("groups", "arbetslosa", "inflow_per_week"), -bad)
        words = ["groups.arbetslosa.inflow_per_week", "≥ 0"]
    elif field == "headcount":
        data = with_value(MMC_DUMP, ("staff", "forum", "headcount"), -math.floor(bad))
        words = ["staff.forum.headcount", "≥ 1"]
    else:
        data = with_value(MMC_DUMP, ("groups", "arbetslosa", "complex_share"), 1 + bad)
        words = ["groups.arbetslosa.complex_share", "≤ 1"]
    assert group == MMC_DUMP["groups"]["arbetslosa"], "the base must not be mutated"
    with pytest.raises(ScenarioError) as info:
        parse_scenario(yaml.safe_dump(data), origin="random.yaml")
    for word in ["random.yaml: ", *words]:
        assert word in str(info.value), f"{word!r} not in {str(info.value)!r}"


# ---------------------------------------------------------------- model properties
#
# Strategies draw small recipes (printed by hypothesis on failure) that build() turns into
# scenarios: a Markovian queue or tandem, or the default scenario shortened to 120–250 days.


@st.composite
def markovian_recipes(draw) -> dict:
    """An M/M/c queue, or a tandem of two, with a short horizon; any utilisation."""
    horizon = draw(st.floats(30, 300))
    second = None
    if draw(st.booleans()):
        second = (draw(st.floats(0.01, 2.0)), draw(st.integers(1, 4)))
    return {
        "arrival_rate_per_day": draw(st.floats(0.2, 12.0)),
        "service_mean_days": draw(st.floats(0.01, 2.0)),
        "servers": draw(st.integers(1, 5)),
        "horizon_days": horizon,
        "warmup_days": draw(st.floats(0, 0.3)) * horizon,
        "second_stage": second,
    }


def equal_pairs(headcounts: dict[str, int]) -> dict[str, int]:
    """Headcounts with every paired casework pool at the first one's (post k of each is a pair)."""
    first = next((headcounts[name] for name in PAIRED if name in headcounts), None)
    return {name: first if name in PAIRED else n for name, n in headcounts.items()}


@st.composite
def nacka_recipes(draw) -> dict:
    """Shortened default scenario: scaled inflow, random headcounts, 120–250 days."""
    return {
        "inflow_scale": draw(st.floats(0.05, 1.5)),
        "headcounts": equal_pairs({name: draw(st.integers(1, 6)) for name in BASE_DUMP["staff"]}),
        "horizon_days": draw(st.floats(120, 250)),
        "warmup_days": draw(st.floats(0, 60)),
    }


def build(recipe: dict) -> Scenario:
    """The scenario a recipe describes."""
    if "servers" in recipe:
        return markovian_scenario(**recipe)
    changes = {
        "groups": {
            name: cfg | {"inflow_per_week": cfg["inflow_per_week"] * recipe["inflow_scale"]}
            for name, cfg in BASE_DUMP["groups"].items()
        },
        "staff": {
            name: pool | {"headcount": recipe["headcounts"][name]}
            for name, pool in BASE_DUMP["staff"].items()
        },
        "horizon_days": recipe["horizon_days"],
        "warmup_days": recipe["warmup_days"],
    }
    if "providers" in recipe:
        changes = with_downstream(changes, recipe)
    return Scenario.model_validate(BASE_DUMP | changes)


def with_downstream(changes: dict, recipe: dict) -> dict:
    """Changes with the recipe's Konsultation headcounts and provider places applied."""
    staff = {
        name: pool | {"headcount": recipe["konsultation_headcounts"].get(name, pool["headcount"])}
        for name, pool in changes["staff"].items()
    }
    providers = {
        name: p | {"places": recipe["providers"].get(name, p["places"])}
        for name, p in BASE_DUMP["insatsmarknad"]["providers"].items()
    }
    market = BASE_DUMP["insatsmarknad"] | {"providers": providers}
    return changes | {"staff": staff, "insatsmarknad": market}


recipes = st.one_of(markovian_recipes(), nacka_recipes())
seeds = st.integers(0, 2**32 - 1)


def check_log(log: pd.DataFrame, scenario: Scenario) -> None:
    """Order and legality of the records of one replication."""
    time = log["time"].to_numpy()
    assert (np.diff(time) >= 0).all(), "time decreases within a replication"
    if not len(log):
        return
    assert time[0] >= 0 and time[-1] <= scenario.horizon_days, (time[0], time[-1])
    staff = log["participant"] == -1  # staff records (turnover, case administration)
    assert set(log.loc[staff, "event"].astype(str)) <= {"staff_left", "staff_joined", "admin"}
    log = log[~staff]
    event = log["event"].astype(str)
    by = log["participant"]
    first = event.groupby(by, sort=False).first()
    assert (first == "arrived").all(), f"first events: {first[first != 'arrived'].head()}"
    assert (event[event == "arrived"].groupby(by).size() == 1).all(), "arrived twice"

    exits_so_far = (event == "exited").astype(int).groupby(by).cumsum()
    assert exits_so_far.max() <= 1, "a participant exited twice"
    after = (exits_so_far == 1) & (event != "exited")
    illegal = after & ~event.isin(AFTER_EXIT)
    assert not illegal.any(), f"records after exit: {log[illegal].head()}"
    assert (exits_so_far[event.isin(AFTER_EXIT)] == 1).all(), "follow-up before exit"

    # Everyone who arrived either exited or is recorded in the system at the end, once.
    ended = event.isin(["exited", "in_system_at_end"]).groupby(by).sum()
    assert (ended == 1).all(), f"participants not accounted for: {ended[ended != 1].head()}"

    durations = log.loc[event == "meeting_end", "value"]
    assert (durations >= 0).all(), "negative meeting duration"
    waits = insats_waits(log, pd.Index(by.unique()))
    assert (waits >= 0).all(), f"negative wait for a provider: {waits.min()}"


def check_kpis(kpis: dict, scenario: Scenario) -> None:
    """Invariants of one replication's KPIs."""
    assert kpis["arrivals"] == kpis["exits"] + kpis["in_system_end"], kpis
    for name, value in kpis.items():
        if math.isnan(value):
            continue
        if name.startswith("days_"):
            assert value >= 0, f"{name} = {value}"
        if name.startswith("share_"):
            assert 0 <= value <= 1, f"{name} = {value}"
        if name.startswith("utilisation_"):
            assert 0 <= value <= 1 + 1e-9, f"{name} = {value}"
    assert {f"utilisation_{role}" for role in scenario.staff} <= set(kpis)
    for party in ("fk", "af", "region", "municipality"):
        assert kpis[f"cost_{party}_sek"] >= 0, party


@EXAMPLES
@given(recipe=recipes, seed=seeds)
def test_model_invariants(recipe, seed):
    scenario = build(recipe)
    log, kpis = run_one(scenario, seed, 0)
    check_log(log, scenario)
    check_kpis(kpis, scenario)


@FEWER_EXAMPLES
@given(recipe=recipes, seed=st.integers(0, 2**31))
def test_same_seed_same_log_other_seed_other_log(recipe, seed):
    scenario = build(recipe)
    a, kpis = run_one(scenario, seed, 0)
    b, _ = run_one(scenario, seed, 0)
    pdt.assert_frame_equal(a, b)
    if kpis["arrivals"] > 0:
        c, _ = run_one(scenario, seed + 1, 0)
        assert not a.equals(c), "another seed gave the same log"


def arrival_records(log: pd.DataFrame) -> pd.DataFrame:
    """The arrival records, with plain (not categorical) columns so runs compare."""
    arrived = log[log["event"] == "arrived"]
    return pd.DataFrame(
        {
            "time": arrived["time"].to_numpy(),
            "participant": arrived["participant"].to_numpy(),
            "group": arrived["group"].astype(str).to_numpy(),
            "detail": arrived["detail"].astype(str).to_numpy(),
            "value": arrived["value"].to_numpy(),
        }
    )


@st.composite
def downstream_recipes(draw) -> tuple[dict, dict]:
    """A recipe and a copy with different downstream capacity (Konsultation, providers)."""
    if draw(st.booleans()):
        base = draw(nacka_recipes())
        variant = base | {
            "konsultation_headcounts": equal_pairs(
                {
                    name: draw(st.integers(1, 8))
                    for name in BASE_DUMP["staff"]
                    if name.startswith("konsultation_")
                }
            ),
            "providers": {
                name: draw(st.none() | st.integers(1, 200))
                for name in BASE_DUMP["insatsmarknad"]["providers"]
            },
        }
        return base, variant
    base = draw(markovian_recipes()) | {
        "second_stage": (draw(st.floats(0.01, 2.0)), draw(st.integers(1, 4)))
    }
    variant = base | {"second_stage": (base["second_stage"][0], draw(st.integers(1, 9)))}
    return base, variant


@FEWER_EXAMPLES
@given(pair=downstream_recipes(), seed=seeds)
def test_downstream_capacity_leaves_arrivals_unchanged(pair, seed):
    base, variant = (build(recipe) for recipe in pair)
    a, _ = run_one(base, seed, 0)
    b, _ = run_one(variant, seed, 0)
    pdt.assert_frame_equal(arrival_records(a), arrival_records(b))
