"""Experiments built on the unit loop: design comparisons and factorial sweeps."""
