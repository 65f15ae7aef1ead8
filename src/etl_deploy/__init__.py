"""Packaging and upload of the Glue job code (runs on a developer machine or in CI, never on Glue)."""
