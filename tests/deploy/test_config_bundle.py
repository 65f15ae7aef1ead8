"""config/*.yaml into the JSON bundle the jobs read: same documents, file names kept, checked first."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from etl_deploy.config_bundle import bundle, read_config, write_bundle
from etl_pipeline.config import ConfigError

REPO = Path(__file__).resolve().parents[2]


def test_the_bundle_holds_every_yaml_document_as_data_with_its_file_name(tmp_path):
    written = write_bundle(REPO / "config", tmp_path)

    document = json.loads(written.read_text())
    assert written.name == "pipeline-config.json"
    assert document["pipeline"] == {"file": "config/pipeline.yaml",
                                    "document": yaml.safe_load((REPO / "config" / "pipeline.yaml").read_text())}
    assert [d["file"] for d in document["datasets"]] == [
        f"config/datasets/{n}.yaml" for n in ("airlines", "airports", "flights", "planes", "weather")]
    assert document["datasets"][2]["document"] == yaml.safe_load((REPO / "config/datasets/flights.yaml").read_text())
    assert write_bundle(REPO / "config", tmp_path / "again").read_bytes() == written.read_bytes()


def test_broken_yaml_and_invalid_config_are_refused_before_anything_is_written(tmp_path):
    config = tmp_path / "config"
    shutil.copytree(REPO / "config", config)
    (config / "datasets" / "planes.yaml").write_text("name: [unclosed")

    with pytest.raises(ConfigError, match=r"^config/datasets/planes.yaml: not valid YAML"):
        write_bundle(config, tmp_path / "out")
    (config / "datasets" / "planes.yaml").write_text("name: planes\n")
    with pytest.raises(ConfigError, match=r"^config/datasets/planes.yaml: source: is required"):
        write_bundle(config, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_folder_without_pipeline_yaml_is_named(tmp_path):
    with pytest.raises(ConfigError, match=r"pipeline.yaml: not found"):
        bundle(tmp_path)
    assert read_config(REPO / "config").project == "etl-glue-pipeline"
