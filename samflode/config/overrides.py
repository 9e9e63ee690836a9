"""What-ifs without a new file: ``--set PATH=VALUE`` and ``--inflow-scale A`` on any command.

A planner asking "what if inflow doubles and Forum gets six assessors?" should not have to write an
``extends`` file per question. Every command that reads scenarios (run, compare, sweep, plan,
calibrate) takes the same two options and applies them here, after the file is loaded and before
anything runs, through :func:`samflode.config.variants.variant`: the edited scenario is validated
like a file, so an override that breaks a bound fails with the field and its allowed range.

``PATH`` is a dotted path into the scenario, list entries reachable by index or by a field
(``exit.outcomes[intervention=ali].keep_90d``). ``VALUE`` is read as YAML: ``6`` is a whole
number, ``0.7`` a real one, ``true``/``false``/``null`` what they say, anything else text.
``--inflow-scale`` multiplies every target group's ``inflow_per_week``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import yaml

from samflode.config.loader import ScenarioError
from samflode.config.scenario import Scenario
from samflode.config.variants import variant

# The largest inflow scale: beyond it even the smallest bundled group exceeds what a scenario
# allows (the field's own bound then names the limit) and runs would take hours.
MAX_INFLOW_SCALE = 100.0


def parse_sets(options: Sequence[str], *, option: str = "--set") -> dict[str, Any]:
    """``PATH=VALUE`` options as an ordered mapping; ScenarioError names the option and why."""
    out: dict[str, Any] = {}
    for text in options:
        # The last '=' splits: a path may hold one in a list selector (outcomes[intervention=ali]).
        path, sep, raw = text.rpartition("=")
        path = path.strip()
        if not sep or not path or not raw.strip():
            raise ScenarioError(
                f"{option} {text!r}: expected PATH=VALUE, e.g. staff.forum_bedomare.headcount=6"
            )
        if path in out:
            raise ScenarioError(f"{option} {path}: the path is given twice")
        try:
            value = yaml.safe_load(raw)
        except yaml.YAMLError:
            value = raw.strip()
        if isinstance(value, dict | list):
            raise ScenarioError(
                f"{option} {path}: a single value is expected, not a section (got {raw!r})"
            )
        if isinstance(value, float) and not math.isfinite(value):
            raise ScenarioError(f"{option} {path}: the value must be a finite number (got {raw!r})")
        out[path] = value
    return out


def check_inflow_scale(scale: float, *, option: str = "--inflow-scale") -> float:
    """``scale`` if it is a usable inflow multiplier, else ScenarioError with the range."""
    if not (math.isfinite(scale) and 0 < scale <= MAX_INFLOW_SCALE):
        raise ScenarioError(
            f"{option}: must be greater than 0 and at most {MAX_INFLOW_SCALE:g} (got {scale})"
        )
    return scale


def scale_inflow(scenario: Scenario, scale: float, *, origin: str = "--inflow-scale") -> Scenario:
    """``scenario`` with every group's ``inflow_per_week`` multiplied by ``scale``, validated."""
    check_inflow_scale(scale, option=origin)
    if scale == 1:
        return scenario
    changes = {
        f"groups.{name}.inflow_per_week": group.inflow_per_week * scale
        for name, group in scenario.groups.items()
    }
    return variant(scenario, changes, origin=origin, validation_origin=f"{origin} {scale:g}")


def with_overrides(
    scenario: Scenario,
    sets: Mapping[str, Any] | None = None,
    inflow_scale: float | None = None,
    *,
    origin: str,
) -> Scenario:
    """``scenario`` with the ``--set`` values applied, then the inflow scaled; both validated.

    ``origin`` (the scenario file) starts every message, so a user running several files knows
    which one an override did not fit.
    """
    if sets:
        scenario = variant(
            scenario, dict(sets), origin=f"{origin}: --set", validation_origin=f"{origin} --set"
        )
    if inflow_scale is not None:
        scenario = scale_inflow(scenario, inflow_scale, origin=f"{origin}: --inflow-scale")
    return scenario
