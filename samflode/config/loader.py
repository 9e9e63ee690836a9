"""Load a scenario file: safe YAML, provenance, validation, and one clear error message.

Numbers in a scenario file carry their source. A number may be written as ``{value: 7, source:
"000 §6.1"}`` (or ``assumption:`` with a reason), and any mapping may hold ``source:`` or
``assumption:`` keys that cover every number inside it. The loader strips these into
``Scenario.provenance`` (dotted path → text) before validation, so the model only sees numbers.
Any problem becomes a :class:`ScenarioError` naming the file, the field and the allowed range.
"""

from __future__ import annotations

import logging
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from samflode.config.distributions import DIST_NAMES
from samflode.config.scenario import Scenario

log = logging.getLogger(__name__)

PROVENANCE_KEYS = ("source", "assumption")
MAX_FILE_BYTES = 1_000_000
# The bundled designs are package data (samflode/scenarios/), so an installed samflode has them.
BUNDLED_DIR = Path(str(resources.files("samflode") / "scenarios"))
# YAML aliases (*name) can make a tiny file expand to billions of values; stop long before that.
MAX_NODES = 1_000_000


class ScenarioError(ValueError):
    """A scenario that cannot be used; the message is meant for the user, as is."""


def split_provenance(raw: Any, path: str = "") -> tuple[Any, dict[str, str]]:
    """Return ``raw`` without provenance keys, and the provenance found, keyed by dotted path."""
    found: dict[str, str] = {}
    if isinstance(raw, dict):
        keys = set(raw)
        if "value" in keys and keys - {"value"} <= set(PROVENANCE_KEYS) and len(keys) > 1:
            found[path] = _provenance_text(raw)
            return raw["value"], found
        clean = {}
        if keys & set(PROVENANCE_KEYS):
            found[path] = _provenance_text(raw)
        for key, value in raw.items():
            if key in PROVENANCE_KEYS:
                continue
            sub = f"{path}.{key}" if path else str(key)
            clean[key], inner = split_provenance(value, sub)
            found.update(inner)
        return clean, found
    if isinstance(raw, list):
        out = []
        for i, value in enumerate(raw):
            v, inner = split_provenance(value, f"{path}[{i}]")
            out.append(v)
            found.update(inner)
        return out, found
    return raw, found


def _provenance_text(node: dict) -> str:
    parts = []
    for key in PROVENANCE_KEYS:
        if key in node:
            parts.append(f"{key}: {node[key]}")
    return "; ".join(parts)


def uncited_numbers(clean: Any, provenance: dict[str, str], path: str = "") -> list[str]:
    """Return dotted paths of numbers that have no source or assumption on them or above them."""
    if path in provenance:
        return []
    if isinstance(clean, bool) or clean is None or isinstance(clean, str):
        return []
    if isinstance(clean, int | float):
        return [path]
    out: list[str] = []
    if isinstance(clean, dict):
        for key, value in clean.items():
            out += uncited_numbers(value, provenance, f"{path}.{key}" if path else str(key))
    elif isinstance(clean, list):
        for i, value in enumerate(clean):
            out += uncited_numbers(value, provenance, f"{path}[{i}]")
    return out


def parse_scenario(
    text: str, *, origin: str = "<scenario>", base_dir: Path | None = None
) -> Scenario:
    """Parse YAML text into a validated Scenario; raise ScenarioError with a user message.

    ``extends: other.yaml`` names a scenario in ``base_dir`` (default: the bundled scenarios)
    whose fields this one starts from; see :func:`merge_scenarios`.
    """
    raw = _read_raw(text, origin)
    raw = _resolve_extends(raw, origin, base_dir or BUNDLED_DIR, seen=(origin,))
    clean, provenance = split_provenance(raw)
    clean["provenance"] = provenance
    try:
        return Scenario.model_validate(clean)
    except ValidationError as exc:
        raise ScenarioError(format_validation_error(exc, origin)) from None


def merge_scenarios(base: Any, override: Any) -> Any:
    """Deep-merge raw scenario trees: mappings merge key by key, ``null`` removes a key, anything
    else (numbers, lists) in ``override`` replaces what ``base`` had. A mapping that carries its own
    ``value``/``source``/``assumption`` replaces the base's whole node, so a changed number never
    keeps the base's citation; so does a distribution (a mapping with ``dist``).
    """
    if not isinstance(base, dict) or not isinstance(override, dict):
        return override
    if "value" in override or "dist" in override:
        return override  # a cited number or a distribution is replaced whole, never mixed
    merged = dict(base)
    for key, value in override.items():
        if value is None:
            merged.pop(key, None)  # null removes: a stage, a staff pool, a provider
        else:
            merged[key] = merge_scenarios(base[key], value) if key in base else value
    return merged


def _resolve_extends(raw: dict, origin: str, base_dir: Path, seen: tuple[str, ...]) -> dict:
    parent = raw.pop("extends", None)
    if parent is None:
        return raw
    if not isinstance(parent, str) or not parent.endswith((".yaml", ".yml")):
        raise ScenarioError(f"{origin}: extends: must name a .yaml scenario file (got {parent!r})")
    path = (base_dir / parent).resolve()
    if base_dir.resolve() not in path.parents:
        raise ScenarioError(
            f"{origin}: extends: {parent!r} must be a scenario in {base_dir} (no other folders)"
        )
    if str(path) in seen:
        raise ScenarioError(f"{origin}: extends: circular ({' → '.join((*seen, str(path)))})")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        raise ScenarioError(f"{origin}: extends: no readable scenario {path}") from None
    base = _resolve_extends(_read_raw(text, str(path)), str(path), base_dir, (*seen, str(path)))
    return merge_scenarios(base, raw)


def _read_raw(text: str, origin: str) -> dict:
    if len(text.encode("utf-8")) > MAX_FILE_BYTES:
        raise ScenarioError(f"{origin}: file is larger than {MAX_FILE_BYTES} bytes")
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise ScenarioError(
            f"{origin}: not valid YAML{where}: {getattr(exc, 'problem', exc)}"
        ) from None
    if not isinstance(raw, dict):
        raise ScenarioError(
            f"{origin}: expected a YAML mapping of scenario fields, got {type(raw).__name__}"
        )
    if _count_nodes(raw, MAX_NODES) > MAX_NODES:
        raise ScenarioError(
            f"{origin}: more than {MAX_NODES} values once YAML aliases (*name) are expanded"
        )
    return raw


def _count_nodes(raw: Any, limit: int) -> int:
    """Count values in the expanded tree, stopping just past ``limit``."""
    stack, count = [raw], 0
    while stack and count <= limit:
        node = stack.pop()
        count += 1
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return count


def bundled_names() -> list[str]:
    """Names of the bundled designs, as ``load_scenario`` accepts them (``amia/ost``), sorted."""
    return sorted(p.relative_to(BUNDLED_DIR).with_suffix("").as_posix() for p in _bundled_files())


def _bundled_files() -> list[Path]:
    return [p for p in BUNDLED_DIR.rglob("*.yaml") if p.is_file()]


def find_scenario(path: str | Path) -> Path:
    """The file ``path`` names: a file if there is one, else a bundled design (``amia/ost``).

    A bundled design is named by its path under the bundled folder, with or without ``.yaml``, so
    ``samflode run amia/ost`` works from any folder and in an installed samflode.
    """
    path = Path(path)
    if path.exists() or path.is_absolute():
        return path
    for candidate in (BUNDLED_DIR / path, BUNDLED_DIR / f"{path}.yaml"):
        if candidate.is_file() and BUNDLED_DIR.resolve() in candidate.resolve().parents:
            return candidate
    return path


def uncited_in_file(path: str | Path) -> list[str]:
    """Dotted paths of the numbers in a scenario file (and its ``extends:`` chain) with neither a
    source nor an assumption on them or above them; ScenarioError if the file cannot be read.
    """
    path = find_scenario(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{path}: cannot read scenario file ({exc})") from None
    raw = _read_raw(text, str(path))
    raw = _resolve_extends(raw, str(path), path.resolve().parent, seen=(str(path),))
    clean, provenance = split_provenance(raw)
    return uncited_numbers(clean, provenance)


def load_scenario(path: str | Path) -> Scenario:
    """Load and validate a scenario file or bundled design; raise ScenarioError with a user message.

    ``path`` is a file, or the name of a bundled design (see :func:`find_scenario`).
    """
    path = find_scenario(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        hint = "" if path.is_absolute() else f" or bundled design ({', '.join(bundled_names())})"
        raise ScenarioError(f"{path}: no such scenario file{hint}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{path}: cannot read scenario file ({exc})") from None
    scenario = parse_scenario(text, origin=str(path), base_dir=path.resolve().parent)
    log.debug("loaded scenario %s from %s", scenario.name, path)
    return scenario


def format_validation_error(exc: ValidationError, origin: str) -> str:
    """Turn pydantic's error list into lines of ``file: field: message (got value)``."""
    lines = []
    seen: set[str] = set()
    for err in exc.errors():
        loc = _dotted(err["loc"])
        msg = _message(err)
        if err["loc"] and err["loc"][-1] == "[key]":
            msg = f"key {msg}"
        line = f"{origin}: {loc}: {msg}" if loc else f"{origin}: {msg}"
        if line not in seen:
            seen.add(line)
            lines.append(line)
    return "\n".join(lines[:10]) + (f"\n… and {len(lines) - 10} more" if len(lines) > 10 else "")


def _dotted(loc: tuple) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        elif item == "[key]":
            continue  # a bad mapping key: the message says "key …"
        elif item in DIST_NAMES or str(item).startswith(("function-", "literal[")):
            # pydantic names the union member it tried; the user wrote the field, not the member.
            continue
        else:
            parts.append(("." if parts else "") + str(item))
    return "".join(parts)


def _message(err: dict) -> str:
    kind = err["type"]
    ctx = err.get("ctx", {})
    got = err.get("input")
    got_text = "" if isinstance(got, dict | list) else f" (got {got!r})"
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field (not part of the scenario format)"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        sign = {
            "greater_than_equal": "≥",
            "greater_than": ">",
            "less_than_equal": "≤",
            "less_than": "<",
        }[kind]
        bound = next(iter(ctx.values()))
        return f"must be {sign} {bound}{got_text}"
    if kind == "union_tag_invalid":
        return f"unknown distribution {ctx.get('tag')!r}; allowed: {', '.join(DIST_NAMES)}"
    if kind == "union_tag_not_found":
        return f"needs a 'dist' key; allowed: {', '.join(DIST_NAMES)}"
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected')}{got_text}"
    if kind == "value_error":
        return str(ctx.get("error", err["msg"]))
    return f"{err['msg']}{got_text}"
