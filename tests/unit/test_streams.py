"""Random streams: replication r draws from the r-th child of the experiment's SeedSequence."""

from __future__ import annotations

import zlib

import numpy as np
import pytest

from samflode.rng.streams import Streams, stream


@pytest.mark.parametrize("seed", [0, 1, 2024])
def test_replication_r_uses_the_rth_child_of_the_seed_sequence(seed):
    children = np.random.SeedSequence(seed).spawn(5)
    for r, child in enumerate(children):
        # The named stream is a child of the r-th child, keyed by the crc32 of its name.
        name = "arrivals/arbetslosa"
        grandchild = np.random.SeedSequence(
            child.entropy, spawn_key=(*child.spawn_key, zlib.crc32(name.encode()))
        )
        expected = np.random.Generator(np.random.PCG64(grandchild)).random(8)
        np.testing.assert_array_equal(stream(seed, r, name).random(8), expected)


def test_streams_differ_by_replication_and_name_and_never_repeat():
    a = stream(1, 0, "x").random(4)
    assert not np.array_equal(a, stream(1, 1, "x").random(4))
    assert not np.array_equal(a, stream(1, 0, "y").random(4))
    assert not np.array_equal(a, stream(2, 0, "x").random(4))
    streams = Streams(1, 0)
    streams.generator("x")
    with pytest.raises(ValueError, match="requested twice"):
        streams.generator("x")


def test_two_names_with_one_key_are_refused(monkeypatch):
    # CRC-32 collisions are rare but real ("plumless" and "buckeroo" share one); a shared stream
    # would correlate two sources of variability silently.
    assert zlib.crc32(b"plumless") == zlib.crc32(b"buckeroo")
    streams = Streams(1, 0)
    streams.generator("plumless")
    with pytest.raises(ValueError, match="same key as 'plumless'"):
        streams.generator("buckeroo")
