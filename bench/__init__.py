"""Benchmarks (`make bench`): each prints figures as ratios to a baseline from the same run."""
