"""Random streams: the only place where generators are built.

Each source of variability (arrivals of one target group, one participant attribute, triage, …) gets
its own :class:`numpy.random.Generator`, seeded from ``SeedSequence(seed, spawn_key=(replication,
crc32(name)))``: a child, keyed by its name, of ``SeedSequence(seed).spawn(…)[replication]``, the
replication-th child of the experiment's seed sequence (a test checks the equivalence). A stream
depends only on the experiment seed, the replication index and its name — never on scenario
values, worker id or call order — so the same seed gives the same results with any number of
workers, and two scenarios run with the same seed share common random numbers.
"""

from __future__ import annotations

import zlib

import numpy as np

from samflode.config.distributions import _Spec
from samflode.rng.samplers import Sampler, UniformBlock


def stream(seed: int, replication: int, name: str) -> np.random.Generator:
    """Return the generator for one named source of variability in one replication."""
    key = (replication, zlib.crc32(name.encode("utf-8")))
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=key))


class Streams:
    """Factory of named samplers for one replication; hands each name out at most once."""

    def __init__(self, seed: int, replication: int) -> None:
        self.seed = seed
        self.replication = replication
        self._used: dict[int, str] = {}

    def generator(self, name: str) -> np.random.Generator:
        """Return the generator for ``name``; asking twice is a bug (two users, one stream).

        Two names with the same CRC-32 would share a stream without anyone noticing; with about a
        hundred names that is unlikely (about 1 in 10⁶), and it is checked here as cheaply.
        """
        key = zlib.crc32(name.encode("utf-8"))
        other = self._used.get(key)
        if other is not None:
            why = "requested twice" if other == name else f"has the same key as {other!r}"
            raise ValueError(f"random stream {name!r} {why}")
        self._used[key] = name
        return stream(self.seed, self.replication, name)

    def sampler(self, name: str, spec: _Spec) -> Sampler:
        """Return a duration sampler (days) on the named stream."""
        return Sampler(spec, self.generator(name))

    def uniform(self, name: str) -> UniformBlock:
        """Return a block-drawing uniform(0, 1) source on the named stream."""
        return UniformBlock(self.generator(name))
