"""Loading and validating config/: the real files, and every kind of mistake a user can make."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from etl_pipeline.config import ConfigError, FileSource, JdbcSource, load_config, parse_dataset

CONFIG_DIR = Path(__file__).resolve().parents[3] / "config"
FLIGHTS_YAML = CONFIG_DIR / "datasets" / "flights.yaml"


def flights_document() -> dict:
    return yaml.safe_load(FLIGHTS_YAML.read_text())


def test_the_repository_config_loads_with_all_five_datasets(project_config):
    config = project_config

    assert config.project == "etl-glue-pipeline"
    assert [(s.name, s.kind) for s in config.workflow] == [
        ("raw", "crawler"), ("extract", "job"), ("transform", "job"), ("load", "job"), ("curated", "crawler")]
    assert sorted(config.datasets) == ["airlines", "airports", "flights", "planes", "weather"]
    flights = config.datasets["flights"]
    assert flights.source == FileSource("csv", "flights/", {"separator": ",", "header": True})
    assert flights.primary_key == ("year", "month", "day", "carrier", "flight", "origin")
    assert flights.partition_by == ("year", "month")
    assert flights.column_type("scheduled_departure_utc") == "timestamp"
    assert [c.source for c in flights.columns if c.name == "scheduled_departure_utc"] == ["time_hour"]
    airlines = config.datasets["airlines"]
    assert airlines.source == JdbcSource("postgresql", "reference-db", "reference.airlines", ("change_seq",))
    assert airlines.fallback == FileSource("csv", "reference/airlines/", {"separator": ",", "header": True})


def test_select_names_datasets_or_all_and_rejects_unknown_ones(project_config):
    config = project_config

    assert [d.name for d in config.select("weather, flights")] == ["weather", "flights"]
    assert len(config.select("all")) == 5
    with pytest.raises(ConfigError, match=r"unknown dataset\(s\) \['fligths'\].*configured: airlines"):
        config.select("fligths")


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d.pop("primary_key"), r"flights.yaml: primary_key: is required"),
    (lambda d: d.update(primary_key=["year", "tail"]), r"primary_key: names columns that are not in columns: \['tail'\]"),
    (lambda d: d["columns"][0].update(type="integer"), r"columns\[0\].type: 'integer' is not supported"),
    (lambda d: d["columns"][3].update(case="title"), r"columns\[3\].case: must be 'upper' or 'lower'"),
    (lambda d: d["columns"][9].update(max_length="two"), r"columns\[9\].max_length: must be a int, got str"),
    (lambda d: d["columns"].append({"name": "year", "type": "int"}), r"columns: names appear more than once: \['year'\]"),
    (lambda d: d["source"].update(format="xml"), r"source.format: 'xml' is not one of csv, json, parquet"),
    (lambda d: d["source"].update(prefix="s3://bucket/flights/"), r"source.prefix: is a key prefix inside the raw bucket"),
    (lambda d: d["source"].update(type="ftp"), r"source.type: 'ftp' is not 's3' or 'jdbc'"),
    (lambda d: d.update(partition_by=["dest"]), r"partition_by: partition columns \['dest'\] must be part of the primary_key"),
    (lambda d: d["quality"]["dataset"].append({"type": "completeness", "column": "nope", "min_ratio": 1}),
     r"quality.dataset\[3\].column: 'nope' is not one of the dataset's columns"),
    (lambda d: d["quality"]["dataset"].append({"type": "valid_ratio", "min_ratio": 1.5}),
     r"quality.dataset\[3\].min_ratio: must be a number between 0 and 1"),
    (lambda d: d["quality"]["rules"].append({"name": "Bad Name", "check": "true"}),
     r"quality.rules\[5\].name: 'Bad Name' is not a valid name"),
    (lambda d: d["columns"][9].update(mask="sha256", type="int"), r"columns\[9\].mask: masking applies to string columns"),
])
def test_invalid_dataset_definitions_name_the_file_and_the_key(mutate, message):
    document = copy.deepcopy(flights_document())
    mutate(document)

    with pytest.raises(ConfigError, match=message):
        parse_dataset(document, str(FLIGHTS_YAML))


def _files(tmp_path: Path, files: dict[str, str]):
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)

    def read_text(uri):
        if not Path(uri).exists():
            raise FileNotFoundError(uri)
        return Path(uri).read_text()

    def list_files(uri):
        return sorted(str(p) for p in Path(uri).glob("*")) if Path(uri).is_dir() else []

    return read_text, list_files


def test_a_missing_pipeline_file_says_what_config_path_must_point_at(tmp_path):
    read_text, list_files = _files(tmp_path, {})

    with pytest.raises(ConfigError, match=r"pipeline.yaml: not found; --config_path must point at the config folder"):
        load_config(read_text, list_files, str(tmp_path))


def test_broken_yaml_and_duplicate_dataset_names_are_reported_with_the_file(tmp_path):
    pipeline = (CONFIG_DIR / "pipeline.yaml").read_text()
    flights = FLIGHTS_YAML.read_text()
    read_text, list_files = _files(tmp_path, {"pipeline.yaml": pipeline, "datasets/a.yaml": flights,
                                              "datasets/b.yaml": flights})
    with pytest.raises(ConfigError, match=r"datasets/b.yaml: dataset name 'flights' is already defined"):
        load_config(read_text, list_files, str(tmp_path))

    read_text, list_files = _files(tmp_path, {"datasets/b.yaml": "name: [unclosed"})
    with pytest.raises(ConfigError, match=r"datasets/b.yaml: not valid YAML"):
        load_config(read_text, list_files, str(tmp_path))


def test_a_config_folder_without_datasets_is_an_error(tmp_path):
    read_text, list_files = _files(tmp_path, {"pipeline.yaml": (CONFIG_DIR / "pipeline.yaml").read_text()})

    with pytest.raises(ConfigError, match=r"datasets: no dataset definitions \(\*.yaml\) found"):
        load_config(read_text, list_files, str(tmp_path))
