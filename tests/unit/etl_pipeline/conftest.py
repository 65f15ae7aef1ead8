"""Fixtures of the library's unit tests: the repository's config, read by the library itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl_pipeline.config import PipelineConfig, load_config

CONFIG_DIR = Path(__file__).resolve().parents[3] / "config"


def read_config_folder(folder: Path) -> PipelineConfig:
    """The config under a local folder, through the same loader the jobs use on s3://."""
    def read_text(uri: str) -> str:
        path = Path(uri)
        if not path.exists():
            raise FileNotFoundError(uri)
        return path.read_text()

    def list_files(uri: str) -> list[str]:
        return sorted(str(p) for p in Path(uri).iterdir() if p.is_file()) if Path(uri).is_dir() else []

    return load_config(read_text, list_files, str(folder))


@pytest.fixture(scope="session")
def project_config() -> PipelineConfig:
    """config/ as the repository holds it."""
    return read_config_folder(CONFIG_DIR)
