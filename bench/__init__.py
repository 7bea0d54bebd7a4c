"""Benchmarks and the Jining-scale data generator (see GENERATOR.md)."""
