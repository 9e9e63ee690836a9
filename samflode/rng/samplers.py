"""Fast samplers: draw durations (days) and uniforms from one named generator, a block at a time.

A scalar numpy call costs about as much as a SimPy event; drawing a block of standard variates and
scaling it keeps the per-participant cost near that of bare SimPy while giving exactly the same
sequence for a given seed (blocks are always ``BLOCK`` long).
"""

from __future__ import annotations

import math

import numpy as np

from samflode.config.distributions import (
    Empirical,
    Exponential,
    Fixed,
    Gamma,
    Lognormal,
    Triangular,
    _Spec,
)

BLOCK = 512


class Sampler:
    """Draws durations in days from one spec and one generator, a block at a time.

    ``draw()`` is the hot path: it pops from a pre-drawn block and refills when empty. Blocks are
    always the same size, so the sequence is a pure function of the generator's seed.
    """

    __slots__ = ("_block", "_i", "_fill", "mean_days")

    def __init__(self, spec: _Spec, rng: np.random.Generator) -> None:
        self._fill = _block_filler(spec, rng)
        self._block: list[float] = []
        self._i = 0
        self.mean_days = spec.mean_days()  # type: ignore[attr-defined]

    def draw(self) -> float:
        """Return the next duration in days."""
        i = self._i
        if i == len(self._block):
            self._block = self._fill()
            i = 0
        self._i = i + 1
        return self._block[i]


def _block_filler(spec: _Spec, rng: np.random.Generator):  # noqa: ANN202 - returns a closure
    k = spec.scale_days
    if isinstance(spec, Exponential):
        mean = spec.mean * k
        return lambda: (rng.standard_exponential(BLOCK) * mean).tolist()
    if isinstance(spec, Lognormal):
        sigma2 = math.log1p((spec.sd / spec.mean) ** 2)
        mu = math.log(spec.mean * k) - sigma2 / 2.0
        sigma = math.sqrt(sigma2)
        return lambda: np.exp(mu + sigma * rng.standard_normal(BLOCK)).tolist()
    if isinstance(spec, Gamma):
        shape = (spec.mean / spec.sd) ** 2
        scale = spec.sd**2 / spec.mean * k
        return lambda: (rng.standard_gamma(shape, BLOCK) * scale).tolist()
    if isinstance(spec, Triangular):
        lo, mo, hi = spec.low * k, spec.mode * k, spec.high * k
        return lambda: rng.triangular(lo, mo, hi, BLOCK).tolist()
    if isinstance(spec, Fixed):
        value = spec.value * k
        block = [value] * BLOCK
        return lambda: block
    if isinstance(spec, Empirical):
        values = np.asarray(spec.values, dtype=float) * k
        p = None if spec.weights is None else np.asarray(spec.weights) / sum(spec.weights)
        return lambda: rng.choice(values, size=BLOCK, p=p).tolist()
    raise TypeError(f"unknown distribution spec {type(spec).__name__}")


class UniformBlock:
    """Uniform(0, 1) numbers from one generator, a block at a time (for routing decisions)."""

    __slots__ = ("_block", "_i", "_rng")

    def __init__(self, rng: np.random.Generator) -> None:
        self._rng = rng
        self._block: list[float] = []
        self._i = 0

    def draw(self) -> float:
        """Return the next uniform number."""
        i = self._i
        if i == len(self._block):
            self._block = self._rng.random(BLOCK).tolist()
            i = 0
        self._i = i + 1
        return self._block[i]
