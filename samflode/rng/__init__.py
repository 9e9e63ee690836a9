"""Randomness: one named numpy stream per source of variability, and block samplers on them."""
