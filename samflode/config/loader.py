"""Load a scenario file: safe YAML, provenance, validation, and one clear error message.

Numbers in a scenario file carry their source. A number may be written as ``{value: 7, source:
"000 §6.1"}`` (or ``assumption:`` with a reason), and any mapping may hold ``source:`` or
``assumption:`` keys that cover every number inside it. The loader strips these into
``Scenario.provenance`` (dotted path → text) before validation, so the model only sees numbers.
Any problem becomes a :class:`ScenarioError` naming the file, the field and the allowed range.

A scenario file is untrusted input (a board's consultant mails it; the dashboard accepts uploads),
so reading it is bounded before anything is parsed: only regular files, at most
``MAX_FILE_BYTES`` read, YAML through :class:`StrictLoader` (no tags, no duplicate keys, at most
``MAX_DEPTH`` levels of nesting), at most ``MAX_NODES`` values once aliases are expanded, and at
most ``MAX_EXTENDS`` files in an ``extends:`` chain.
"""

from __future__ import annotations

import logging
import os
import re
import stat
from collections.abc import Callable
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
# The format nests about 6 levels deep; PyYAML's composer recurses per level and would hit Python's
# recursion limit at about 500, so deeper files are refused with a message instead.
MAX_DEPTH = 50
# Files in one extends: chain (the bundled designs use at most 3).
MAX_EXTENDS = 32
# Longest rendering of a bad value echoed in a message (a 900 KB name is not echoed whole).
MAX_ECHO = 80


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
    whose fields this one starts from; see :func:`merge_scenarios`. A bad value that came from a
    parent file is reported against that file.
    """
    chain = _resolve_chain(_read_raw(text, origin), origin, base_dir or BUNDLED_DIR)
    raw = _merge_chain(chain)
    clean, provenance = split_provenance(raw)
    clean["provenance"] = provenance
    try:
        return Scenario.model_validate(clean)
    except ValidationError as exc:
        raise ScenarioError(
            format_validation_error(exc, origin, blame=lambda loc: _blame(loc, chain, origin))
        ) from None


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


Chain = list[tuple[str, dict]]  # (file, its own raw tree), the file itself first, its root last


def _resolve_chain(raw: dict, origin: str, base_dir: Path) -> Chain:
    """The file and the parents it extends, each with its own fields (``extends`` removed).

    Iterative and bounded (``MAX_EXTENDS``): a chain of a thousand files is refused, not recursed.
    """
    chain: Chain = []
    seen = [origin]
    while True:
        parent = raw.pop("extends", None)
        chain.append((origin, raw))
        if parent is None:
            return chain
        if not isinstance(parent, str) or not parent.endswith((".yaml", ".yml")):
            raise ScenarioError(
                f"{origin}: extends: must name a .yaml scenario file (got {_short(parent)})"
            )
        if len(chain) >= MAX_EXTENDS:
            raise ScenarioError(
                f"{seen[0]}: extends: the chain of scenario files is longer than {MAX_EXTENDS} "
                f"(stopped at {origin})"
            )
        path = (base_dir / parent).resolve()
        if base_dir.resolve() not in path.parents:
            raise ScenarioError(
                f"{origin}: extends: {_short(parent)} must name a scenario file in the same "
                "folder (no other folders)"
            )
        if str(path) in seen:
            raise ScenarioError(f"{origin}: extends: circular ({' → '.join((*seen, str(path)))})")
        if not path.exists():
            raise ScenarioError(f"{origin}: extends: no scenario file {_short(parent)}")
        text = read_scenario_text(path, label=f"{origin}: extends: {parent}")
        origin = str(path)
        seen.append(origin)
        raw = _read_raw(text, origin)


def _merge_chain(chain: Chain) -> dict:
    merged: dict = {}
    for _, raw in reversed(chain):
        if merged and "name" in raw and "title" not in raw:
            # A title names the design of the file that set it: a file that names its own
            # design does not go out under its parent's title.
            merged = {k: v for k, v in merged.items() if k != "title"}
        merged = merge_scenarios(merged, raw) if merged else raw
    return merged


def _blame(loc: tuple, chain: Chain, origin: str) -> str:
    """The file of ``chain`` whose own fields set the value at ``loc`` (the file itself if none)."""
    if len(chain) == 1 or not loc:
        return origin
    for name, raw in chain:
        if _sets(raw, loc):
            return name
    return origin


def _sets(node: Any, loc: tuple) -> bool:
    """Whether a file's own tree ``node`` holds the value at ``loc`` (or a node replacing it)."""
    for part in loc:
        if not isinstance(node, dict) or "value" in node or "dist" in node:
            return True  # a number, list or distribution replaces everything below it
        if part not in node:
            return False
        node = node[part]
    return True


class StrictLoader(yaml.SafeLoader):
    """PyYAML's SafeLoader, refusing what would otherwise pass silently or crash.

    - explicit tags (``!!binary``, ``!!set``, ``!!str 2``, ``!!python/…``): a scenario is plain
      mappings, lists, text, numbers, booleans and dates, so a tag only ever hides a mistake;
    - a key written twice in one mapping (YAML says the last one wins; the user meant one of them);
    - nesting deeper than ``MAX_DEPTH`` (the composer recurses once per level).
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        """Compose one node, refusing an explicit tag or one level too many."""
        event = self.peek_event()
        tag = getattr(event, "tag", None)
        if tag is not None and not isinstance(event, yaml.AliasEvent):
            raise yaml.composer.ComposerError(
                None,
                None,
                f"explicit YAML tags such as {_cut(tag.replace('tag:yaml.org,2002:', '!!'), 80)} "
                "are not allowed in a scenario",
                event.start_mark,
            )
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise yaml.composer.ComposerError(
                    None, None, f"nested deeper than {MAX_DEPTH} levels", event.start_mark
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        """Construct a mapping, refusing a key written twice."""
        first: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue  # `<<: *base` merges are meant to be overridden by the keys beside them
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                continue  # an unhashable key: the base class gives its own error
            if key in first:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"duplicate key {_short(key)} (first on line {first[key] + 1}); "
                    "YAML would silently keep only the last one",
                    key_node.start_mark,
                )
            first[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)


def _int_or_text(loader: StrictLoader, node: yaml.ScalarNode) -> Any:
    """An integer, or for one of more digits than Python converts (4,300) its text, which the
    field it stands in then refuses with its own name in the message.
    """
    try:
        return loader.construct_yaml_int(node)
    except ValueError:
        return loader.construct_scalar(node)


StrictLoader.add_constructor("tag:yaml.org,2002:int", _int_or_text)


def _read_raw(text: str, origin: str, kind: str = "scenario") -> dict:
    if len(text) > MAX_FILE_BYTES or len(text.encode("utf-8")) > MAX_FILE_BYTES:
        raise ScenarioError(f"{origin}: file is larger than {MAX_FILE_BYTES} bytes")
    try:
        raw = yaml.load(text, Loader=StrictLoader)  # noqa: S506 - StrictLoader is a SafeLoader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError(f"{origin}: not valid YAML{where}: {_cut(str(problem), 200)}") from None
    except RecursionError:  # a safety net: StrictLoader stops at MAX_DEPTH long before this
        raise ScenarioError(f"{origin}: nested deeper than {MAX_DEPTH} levels") from None
    except ValueError as exc:  # a value PyYAML cannot build, e.g. an integer of 5,000 digits
        raise ScenarioError(f"{origin}: not a usable value: {_cut(str(exc), 200)}") from None
    if not isinstance(raw, dict):
        raise ScenarioError(
            f"{origin}: expected a YAML mapping of {kind} fields, got {type(raw).__name__}"
        )
    count, depth, bad_key = _measure(raw, MAX_NODES, MAX_DEPTH)
    if count > MAX_NODES:
        raise ScenarioError(
            f"{origin}: more than {MAX_NODES} values once YAML aliases (*name) are expanded"
        )
    if depth > MAX_DEPTH:
        raise ScenarioError(
            f"{origin}: nested deeper than {MAX_DEPTH} levels once YAML aliases are expanded"
        )
    if bad_key is not None:
        where, key = bad_key
        raise ScenarioError(
            f"{origin}: {where + ': ' if where else ''}key {key!r} must be text; YAML reads "
            "yes/no/on/off/true/false as true or false, so quote it"
        )
    return raw


def _measure(raw: Any, max_nodes: int, max_depth: int) -> tuple[int, int, tuple | None]:
    """Values in the expanded tree, its depth, and the first true/false/null key (where, key).

    Iterative, and stops just past either limit, so an alias bomb costs at most ``max_nodes``
    steps.
    """
    stack: list[tuple[Any, int, str]] = [(raw, 1, "")]
    count = deepest = 0
    bad_key = None
    while stack and count <= max_nodes and deepest <= max_depth:
        node, depth, where = stack.pop()
        count += 1
        deepest = max(deepest, depth)
        if isinstance(node, dict):
            for key, value in node.items():
                if bad_key is None and (key is None or isinstance(key, bool)):
                    bad_key = (where, key)
                stack.append((value, depth + 1, f"{where}.{key}" if where else str(key)))
        elif isinstance(node, list):
            stack.extend((v, depth + 1, f"{where}[{i}]") for i, v in enumerate(node))
    return count, deepest, bad_key


def read_scenario_text(path: Path, *, label: str | None = None) -> str:
    """The text of a scenario file, read with bounds: a regular file of at most MAX_FILE_BYTES,
    UTF-8. A FIFO, a device (``/dev/zero``) or a 2 GB file is refused before it is read.

    ``label`` starts the message (default: the path).
    """
    label = label or str(path)
    try:
        # O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting for ever.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise ScenarioError(f"{label}: cannot read scenario file ({exc.strerror})") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise ScenarioError(f"{label}: is a folder, not a scenario file")
        if not stat.S_ISREG(info.st_mode):
            raise ScenarioError(f"{label}: not a regular file (a device, FIFO or socket)")
        if info.st_size > MAX_FILE_BYTES:
            raise ScenarioError(f"{label}: file is larger than {MAX_FILE_BYTES} bytes")
        with os.fdopen(os.dup(fd), "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ScenarioError(f"{label}: cannot read scenario file ({exc.strerror})") from None
    finally:
        os.close(fd)
    if len(data) > MAX_FILE_BYTES:  # it grew while we read it
        raise ScenarioError(f"{label}: file is larger than {MAX_FILE_BYTES} bytes")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ScenarioError(f"{label}: not a UTF-8 text file") from None


def _short(value: Any) -> str:
    """``repr(value)``, cut so that a huge bad value (a 900 KB name) is not echoed whole."""
    return _cut(repr(value), MAX_ECHO)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else f"{text[: limit - 1]}… ({len(text)} characters)"


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
    chain = _resolve_chain(_read_raw(_read_file(path), str(path)), str(path), path.resolve().parent)
    clean, provenance = split_provenance(_merge_chain(chain))
    return uncited_numbers(clean, provenance)


def read_mapping(path: Path, *, what: str) -> dict:
    """A YAML file of ``what`` (targets, parameters) as a mapping, read with the scenario files'
    bounds and strict YAML; ScenarioError naming the file if it is missing or not such a file.
    """
    try:
        text = read_scenario_text(path)
    except FileNotFoundError:
        raise ScenarioError(f"{path}: no such {what} file") from None
    return _read_raw(text, str(path), kind=what)


def _read_file(path: Path) -> str:
    try:
        return read_scenario_text(path)
    except FileNotFoundError:
        hint = "" if path.is_absolute() else f" or bundled design ({', '.join(bundled_names())})"
        raise ScenarioError(f"{path}: no such scenario file{hint}") from None


def load_scenario(path: str | Path) -> Scenario:
    """Load and validate a scenario file or bundled design; raise ScenarioError with a user message.

    ``path`` is a file, or the name of a bundled design (see :func:`find_scenario`).
    """
    path = find_scenario(path)
    scenario = parse_scenario(_read_file(path), origin=str(path), base_dir=path.resolve().parent)
    log.debug("loaded scenario %s from %s", scenario.name, path)
    return scenario


def format_validation_error(
    exc: ValidationError, origin: str, *, blame: Callable[[tuple], str] | None = None
) -> str:
    """Turn pydantic's error list into lines of ``file: field: message (got value)``.

    ``blame(loc)`` names the file that set the bad value (a parent reached through ``extends:``);
    the line then starts with that file and says which file inherited it.
    """
    lines = []
    seen: set[str] = set()
    for err in exc.errors():
        loc = _dotted(err["loc"])
        msg = _message(err)
        if err["loc"] and err["loc"][-1] == "[key]":
            msg = f"key {msg}"
        where = blame(_field_loc(err["loc"])) if blame is not None else origin
        if where != origin:
            msg = f"{msg} (inherited by {origin} through extends:)"
        line = f"{where}: {loc}: {msg}" if loc else f"{where}: {msg}"
        if line not in seen:
            seen.add(line)
            lines.append(line)
    return "\n".join(lines[:10]) + (f"\n… and {len(lines) - 10} more" if len(lines) > 10 else "")


# How pydantic names the member of a union it tried (``organisation.dict[literal[…],…]``): the
# user wrote the field, not the member, so these parts of an error's location are left out.
_UNION_MEMBER = re.compile(
    r"^(function-[a-z-]+|(dict|list|literal|tuple|set)\[.*\]|constrained-\w+)$"
)


def _field_loc(loc: tuple) -> tuple:
    """An error's location as fields and indices of the file (union members and ``[key]`` out)."""
    return tuple(
        item
        for item in loc
        if isinstance(item, int)
        or not (item == "[key]" or item in DIST_NAMES or _UNION_MEMBER.match(str(item)))
    )


def _dotted(loc: tuple) -> str:
    parts: list[str] = []
    for item in _field_loc(loc):
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            parts.append(("." if parts else "") + _cut(str(item), MAX_ECHO))
    return "".join(parts)


def _message(err: dict) -> str:
    kind = err["type"]
    ctx = err.get("ctx", {})
    got = err.get("input")
    got_text = "" if isinstance(got, dict | list) else f" (got {_short(got)})"
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field (not part of the file's format)"
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
        return f"unknown distribution {_short(ctx.get('tag'))}; allowed: {', '.join(DIST_NAMES)}"
    if kind == "union_tag_not_found":
        return f"needs a 'dist' key; allowed: {', '.join(DIST_NAMES)}"
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected')}{got_text}"
    if kind == "value_error":
        return str(ctx.get("error", err["msg"]))
    return f"{err['msg']}{got_text}"
