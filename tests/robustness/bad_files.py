"""Bad scenario files, generated: the reliability review's probe (§1a, D4–D8) kept as a test.

The review (``shared/reviews/reliability.md``) fed the CLI some 300 broken, hostile or extreme
scenario files once, by hand. Generated here, deterministically, they become a permanent check:
:func:`cases` writes every file under a folder and says what each must produce. A bad file must
end in exit 2 with one message that names the file and the field (``Case.expect``); a control
(``control=True``) must load, so that the refusals are not bought by refusing too much.

Most cases are one edit of the bundled default design cut to a 60-day horizon: every section of the
format (Konsultation, Insatsmarknad, exits, …) is there to break, and a run of a control takes a
fraction of a second. Edits that plain YAML data cannot express (tags, aliases, duplicate keys,
``.nan``, ``1.0e+400``, deep nesting) are spliced into the dumped text as :class:`Y` snippets.

pytest must know the case names before any fixture runs, so :func:`specs` lists the cases without
writing anything, and :func:`cases` writes them (``Spec.make``) into a folder given later.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import functools
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from samflode.config import loader

DEFAULT = Path(__file__).resolve().parents[2] / "samflode" / "scenarios" / "nacka-forum.yaml"
# The short run of the default design (as tests/conftest.py's `_write`): every stage is used,
# and a control's `run --replications 2` takes well under a second.
HORIZON_DAYS = 60.0
# An `expect` entry "a | b" is met by either phrase: the review names what a message must say,
# not its exact words (`nested` or `deep`), and the loader's wording is being rewritten.
ALT = " | "
# A YAML payload that would run a shell command touches a file with this suffix next to the case.
MARKER_SUFFIX = ".MARKER"
# The loader's caps, read from it so that cases just over and just under stay just over and under.
MAX_FILE_BYTES: int = getattr(loader, "MAX_FILE_BYTES", 1_000_000)
MAX_NODES: int = getattr(loader, "MAX_NODES", 1_000_000)
TWO_GIB = 2 * 1024**3
# libyaml's dumper where there is one: 500 files are written per test session.
DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

DEEP = "nested | deep"
ALIAS = "alias"
TAG = "tag"
DUP = "duplicate"
UTF8 = "UTF-8"
MISSING = "missing | required"
NOT_REGULAR = "regular file | not a file"
NOT_A_DIRECTORY = "directory | folder | " + NOT_REGULAR
SYNTAX = ("not valid YAML", "line")

# Category → (at least this many bad cases, at least this many controls): the review's table 1a.
MINIMUMS: dict[str, tuple[int, int]] = {
    "file / encoding / size": (12, 1),
    "special files": (3, 0),
    "YAML syntax": (8, 0),
    "deep nesting": (10, 0),
    "alias bombs": (6, 0),
    "long strings": (2, 0),
    "duplicate keys": (4, 0),
    "YAML tags": (12, 0),
    "unknown fields": (9, 0),
    "missing required fields": (20, 0),
    "wrong types": (28, 0),
    "bad numbers": (60, 0),
    "distributions": (25, 0),
    "probabilities / shares": (17, 0),
    "empty lists / maps": (12, 0),
    "references, headcount 0": (14, 0),
    "extends:": (26, 5),
    "paths": (5, 1),
    "valid per schema but extreme": (10, 1),
    "brackets": (6, 1),
}
CATEGORIES = tuple(MINIMUMS)
MIN_TOTAL = 300
MIN_CONTROLS = 20
NAME_RULE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


@dataclass(frozen=True)
class Case:
    """One path given to the CLI, and what the CLI must make of it.

    ``expect`` are substrings (case-insensitive) that the message must hold besides the file's
    name (checked on its own): the field as a dotted path, or for a file-level problem a key
    phrase. An entry ``"a | b"`` is met by either. ``commands`` are the CLI commands to try.
    """

    name: str
    category: str
    target: Path
    expect: tuple[str, ...]
    control: bool = False
    commands: tuple[str, ...] = ("validate", "run")


Build = Callable[[Path], Path]


@dataclass(frozen=True)
class Spec:
    """A case before its files exist: all pytest needs to collect it, and how to write it.

    ``build(folder)`` writes the case's files into ``folder`` (empty, the case's own) and returns
    the path to give the CLI.
    """

    name: str
    category: str
    expect: tuple[str, ...]
    build: Build
    control: bool = False
    commands: tuple[str, ...] = ("validate", "run")

    def make(self, root: Path) -> Case:
        """Write the case's files under ``root / name`` and return the case."""
        folder = root / self.name
        folder.mkdir(parents=True, exist_ok=True)
        target = self.build(folder)
        return Case(self.name, self.category, target, self.expect, self.control, self.commands)


def cases(root: Path) -> list[Case]:
    """Write every case under ``root`` (one folder each) and return them, in a fixed order."""
    return [spec.make(root) for spec in specs()]


@functools.cache
def _specs() -> tuple[Spec, ...]:
    out: list[Spec] = []
    for group in (
        _file_encoding_size,
        _special_files,
        _yaml_syntax,
        _deep_nesting,
        _alias_bombs,
        _long_strings,
        _duplicate_keys,
        _yaml_tags,
        _unknown_fields,
        _missing_fields,
        _wrong_types,
        _bad_numbers,
        _distributions,
        _shares,
        _empty,
        _references,
        _extends,
        _paths,
        _extreme,
        _brackets,
    ):
        out.extend(group())
    names = [s.name for s in out]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise AssertionError(f"case names used twice: {duplicates}")
    bad = [n for n in names if not NAME_RULE.match(n)]
    if bad:
        raise AssertionError(f"case names must be slugs (folder names, pytest ids): {bad}")
    unknown = sorted({s.category for s in out} - set(CATEGORIES))
    if unknown:
        raise AssertionError(f"unknown categories {unknown}")
    return tuple(out)


def specs() -> list[Spec]:
    """Every case, without writing anything: names, categories, expectations, builders."""
    return list(_specs())


# --- the scenario every edit starts from --------------------------------------------------------


def _short_provenance(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            k: "cited in the default design"
            if k in loader.PROVENANCE_KEYS
            else _short_provenance(v)
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_short_provenance(v) for v in node]
    return node


@functools.cache
def _default_yaml() -> dict:
    return _short_provenance(yaml.safe_load(DEFAULT.read_text(encoding="utf-8")))


def _base() -> dict:
    """The default design as YAML data, cut to HORIZON_DAYS with no warm-up (a fresh copy).

    Every ``source:``/``assumption:`` stays where it is, but with a short text: the long texts
    are half of what each case's file costs to parse, twice per case, and no case is about them.
    """
    raw = copy.deepcopy(_default_yaml())
    raw["horizon_days"] = {"value": HORIZON_DAYS, "assumption": "short test run"}
    raw["warmup_days"] = {"value": 0.0, "assumption": "short test run"}
    return raw


@dataclass(frozen=True)
class Y:
    """YAML text spliced in where plain data cannot say it: a tag, an alias, ``.nan``, a key
    twice, a nesting 5 000 deep. Usable as a value or as a mapping key; lines after the first are
    indented like the line the snippet lands on.
    """

    text: str


def _render(raw: Any) -> str:
    snippets: list[str] = []

    def swap(node: Any) -> Any:
        if isinstance(node, Y):
            snippets.append(node.text)
            return f"__Y{len(snippets) - 1}__"
        if isinstance(node, dict):
            return {swap(k): swap(v) for k, v in node.items()}
        if isinstance(node, list):
            return [swap(v) for v in node]
        return node

    text = yaml.dump(swap(raw), Dumper=DUMPER, allow_unicode=True, sort_keys=False, width=10_000)
    for i, snippet in enumerate(snippets):
        marker = f"__Y{i}__"
        if text.count(marker) != 1:
            raise AssertionError(f"snippet marker {marker} not in the dump exactly once")
        start = text.rfind("\n", 0, text.index(marker)) + 1
        indent = re.match(r" *", text[start:]).group()
        text = text.replace(marker, snippet.replace("\n", "\n" + indent))
    return text


def _is_cited(node: Any) -> bool:
    return (
        isinstance(node, dict)
        and "value" in node
        and len(node) > 1
        and set(node) - {"value"} <= set(loader.PROVENANCE_KEYS)
    )


def _key(node: Any, part: str) -> Any:
    if isinstance(node, list):
        return int(part)
    if part not in node and part.lstrip("-").isdigit() and int(part) in node:
        return int(part)  # the difficulty levels and bonus steps are integer keys
    return part


def _parent(raw: dict, dotted: str) -> tuple[Any, Any]:
    *parents, leaf = dotted.split(".")
    node = raw
    for part in parents:
        node = node[_key(node, part)]
    return node, _key(node, leaf)


Edit = Callable[[dict], None]


def set_(dotted: str, value: Any) -> Edit:
    """Set a field (``a.b.0.c``); a cited number keeps its citation, so only the number changes."""

    def edit(raw: dict) -> None:
        node, key = _parent(raw, dotted)
        old = node[key] if isinstance(node, list) or key in node else None
        fresh = copy.deepcopy(value)  # a value shared by several cases must not carry edits over
        if _is_cited(old) and not isinstance(value, dict):
            old["value"] = fresh
        else:
            node[key] = fresh

    return edit


def del_(dotted: str) -> Edit:
    """Remove a field."""

    def edit(raw: dict) -> None:
        node, key = _parent(raw, dotted)
        del node[key]

    return edit


def _both(*edits: Edit) -> Edit:
    def edit(raw: dict) -> None:
        for e in edits:
            e(raw)

    return edit


def _text(*edits: Edit) -> str:
    raw = _base()
    for edit in edits:
        edit(raw)
    return _render(raw)


def _write(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def _own(folder: Path) -> Path:
    """The case's main file: its folder's name with ``.yaml``."""
    return folder / f"{folder.name}.yaml"


def edited(*edits: Edit) -> Build:
    """A build: the short default design with ``edits`` applied."""
    return lambda folder: _write(_own(folder), _text(*edits))


def raw_file(data: str | bytes | Callable[[Path], str | bytes]) -> Build:
    """A build: a file with exactly these contents (or ``data(folder)``'s)."""

    def build(folder: Path) -> Path:
        return _write(_own(folder), data(folder) if callable(data) else data)

    return build


def _loc(dotted: str) -> str:
    """``exit.outcomes.0.keep_90d`` as the loader shows it: ``exit.outcomes[0].keep_90d``."""
    return re.sub(r"\.(\d+)(?=\.|$)", r"[\1]", dotted)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def _label(value: Any) -> str:
    if isinstance(value, Y):
        return _slug(value.text.replace("-", "minus").replace("+", "")) or "snippet"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value != value:
        return "nan"
    if isinstance(value, float) and value in (float("inf"), float("-inf")):
        return "inf" if value > 0 else "minus_inf"
    if isinstance(value, int | float):
        return ("minus" if value < 0 else "") + _slug(f"{abs(value):g}")
    return _slug(str(value)) or "empty"


def _spec_maker(category: str) -> Callable[..., Spec]:
    def make(
        name: str,
        expect: Iterable[str],
        build: Build,
        *,
        control: bool = False,
        commands: tuple[str, ...] | None = None,
    ) -> Spec:
        if commands is None:
            commands = ("validate",) if control else ("validate", "run")
        return Spec(name, category, tuple(expect), build, control, commands)

    return make


# Optional sections the default design leaves out, valid as written, so that their fields can be
# broken one at a time. The figures are test values, not model assumptions.
HANDOFFS = {
    "assumption": "test values",
    "share": 0.1,
    "delay": {"dist": "fixed", "value": 1, "unit": "days"},
    "pools": ["forum_bedomare", "af_handlaggare"],
}
TURNOVER = {
    "assumption": "test values",
    "per_year": 0.15,
    "vacancy": {"dist": "fixed", "value": 30, "unit": "days"},
}
CREAM = {
    "assumption": "test values",
    "refusal_per_difficulty_step": 0.2,
    "placement_delay": {"dist": "fixed", "value": 14, "unit": "days"},
}
add_handoffs = set_("handoffs", HANDOFFS)
add_turnover = set_("staff.forum_bedomare.turnover", TURNOVER)
add_cream = set_("insatsmarknad.cream_skimming", CREAM)
NAN, INF = float("nan"), float("inf")


# --- file / encoding / size ----------------------------------------------------------------------


def _padded(total: int) -> Callable[[Path], bytes]:
    """The short design followed by a comment, ``total`` bytes in all: valid but for its size."""

    def data(_folder: Path) -> bytes:
        text = _text().encode("utf-8")
        return text + b"#" + b"x" * (total - len(text) - 2) + b"\n"

    return data


def _bytes_in_description(bad: bytes) -> Callable[[Path], bytes]:
    def data(_folder: Path) -> bytes:
        return _text(set_("description", "__BAD_BYTES__")).encode().replace(b"__BAD_BYTES__", bad)

    return data


def _sparse(folder: Path) -> Path:
    path = _write(_own(folder), _text())
    os.truncate(path, TWO_GIB)  # a hole: 2 GiB long, a few KB on disk
    return path


def _file_encoding_size() -> list[Spec]:
    s = _spec_maker("file / encoding / size")
    latin1 = _text(set_("description", "Försäkringskassan och Arbetsförmedlingen, Nacka"))
    return [
        s("file-empty", ["mapping"], raw_file(b"")),
        s("file-only_comment", ["mapping"], raw_file(b"# nothing but a comment\n")),
        s("file-only_whitespace", ["mapping"], raw_file(b"   \n\n      \n")),
        s("file-only_bom", ["mapping"], raw_file("\ufeff\n")),
        s("file-latin1", [UTF8], raw_file(latin1.encode("latin-1", errors="replace"))),
        s("file-utf16", [UTF8], raw_file(lambda _f: _text().encode("utf-16"))),
        s("file-utf32", [UTF8], raw_file(lambda _f: _text().encode("utf-32"))),
        s("file-bad_continuation_byte", [UTF8], raw_file(_bytes_in_description(b"caf\xc3\x28"))),
        s("file-encoded_surrogate", [UTF8], raw_file(_bytes_in_description(b"x\xed\xa0\x80y"))),
        s("file-nul_at_end", ["not valid YAML | NUL"], raw_file(lambda _f: _text() + "\x00")),
        s("file-nul_in_value", ["not valid YAML | NUL"], edited(set_("description", Y("a\x00b")))),
        s("file-list_at_top", ["mapping"], raw_file("- name\n- horizon_days\n")),
        s("file-string_at_top", ["mapping"], raw_file("just a sentence, not a scenario\n")),
        s("file-number_at_top", ["mapping"], raw_file("42\n")),
        s("file-null_at_top", ["mapping"], raw_file("~\n")),
        s("file-size_1_5mb", ["larger than"], raw_file(_padded(1_500_000))),
        s("file-size_5mb", ["larger than"], raw_file(_padded(5_000_000))),
        s("file-one_byte_too_many", ["larger than"], raw_file(_padded(MAX_FILE_BYTES + 1))),
        s("file-sparse_2gib", ["larger than"], _sparse),
        s("file-bom_ok", [], raw_file(lambda _f: "\ufeff" + _text()), control=True),
        s("file-crlf_ok", [], raw_file(lambda _f: _text().replace("\n", "\r\n")), control=True),
        s("file-just_under_cap_ok", [], raw_file(_padded(MAX_FILE_BYTES - 1000)), control=True),
    ]


# --- special files -------------------------------------------------------------------------------


def _fifo(folder: Path) -> Path:
    path = _own(folder)
    os.mkfifo(path)  # nobody ever writes: a reader that opens it waits for ever
    return path


def _symlink(target: str | Path, name: str = "") -> Build:
    def build(folder: Path) -> Path:
        link = folder / (name or f"{folder.name}.yaml")
        link.symlink_to(target)
        return link

    return build


def _directory(name: str = "") -> Build:
    def build(folder: Path) -> Path:
        path = folder / (name or f"{folder.name}.yaml")
        path.mkdir()
        return path

    return build


def _special_files() -> list[Spec]:
    s = _spec_maker("special files")
    return [
        s("special-fifo", [NOT_REGULAR], _fifo),
        s("special-dev_zero", [NOT_REGULAR], lambda _f: Path("/dev/zero")),
        s("special-dev_null", [NOT_REGULAR], lambda _f: Path("/dev/null")),
        s("special-symlink_to_dev_zero", [NOT_REGULAR], _symlink("/dev/zero")),
        s("special-directory", [NOT_A_DIRECTORY], _directory()),
    ]


# --- YAML syntax ---------------------------------------------------------------------------------


def _replaced(old: str, new: str, *edits: Edit) -> Build:
    """A build: the dumped design with one exact piece of text replaced (it must be there once)."""

    def build(folder: Path) -> Path:
        text = _text(*edits)
        if text.count(old) != 1:
            raise AssertionError(f"{folder.name}: {old!r} is in the dump {text.count(old)} times")
        return _write(_own(folder), text.replace(old, new))

    return build


def _appended(extra: str, *edits: Edit, before: str = "") -> Build:
    return raw_file(lambda _f: before + _text(*edits) + extra)


def _yaml_syntax() -> list[Spec]:
    s = _spec_maker("YAML syntax")
    pool = "\n  forum_bedomare:\n    assumption:"
    return [
        s("syntax-bad_indentation", SYNTAX, _replaced(pool, pool.replace("\n  f", "\n f"))),
        s("syntax-tab_indentation", SYNTAX, _replaced(pool, pool.replace("\n    a", "\n\ta"))),
        s("syntax-unclosed_bracket", SYNTAX, edited(set_("calendar.weekdays", Y("[0, 1, 2")))),
        s("syntax-extra_bracket", SYNTAX, edited(set_("calendar.weekdays", Y("[0, 1, 2]]")))),
        s("syntax-unclosed_quote", SYNTAX, edited(set_("description", Y('"never closed')))),
        s(
            "syntax-unclosed_brace",
            SYNTAX,
            edited(set_("forum.booking_delay", Y("{dist: fixed, value: 1, unit: days"))),
        ),
        s("syntax-key_colon_colon", SYNTAX, edited(set_("name", Y(": value")))),
        s("syntax-value_value", SYNTAX, edited(set_("description", Y("a: b: c")))),
        s("syntax-stray_dash", SYNTAX, _appended("- a list item after the mapping\n")),
        s("syntax-undefined_alias", SYNTAX, edited(set_("description", Y("*nowhere")))),
        s("syntax-two_documents", SYNTAX, _appended("---\nname: second_document\n")),
        s("syntax-bad_escape", SYNTAX, edited(set_("description", Y('"bad \\q escape"')))),
        s("syntax-yaml_2_directive", SYNTAX, _appended("", before="%YAML 2.0\n---\n")),
        s("syntax-unhashable_key", SYNTAX, _appended("? [a, b]\n: 1\n")),
        s("syntax-control_character", ["not valid YAML"], edited(set_("description", Y('"\x07"')))),
    ]


# --- deep nesting --------------------------------------------------------------------------------


def _flow_lists(n: int) -> Y:
    return Y("[" * n + "]" * n)


def _block_maps(n: int) -> Y:
    lines = ["  " * (i + 1) + f"k{i}:" for i in range(n)]
    return Y("\n" + "\n".join(lines) + " 1")


def _deep_nesting() -> list[Spec]:
    s = _spec_maker("deep nesting")
    return [
        s("deep-flow_list_100", [DEEP], edited(set_("description", _flow_lists(100)))),
        s("deep-flow_list_600", [DEEP], edited(set_("description", _flow_lists(600)))),
        s("deep-flow_list_1000", [DEEP], edited(set_("description", _flow_lists(1000)))),
        s("deep-flow_list_5000", [DEEP], edited(set_("description", _flow_lists(5000)))),
        s(
            "deep-flow_map_2000",
            [DEEP],
            edited(set_("description", Y("{a: " * 2000 + "1" + "}" * 2000))),
        ),
        s(
            "deep-flow_mixed_800",
            [DEEP],
            edited(set_("description", Y("[{a: " * 400 + "1" + "}]" * 400))),
        ),
        s("deep-block_map_60", [DEEP], edited(set_("description", _block_maps(60)))),
        s("deep-block_map_500", [DEEP], edited(set_("description", _block_maps(500)))),
        s(
            "deep-block_list_500",
            [DEEP],
            edited(set_("description", Y("\n  " + "- " * 500 + "x"))),
        ),
        s(
            "deep-in_headcount_600",
            [DEEP],
            edited(set_("staff.forum_bedomare.headcount", _flow_lists(600))),
        ),
        s(
            "deep-in_inflow_100",
            [DEEP],
            edited(set_("groups.arbetslosa.inflow_per_week", _flow_lists(100))),
        ),
        s("deep-under_unknown_key_600", [DEEP], edited(set_("deep_key", _flow_lists(600)))),
        s("deep-whole_document_1000", [DEEP], raw_file("[" * 1000 + "]" * 1000 + "\n")),
    ]


# --- alias bombs ---------------------------------------------------------------------------------


def _laughs(levels: int = 9, width: int = 10, seq: bool = True) -> str:
    """The billion laughs: each level ``width`` aliases of the one below (10**9 values)."""
    open_, close = ("[", "]") if seq else ("{", "}")

    def item(j: int, v: str) -> str:
        return v if seq else f"k{j}: {v}"

    lines = [f"l0: &l0 {open_}" + ", ".join(item(j, "lol") for j in range(width)) + close]
    for i in range(1, levels):
        body = ", ".join(item(j, f"*l{i - 1}") for j in range(width))
        lines.append(f"l{i}: &l{i} {open_}{body}{close}")
    return "\n".join(lines)


def _expanding_to(values: int) -> Y:
    """A description that expands to about ``values`` values: n aliases of 100 × 100 scalars."""
    n = max(1, values // 10_101)
    head = "\n  l0: &l0 [" + ", ".join(["x"] * 100) + "]"
    head += "\n  l1: &l1 [" + ", ".join(["*l0"] * 100) + "]"
    return Y(head + "\n  l2: [" + ", ".join(["*l1"] * n) + "]")


def _alias_bombs() -> list[Spec]:
    s = _spec_maker("alias bombs")
    bomb = _laughs()
    reuse = _both(
        set_("forum.triage_duration", Y("&meeting {dist: gamma, mean: 45, sd: 15, unit: minutes}")),
        set_("forum.planning_duration", Y("*meeting")),
    )
    merge = _both(
        set_(
            "staff.konsultation_fk",
            Y("&team {organisation: fk, headcount: 3, share_on_method: 0.7, cost_per_hour_sek: 3}"),
        ),
        set_("staff.konsultation_af", Y("{<<: *team, organisation: af}")),
    )
    wide = "\n  l0: &l0 [" + ", ".join(["x"] * 1000) + "]\n  l1: [" + ", ".join(["*l0"] * 2000)
    return [
        s("alias-billion_laughs", [ALIAS], edited(set_("description", Y("\n  " + bomb)))),
        s(
            "alias-laughs_in_headcount",
            [ALIAS],
            edited(set_("staff.forum_bedomare.headcount", Y("\n  " + bomb))),
        ),
        s("alias-laughs_at_top", [ALIAS], _appended(bomb + "\n")),
        s(
            "alias-laughs_of_maps",
            [ALIAS],
            edited(set_("description", Y("\n  " + _laughs(7, 10, False)))),
        ),
        s("alias-recursive_list", [ALIAS], edited(set_("description", Y("&r [*r]")))),
        s("alias-recursive_map", [ALIAS], edited(set_("description", Y("&r {a: *r}")))),
        s("alias-wide", [ALIAS], edited(set_("description", Y(wide + "]")))),
        s(
            "alias-just_over_limit",
            [ALIAS],
            edited(set_("description", _expanding_to(int(MAX_NODES * 1.02) + 10_101))),
        ),
        # Below the cap the aliases are fine, and the field's own type is what is wrong.
        s(
            "alias-just_under_limit",
            ["description"],
            edited(set_("description", _expanding_to(int(MAX_NODES * 0.9)))),
        ),
        s("alias-reuse_ok", [], edited(reuse), control=True),
        s("alias-merge_key_ok", [], edited(merge), control=True),
    ]


# --- long strings --------------------------------------------------------------------------------


def _long_strings() -> list[Spec]:
    s = _spec_maker("long strings")
    headcount = "staff.forum_bedomare.headcount"
    return [
        s("long-name_900kb", ["name"], edited(set_("name", "a" * 900_000))),
        s("long-headcount_4000_digits", [headcount], edited(set_(headcount, Y("9" * 4000)))),
        # Python refuses to parse integers of more than 4 300 digits (a ValueError, not YAML's).
        s("long-headcount_5000_digits", [headcount], edited(set_(headcount, Y("9" * 5000)))),
        s("long-unknown_key_900kb", ["k" * 20], edited(set_("k" * 900_000, 1))),
        s(
            "long-holidays_900kb",
            ["calendar.holidays"],
            edited(set_("calendar.holidays", "x" * 900_000)),
        ),
        s(
            "long-dist_name_900kb",
            ["forum.triage_duration"],
            edited(set_("forum.triage_duration.dist", "w" * 900_000)),
        ),
        s(
            "long-description_900kb_ok",
            [],
            edited(set_("description", "d" * 900_000)),
            control=True,
        ),
        s(
            "long-share_4000_digits_ok",
            [],
            edited(set_("groups.arbetslosa.complex_share", Y("0." + "1" * 4000))),
            control=True,
        ),
    ]


# --- duplicate keys ------------------------------------------------------------------------------


def _duplicate_keys() -> list[Spec]:
    s = _spec_maker("duplicate keys")

    def twice(dotted: str, value: Any) -> Edit:
        def edit(raw: dict) -> None:
            node, key = _parent(raw, dotted)
            node[Y(str(key))] = value

        return edit

    group = copy.deepcopy(_base()["groups"]["arbetslosa"])
    group["inflow_per_week"] = {"value": 99, "assumption": "the second definition"}
    pool = {"organisation": "af", "headcount": 1}
    flow = Y("{dist: fixed, value: 1, value: 2, unit: days}")
    dist = Y("{dist: gamma, mean: 45, sd: 15, unit: minutes, dist: fixed}")
    return [
        s("dup-top_level_name", [DUP, "name"], edited(twice("name", "other_name"))),
        s(
            "dup-headcount",
            [DUP, "headcount"],
            edited(twice("staff.forum_bedomare.headcount", 9)),
        ),
        s("dup-group", [DUP, "arbetslosa"], edited(twice("groups.arbetslosa", group))),
        s("dup-staff_pool", [DUP, "forum_bedomare"], edited(twice("staff.forum_bedomare", pool))),
        s(
            "dup-horizon_days",
            [DUP, "horizon_days"],
            edited(twice("horizon_days", {"value": 5, "assumption": "the second one"})),
        ),
        s("dup-in_flow_map", [DUP, "value"], edited(set_("forum.booking_delay", flow))),
        s("dup-dist_key", [DUP, "dist"], edited(set_("forum.triage_duration", dist))),
        s("dup-outcome_field", [DUP, "keep_90d"], edited(twice("exit.outcomes.0.keep_90d", 0.1))),
        s(
            "dup-source_key",
            [DUP, "source"],
            edited(set_("rules.first_meeting_days", Y('{value: 7, source: "a", source: "b"}'))),
        ),
        s("dup-integer_key", [DUP], edited(twice("groups.arbetslosa.difficulty.1", 0.5))),
    ]


# --- YAML tags -----------------------------------------------------------------------------------


def _with_marker(template: str, *, top: bool = False) -> Build:
    """A payload that would touch ``<folder>/<name>.MARKER`` if YAML ran it ({marker} in it)."""

    def build(folder: Path) -> Path:
        payload = template.format(marker=folder / f"{folder.name}{MARKER_SUFFIX}")
        text = payload + "\n" if top else _text(set_("description", Y(payload)))
        return _write(_own(folder), text)

    return build


def _yaml_tags() -> list[Spec]:
    s = _spec_maker("YAML tags")
    name64 = base64.b64encode(b"nacka_forum").decode()
    channels = "groups.arbetslosa.channels"
    headcount = "staff.forum_bedomare.headcount"
    quoted = "\"!!python/object/apply:os.system ['touch {marker}']\""
    return [
        s(
            "tag-python_apply",
            [TAG],
            _with_marker("!!python/object/apply:os.system ['touch {marker}']"),
        ),
        s(
            "tag-python_apply_at_top",
            [TAG],
            _with_marker("!!python/object/apply:os.system ['touch {marker}']", top=True),
        ),
        s(
            "tag-python_new",
            [TAG],
            _with_marker("!!python/object/new:subprocess.check_call [['touch', '{marker}']]"),
        ),
        s(
            "tag-verbatim_python",
            [TAG],
            _with_marker("!<tag:yaml.org,2002:python/object/apply:os.system> ['touch {marker}']"),
        ),
        s("tag-python_name", [TAG], edited(set_("description", Y("!!python/name:os.system ''")))),
        s("tag-python_module", [TAG], edited(set_("description", Y("!!python/module:os ''")))),
        s(
            "tag-python_tuple",
            [TAG],
            edited(set_("calendar.weekdays", Y("!!python/tuple [0, 1, 2, 3, 4]"))),
        ),
        s("tag-binary_name", [TAG], edited(set_("name", Y(f"!!binary {name64}")))),
        s("tag-set_weekdays", [TAG], edited(set_("calendar.weekdays", Y("!!set {0, 1, 2, 3, 4}")))),
        s(
            "tag-omap_channels",
            [TAG],
            edited(set_(channels, Y("!!omap [walk_in: 0.6, booked: 0.4]"))),
        ),
        s(
            "tag-pairs_channels",
            [TAG],
            edited(set_(channels, Y("!!pairs [walk_in: 0.6, booked: 0.4]"))),
        ),
        s("tag-str_headcount", [TAG], edited(set_(headcount, Y("!!str 2")))),
        s("tag-float_headcount", [TAG], edited(set_(headcount, Y("!!float 2")))),
        s("tag-int_name", [TAG], edited(set_("name", Y("!!int 5")))),
        s("tag-custom_foo", [TAG], edited(set_("description", Y("!foo bar")))),
        s("tag-custom_on_number", [TAG], edited(set_(headcount, Y("!people 2")))),
        s("tag-quoted_payload_ok", [], _with_marker(quoted), control=True),
    ]


# --- unknown fields ------------------------------------------------------------------------------


def _unknown_fields() -> list[Spec]:
    s = _spec_maker("unknown fields")
    rows = [
        ("top_level_typo", "horizn_days", 60),
        ("rules_typo", "rules.first_meting_days", 3),
        ("pool_typo", "staff.forum_bedomare.headcont", 4),
        ("group_typo", "groups.arbetslosa.inflow_per_wek", 10),
        ("dist_parameter", "forum.triage_duration.shape", 2),
        ("calendar_field", "calendar.timezone", "Europe/Stockholm"),
        ("summer_field", "calendar.summer.weeks", 6),
        ("konsultation_field", "konsultation.team_size", 4),
        ("outcome_field", "exit.outcomes.0.keep_1y", 0.8),
        ("provider_field", "insatsmarknad.providers.jobbhuset.rating", 5),
        ("type_field", "insatsmarknad.types.matchning.price", 5),
        ("costs_field", "costs.bonus_7m_sek", 1),
        ("channel_key", "groups.arbetslosa.channels.email", 0.0),
        # rich turns :name: into an emoji unless told not to: the key must print as written.
        ("emoji_code_key", ":warning:", 1),
    ]
    out = [s(f"unknown-{n}", [_loc(d)], edited(set_(d, v))) for n, d, v in rows]
    cited_typo = {"value": 4, "sourc": "a typo of source"}
    out.append(
        s(
            "unknown-citation_typo",
            ["staff.forum_bedomare.headcount"],
            edited(set_("staff.forum_bedomare.headcount", cited_typo)),
        )
    )
    return out


# --- missing required fields ---------------------------------------------------------------------


def _missing_fields() -> list[Spec]:
    s = _spec_maker("missing required fields")
    rows: list[tuple[str, tuple[Edit, ...]]] = [
        (d, ())
        for d in (
            "name",
            "horizon_days",
            "groups",
            "forum",
            "exit",
            "groups.arbetslosa.inflow_per_week",
            "groups.arbetslosa.complex_share",
            "staff.forum_bedomare.organisation",
            "staff.forum_bedomare.headcount",
            "forum.staff",
            "forum.booking_delay",
            "forum.triage_duration",
            "forum.second_meeting_delay",
            "forum.planning_duration",
            "konsultation.roles",
            "konsultation.handover_delay",
            "konsultation.sessions",
            "konsultation.session_duration",
            "konsultation.session_interval",
            "konsultation.sessions.values",
            "insatsmarknad.types",
            "insatsmarknad.providers",
            "insatsmarknad.followup_duration",
            "insatsmarknad.types.matchning.duration",
            "insatsmarknad.types.matchning.hours_per_week",
            "insatsmarknad.providers.jobbhuset.offers",
            "exit.outcomes",
            "exit.outcomes.0.exit",
            "exit.outcomes.0.keep_90d",
            "exit.outcomes.0.gain_90d",
            "exit.outcomes.0.keep_6m",
            "exit.outcomes.0.gain_6m",
            "staff.konsultation_fk.headcount",
            "staff.af_handlaggare.organisation",
            "forum.triage_duration.unit",
            "konsultation.handover_delay.unit",
            "forum.triage_duration.mean",
            "forum.booking_delay.high",
        )
    ]
    rows += [
        ("handoffs.share", (add_handoffs,)),
        ("handoffs.delay", (add_handoffs,)),
        ("handoffs.pools", (add_handoffs,)),
        ("staff.forum_bedomare.turnover.per_year", (add_turnover,)),
        ("staff.forum_bedomare.turnover.vacancy", (add_turnover,)),
        ("insatsmarknad.cream_skimming.placement_delay", (add_cream,)),
    ]
    out = [s(f"missing-{_slug(d)}", [_loc(d), MISSING], edited(*prep, del_(d))) for d, prep in rows]
    # A distribution without `dist`: the loader cannot tell which parameters to expect.
    out.append(
        s("missing-dist_key", ["forum.triage_duration"], edited(del_("forum.triage_duration.dist")))
    )
    return out


# --- wrong types ---------------------------------------------------------------------------------


def _wrong_types() -> list[Spec]:
    s = _spec_maker("wrong types")
    rows: list[tuple[str, Any, str]] = [
        ("horizon_days", "sixty", ""),
        # A bool is no number: `horizon_days: true` must not become 1.0 (review D6).
        ("horizon_days", True, ""),
        ("horizon_days", [60], "list"),
        ("horizon_days", {"days": 60}, "map"),
        ("name", 123, ""),
        ("name", ["nacka"], "list"),
        ("name", None, "null"),
        ("description", 42, ""),
        ("description", ["a", "b"], "list"),
        ("warmup_days", "none", "word"),
        ("groups", ["arbetslosa"], "list"),
        ("groups", "arbetslosa", "text"),
        ("groups.arbetslosa", 5, ""),
        ("groups.arbetslosa.inflow_per_week", "10/week", ""),
        ("groups.arbetslosa.inflow_per_week", False, ""),
        ("groups.arbetslosa.complex_share", Y("yes"), ""),
        ("groups.arbetslosa.difficulty", {"easy": 1.0}, "word_key"),
        ("staff", ["forum_bedomare"], "list"),
        ("staff.forum_bedomare.headcount", "two", ""),
        ("staff.forum_bedomare.headcount", 2.5, ""),
        ("staff.forum_bedomare.headcount", True, ""),
        ("staff.forum_bedomare.headcount", [2], "list"),
        ("staff.forum_bedomare.headcount", {"a": 1}, "map"),
        ("staff.forum_bedomare.headcount", "", "empty_text"),
        ("staff.forum_bedomare.share_on_method", "70%", ""),
        ("staff.forum_bedomare.organisation", 3, ""),
        ("staff.forum_bedomare.organisation", ["fk", "af"], "list"),
        ("staff.af_handlaggare.caseload_cap", True, ""),
        ("calendar", "weekdays", "text"),
        ("calendar.enabled", "maybe", ""),
        ("calendar.enabled", 2, ""),
        ("calendar.start_date", "not a date", ""),
        ("calendar.start_date", 20260105, ""),
        ("calendar.start_date", Y("2026-01-05T10:30:00"), "datetime"),
        ("calendar.weekdays", "0,1,2", "text"),
        ("calendar.weekdays", 0, "number"),
        ("calendar.weekdays", [True, False], "bools"),
        ("calendar.open_hour", Y("'08:00'"), "clock_text"),
        ("forum.staff", 5, ""),
        ("forum.staff", ["forum_bedomare"], "list"),
        ("forum.triage_duration", 45, "number"),
        ("forum.triage_duration", "gamma(45, 15)", "text"),
        ("konsultation", True, ""),
        ("konsultation.roles", "konsultation_fk", "text"),
        ("konsultation.sessions", 4, "number"),
        ("konsultation.sessions.values", "3-6", "text"),
        ("insatsmarknad.types", ["matchning"], "list"),
        ("insatsmarknad.providers.jobbhuset.offers", "matchning", "text"),
        ("insatsmarknad.providers.jobbhuset.places", "many", ""),
        ("exit.outcomes", {"work": 1.0}, "map"),
        ("exit.follow_up", "sometimes", ""),
        ("exit.restart_limit", 1.5, ""),
        ("patience", 90, "number"),
        ("rules.first_meeting_days", True, ""),
        ("costs.bonus_6m_sek", 10000, "number"),
        ("financing.pot_shares", "50/50", ""),
    ]
    out = []
    for dotted, value, label in rows:
        where = _loc(dotted)
        if label == "word_key":
            where = "groups.arbetslosa.difficulty.easy"
        if dotted == "calendar.weekdays" and label == "bools":
            where = "calendar.weekdays"
        name = f"type-{_slug(dotted)}-{label or _label(value)}"
        out.append(s(name, [where], edited(set_(dotted, value))))
    out.append(
        s("type-weekday_name", ["calendar.weekdays[0]"], edited(set_("calendar.weekdays", ["mon"])))
    )
    return out


# --- bad numbers ---------------------------------------------------------------------------------


def _bad_numbers() -> list[Spec]:
    s = _spec_maker("bad numbers")
    big = Y("1.0e+400")  # YAML reads it as infinity
    rows: list[tuple[str, Any, tuple[Edit, ...]]] = [
        ("horizon_days", 0, ()),
        ("horizon_days", -1, ()),
        ("horizon_days", 7306, ()),
        ("horizon_days", 1e9, ()),
        ("horizon_days", NAN, ()),
        ("horizon_days", INF, ()),
        ("horizon_days", -INF, ()),
        ("horizon_days", big, ()),
        ("warmup_days", -1, ()),
        ("warmup_days", HORIZON_DAYS, ()),  # the warm-up must end before the horizon
        ("warmup_days", 1e6, ()),
        ("warmup_days", NAN, ()),
        ("groups.arbetslosa.inflow_per_week", -2, ()),
        ("groups.arbetslosa.inflow_per_week", 100_001, ()),
        ("groups.arbetslosa.inflow_per_week", INF, ()),
        ("groups.arbetslosa.inflow_per_week", NAN, ()),
        ("groups.arbetslosa.inflow_per_week", 1e300, ()),
        ("groups.arbetslosa.complex_share", -0.1, ()),
        ("groups.arbetslosa.complex_share", 1.1, ()),
        ("groups.arbetslosa.complex_share", NAN, ()),
        ("groups.arbetslosa.second_meeting_share", 1.5, ()),
        ("groups.arbetslosa.second_meeting_share", -1, ()),
        ("staff.forum_bedomare.headcount", 0, ()),
        ("staff.forum_bedomare.headcount", -3, ()),
        ("staff.forum_bedomare.headcount", 10_001, ()),
        ("staff.forum_bedomare.headcount", 1e12, ()),
        ("staff.forum_bedomare.headcount", NAN, ()),
        ("staff.forum_bedomare.headcount", big, ()),
        ("staff.forum_bedomare.share_on_method", 0, ()),
        ("staff.forum_bedomare.share_on_method", 1.01, ()),
        ("staff.forum_bedomare.share_on_method", -0.5, ()),
        ("staff.forum_bedomare.cost_per_hour_sek", -300, ()),
        ("staff.forum_bedomare.cost_per_hour_sek", 100_001, ()),
        ("staff.forum_bedomare.cost_per_hour_sek", INF, ()),
        ("staff.af_handlaggare.caseload_cap", 0, ()),
        ("staff.af_handlaggare.caseload_cap", 10_001, ()),
        ("staff.forum_bedomare.open_hour", 24, ()),
        ("staff.forum_bedomare.close_hour", 0, ()),
        ("staff.forum_bedomare.close_hour", 25, ()),
        ("calendar.open_hour", 24, ()),
        ("calendar.open_hour", -1, ()),
        ("calendar.open_hour", Y("8:30"), ()),  # YAML 1.1 base 60: 8:30 is the integer 510
        ("calendar.close_hour", 0, ()),
        ("calendar.close_hour", 24.5, ()),
        ("calendar.summer.start_week", 0, ()),
        ("calendar.summer.start_week", 54, ()),
        ("calendar.summer.end_week", 54, ()),
        ("calendar.summer.staff_share", 0, ()),
        ("calendar.summer.staff_share", 1.5, ()),
        ("calendar.summer.inflow_share", -0.1, ()),
        ("insatsmarknad.types.matchning.hours_per_week", 0, ()),
        ("insatsmarknad.types.matchning.hours_per_week", 61, ()),
        ("insatsmarknad.types.matchning.subgoal_at", 1.5, ()),
        ("insatsmarknad.providers.jobbhuset.places", 0, ()),
        ("insatsmarknad.providers.jobbhuset.places", 100_001, ()),
        ("insatsmarknad.providers.jobbhuset.preference", 0, ()),
        ("insatsmarknad.providers.jobbhuset.preference", 1001, ()),
        ("insatsmarknad.providers.jobbhuset.available_from_days", -1, ()),
        ("insatsmarknad.providers.jobbhuset.available_from_days", 3651, ()),
        ("insatsmarknad.providers.jobbhuset.base_fee_per_hour_sek", -1, ()),
        ("insatsmarknad.followup_interval_days", 0, ()),
        ("insatsmarknad.followup_interval_days", 366, ()),
        ("exit.restart_limit", -1, ()),
        ("exit.restart_limit", 11, ()),
        ("exit.outcomes.0.keep_90d", 1.5, ()),
        ("exit.outcomes.0.gain_6m", NAN, ()),
        ("exit.outcomes.1.keep_6m", -0.1, ()),
        ("rules.first_meeting_days", 0, ()),
        ("rules.first_meeting_days", 366, ()),
        ("rules.kontrakt_days", INF, ()),
        ("rules.konsultation_days", -7, ()),
        ("costs.bonus_job_sek", -1, ()),
        ("costs.bonus_job_sek", 10_000_001, ()),
        ("costs.bonus_6m_sek.1", -5, ()),
        ("costs.startbidrag_sek", NAN, ()),
        ("costs.forsorjningsstod_per_month_sek", 1_000_001, ()),
        ("casework.client_share", 0, ()),
        ("casework.client_share", 1.5, ()),
        ("casework.admin_minutes_per_case_week.af_handlaggare", -1, ()),
        ("casework.admin_minutes_per_case_week.af_handlaggare", 2401, ()),
        ("casework.new_officer_minutes", 601, ()),
        ("outcome_model.coefficients.continuity_index", 21, ()),
        ("outcome_model.pause_grace_days", -1, ()),
        ("coordination.joint_meeting_minutes", -1, ()),
        ("coordination.joint_meeting_minutes", 601, ()),
        ("coordination.handoff_minutes", 601, ()),
        ("staff.forum_bedomare.turnover.per_year", 6, (add_turnover,)),
        ("staff.forum_bedomare.turnover.learning_slowdown", 0.5, (add_turnover,)),
        ("staff.forum_bedomare.turnover.learning_days", -1, (add_turnover,)),
        ("handoffs.max_handoffs", 0, (add_handoffs,)),
        ("handoffs.max_handoffs", 11, (add_handoffs,)),
        ("handoffs.share", 1.5, (add_handoffs,)),
        ("insatsmarknad.cream_skimming.refusal_per_difficulty_step", 1.5, (add_cream,)),
    ]
    out = [
        s(f"num-{_slug(d)}-{_label(v)}", [_loc(d)], edited(*prep, set_(d, v)))
        for d, v, prep in rows
    ]
    lists = [
        ("calendar.weekdays", [0, 7], "calendar.weekdays[1]"),
        ("calendar.weekdays", [-1, 0], "calendar.weekdays[0]"),
        ("konsultation.sessions.values", [0, 3], "konsultation.sessions.values[0]"),
        ("konsultation.sessions.values", [3, 101], "konsultation.sessions.values[1]"),
        ("konsultation.sessions.weights", [-1, 1, 1, 1], "konsultation.sessions.weights[0]"),
    ]
    for dotted, value, where in lists:
        out.append(
            s(f"num-{_slug(where)}-{_label(value[-1])}", [where], edited(set_(dotted, value)))
        )
    # Bounds that span fields: reported on the section, naming the field that is off.
    out += [
        s(
            "num-calendar_open_after_close",
            ["calendar", "close_hour"],
            edited(set_("calendar.open_hour", 17)),
        ),
        s(
            "num-summer_ends_before_start",
            ["calendar.summer", "end_week"],
            edited(set_("calendar.summer.start_week", 32), set_("calendar.summer.end_week", 27)),
        ),
        s(
            "num-pool_opens_after_calendar_closes",
            ["staff.forum_bedomare", "close_hour"],
            edited(set_("staff.forum_bedomare.open_hour", 17)),
        ),
    ]
    controls = _both(
        set_("staff.forum_bedomare.headcount", 10_000),
        set_("staff.af_handlaggare.caseload_cap", 1),
        set_("calendar.open_hour", 0),
        set_("calendar.close_hour", 24),
        set_("calendar.summer.start_week", 1),
        set_("calendar.summer.end_week", 53),
        set_("groups.arbetslosa.complex_share", 1.0),
        set_("exit.restart_limit", 0),
    )
    out += [
        s("num-exact_bounds_ok", [], edited(controls), control=True),
        s(
            "num-underscored_integer_ok",
            [],
            edited(set_("staff.forum_bedomare.headcount", Y("1_0"))),
            control=True,
        ),
    ]
    return out


# --- distributions -------------------------------------------------------------------------------


def _distributions() -> list[Spec]:
    s = _spec_maker("distributions")
    triage, booking, planning = (
        "forum.triage_duration",
        "forum.booking_delay",
        "forum.planning_duration",
    )
    handover = "konsultation.handover_delay"
    followup = "insatsmarknad.followup_duration"

    def tri(low: float, mode: float, high: float) -> dict:
        return {"dist": "triangular", "low": low, "mode": mode, "high": high, "unit": "days"}

    def logn(mean: float, sd: float) -> dict:
        return {"dist": "lognormal", "mean": mean, "sd": sd, "unit": "minutes"}

    def gamma(mean: float, sd: float) -> dict:
        return {"dist": "gamma", "mean": mean, "sd": sd, "unit": "minutes"}

    def emp(values: Any, weights: Any = None) -> dict:
        out = {"dist": "empirical", "values": values, "unit": "days"}
        return out if weights is None else out | {"weights": weights}

    rows: list[tuple[str, tuple[str, ...], Edit]] = [
        ("unknown_weibull", (triage, "weibull"), set_(f"{triage}.dist", "weibull")),
        ("dist_null", (triage,), set_(f"{triage}.dist", None)),
        ("dist_number", (triage,), set_(f"{triage}.dist", 5)),
        ("dist_capitalised", (triage,), set_(f"{triage}.dist", "Gamma")),
        ("missing_sd", (f"{triage}.sd",), del_(f"{triage}.sd")),
        ("unknown_unit", (f"{triage}.unit",), set_(f"{triage}.unit", "fortnights")),
        ("singular_unit", (f"{triage}.unit",), set_(f"{triage}.unit", "minute")),
        ("unit_null", (f"{triage}.unit",), set_(f"{triage}.unit", None)),
        ("triangular_reversed", (booking,), set_(booking, tri(7, 2, 1))),
        ("triangular_flat", (booking,), set_(booking, tri(2, 2, 2))),
        ("triangular_mode_above_high", (booking,), set_(booking, tri(1, 9, 7))),
        ("triangular_negative_low", (f"{booking}.low",), set_(booking, tri(-1, 2, 7))),
        ("triangular_missing_mode", (f"{booking}.mode",), del_(f"{booking}.mode")),
        ("exponential_zero", ("patience.mean",), set_("patience.mean", 0)),
        ("exponential_negative", ("patience.mean",), set_("patience.mean", -1)),
        ("exponential_above_max", ("patience.mean",), set_("patience.mean", 1e7)),
        ("exponential_inf", ("patience.mean",), set_("patience.mean", INF)),
        ("exponential_nan", ("patience.mean",), set_("patience.mean", NAN)),
        ("exponential_extra_sd", ("patience.sd",), set_("patience.sd", 2)),
        ("lognormal_sd_zero", (f"{planning}.sd",), set_(planning, logn(60, 0))),
        ("gamma_sd_negative", (f"{triage}.sd",), set_(f"{triage}.sd", -15)),
        ("fixed_negative", (f"{followup}.value",), set_(f"{followup}.value", -1)),
        ("fixed_nan", (f"{followup}.value",), set_(f"{followup}.value", NAN)),
        ("fixed_with_weights", (f"{followup}.weights",), set_(f"{followup}.weights", [1])),
        ("empirical_mismatched_weights", (handover,), set_(f"{handover}.weights", [0.5, 0.5])),
        ("empirical_zero_weights", (handover,), set_(f"{handover}.weights", [0, 0, 0, 0, 0])),
        ("empirical_single_zero_weight", (handover,), set_(handover, emp([1], [0]))),
        # Each weight is finite, their sum is not (review D6): numpy then refuses at run time.
        ("empirical_weights_overflow", (handover,), set_(handover, emp([0, 1], [1e308, 1e308]))),
        ("empirical_empty_values", (f"{handover}.values",), set_(handover, emp([]))),
        (
            "empirical_negative_weight",
            (f"{handover}.weights[0]",),
            set_(f"{handover}.weights", [-1, 1, 1, 1, 1]),
        ),
        (
            "empirical_nan_value",
            (f"{handover}.values[2]",),
            set_(f"{handover}.values", [0, 1, NAN, 5, 7]),
        ),
        (
            "empirical_inf_weight",
            (f"{handover}.weights[0]",),
            set_(f"{handover}.weights", [INF, 1, 1, 1, 1]),
        ),
        ("empirical_weights_number", (f"{handover}.weights",), set_(f"{handover}.weights", 1)),
        (
            "empirical_values_text",
            (f"{handover}.values[0]",),
            set_(handover, emp(["soon", "later"])),
        ),
        # Parameters within their bounds whose ratio overflows a float (review D4.3): shape
        # (mean/sd)**2, or sigma**2 = log(1 + (sd/mean)**2); validate must refuse them.
        ("gamma_shape_overflow", (triage,), set_(triage, gamma(1e6, 1e-300))),
        ("gamma_scale_overflow", (triage,), set_(triage, gamma(1e-300, 1e6))),
        ("lognormal_ratio_overflow", (planning,), set_(planning, logn(1e-300, 1))),
        ("as_list", (triage,), set_(triage, ["gamma", 45, 15])),
        ("as_text", ("patience",), set_("patience", "exponential")),
        (
            "as_cited_number",
            ("forum.second_meeting_delay",),
            set_("forum.second_meeting_delay", {"value": 3, "source": "x"}),
        ),
    ]
    out = [s(f"dist-{n}", list(e), edited(edit)) for n, e, edit in rows]
    kinds = _both(
        set_("patience", {"dist": "lognormal", "mean": 90, "sd": 30, "unit": "days"}),
        set_(followup, emp([10, 20, 30], [1, 2, 1]) | {"unit": "minutes"}),
        set_("forum.second_meeting_delay", {"dist": "exponential", "mean": 3, "unit": "days"}),
        set_(booking, {"dist": "fixed", "value": 2, "unit": "days"}),
    )
    out += [
        s("dist-every_kind_ok", [], edited(kinds), control=True),
        s(
            "dist-empirical_without_weights_ok",
            [],
            edited(del_(f"{handover}.weights")),
            control=True,
        ),
    ]
    return out


# --- probabilities / shares ----------------------------------------------------------------------


def _shares() -> list[Spec]:
    s = _spec_maker("probabilities / shares")
    g = "groups.arbetslosa"
    o = "exit.outcomes.0.exit"
    rows: list[tuple[str, tuple[str, ...], Edit]] = [
        ("channels_sum_0_9", (g, "channels"), set_(f"{g}.channels.booked", 0.3)),
        ("channels_sum_1_1", (g, "channels"), set_(f"{g}.channels.booked", 0.5)),
        ("channels_off_by_1e_5", (g, "channels"), set_(f"{g}.channels.booked", 0.40001)),
        (
            "channels_negative",
            (f"{g}.channels.walk_in",),
            _both(set_(f"{g}.channels.walk_in", -0.2), set_(f"{g}.channels.booked", 1.2)),
        ),
        ("channel_above_one", (f"{g}.channels.walk_in",), set_(f"{g}.channels.walk_in", 1.5)),
        ("channel_nan", (f"{g}.channels.walk_in",), set_(f"{g}.channels.walk_in", NAN)),
        ("channels_empty", (g, "channels"), set_(f"{g}.channels", {})),
        ("interventions_sum_0_5", (g, "interventions"), set_(f"{g}.interventions.matchning", 0.0)),
        (
            "interventions_negative",
            (f"{g}.interventions.utbildning",),
            _both(
                set_(f"{g}.interventions.matchning", 1.5),
                set_(f"{g}.interventions.utbildning", -0.3),
                set_(f"{g}.interventions.arbetstraning", -0.2),
            ),
        ),
        ("interventions_empty", (f"{g}.interventions",), set_(f"{g}.interventions", {})),
        ("difficulty_sum_0_8", (g, "difficulty"), set_(f"{g}.difficulty.1", 0.3)),
        (
            "difficulty_level_4",
            (f"{g}.difficulty.4 | {g}.difficulty[4]",),
            set_(f"{g}.difficulty.4", 0.0),
        ),
        (
            "difficulty_level_0",
            (f"{g}.difficulty.0 | {g}.difficulty[0]",),
            set_(f"{g}.difficulty.0", 0.0),
        ),
        ("exit_sum_0_9", ("exit.outcomes[0]", "exit"), set_(f"{o}.work", 0.5)),
        (
            "exit_negative",
            ("exit.outcomes[0].exit.work",),
            _both(set_(f"{o}.work", -0.1), set_(f"{o}.restart", 0.8)),
        ),
        ("exit_unknown_state", ("exit.outcomes[0].exit.jail",), set_(f"{o}.jail", 0.0)),
        ("exit_empty", ("exit.outcomes[0]", "exit"), set_(o, {})),
        ("pot_shares_sum_0_9", ("financing", "pot_shares"), set_("financing.pot_shares.fk", 0.4)),
        (
            "pot_shares_unknown_party",
            ("financing.pot_shares.eu",),
            set_("financing.pot_shares.eu", 0.0),
        ),
        (
            "pot_shares_negative",
            ("financing.pot_shares.af",),
            _both(set_("financing.pot_shares.af", -0.5), set_("financing.pot_shares.fk", 1.0)),
        ),
        (
            "organisation_sum_0_9",
            ("staff.forum_bedomare", "organisation"),
            set_("staff.forum_bedomare.organisation.af", 0.24),
        ),
        (
            "organisation_unknown_party",
            ("staff.forum_bedomare.organisation",),
            set_("staff.forum_bedomare.organisation", {"state": 1.0}),
        ),
        (
            "organisation_empty",
            ("staff.forum_bedomare", "organisation"),
            set_("staff.forum_bedomare.organisation", {}),
        ),
        (
            "direct_konsultation_without_stage",
            ("groups.sjuka.channels",),
            _both(set_("konsultation", None), set_("groups.sjuka.complex_share", 0.0)),
        ),
    ]
    out = [s(f"share-{n}", list(e), edited(edit)) for n, e, edit in rows]
    direct = {"direct_konsultation": 1.0, "assumption": "every case straight to Konsultation"}
    out += [
        s(
            "share-within_tolerance_ok",
            [],
            edited(set_(f"{g}.channels.booked", 0.4000001)),
            control=True,
        ),
        s(
            "share-all_direct_konsultation_ok",
            [],
            edited(set_(f"{g}.channels", direct)),
            control=True,
        ),
    ]
    return out


# --- empty lists / maps --------------------------------------------------------------------------


def _empty() -> list[Spec]:
    s = _spec_maker("empty lists / maps")
    rows: list[tuple[str, str, Any, str, tuple[Edit, ...]]] = [
        ("groups", "groups", {}, "groups", ()),
        ("staff", "staff", {}, "forum.staff", ()),
        ("forum", "forum", {}, "forum.staff", ()),
        ("exit", "exit", {}, "exit.outcomes", ()),
        ("konsultation", "konsultation", {}, "konsultation.roles", ()),
        ("insatsmarknad", "insatsmarknad", {}, "insatsmarknad.types", ()),
        ("group", "groups.arbetslosa", {}, "groups.arbetslosa.inflow_per_week", ()),
        ("pool", "staff.forum_bedomare", {}, "staff.forum_bedomare.organisation", ()),
        ("roles", "konsultation.roles", [], "konsultation.roles", ()),
        ("session_values", "konsultation.sessions.values", [], "konsultation.sessions.values", ()),
        ("weekdays", "calendar.weekdays", [], "calendar.weekdays", ()),
        (
            "pool_weekdays",
            "staff.konsultation_region.weekdays",
            [],
            "staff.konsultation_region.weekdays",
            (),
        ),
        ("outcomes", "exit.outcomes", [], "exit.outcomes", ()),
        ("outcome_rule", "exit.outcomes", [{}], "exit.outcomes[0].exit", ()),
        ("types", "insatsmarknad.types", {}, "insatsmarknad.types", ()),
        ("providers", "insatsmarknad.providers", {}, "insatsmarknad.providers", ()),
        (
            "offers",
            "insatsmarknad.providers.jobbhuset.offers",
            [],
            "insatsmarknad.providers.jobbhuset.offers",
            (),
        ),
        ("handoff_pools", "handoffs.pools", [], "handoffs.pools", (add_handoffs,)),
        ("name", "name", "", "name", ()),
        ("forum_staff", "forum.staff", "", "forum.staff", ()),
    ]
    out = [s(f"empty-{n}", [w], edited(*p, set_(d, v))) for n, d, v, w, p in rows]
    out += [
        s("empty-calendar_ok", [], edited(set_("calendar", {})), control=True),
        s(
            "empty-rules_and_costs_ok",
            [],
            edited(set_("rules", {}), set_("costs", {})),
            control=True,
        ),
    ]
    return out


# --- references, headcount 0 ---------------------------------------------------------------------


def _references() -> list[Spec]:
    s = _spec_maker("references, headcount 0")
    roles = ["konsultation_fk", "konsultation_fk", "konsultation_af"]
    rows: list[tuple[str, tuple[str, ...], Edit]] = [
        ("forum_staff_unknown", ("forum.staff",), set_("forum.staff", "nobody")),
        ("forum_staff_wrong_case", ("forum.staff",), set_("forum.staff", "Forum_bedomare")),
        (
            "konsultation_role_unknown",
            ("konsultation.roles",),
            set_("konsultation.roles", ["konsultation_fk", "psykolog"]),
        ),
        (
            "handoff_pool_unknown",
            ("handoffs.pools",),
            _both(add_handoffs, set_("handoffs.pools", ["forum_bedomare", "nobody"])),
        ),
        (
            "handoff_one_pool",
            ("handoffs.pools",),
            _both(add_handoffs, set_("handoffs.pools", ["forum_bedomare"])),
        ),
        (
            "handlaggare_unknown",
            ("groups.arbetslosa.handlaggare",),
            set_("groups.arbetslosa.handlaggare", "nobody"),
        ),
        (
            "handlaggare_pool_removed",
            ("groups.arbetslosa.handlaggare",),
            del_("staff.af_handlaggare"),
        ),
        (
            "intake_unknown",
            ("groups.arbetslosa.intake",),
            set_("groups.arbetslosa.intake", "nobody"),
        ),
        (
            "intervention_type_unknown",
            ("groups.arbetslosa.interventions",),
            set_("groups.arbetslosa.interventions.yoga", 0.0),
        ),
        (
            "interventions_without_market",
            ("groups.arbetslosa.interventions",),
            set_("insatsmarknad", None),
        ),
        (
            "provider_offers_unknown",
            ("insatsmarknad", "jobbhuset", "offers"),
            set_("insatsmarknad.providers.jobbhuset.offers", ["matchning", "yoga"]),
        ),
        (
            "type_without_provider",
            ("insatsmarknad", "coaching"),
            set_(
                "insatsmarknad.types.coaching",
                {"duration": {"dist": "fixed", "value": 30, "unit": "days"}, "hours_per_week": 2},
            ),
        ),
        ("no_outcome_rule_matches", ("exit.outcomes",), set_("exit.outcomes.1.group", "sjuka")),
        (
            "headcount_0_forum",
            ("staff.forum_bedomare.headcount",),
            set_("staff.forum_bedomare.headcount", 0),
        ),
        (
            "headcount_0_konsultation_role",
            ("staff.konsultation_fk.headcount",),
            set_("staff.konsultation_fk.headcount", 0),
        ),
        (
            "headcount_0_handlaggare",
            ("staff.fk_handlaggare.headcount",),
            set_("staff.fk_handlaggare.headcount", 0),
        ),
        # A joint meeting needing the one member of a pool twice never starts (review D6).
        (
            "role_twice_headcount_1",
            ("konsultation.roles",),
            _both(set_("konsultation.roles", roles), set_("staff.konsultation_fk.headcount", 1)),
        ),
        # Each weight finite, their sum infinite: always the last value is drawn (review D6).
        (
            "session_weights_overflow",
            ("konsultation.sessions.weights",),
            _both(
                set_("konsultation.sessions.values", [3, 4]),
                set_("konsultation.sessions.weights", [1e308, 1e308]),
            ),
        ),
        (
            "session_weights_mismatched",
            ("konsultation.sessions",),
            set_("konsultation.sessions.weights", [1, 1]),
        ),
        (
            "session_weights_zero",
            ("konsultation.sessions",),
            set_("konsultation.sessions.weights", [0, 0, 0, 0]),
        ),
    ]
    return [s(f"ref-{n}", list(e), edited(edit)) for n, e, edit in rows]


# --- extends: ------------------------------------------------------------------------------------
# Each case's scenarios live in <folder>/inner; <folder>/outside is a folder next to it that
# `extends:` must not reach. A child is the case's own file and holds little but `extends:`.


def _inner(folder: Path) -> Path:
    path = folder / "inner"
    path.mkdir(exist_ok=True)
    return path


def _child(folder: Path, extends: Any, extra: str = "") -> Path:
    text = (
        yaml.safe_dump({"extends": extends}, allow_unicode=True)
        if not isinstance(extends, Y)
        else f"extends: {extends.text}\n"
    )
    return _write(_inner(folder) / f"{folder.name}.yaml", text + "name: child_design\n" + extra)


def _parent_name(folder: Path) -> str:
    # The parent's name holds the child's, so that a message naming only the parent (the file at
    # fault) also meets the rule that it names the file given to the CLI.
    return f"parent_of_{folder.name}.yaml"


def _extends_parent(data: str | bytes | Callable[[], str | bytes], extra: str = "") -> Build:
    """A build: a child that extends a parent with these contents, in the same folder."""

    def build(folder: Path) -> Path:
        _write(_inner(folder) / _parent_name(folder), data() if callable(data) else data)
        return _child(folder, _parent_name(folder), extra)

    return build


Setup = Callable[[Path, Path], None]


def _extends_setup(extends: Any, setup: Setup | None = None, extra: str = "") -> Build:
    """A build: ``setup(inner, outside)`` writes what the child's ``extends:`` names."""

    def build(folder: Path) -> Path:
        inner, outside = _inner(folder), folder / "outside"
        outside.mkdir(exist_ok=True)
        if setup is not None:
            setup(inner, outside)
        value = extends(folder) if callable(extends) else extends
        return _child(folder, value, extra)

    return build


def _valid_at(*relative: str, inside: bool = False) -> Setup:
    def setup(inner: Path, outside: Path) -> None:
        for rel in relative:
            _write((inner if inside else outside) / rel, _text())

    return setup


def _chain(n: int) -> Build:
    """A build: c0 extends c1 … extends c{n-1}, which is the whole design: a chain of n files."""

    def build(folder: Path) -> Path:
        inner = _inner(folder)
        for i in range(1, n - 1):
            _write(inner / f"c{i}.yaml", f"extends: c{i + 1}.yaml\n")
        _write(inner / f"c{n - 1}.yaml", _text())
        return _child(folder, "c1.yaml" if n > 2 else f"c{n - 1}.yaml")

    return build


def _extends() -> list[Spec]:
    s = _spec_maker("extends:")
    ext = "extends"

    def with_parent(name: str, expect: tuple[str, ...], data: Any) -> Spec:
        return s(name, (*expect, f"parent_of_{name}.yaml"), _extends_parent(data))

    def link(rel: str, to: str | Callable[[Path, Path], Path], *also: Setup) -> Setup:
        def setup(inner: Path, outside: Path) -> None:
            for first in also:
                first(inner, outside)
            (inner / rel).symlink_to(to(inner, outside) if callable(to) else to)

        return setup

    def bom_parent(inner: Path, _outside: Path) -> None:
        _write(inner / "parent.yaml", "\ufeff" + _text())

    def dir_parent(inner: Path, _outside: Path) -> None:
        (inner / "sub.yaml").mkdir()

    def pair(inner: Path, _outside: Path) -> None:
        _write(inner / "b.yaml", f"extends: {inner.parent.name}.yaml\n")

    def triangle(inner: Path, _outside: Path) -> None:
        _write(inner / "b.yaml", "extends: c.yaml\n")
        _write(inner / "c.yaml", f"extends: {inner.parent.name}.yaml\n")

    def escaping_parent(inner: Path, outside: Path) -> None:
        _write(outside / "grand.yaml", _text())
        _write(inner / _parent_name(inner.parent), "extends: ../outside/grand.yaml\n")

    def fifo_parent(inner: Path, _outside: Path) -> None:
        os.mkfifo(inner / "fifo_parent.yaml")

    def sparse_parent(inner: Path, _outside: Path) -> None:
        path = _write(inner / "sparse_parent.yaml", _text())
        os.truncate(path, TWO_GIB)

    def latin1_parent() -> bytes:
        return _text(set_("description", "Försäkringskassan")).encode("latin-1", errors="replace")

    bad_value = _text(set_("staff.forum_bedomare.headcount", -3))
    too_large = _padded(1_500_000)
    out = [
        s("ext-dotdot", [ext], _extends_setup("../outside/parent.yaml", _valid_at("parent.yaml"))),
        s("ext-deep_traversal", [ext], _extends_setup("../" * 12 + "etc/passwd.yaml")),
        s("ext-traversal_without_suffix", [ext], _extends_setup("../" * 12 + "etc/passwd")),
        s(
            "ext-absolute_outside",
            [ext],
            _extends_setup(lambda f: str(f / "outside" / "parent.yaml"), _valid_at("parent.yaml")),
        ),
        s("ext-absolute_etc", [ext], _extends_setup("/etc/hostname.yaml")),
        s(
            "ext-symlink_outside",
            [ext],
            _extends_setup(
                "link.yaml",
                link("link.yaml", lambda _i, o: o / "parent.yaml", _valid_at("parent.yaml")),
            ),
        ),
        s(
            "ext-symlink_dev_zero",
            [ext],
            _extends_setup("zero.yaml", link("zero.yaml", "/dev/zero")),
        ),
        s(
            "ext-dangling_symlink",
            [ext],
            _extends_setup("gone.yaml", link("gone.yaml", "nowhere.yaml")),
        ),
        s("ext-self", [ext], _extends_setup(lambda f: f"{f.name}.yaml")),
        s("ext-pair", [ext], _extends_setup("b.yaml", pair)),
        s("ext-triangle", [ext], _extends_setup("b.yaml", triangle)),
        s(
            "ext-symlink_to_self",
            [ext],
            _extends_setup("me.yaml", link("me.yaml", lambda i, _o: i / f"{i.parent.name}.yaml")),
        ),
        s(
            "ext-missing_parent",
            [ext, "missing_parent.yaml"],
            _extends_setup("missing_parent.yaml"),
        ),
        s(
            "ext-parent_is_directory",
            [ext],
            _extends_setup("sub.yaml", dir_parent),
        ),
        s(
            "ext-parent_fifo",
            [ext, "fifo_parent.yaml"],
            _extends_setup("fifo_parent.yaml", fifo_parent),
        ),
        s(
            "ext-parent_sparse_2gib",
            ["larger than", "sparse_parent.yaml"],
            _extends_setup("sparse_parent.yaml", sparse_parent),
        ),
        with_parent("ext-parent_latin1", (ext,), latin1_parent),
        # Review D8: the bad value is in the parent, so the message must name the parent.
        with_parent("ext-parent_bad_value", ("staff.forum_bedomare.headcount",), bad_value),
        with_parent("ext-parent_bad_yaml", ("not valid YAML",), "name: [unclosed\n"),
        with_parent("ext-parent_bomb", (ALIAS,), _laughs() + "\n"),
        with_parent("ext-parent_deep", (DEEP,), "description: " + "[" * 1000 + "]" * 1000 + "\n"),
        with_parent("ext-parent_duplicate_key", (DUP,), lambda: _text() + "name: again\n"),
        with_parent("ext-parent_tag", (TAG,), "description: !!python/name:os.system ''\n"),
        with_parent("ext-parent_too_large", ("larger than",), lambda: too_large(Path())),
        with_parent("ext-parent_list", ("mapping",), "- a\n- b\n"),
        with_parent("ext-parent_empty", ("mapping",), ""),
        s(
            "ext-parent_escapes",
            [ext, "parent_of_ext-parent_escapes.yaml"],
            _extends_setup(_parent_name, escaping_parent),
        ),
        s("ext-chain_100", [ext], _chain(100)),
        s("ext-chain_1100", [ext], _chain(1100)),
        s("ext-number", [ext], _extends_setup(5)),
        s(
            "ext-list",
            [ext],
            _extends_setup(["a.yaml", "b.yaml"], _valid_at("a.yaml", "b.yaml", inside=True)),
        ),
        s(
            "ext-wrong_suffix",
            [ext],
            _extends_setup("parent.txt", _valid_at("parent.txt", inside=True)),
        ),
        s("ext-empty_string", [ext], _extends_setup("")),
        s("ext-tag", [TAG], _extends_setup(Y("!!python/name:os.system ''"))),
        s(
            "ext-child_bad_value",
            ["staff.forum_bedomare.headcount"],
            _extends_setup(
                "parent.yaml",
                _valid_at("parent.yaml", inside=True),
                "staff:\n  forum_bedomare:\n    headcount: -1\n",
            ),
        ),
        s(
            "ext-child_removes_forum",
            ["forum", MISSING],
            _extends_setup("parent.yaml", _valid_at("parent.yaml", inside=True), "forum: null\n"),
        ),
    ]
    ok = _valid_at("parent.yaml", inside=True)
    cited = "staff:\n  forum_bedomare:\n    headcount: {value: 5, assumption: one more assessor}\n"
    out += [
        s(
            "ext-simple_ok",
            [],
            _extends_setup("parent.yaml", ok, cited),
            control=True,
            commands=("validate", "run"),
        ),
        s("ext-chain_10_ok", [], _chain(10), control=True),
        s(
            "ext-subfolder_ok",
            [],
            _extends_setup("sub/parent.yaml", _valid_at("sub/parent.yaml", inside=True)),
            control=True,
        ),
        s("ext-dotdot_inside_ok", [], _extends_setup("sub/../parent.yaml", ok), control=True),
        s(
            "ext-symlink_inside_ok",
            [],
            _extends_setup("link.yaml", link("link.yaml", "parent.yaml", ok)),
            control=True,
        ),
        s(
            "ext-yml_suffix_ok",
            [],
            _extends_setup("parent.yml", _valid_at("parent.yml", inside=True)),
            control=True,
        ),
        s(
            "ext-null_removes_optional_ok",
            [],
            _extends_setup("parent.yaml", ok, "patience: null\n"),
            control=True,
        ),
        s(
            "ext-parent_with_bom_ok",
            [],
            _extends_setup("parent.yaml", bom_parent),
            control=True,
        ),
    ]
    return out


# --- paths ---------------------------------------------------------------------------------------


def _paths() -> list[Spec]:
    s = _spec_maker("paths")
    bad = _text(set_("staff.forum_bedomare.headcount", -3))

    def named(name: str, text: str) -> Build:
        return lambda folder: _write(folder / name, text)

    def loop(folder: Path) -> Path:
        (folder / "b.yaml").symlink_to(folder / f"{folder.name}.yaml")
        (folder / f"{folder.name}.yaml").symlink_to(folder / "b.yaml")
        return folder / f"{folder.name}.yaml"

    def under_a_file(folder: Path) -> Path:
        _write(folder / "file.yaml", _text())
        return folder / "file.yaml" / "x.yaml"

    def link_to_valid(relative: bool) -> Build:
        def build(folder: Path) -> Path:
            real = _write(folder / "real.yaml", _text())
            link = folder / f"{folder.name}.yaml"
            link.symlink_to("real.yaml" if relative else real)
            return link

        return build

    return [
        s("path-missing_file", ["no such"], lambda folder: folder / "does_not_exist.yaml"),
        s("path-missing_bundled_name", ["no such"], lambda _f: Path("no_such_design_q7")),
        s("path-directory", [NOT_A_DIRECTORY], _directory("folder.yaml")),
        s("path-symlink_to_etc_passwd", ["mapping | not valid YAML"], _symlink("/etc/passwd")),
        s("path-symlink_to_dev_null", [NOT_REGULAR], _symlink("/dev/null")),
        s("path-dangling_symlink", ["no such | not exist | broken"], _symlink("nowhere.yaml")),
        s("path-symlink_loop", ["symbolic link | loop"], loop),
        s("path-under_a_file", ["not a directory | no such"], under_a_file),
        s(
            "path-unicode_name_bad_value",
            ["staff.forum_bedomare.headcount"],
            named("mitt scenario ö.yaml", bad),
        ),
        s(
            "path-newline_in_name",
            ["staff.forum_bedomare.headcount"],
            named("two\nlines.yaml", bad),
        ),
        s(
            "path-symlink_to_valid_ok",
            [],
            link_to_valid(False),
            control=True,
            commands=("validate", "run"),
        ),
        s("path-relative_symlink_ok", [], link_to_valid(True), control=True),
        s("path-unicode_name_ok", [], named("mitt scenario ö.yaml", _text()), control=True),
        s("path-yml_suffix_ok", [], named("design.yml", _text()), control=True),
        s("path-no_suffix_ok", [], named("design", _text()), control=True),
    ]


# --- valid per schema but extreme ----------------------------------------------------------------


def _extreme() -> list[Spec]:
    s = _spec_maker("valid per schema but extreme")
    start = "calendar.start_date"
    twenty_years = set_("horizon_days", 7305)
    all_groups = [
        set_(f"groups.{g}.inflow_per_week", 100_000)
        for g in ("arbetslosa", "sjuka", "forsorjningsstod", "starta_omstallning")
    ]
    arrivals = "inflow_per_week | arrivals"
    return [
        # The working calendar runs horizon + 400 days past the start: it must stay in year 9999.
        s("extreme-start_9999_06_01", [start], edited(set_(start, dt.date(9999, 6, 1)))),
        s(
            "extreme-start_9980_with_20_years",
            [start],
            edited(set_(start, dt.date(9980, 1, 1)), twenty_years),
        ),
        s(
            "extreme-start_9998_with_2_years",
            [start],
            edited(set_(start, dt.date(9998, 1, 1)), set_("horizon_days", 730)),
        ),
        s("extreme-start_9999_12_31", [start], edited(set_(start, dt.date(9999, 12, 31)))),
        s("extreme-start_1000_01_01", [start], edited(set_(start, dt.date(1000, 1, 1)))),
        s("extreme-start_0001_01_01", [start], edited(set_(start, dt.date(1, 1, 1)))),
        # 100 000 a week for 20 years is 10**8 participants: refuse before the memory runs out.
        s(
            "extreme-inflow_100k_20_years",
            [arrivals],
            edited(set_("groups.arbetslosa.inflow_per_week", 100_000), twenty_years),
        ),
        s("extreme-all_groups_100k_20_years", [arrivals], edited(*all_groups, twenty_years)),
        s(
            "extreme-all_groups_100k_10_years",
            [arrivals],
            edited(*all_groups, set_("horizon_days", 3652)),
        ),
        s(
            "extreme-inflow_100k_1_year",
            [arrivals],
            edited(set_("groups.arbetslosa.inflow_per_week", 100_000), set_("horizon_days", 365)),
        ),
        s("extreme-start_2100_ok", [], edited(set_(start, dt.date(2100, 1, 4))), control=True),
        s("extreme-start_1990_ok", [], edited(set_(start, dt.date(1990, 1, 1))), control=True),
        s(
            "extreme-inflow_200_ok",
            [],
            edited(set_("groups.arbetslosa.inflow_per_week", 200)),
            control=True,
        ),
        s(
            "extreme-headcount_500_ok",
            [],
            edited(set_("staff.forum_bedomare.headcount", 500)),
            control=True,
        ),
        s(
            "extreme-20_years_low_inflow_ok",
            [],
            edited(
                twenty_years,
                *[
                    set_(f"groups.{g}.inflow_per_week", 1)
                    for g in ("arbetslosa", "sjuka", "forsorjningsstod", "starta_omstallning")
                ],
            ),
            control=True,
        ),
        s("extreme-one_weekday_ok", [], edited(set_("calendar.weekdays", [2])), control=True),
    ]


# --- [ ] in file names, keys and values ----------------------------------------------------------
# rich reads "[…]" as markup: a message must print them as written (review D4.1).


def _brackets() -> list[Spec]:
    s = _spec_maker("brackets")
    bad = _text(set_("staff.forum_bedomare.headcount", -3))
    headcount = "staff.forum_bedomare.headcount"

    def at(*parts: str, text: str) -> Build:
        return lambda folder: _write(folder.joinpath(*parts), text)

    return [
        # `a[/].yaml`: a folder `a[` holding `].yaml`; a valid file, so it must load and run.
        s(
            "bracket-folder_a_open_ok",
            [],
            at("a[", "].yaml", text=_text()),
            control=True,
            commands=("validate", "run"),
        ),
        s("bracket-design_v2", [headcount], at("design [v2].yaml", text=bad)),
        s("bracket-folder_with_tag", [headcount], at("[b]", "bad.yaml", text=bad)),
        s("bracket-close_tag_folder", [headcount], at("x[", "]bad.yaml", text=bad)),
        s("bracket-missing_file", ["no such"], lambda folder: folder / "missing[/red].yaml"),
        s("bracket-key_close_x", ["[/x]"], edited(set_("[/x]", 1))),
        s("bracket-key_bold", ["[bold]hidden[/bold]"], edited(set_("[bold]hidden[/bold]", 1))),
        s(
            "bracket-dist_value",
            ["forum.triage_duration", "[/bad]"],
            edited(set_("forum.triage_duration.dist", "[/bad]")),
        ),
        s("bracket-name_markup", ["name", "[red]x[/red]"], edited(set_("name", "[red]x[/red]"))),
        s("bracket-name_pattern_shown", ["name", "[a-z]"], edited(set_("name", "Bad Name"))),
        s("bracket-forum_staff", ["forum.staff", "[/x]"], edited(set_("forum.staff", "[/x]"))),
        s("bracket-extends_target", ["extends", "[/x].yaml"], edited(set_("extends", "[/x].yaml"))),
    ]
