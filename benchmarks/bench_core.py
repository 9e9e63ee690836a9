"""Core speed benchmark: samflode against bare SimPy and Ciw on one tandem M/M/c network.

Part 1 runs the same two-stage tandem queue (Poisson arrivals at rate λ; stage 1 M/M/c1; stage 2
M/M/c2, reached by everyone at once) three ways and reports customers per wall-clock second:

a. bare SimPy: one process per customer, two ``simpy.Resource`` objects, block-drawn exponentials;
b. samflode: :func:`samflode.analysis.theory.markovian_scenario` run by
:func:`samflode.model.replication.run_replication` (timed
   with its event log; ``to_frame`` and ``compute_kpis`` are timed separately);
c. Ciw 3: ``ciw.create_network`` with two nodes and routing [[0, 1], [0, 0]].

Mean waits at both stages are printed beside Erlang C (stage 2 of a tandem of M/M/c queues is again
M/M/c by Burke's theorem) as a check that the three run the same network.

A samflode scenario's horizon is capped (20 years). A longer horizon is run as several independent
replications of equal length by *all three* implementations, so they always do the same work.

Part 2 runs the default scenario once and reports event-log records and participants per second.

Run: ``.venv/bin/python benchmarks/bench_core.py [--repeat 3] [--profile 25]``.
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import platform
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import numpy as np
import simpy
from scipy import stats

from samflode.analysis.kpi import compute_kpis
from samflode.analysis.theory import markovian_scenario, mmc_mean_wait
from samflode.config.loader import load_scenario
from samflode.config.scenario import Scenario
from samflode.eventlog.log import Event
from samflode.model.replication import run_replication

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SCENARIO = ROOT / "samflode" / "scenarios" / "nacka-forum.yaml"
TARGET_VS_BARE = 0.8
TARGET_VS_CIW = 1.5
TARGET_END_TO_END = 0.9
BLOCK = 512
BATCHES = 20


@dataclass
class Network:
    """The tandem M/M/c1 → M/M/c2 network, split into ``chunks`` runs of ``chunk_days`` each."""

    rate: float
    mean1: float
    c1: int
    mean2: float
    c2: int
    chunk_days: float
    chunks: int
    seed: int


@dataclass
class Stats:
    """What one run of one implementation reports (over all chunks, in service-start order)."""

    arrived: int = 0
    completed: int = 0
    waits1: list[float] = field(default_factory=list)
    waits2: list[float] = field(default_factory=list)

    def add(self, other: Stats) -> None:
        """Accumulate another chunk's counts and waits."""
        self.arrived += other.arrived
        self.completed += other.completed
        self.waits1.extend(other.waits1)
        self.waits2.extend(other.waits2)

    @property
    def wait1(self) -> tuple[float, float]:
        """Mean wait before stage 1 (days) and the half-width of its 95 % CI."""
        return batch_means(self.waits1)

    @property
    def wait2(self) -> tuple[float, float]:
        """Mean wait before stage 2 (days) and the half-width of its 95 % CI."""
        return batch_means(self.waits2)


def batch_means(values: list[float]) -> tuple[float, float]:
    """Mean and 95 % half-width by the method of batch means (waits are autocorrelated)."""
    x = np.asarray(values, dtype=float)
    if len(x) < 10 * BATCHES:
        return (float(x.mean()) if len(x) else math.nan), math.nan
    means = x[: len(x) // BATCHES * BATCHES].reshape(BATCHES, -1).mean(axis=1)
    t975 = float(stats.t.ppf(0.975, BATCHES - 1))
    return float(x.mean()), t975 * float(means.std(ddof=1)) / math.sqrt(BATCHES)


@dataclass
class Timing:
    """Wall-clock seconds of each repeat, and the stats of the (deterministic) run."""

    name: str
    seconds: list[float] = field(default_factory=list)
    stats: Stats = field(default_factory=Stats)
    extra: dict[str, list[float]] = field(default_factory=dict)

    @property
    def best(self) -> float:
        """Fastest repeat."""
        return min(self.seconds)

    @property
    def median(self) -> float:
        """Median repeat."""
        return statistics.median(self.seconds)

    def rate(self) -> float:
        """Completed customers per second, best repeat."""
        return self.stats.completed / self.best


# --------------------------------------------------------------------------------------------------
# a. bare SimPy


def _exponentials(rng: np.random.Generator, mean: float) -> Iterator[float]:
    """Endless exponential draws, a block at a time (the same technique samflode's samplers use)."""
    while True:
        yield from (rng.standard_exponential(BLOCK) * mean).tolist()


def bare_simpy_chunk(net: Network, replication: int) -> Stats:
    """One chunk of the tandem network in minimal SimPy."""
    rng = np.random.default_rng(np.random.SeedSequence(net.seed, spawn_key=(replication,)))
    gaps = _exponentials(rng, 1.0 / net.rate)
    service1 = _exponentials(rng, net.mean1)
    service2 = _exponentials(rng, net.mean2)
    env = simpy.Environment()
    stage1 = simpy.Resource(env, capacity=net.c1)
    stage2 = simpy.Resource(env, capacity=net.c2)
    st = Stats()
    waits1, waits2 = st.waits1, st.waits2

    def customer() -> Iterator[simpy.Event]:
        t = env.now
        req = stage1.request()
        yield req
        waits1.append(env.now - t)
        yield env.timeout(next(service1))
        stage1.release(req)
        t = env.now
        req = stage2.request()
        yield req
        waits2.append(env.now - t)
        yield env.timeout(next(service2))
        stage2.release(req)
        st.completed += 1

    def source() -> Iterator[simpy.Event]:
        while True:
            yield env.timeout(next(gaps))
            st.arrived += 1
            env.process(customer())

    env.process(source())
    env.run(until=net.chunk_days)
    return st


def run_bare(net: Network, first: bool) -> tuple[Stats, dict[str, float]]:
    """All chunks, bare SimPy; the whole run is timed (its statistics cost next to nothing)."""
    st = Stats()
    t0 = time.perf_counter()
    for r in range(net.chunks):
        st.add(bare_simpy_chunk(net, r))
    return st, {"model": time.perf_counter() - t0}


# --------------------------------------------------------------------------------------------------
# b. samflode


def samflode_scenario(net: Network) -> Scenario:
    """The tandem network as a samflode scenario of one chunk's length."""
    return markovian_scenario(
        arrival_rate_per_day=net.rate,
        service_mean_days=net.mean1,
        servers=net.c1,
        horizon_days=net.chunk_days,
        second_stage=(net.mean2, net.c2),
        name="bench_tandem",
    )


def samflode_stats(frame) -> Stats:  # noqa: ANN001 - pandas DataFrame
    """Counts and stage waits from one replication's event log (queued → meeting_start)."""
    ev = frame["event"].astype(str)
    stage = frame["stage"].astype(str)
    st = Stats(
        arrived=int((ev == Event.ARRIVED.value).sum()),
        completed=int((ev == Event.EXITED.value).sum()),
    )
    for i, name in ((1, "forum"), (2, "konsultation")):
        at = stage == name
        queued = frame.loc[at & (ev == Event.QUEUED.value), ["participant", "time"]]
        start = frame.loc[at & (ev == Event.MEETING_START.value), ["participant", "time"]]
        both = start.merge(queued, on="participant", suffixes=("_start", "_queued"))
        waits = (both["time_start"] - both["time_queued"]).to_numpy()
        getattr(st, f"waits{i}").extend(waits.tolist())
    return st


def run_samflode(
    net: Network, scenario: Scenario, first: bool
) -> tuple[Stats | None, dict[str, float]]:
    """All chunks through run_replication (timed: "model"), then ``to_frame`` and
    ``compute_kpis`` (timed separately); waits are read from the log on the first repeat only.
    """
    st = Stats() if first else None
    extra = {"model": 0.0, "to_frame": 0.0, "compute_kpis": 0.0, "records": 0.0}
    for r in range(net.chunks):
        t0 = time.perf_counter()
        log = run_replication(scenario, seed=net.seed, replication=r)
        t1 = time.perf_counter()
        frame = log.to_frame(r)
        t2 = time.perf_counter()
        compute_kpis(frame, scenario)
        t3 = time.perf_counter()
        extra["model"] += t1 - t0
        extra["to_frame"] += t2 - t1
        extra["compute_kpis"] += t3 - t2
        extra["records"] += len(log)
        del log
        if st is not None:
            st.add(samflode_stats(frame))
        del frame
    return st, extra


# --------------------------------------------------------------------------------------------------
# c. Ciw


def run_ciw(net: Network, first: bool) -> tuple[Stats | None, dict[str, float]]:
    """All chunks in Ciw 3; only Simulation() and simulate_until_max_time are timed."""
    import ciw

    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=net.rate), None],
        service_distributions=[
            ciw.dists.Exponential(rate=1.0 / net.mean1),
            ciw.dists.Exponential(rate=1.0 / net.mean2),
        ],
        routing=[[0.0, 1.0], [0.0, 0.0]],
        number_of_servers=[net.c1, net.c2],
    )
    st = Stats() if first else None
    model = 0.0
    for r in range(net.chunks):
        ciw.seed(net.seed * 1000 + r)
        t0 = time.perf_counter()
        q = ciw.Simulation(network)
        q.simulate_until_max_time(net.chunk_days)
        model += time.perf_counter() - t0
        if st is None:
            continue
        records = q.get_all_records()
        chunk = Stats(arrived=q.nodes[0].number_of_individuals)
        for rec in records:
            if rec.node == 1:
                chunk.waits1.append(rec.waiting_time)
            elif rec.node == 2:
                chunk.waits2.append(rec.waiting_time)
                chunk.completed += 1
        st.add(chunk)
        del q, records
    return st, {"model": model}


# --------------------------------------------------------------------------------------------------
# harness


def time_impl(
    name: str, run: Callable[[bool], tuple[Stats | None, dict[str, float]]], repeat: int
) -> Timing:
    """Run ``run`` ``repeat`` times; the timed figure is the ``model`` seconds it reports.

    The runs are deterministic (same seed), so statistics are taken from the first only.
    """
    timing = Timing(name)
    for i in range(repeat):
        gc.collect()
        st, extra = run(i == 0)
        timing.seconds.append(extra.pop("model"))
        if st is not None:
            timing.stats = st
        for key, value in extra.items():
            timing.extra.setdefault(key, []).append(value)
    return timing


def max_horizon_days() -> float:
    """The scenario schema's upper bound on horizon_days."""
    for m in Scenario.model_fields["horizon_days"].metadata:
        le = getattr(m, "le", None)
        if le is not None:
            return float(le)
    return 7305.0


def cpu_model() -> str:
    """CPU model name from /proc/cpuinfo (Linux), else platform.processor()."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith(("model name", "hardware", "cpu model")):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def version(package: str) -> str:
    """Installed version of ``package`` or 'not installed'."""
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def print_machine() -> None:
    """Platform, CPU and package versions."""
    print("machine")
    print(f"  platform : {platform.platform()}")
    print(f"  cpu      : {cpu_model()} ({os.cpu_count()} logical CPUs)")
    print(f"  python   : {platform.python_implementation()} {platform.python_version()}")
    versions = ", ".join(
        f"{p} {version(p)}" for p in ("simpy", "numpy", "ciw", "pandas", "samflode")
    )
    print(f"  packages : {versions}")


def fmt_rate(x: float) -> str:
    """Thousands-separated integer rate."""
    return f"{x:,.0f}"


def verdict(ratio: float, target: float) -> str:
    """'ok' or 'MISSED' against a ≥ target."""
    return "ok" if ratio >= target else "MISSED"


def part1(args: argparse.Namespace) -> None:
    """Tandem M/M/c: bare SimPy vs samflode vs Ciw."""
    horizon = args.horizon if args.horizon else args.customers / args.rate
    chunks = max(1, math.ceil(horizon / max_horizon_days()))
    net = Network(
        rate=args.rate,
        mean1=args.mean1,
        c1=args.servers1,
        mean2=args.mean2,
        c2=args.servers2,
        chunk_days=horizon / chunks,
        chunks=chunks,
        seed=args.seed,
    )
    rho1 = net.rate * net.mean1 / net.c1
    rho2 = net.rate * net.mean2 / net.c2
    print(
        f"\n1. tandem M/M/{net.c1} -> M/M/{net.c2}: lambda = {net.rate:g}/day, "
        f"mean service {net.mean1:g} d and {net.mean2:g} d (rho = {rho1:.3f}, {rho2:.3f})"
    )
    print(
        f"   horizon {horizon:,.0f} days = {chunks} independent run(s) of {net.chunk_days:,.1f} d "
        f"(schema cap {max_horizon_days():,.0f} d), ~{net.rate * horizon:,.0f} customers, "
        f"seed {net.seed}, best of {args.repeat}"
    )

    scenario = samflode_scenario(net)
    runs: list[Timing] = [
        time_impl("bare SimPy", lambda first: run_bare(net, first), args.repeat),
        time_impl("samflode", lambda first: run_samflode(net, scenario, first), args.repeat),
    ]
    if not args.no_ciw:
        runs.append(time_impl("Ciw", lambda first: run_ciw(net, first), args.repeat))

    w1 = mmc_mean_wait(net.rate, 1.0 / net.mean1, net.c1)
    w2 = mmc_mean_wait(net.rate, 1.0 / net.mean2, net.c2)
    width = 13
    head = "".join(f"{t.name:>{width}}" for t in runs)
    print(f"\n   {'':28}{head}{'Erlang C':>{width}}")

    def row(label: str, values: list[str], theory: str = "") -> None:
        cells = "".join(f"{v:>{width}}" for v in values)
        print(f"   {label:28}{cells}{theory:>{width}}")

    row("customers arrived", [f"{t.stats.arrived:,}" for t in runs])
    row("customers completed", [f"{t.stats.completed:,}" for t in runs])
    row("seconds, best", [f"{t.best:.3f}" for t in runs])
    row("seconds, median", [f"{t.median:.3f}" for t in runs])
    row("completed / s (best)", [fmt_rate(t.rate()) for t in runs])
    row("arrived / s (best)", [fmt_rate(t.stats.arrived / t.best) for t in runs])
    row("us per customer (best)", [f"{1e6 * t.best / t.stats.completed:.1f}" for t in runs])
    for stage, theory, attr in ((1, w1, "wait1"), (2, w2, "wait2")):
        cells, checks = [], []
        for t in runs:
            mean, half = getattr(t.stats, attr)
            cells.append(f"{mean:.4f}")
            checks.append(f"±{half:.4f} {'ok' if abs(mean - theory) <= half else 'OUT'}")
        row(f"stage {stage} mean wait (days)", cells, f"{theory:.4f}")
        row("  95% CI half-width, theory", checks)
        row(
            "  vs theory", [f"{100 * (getattr(t.stats, attr)[0] / theory - 1):+.1f}%" for t in runs]
        )
    print(
        f"   (CI by batch means, {BATCHES} batches; at rho = 0.9 seed-to-seed spread is several %)"
    )

    bare, sam = runs[0], runs[1]
    ex = {k: min(v) for k, v in sam.extra.items()}
    records = int(ex["records"])
    print(
        f"\n   samflode extras (best of {args.repeat}, summed over the {net.chunks} run(s)):\n"
        f"     event log            {records:,} records = {records / sam.best:,.0f} records/s "
        f"in the model run\n"
        f"     .to_frame()          +{ex['to_frame']:.3f} s\n"
        f"     samflode.analysis.kpi.compute_kpis +{ex['compute_kpis']:.3f} s"
    )
    total = sam.best + ex["to_frame"] + ex["compute_kpis"]
    print(
        f"     end to end (model + to_frame + kpis) {total:.3f} s = "
        f"{fmt_rate(sam.stats.completed / total)} completed / s"
    )

    r_bare = sam.rate() / bare.rate()
    r_end = (sam.stats.completed / total) / bare.rate()
    print("\n   ratios (completed customers per second, best repeats)")
    print(
        f"     samflode / bare SimPy = {r_bare:.2f}x   "
        f"target >= {TARGET_VS_BARE:g}x  {verdict(r_bare, TARGET_VS_BARE)}   (model run only)"
    )
    print(
        f"     end to end / bare SimPy = {r_end:.2f}x   "
        f"target >= {TARGET_END_TO_END:g}x  {verdict(r_end, TARGET_END_TO_END)}   "
        "(model + event log frame + KPIs)"
    )
    if not args.no_ciw:
        ciw_run = runs[2]
        r_ciw = sam.rate() / ciw_run.rate()
        print(
            f"     samflode / Ciw        = {r_ciw:.2f}x   "
            f"target >= {TARGET_VS_CIW:g}x  {verdict(r_ciw, TARGET_VS_CIW)}"
        )
        print(f"     bare SimPy / Ciw      = {bare.rate() / ciw_run.rate():.2f}x   (reference)")

    if args.profile:
        profile_samflode(net, scenario, args.profile)


def profile_samflode(net: Network, scenario: Scenario, top: int) -> None:
    """cProfile one chunk of the samflode model run; print the top functions by own time."""
    import cProfile
    import pstats

    print(f"\n   cProfile of one samflode run_replication ({net.chunk_days:,.0f} d), top {top}:")
    prof = cProfile.Profile()
    prof.enable()
    run_replication(scenario, seed=net.seed, replication=0)
    prof.disable()
    print("   (a) all functions, by own time")
    pstats.Stats(prof).strip_dirs().sort_stats("tottime").print_stats(top)
    print("   (b) functions in samflode/, by cumulative time")
    pstats.Stats(prof).sort_stats("cumulative").print_stats(r"[/\\]samflode[/\\]", top)


def part2(args: argparse.Namespace) -> None:
    """The default scenario: event-log records and participants per second."""
    path = Path(args.scenario)
    scenario = load_scenario(path)
    print(
        f"\n2. default scenario {path.name} ({scenario.name}): "
        f"horizon {scenario.horizon_days:g} d, one replication, seed {args.seed}, "
        f"best of {args.repeat}"
    )
    seconds = []
    events = participants = 0
    for _ in range(args.repeat):
        gc.collect()
        t0 = time.perf_counter()
        log = run_replication(scenario, seed=args.seed, replication=0)
        seconds.append(time.perf_counter() - t0)
        events = len(log)
        participants = sum(1 for kind in log.columns[3] if kind == Event.ARRIVED)
        del log
    best = min(seconds)
    print(
        f"   {events:,} events, {participants:,} participants in {best:.3f} s "
        f"(median {statistics.median(seconds):.3f} s)"
    )
    print(f"   events / s       = {fmt_rate(events / best)}")
    print(f"   participants / s = {fmt_rate(participants / best)}")


def main(argv: list[str] | None = None) -> None:
    """Parse options and run both parts."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rate", type=float, default=9.0, help="arrivals per day (lambda)")
    ap.add_argument("--mean1", type=float, default=0.2, help="stage 1 mean service, days")
    ap.add_argument("--servers1", type=int, default=2, help="stage 1 servers (c1)")
    ap.add_argument("--mean2", type=float, default=0.3, help="stage 2 mean service, days")
    ap.add_argument("--servers2", type=int, default=3, help="stage 2 servers (c2)")
    ap.add_argument(
        "--customers", type=float, default=200_000, help="expected customers (horizon = n / rate)"
    )
    ap.add_argument("--horizon", type=float, default=None, help="horizon in days (overrides)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument(
        "--repeat", type=int, default=2, help="timings per implementation (best/median)"
    )
    ap.add_argument("--no-ciw", action="store_true", help="skip Ciw")
    ap.add_argument("--skip-scenario", action="store_true", help="skip part 2")
    ap.add_argument("--scenario", default=str(DEFAULT_SCENARIO), help="scenario for part 2")
    ap.add_argument(
        "--profile", type=int, default=0, metavar="N", help="cProfile samflode, print top N"
    )
    args = ap.parse_args(argv)
    if args.repeat < 1:
        ap.error("--repeat must be >= 1")

    started = time.perf_counter()
    print("samflode core benchmark")
    print_machine()
    part1(args)
    if not args.skip_scenario:
        part2(args)
    print(f"\ntotal wall time {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
