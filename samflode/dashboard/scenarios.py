"""Scenarios for the dashboard: the bundled designs, uploads, edited variants, and YAML round trips.

Everything here goes through :mod:`samflode.config`'s loader and schema: an upload is parsed only
with :func:`samflode.parse_scenario` (safe YAML, size cap, ``extends:`` only inside the bundled
folder), and a variant is built with ``Scenario.model_validate(dump)`` so it is validated exactly
like a file. No Streamlit here, so the page logic can be tested without a page.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from samflode import Scenario, ScenarioError, load_scenario, parse_scenario
from samflode.config.loader import BUNDLED_DIR, MAX_FILE_BYTES
from samflode.config.variants import variant

QUICK_HORIZON_DAYS = 200.0
QUICK_MAX_WARMUP_DAYS = 50.0
SHORT_DESCRIPTION_CHARS = 110
# The end of a sentence: a full stop (or ! ?) before a space and a capital, or at the end.
SENTENCE_END = re.compile(r"[.!?](?=\s+[A-ZÅÄÖ(]|\s*$)")


def bundled_scenarios(folder: Path = BUNDLED_DIR) -> dict[str, Path]:
    """Bundled scenario files by label (path relative to the scenarios folder), sorted."""
    files = sorted(folder.glob("*.yaml")) + sorted(folder.glob("*/*.yaml"))
    return {p.relative_to(folder).as_posix(): p for p in files}


def short_description(text: str, limit: int = SHORT_DESCRIPTION_CHARS) -> str:
    """The first sentence of a design's description (its first line if it has no full stop),
    cut at a word before ``limit`` characters: enough for a picker to say what a design is.
    """
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if not lines:
        return ""
    first = lines[0]
    end = SENTENCE_END.search(first)
    sentence = first[: end.start() + 1] if end else first
    if len(sentence) <= limit:
        return sentence
    cut = sentence[:limit].rsplit(" ", 1)[0].rstrip(",;:—–- ")
    return f"{cut}…"


def design_option(name: str, description: str) -> str:
    """A design as a picker shows it: its name and the first sentence of its description."""
    short = short_description(description)
    return f"{name} — {short}" if short else name


def load_bundled(label: str, folder: Path = BUNDLED_DIR) -> Scenario:
    """Load a bundled scenario by its label (see :func:`bundled_scenarios`)."""
    files = bundled_scenarios(folder)
    if label not in files:
        raise ScenarioError(f"{label}: no such bundled scenario")
    return load_scenario(files[label])


def parse_upload(data: bytes, filename: str) -> Scenario:
    """Parse an uploaded scenario file: size-capped, UTF-8, safe YAML, validated; never executed.

    Raises
    ------
    ScenarioError
        With a message for the user (file, field, allowed range), as the CLI prints it.
    """
    origin = Path(filename or "upload.yaml").name
    if len(data) > MAX_FILE_BYTES:
        raise ScenarioError(f"{origin}: file is larger than {MAX_FILE_BYTES} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ScenarioError(f"{origin}: not a UTF-8 text file") from None
    return parse_scenario(text, origin=origin)


@dataclass(frozen=True)
class Parameter:
    """One editable number of a scenario: where it sits in the dump, and what kind it is.

    ``kind`` is ``"int"``, ``"float"`` or ``"optional_int"`` (none = no cap / unlimited).
    ``what`` names the family (inflow, headcount, caseload_cap, places, fee, bonus) for labels.
    """

    path: tuple[str, ...]
    kind: str
    what: str
    value: Any

    @property
    def dotted(self) -> str:
        """The field as the loader's messages name it, e.g. ``staff.forum_bedomare.headcount``."""
        return ".".join(self.path)


def editable_parameters(scenario: Scenario) -> list[Parameter]:
    """The key parameters a planner changes: inflow, staff, caseload caps, places, fees, bonuses."""
    dump = dump_scenario(scenario)
    out = [
        Parameter(("groups", g, "inflow_per_week"), "float", "inflow", v["inflow_per_week"])
        for g, v in dump["groups"].items()
    ]
    for pool, v in dump["staff"].items():
        out.append(Parameter(("staff", pool, "headcount"), "int", "headcount", v["headcount"]))
        cap = v["caseload_cap"]
        out.append(Parameter(("staff", pool, "caseload_cap"), "optional_int", "caseload_cap", cap))
    market = dump.get("insatsmarknad")
    if market:
        for name, v in market["providers"].items():
            base = ("insatsmarknad", "providers", name)
            out.append(Parameter((*base, "places"), "optional_int", "places", v["places"]))
            out.append(
                Parameter(
                    (*base, "base_fee_per_hour_sek"), "float", "fee", v["base_fee_per_hour_sek"]
                )
            )
    costs = dump["costs"]
    for key in ("bonus_subgoal_sek", "bonus_job_sek", "startbidrag_sek"):
        out.append(Parameter(("costs", key), "float", "bonus", costs[key]))
    for level, v in costs["bonus_6m_sek"].items():
        out.append(Parameter(("costs", "bonus_6m_sek", str(level)), "float", "bonus", v))
    return out


def dump_scenario(scenario: Scenario) -> dict[str, Any]:
    """The scenario as plain JSON-like data, without provenance (the loader's citations)."""
    return scenario.model_dump(mode="json", exclude={"provenance"})


def with_changes(
    scenario: Scenario, changes: Mapping[tuple[str, ...], Any], *, origin: str
) -> Scenario:
    """A validated variant of ``scenario`` with ``changes`` (dump path → value) applied.

    Built by :func:`samflode.config.variants.variant` (validated, never ``model_copy``). A path may
    be ``("name",)`` to rename the variant.

    Raises
    ------
    ScenarioError
        ``origin: field: message (got value)``, the CLI's format.
    """
    return variant(scenario, changes, origin=origin)


def quick(scenario: Scenario) -> Scenario:
    """A short run of the same design for a first look (and for tests): horizon 200 days."""
    warmup = min(scenario.warmup_days, QUICK_MAX_WARMUP_DAYS)
    changes = {("horizon_days",): QUICK_HORIZON_DAYS, ("warmup_days",): warmup}
    return with_changes(scenario, changes, origin=scenario.name)


def scenario_yaml(scenario: Scenario) -> str:
    """The scenario as a YAML file ``samflode run`` and ``samflode validate`` accept."""
    return yaml.safe_dump(
        dump_scenario(scenario), allow_unicode=True, sort_keys=False, width=100
    )


def scenario_from_yaml(text: str) -> Scenario:
    """Inverse of :func:`scenario_yaml` (safe loader, validated)."""
    return parse_scenario(text, origin="dashboard")
