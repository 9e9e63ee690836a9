"""Bad command lines for every samflode command, and a few good ones as controls.

:func:`cases` builds the command lines; it only names paths under ``tmp`` and creates nothing, so
it can be called at collection time (for the test ids) with any folder. :func:`make_inputs` writes
the files the cases refer to (a copy of the scenario under another path with the same ``name:``, a
second design with its own name, a symlink, a plain file, a folder).

Every bad case expects exit code 2 (samflode's own ``error: …`` message, or a click usage error,
which is also 2) and no traceback. ``expect`` lists substrings that stderr must contain: the option
(or the file) that is wrong and, for samflode's own checks, ``error:``. A case that would write
results writes them to ``tmp/out`` (which must not exist afterwards) or, for the default output
folders and ``--out ''``, into the working directory (which the test makes an empty folder).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

ERR = "error:"
HEADCOUNT = "staff.forum_bedomare.headcount"
INFLOW = "groups.arbetslosa.inflow_per_week"
SHARE = "staff.forum_bedomare.share_on_method"
GOOD_GRID = f"{HEADCOUNT}=3,4"


@dataclass(frozen=True)
class ArgCase:
    """One command line: ``argv`` (without ``samflode``), its group and what stderr must name.

    ``code`` is the exit code expected: 2 for bad input, 0 for a control.
    """

    name: str
    group: str
    argv: list[str]
    expect: tuple[str, ...]
    code: int = 2


@dataclass(frozen=True)
class Inputs:
    """The paths the cases use, all under ``tmp``."""

    tmp: Path
    scenario: Path

    @property
    def out(self) -> Path:
        """The output folder of every bad case: it must not exist afterwards."""
        return self.tmp / "out"

    @property
    def same_name(self) -> Path:
        """A copy of the scenario in another folder: another file, the same ``name:``."""
        return self.tmp / "copy" / "same-name.yaml"

    @property
    def other(self) -> Path:
        """The scenario with another ``name:`` (a second design for compare)."""
        return self.tmp / "other.yaml"

    @property
    def link(self) -> Path:
        """A symlink to the scenario."""
        return self.tmp / "link.yaml"

    @property
    def plain_file(self) -> Path:
        """A plain file, to pass where a folder is expected."""
        return self.tmp / "a-file.txt"

    @property
    def folder(self) -> Path:
        """An (empty) folder, to pass where a scenario file is expected."""
        return self.tmp / "a-folder"

    @property
    def missing(self) -> Path:
        return self.tmp / "missing.yaml"


def make_inputs(tmp: Path, scenario: Path) -> Inputs:
    """Write the files that :func:`cases` refers to (next to ``scenario``, under ``tmp``)."""
    paths = Inputs(tmp, scenario)
    raw = yaml.safe_load(scenario.read_text(encoding="utf-8"))
    paths.same_name.parent.mkdir(parents=True, exist_ok=True)
    paths.same_name.write_text(scenario.read_text(encoding="utf-8"), encoding="utf-8")
    raw["name"] = "other_design"
    paths.other.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), "utf-8")
    paths.link.symlink_to(scenario)
    paths.plain_file.write_text("not a folder\n", encoding="utf-8")
    paths.folder.mkdir()
    return paths


def _run(p: Inputs, *options: str, out: str | None = None) -> list[str]:
    """``run`` of the scenario, short (2 replications, 1 worker) unless ``options`` override it."""
    return [
        "run",
        str(p.scenario),
        "--replications",
        "2",
        "--workers",
        "1",
        "--out",
        str(p.out) if out is None else out,
        *options,
    ]


def _compare(p: Inputs, *options: str, files: list[Path] | None = None) -> list[str]:
    files = [p.scenario, p.other] if files is None else files
    return [
        "compare",
        *map(str, files),
        "--replications",
        "2",
        "--workers",
        "1",
        "--out",
        str(p.out),
        *options,
    ]


def _sweep(
    p: Inputs, *grids: str, options: tuple[str, ...] = (), scenario: Path | None = None
) -> list[str]:
    grid_options = [x for g in grids for x in ("--grid", g)]
    return [
        "sweep",
        str(p.scenario if scenario is None else scenario),
        *grid_options,
        "--replications",
        "2",
        "--workers",
        "1",
        "--out",
        str(p.out),
        *options,
    ]


def _replications(p: Inputs) -> list[ArgCase]:
    g, opt = "replications", "--replications"
    return [
        ArgCase("run-replications-0", g, _run(p, opt, "0"), (ERR, opt)),
        ArgCase("run-replications-negative", g, _run(p, opt, "-1"), (ERR, opt)),
        ArgCase("run-replications-10001", g, _run(p, opt, "10001"), (ERR, opt)),
        ArgCase("run-replications-text", g, _run(p, opt, "ten"), (opt,)),
        ArgCase("run-replications-float", g, _run(p, opt, "1.5"), (opt,)),
        ArgCase("run-replications-empty", g, _run(p, opt, ""), (opt,)),
        ArgCase("run-replications-no-value", g, [*_run(p), opt], (opt,)),
        ArgCase("compare-replications-1", g, _compare(p, opt, "1"), (ERR, opt)),
        ArgCase("compare-replications-10001", g, _compare(p, opt, "10001"), (ERR, opt)),
        ArgCase("sweep-replications-1", g, _sweep(p, GOOD_GRID, options=(opt, "1")), (ERR, opt)),
        ArgCase("sweep-replications-0", g, _sweep(p, GOOD_GRID, options=(opt, "0")), (ERR, opt)),
    ]


def _seed(p: Inputs) -> list[ArgCase]:
    g, opt = "seed", "--seed"
    return [
        ArgCase("run-seed-negative", g, _run(p, opt, "-1"), (ERR, opt)),
        ArgCase("run-seed-text", g, _run(p, opt, "one"), (opt,)),
        ArgCase("run-seed-float", g, _run(p, opt, "1.5"), (opt,)),
        ArgCase("run-seed-empty", g, _run(p, opt, ""), (opt,)),
        ArgCase("compare-seed-negative", g, _compare(p, opt, "-3"), (ERR, opt)),
        ArgCase("sweep-seed-negative", g, _sweep(p, GOOD_GRID, options=(opt, "-1")), (ERR, opt)),
    ]


def _workers(p: Inputs) -> list[ArgCase]:
    g, opt = "workers", "--workers"
    return [
        ArgCase("run-workers-0", g, _run(p, opt, "0"), (ERR, opt)),
        ArgCase("run-workers-negative", g, _run(p, opt, "-2"), (ERR, opt)),
        ArgCase("run-workers-513", g, _run(p, opt, "513"), (ERR, opt)),
        ArgCase("run-workers-text", g, _run(p, opt, "all"), (opt,)),
        ArgCase(
            "run-workers-0-dask-local", g, _run(p, opt, "0", "--scheduler", "local"), (ERR, opt)
        ),
        ArgCase("compare-workers-0", g, _compare(p, opt, "0"), (ERR, opt)),
        ArgCase("sweep-workers-513", g, _sweep(p, GOOD_GRID, options=(opt, "513")), (ERR, opt)),
    ]


def _flags(p: Inputs) -> list[ArgCase]:
    g = "unknown-flags"
    return [
        ArgCase("run-unknown-flag", g, _run(p, "--bogus"), ("--bogus",)),
        ArgCase("run-misspelt-flag", g, _run(p, "--replication", "3"), ("--replication",)),
        ArgCase("run-unknown-short-flag", g, _run(p, "-x"), ("-x",)),
        ArgCase("run-resume-with-value", g, _run(p, "--resume=yes"), ("--resume",)),
        ArgCase("compare-unknown-flag", g, _compare(p, "--bogus"), ("--bogus",)),
        ArgCase("sweep-unknown-flag", g, _sweep(p, GOOD_GRID, options=("--bogus",)), ("--bogus",)),
        ArgCase("validate-unknown-flag", g, ["validate", str(p.scenario), "--bogus"], ("--bogus",)),
        ArgCase("dashboard-unknown-flag", g, ["dashboard", "--bogus"], ("--bogus",)),
        ArgCase("unknown-command", g, ["frobnicate", str(p.scenario)], ("frobnicate",)),
    ]


def _extra(p: Inputs) -> list[ArgCase]:
    g = "extra-args"
    return [
        ArgCase("run-two-scenarios", g, [*_run(p), str(p.other)], (str(p.other),)),
        ArgCase("run-extra-word", g, [*_run(p), "now"], ("now",)),
        ArgCase(
            "sweep-two-scenarios",
            g,
            [*_sweep(p, GOOD_GRID), str(p.other)],
            (str(p.other),),
        ),
        ArgCase("dashboard-extra-word", g, ["dashboard", "--port", "8765", "now"], ("now",)),
    ]


def _out(p: Inputs) -> list[ArgCase]:
    g, opt = "out", "--out"
    under_file = str(p.plain_file / "sub")
    proc = "/proc/samflode-no-such-folder"
    return [
        ArgCase("run-out-empty", g, _run(p, out=""), (ERR, opt)),
        ArgCase("compare-out-empty", g, [*_compare(p), opt, ""], (ERR, opt)),
        ArgCase("sweep-out-empty", g, [*_sweep(p, GOOD_GRID), opt, ""], (ERR, opt)),
        ArgCase("run-out-is-a-file", g, _run(p, out=str(p.plain_file)), (ERR, opt)),
        ArgCase("compare-out-is-a-file", g, [*_compare(p), opt, str(p.plain_file)], (ERR, opt)),
        ArgCase(
            "sweep-out-is-a-file", g, [*_sweep(p, GOOD_GRID), opt, str(p.plain_file)], (ERR, opt)
        ),
        ArgCase("run-out-under-a-file", g, _run(p, out=under_file), (ERR, opt)),
        ArgCase("compare-out-under-a-file", g, [*_compare(p), opt, under_file], (ERR, opt)),
        ArgCase("sweep-out-under-a-file", g, [*_sweep(p, GOOD_GRID), opt, under_file], (ERR, opt)),
        ArgCase("run-out-dev-null", g, _run(p, out="/dev/null"), (ERR, opt)),
        ArgCase("run-out-proc", g, _run(p, out=proc), (ERR, opt)),
        ArgCase("run-out-no-value", g, [*_run(p), opt], (opt,)),
    ]


BAD_SCHEDULERS = {
    "ucx": "ucx://127.0.0.1:1",
    "tls": "tls://127.0.0.1:1",
    "inproc": "inproc://nothing",
    "tcp-no-address": "tcp://",
    "tcp-port-not-a-number": "tcp://127.0.0.1:notaport",
    "tcp-port-0": "tcp://127.0.0.1:0",
    "tcp-port-70000": "tcp://127.0.0.1:70000",
    "http": "http://x",
    "local2": "local2",
    "empty": "",
}


def _scheduler(p: Inputs) -> list[ArgCase]:
    g, opt = "scheduler", "--scheduler"
    cases = [
        ArgCase(f"run-scheduler-{name}", g, _run(p, opt, value), (ERR, opt))
        for name, value in BAD_SCHEDULERS.items()
    ]
    return [
        *cases,
        ArgCase("compare-scheduler-ucx", g, _compare(p, opt, "ucx://127.0.0.1:1"), (ERR, opt)),
        ArgCase(
            "sweep-scheduler-local2", g, _sweep(p, GOOD_GRID, options=(opt, "local2")), (ERR, opt)
        ),
        ArgCase("run-scheduler-no-value", g, [*_run(p), opt], (opt,)),
    ]


def _compare_cases(p: Inputs) -> list[ArgCase]:
    g, thw = "compare", "--target-half-width"
    s = str(p.scenario)
    return [
        ArgCase("compare-one-file", g, _compare(p, files=[p.scenario]), (ERR, "two")),
        ArgCase("compare-no-file", g, _compare(p, files=[]), ("SCENARIOS",)),
        ArgCase("compare-same-file-twice", g, _compare(p, files=[p.scenario] * 2), (ERR, s)),
        ArgCase(
            "compare-same-file-via-symlink",
            g,
            _compare(p, files=[p.scenario, p.link]),
            (ERR, p.link.name),
        ),
        ArgCase(
            "compare-two-files-same-name",
            g,
            _compare(p, files=[p.scenario, p.same_name]),
            (ERR, "name"),
        ),
        ArgCase(
            "compare-missing-file",
            g,
            _compare(p, files=[p.scenario, p.missing]),
            (ERR, str(p.missing)),
        ),
        ArgCase(
            "compare-a-folder", g, _compare(p, files=[p.scenario, p.folder]), (ERR, str(p.folder))
        ),
        ArgCase("compare-half-width-0", g, _compare(p, thw, "0"), (ERR, thw)),
        ArgCase("compare-half-width-negative", g, _compare(p, thw, "-0.1"), (ERR, thw)),
        ArgCase("compare-half-width-above-1", g, _compare(p, thw, "1.5"), (ERR, thw)),
        ArgCase("compare-half-width-nan", g, _compare(p, thw, "nan"), (ERR, thw)),
        ArgCase("compare-half-width-text", g, _compare(p, thw, "tight"), (thw,)),
    ]


BAD_GRIDS = {
    "no-equals": HEADCOUNT,
    "no-values": f"{HEADCOUNT}=",
    "blank-values": f"{HEADCOUNT}=  ",
    "no-key": "=1,2",
    "only-a-comma": f"{HEADCOUNT}=,",
    "trailing-comma": f"{HEADCOUNT}=1,2,",
    "double-comma": f"{HEADCOUNT}=1,,2",
    "unknown-top-field": "nosuch=1,2",
    "unknown-nested-field": "staff.forum_bedomare.headcont=1,2",
    "unknown-pool": "staff.nobody.headcount=1,2",
    "empty-path-segment": "staff..headcount=1,2",
    "a-section-not-a-number": "staff.forum_bedomare=1,2",
    "path-through-a-number": f"{HEADCOUNT}.more=1,2",
    "list-index-past-the-end": "exit.outcomes.7.keep_90d=0.5,0.6",
    "list-index-not-a-number": "exit.outcomes.x.keep_90d=0.5,0.6",
    "text-for-a-number": f"{HEADCOUNT}=two,three",
    "hex-for-a-number": f"{HEADCOUNT}=0x2,0x3",
    "nan-value": f"{INFLOW}=nan,2",
    "inf-value": f"{INFLOW}=inf,2",
    "below-the-minimum": f"{HEADCOUNT}=0,1",
    "above-the-maximum": f"{HEADCOUNT}=2,10001",
    "negative-inflow": f"{INFLOW}=-1,2",
    "share-above-1": f"{SHARE}=0.5,1.5",
    "fraction-for-an-integer": f"{HEADCOUNT}=1.5,2",
    "repeated-value": f"{HEADCOUNT}=2,2",
    "warmup-beyond-the-horizon": "warmup_days=0,100000",
}


def _sweep_cases(p: Inputs) -> list[ArgCase]:
    g, grid = "sweep", "--grid"
    cases = [
        ArgCase(f"sweep-grid-{name}", g, _sweep(p, value), (ERR, grid))
        for name, value in BAD_GRIDS.items()
    ]
    return [
        *cases,
        ArgCase(
            "sweep-grid-repeated-key",
            g,
            _sweep(p, f"{HEADCOUNT}=1,2", f"{HEADCOUNT}=3,4"),
            (ERR, grid, HEADCOUNT),
        ),
        ArgCase("sweep-no-grid", g, _sweep(p), (grid,)),
        ArgCase(
            "sweep-kpi-unknown",
            g,
            _sweep(p, GOOD_GRID, options=("--kpi", "no_such_kpi")),
            (ERR, "--kpi", "no_such_kpi"),
        ),
        ArgCase("sweep-kpi-empty", g, _sweep(p, GOOD_GRID, options=("--kpi", "")), (ERR, "--kpi")),
        ArgCase(
            "sweep-missing-scenario",
            g,
            _sweep(p, GOOD_GRID, scenario=p.missing),
            (ERR, str(p.missing)),
        ),
    ]


def _validate(p: Inputs) -> list[ArgCase]:
    g = "validate"
    return [
        ArgCase("validate-no-argument", g, ["validate"], ("SCENARIO",)),
        ArgCase(
            "validate-two-arguments",
            g,
            ["validate", str(p.scenario), str(p.other)],
            (str(p.other),),
        ),
        ArgCase("validate-missing-file", g, ["validate", str(p.missing)], (ERR, str(p.missing))),
        ArgCase("validate-a-folder", g, ["validate", str(p.folder)], (ERR, str(p.folder))),
    ]


def _dashboard(p: Inputs) -> list[ArgCase]:
    g, opt = "dashboard", "--port"
    return [
        ArgCase("dashboard-port-80", g, ["dashboard", opt, "80"], (ERR, opt)),
        ArgCase("dashboard-port-1023", g, ["dashboard", opt, "1023"], (ERR, opt)),
        ArgCase("dashboard-port-70000", g, ["dashboard", opt, "70000"], (ERR, opt)),
        ArgCase("dashboard-port-0", g, ["dashboard", opt, "0"], (ERR, opt)),
        ArgCase("dashboard-port-negative", g, ["dashboard", opt, "-1"], (ERR, opt)),
        ArgCase("dashboard-port-text", g, ["dashboard", opt, "x"], (opt,)),
    ]


def _controls(p: Inputs) -> list[ArgCase]:
    """Good command lines: exit 0. Each writes into its own folder under ``tmp``."""
    g = "control"
    runs = p.tmp / "good"
    return [
        ArgCase("validate-good", g, ["validate", str(p.scenario)], (), code=0),
        ArgCase(
            "run-good",
            g,
            _run(p, "--replications", "1", out=str(runs / "run")),
            (),
            code=0,
        ),
        ArgCase(
            "run-huge-seed",
            g,
            _run(p, "--replications", "1", "--seed", str(2**64), out=str(runs / "seed")),
            (),
            code=0,
        ),
        ArgCase(
            "run-more-workers-than-replications",
            g,
            _run(p, "--replications", "1", "--workers", "8", out=str(runs / "workers")),
            (),
            code=0,
        ),
        ArgCase(
            "run-out-deep-new-folder",
            g,
            _run(p, "--replications", "1", out=str(runs / "a" / "b" / "c")),
            (),
            code=0,
        ),
        ArgCase(
            "compare-good",
            g,
            [*_compare(p), "--out", str(runs / "compare")],
            (),
            code=0,
        ),
        ArgCase(
            "sweep-good",
            g,
            [*_sweep(p, GOOD_GRID), "--out", str(runs / "sweep")],
            (),
            code=0,
        ),
    ]


GROUPS = (
    _replications,
    _seed,
    _workers,
    _flags,
    _extra,
    _out,
    _scheduler,
    _compare_cases,
    _sweep_cases,
    _validate,
    _dashboard,
    _controls,
)


def cases(tmp: Path, scenario: Path) -> list[ArgCase]:
    """Every bad command line (exit 2) and the good controls (exit 0), for files under ``tmp``.

    ``scenario`` is a short valid scenario; call :func:`make_inputs` before running the cases.
    """
    p = Inputs(Path(tmp), Path(scenario))
    found = [case for group in GROUPS for case in group(p)]
    names = [c.name for c in found]
    assert len(names) == len(set(names)), "case names must be unique"
    return found


def control_outputs(case: ArgCase) -> Path | None:
    """The folder a control writes (its ``--out``), or None for ``validate``."""
    if "--out" not in case.argv:
        return None
    return Path(case.argv[len(case.argv) - 1 - case.argv[::-1].index("--out") + 1])
