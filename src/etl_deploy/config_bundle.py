"""config/*.yaml as the one JSON document the jobs read (`pipeline-config.json`).

YAML is the authoring format: people and Terraform read it. AWS Glue 5.1 provides no YAML parser
(PyYAML is not in its list of Python modules) and its jobs run without PyPI access, so `make package`
and the local deployment turn the YAML files into JSON, keeping each file's name for error messages,
and check the result with the jobs' own config loader before anything is uploaded.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from etl_pipeline.config import CONFIG_BUNDLE, ConfigError, PipelineConfig, parse_config


def _document(path: Path, root: Path) -> dict:
    name = path.relative_to(root.parent).as_posix()
    try:
        return {"file": name, "document": yaml.safe_load(path.read_text())}
    except yaml.YAMLError as error:
        raise ConfigError(f"{name}: not valid YAML: {error}") from error


def bundle(config_dir: Path) -> dict:
    """pipeline.yaml and datasets/*.yaml under config_dir, as the jobs' config bundle."""
    config_dir = Path(config_dir).resolve()
    pipeline = config_dir / "pipeline.yaml"
    if not pipeline.is_file():
        raise ConfigError(f"{pipeline}: not found (the config folder holds pipeline.yaml and datasets/)")
    datasets = sorted([*(config_dir / "datasets").glob("*.yaml"), *(config_dir / "datasets").glob("*.yml")])
    return {"pipeline": _document(pipeline, config_dir),
            "datasets": [_document(path, config_dir) for path in datasets]}


def read_config(config_dir: Path) -> PipelineConfig:
    """The config under a folder of YAML files, checked as the jobs will check it."""
    return parse_config(bundle(config_dir))


def write_bundle(config_dir: Path, out_dir: Path) -> Path:
    """Check config_dir and write its bundle as out_dir/pipeline-config.json (byte for byte repeatable)."""
    document = bundle(config_dir)
    parse_config(document)
    target = Path(out_dir) / CONFIG_BUNDLE
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
    return target
