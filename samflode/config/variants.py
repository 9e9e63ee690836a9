"""Variants of a scenario: the same design with some fields changed, validated like a file.

One helper for every caller that edits a scenario by path — the sweep grid (``--grid KEY=…``), the
dashboard's parameter editor and the tests. A path is dotted (``staff.forum_bedomare.headcount``)
or a tuple of keys. The variant is ``Scenario.model_validate`` of the edited ``model_dump``, never
``model_copy(update=…)``, which would skip validation; so a variant that breaks a bound fails with
the loader's message (file, field, allowed range).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from samflode.config.loader import ScenarioError, format_validation_error
from samflode.config.scenario import Scenario

Path = str | tuple[str, ...]


# ``outcomes[intervention=ali]``: the one entry of a list whose field ``intervention`` is ``ali``.
_SELECTOR = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\[([A-Za-z_][A-Za-z0-9_]*)=([A-Za-z0-9_*]+)\]$")


@dataclass(frozen=True)
class Select:
    """A list entry named by one of its fields (``[intervention=ali]``) instead of its index."""

    key: str
    value: str

    def __str__(self) -> str:
        return f"[{self.key}={self.value}]"


def split_path(path: Path) -> tuple[str | Select, ...]:
    """The keys of a dotted or tuple path; ``name[key=value]`` becomes ``name`` and a Select."""
    parts = path.split(".") if isinstance(path, str) else list(path)
    out: list[str | Select] = []
    for part in parts:
        match = _SELECTOR.match(part) if isinstance(part, str) else None
        if match:
            out += [match.group(1), Select(match.group(2), match.group(3))]
        else:
            out.append(part)
    return tuple(out)


def _select(node: list, part: Select, where: str, origin: str) -> int:
    """The index of the one entry of ``node`` whose field ``part.key`` is ``part.value``."""
    hits = [
        i
        for i, entry in enumerate(node)
        if isinstance(entry, dict) and str(entry.get(part.key)) == part.value
    ]
    if len(hits) != 1:
        found = sorted({str(e.get(part.key)) for e in node if isinstance(e, dict)})
        how = "no entry" if not hits else f"{len(hits)} entries"
        raise ScenarioError(
            f"{origin}: {where}{part}: {how} with {part.key} = {part.value!r}; need exactly one "
            f"(the entries have {part.key}: {', '.join(found) or 'none'})"
        )
    return hits[0]


def _locate(data: dict, path: Path, *, origin: str) -> tuple[Any, str | int]:
    """The container of the field at ``path`` and its key in it; ScenarioError if there is none.

    A list entry is named by its index (``exit.outcomes.0``) or by one of its fields
    (``exit.outcomes[intervention=ali]``), which must match one entry.
    """
    parts = split_path(path)
    node: Any = data
    for depth, part in enumerate(parts):
        where = ".".join(map(str, parts[:depth])).replace(".[", "[") or "the scenario"
        if isinstance(part, Select):
            if not isinstance(node, list):
                raise ScenarioError(f"{origin}: {where} is not a list; {part} selects a list entry")
            part = _select(node, part, where, origin)
        elif isinstance(node, list):
            if not (str(part).isdigit() and int(part) < len(node)):
                raise ScenarioError(
                    f"{origin}: {where} is a list of {len(node)} entries; name one by its "
                    f"index, 0 to {len(node) - 1} (got {part!r})"
                )
            part = int(part)
        elif isinstance(node, dict) and part not in node:
            # Keys of numeric mappings (bonus per difficulty level) are written as text in paths.
            part = next((k for k in node if str(k) == part), part)
        if isinstance(node, dict) and part not in node or not isinstance(node, dict | list):
            allowed = ", ".join(map(str, node)) if isinstance(node, dict) else "none (a value)"
            raise ScenarioError(f"{origin}: {where} has no field {part!r}; allowed: {allowed}")
        if depth == len(parts) - 1:
            return node, part
        node = node[part]
    raise ScenarioError(f"{origin}: an empty path names no field")  # pragma: no cover


def get_path(data: dict, path: Path, *, origin: str) -> Any:
    """The value (or section) at ``path`` in a scenario dump; ScenarioError if there is none."""
    node, key = _locate(data, path, origin=origin)
    return node[key]


def set_path(data: dict, path: Path, value: Any, *, origin: str) -> None:
    """Set the number (or text) at ``path`` in a scenario dump; ScenarioError if there is none.

    Only existing fields can be set, and only leaves: a section (a mapping or a list) is never
    replaced by a number. Paths are those of :func:`get_path`.
    """
    node, key = _locate(data, path, origin=origin)
    if isinstance(node[key], dict | list):
        raise ScenarioError(f"{origin}: not a single number (a section of the scenario)")
    node[key] = value


def variant(
    scenario: Scenario,
    changes: Mapping[Path, Any],
    *,
    origin: str,
    validation_origin: str | None = None,
) -> Scenario:
    """``scenario`` with ``changes`` (path → value) applied and validated.

    Raises
    ------
    ScenarioError
        ``origin: …`` for a path that is not a field of the scenario; ``validation_origin: field:
        message (got value)`` (default ``origin``) for a value the scenario format does not allow.
    """
    data = scenario.model_dump()
    for path, value in changes.items():
        set_path(data, path, value, origin=origin)
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(format_validation_error(exc, validation_origin or origin)) from None


def graft(site: Scenario, design: Scenario, sections: Sequence[str], *, origin: str) -> Scenario:
    """``site`` with the top-level ``sections`` of ``design`` in place of its own, validated.

    A counterfactual keeps the site's population (groups, inflow, horizon, outcome model) and
    takes another design's way of working (staff, casework, coordination, …). A section the design
    lacks is removed from the site too (a design without Konsultation has none).
    """
    fields = set(Scenario.model_fields)
    unknown = sorted(set(sections) - fields)
    if unknown:
        raise ScenarioError(
            f"{origin}: {', '.join(unknown)} is not a section of a scenario "
            f"(allowed: {', '.join(sorted(fields))})"
        )
    data = site.model_dump()
    theirs = design.model_dump()
    for name in sections:
        data[name] = theirs[name]
    data["name"] = f"{site.name}_under_{design.name}"[:80]
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(format_validation_error(exc, origin)) from None
