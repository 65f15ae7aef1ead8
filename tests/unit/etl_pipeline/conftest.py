"""Fixtures of the library's unit tests: the repository's config, checked as `make package` checks it."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl_deploy.config_bundle import read_config
from etl_pipeline.config import PipelineConfig

CONFIG_DIR = Path(__file__).resolve().parents[3] / "config"


@pytest.fixture(scope="session")
def project_config() -> PipelineConfig:
    """config/ as the repository holds it."""
    return read_config(CONFIG_DIR)
