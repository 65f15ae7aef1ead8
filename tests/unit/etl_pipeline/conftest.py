"""Fixtures of the library's unit tests: config checked as `make package` checks it (the
repository's, or a small one written per test), the zones, a local lake and a GlueContext on the session Spark.

Nothing here imports the local runtime's services: the lake is the folder `<GLUE_LOCAL_HOME>/lake`
(`s3://bucket/key` is `lake/bucket/key`), and `awsglue` is the stand-in the library itself calls.
"""

from __future__ import annotations

import copy
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import pytest
import yaml

from etl_deploy.config_bundle import read_config, write_bundle
from etl_pipeline.config import PipelineConfig
from etl_pipeline.zones import Zones

CONFIG_DIR = Path(__file__).resolve().parents[3] / "config"

# The zone roots the jobs get as arguments; every bucket is a folder of the test's lake.
ZONE_ARGUMENTS = {"raw_path": "s3://raw", "processed_path": "s3://processed",
                  "quarantine_path": "s3://quarantine", "TempDir": "s3://temp"}
BASE_MTIME = 1_700_000_000  # 2023-11-14 22:13:20 UTC
EXTRACTED_AT = datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc)

PIPELINE_DOCUMENT = {
    "project": "unit",
    "workflow": [{"name": "extract", "kind": "job"}, {"name": "transform", "kind": "job"}],
    "processed_layout": {"landing": "landing", "validated": "validated", "reports": "_reports"},
    "target_file_size_mb": 1,
}
# Trips arrive as CSV; a trip's newest version wins; a non-positive fare is quarantined, a fare over
# 100 only warned about; a batch must hold at least one conformant row.
TRIPS_DOCUMENT = {
    "name": "trips",
    "source": {"type": "s3", "format": "csv", "prefix": "trips/"},
    "primary_key": ["trip_id"],
    "columns": [
        {"name": "trip_id", "type": "bigint", "nullable": False},
        {"name": "carrier", "type": "string", "trim": True, "case": "upper", "max_length": 2},
        {"name": "fare", "type": "decimal(6,2)"},
    ],
    "quality": {"rules": [
        {"name": "fare_positive", "outcome": "quarantine", "dqdl": 'ColumnValues "fare" > 0 where "fare is not null"'},
        {"name": "fare_at_most_100", "outcome": "warn", "dqdl": 'ColumnValues "fare" <= 100 where "fare is not null"'},
        {"name": "some_rows_conform", "outcome": "fail", "dqdl": "RowCount > 0"},
    ]},
    "targets": {"curated": {"table": "trips"}, "warehouse": {"table": "trips"}},
}
# Sensor readings arrive as JSON lines.
READINGS_DOCUMENT = {
    "name": "readings",
    "source": {"type": "s3", "format": "json", "prefix": "readings/"},
    "primary_key": ["sensor"],
    "columns": [{"name": "sensor", "type": "string", "nullable": False}, {"name": "value", "type": "double"}],
    "targets": {"curated": {"table": "readings"}, "warehouse": {"table": "readings"}},
}


@pytest.fixture(scope="session")
def project_config() -> PipelineConfig:
    """config/ as the repository holds it."""
    return read_config(CONFIG_DIR)


@pytest.fixture
def config_folder(tmp_path) -> Path:
    """A small config folder: pipeline.yaml, datasets/trips.yaml and datasets/readings.yaml, with the
    JSON bundle the jobs read beside them (so the folder serves as --config_path)."""
    folder = tmp_path / "config"
    (folder / "datasets").mkdir(parents=True)
    (folder / "pipeline.yaml").write_text(yaml.safe_dump(PIPELINE_DOCUMENT))
    for document in (TRIPS_DOCUMENT, READINGS_DOCUMENT):
        (folder / "datasets" / f"{document['name']}.yaml").write_text(yaml.safe_dump(copy.deepcopy(document)))
    write_bundle(folder, folder)
    return folder


@pytest.fixture
def config(config_folder) -> PipelineConfig:
    """The small config, as the library loads it."""
    return read_config(config_folder)


@pytest.fixture
def trips(config):
    return config.datasets["trips"]


@pytest.fixture
def readings(config):
    return config.datasets["readings"]


@pytest.fixture
def zones(config) -> Zones:
    return Zones.from_arguments(config, ZONE_ARGUMENTS)


class Lake:
    """The test's local lake: `s3://bucket/key` is the file `<root>/bucket/key`."""

    def __init__(self, root: Path):
        self.root = root

    def path(self, uri: str) -> Path:
        assert uri.startswith("s3://"), uri
        return self.root / uri[len("s3://"):]

    def put(self, uri: str, text: str, mtime: int = BASE_MTIME) -> str:
        """A file as a source system drops it, with a known modification time; returns its URI."""
        path = self.path(uri)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        os.utime(path, (mtime, mtime))
        return uri

    def data_files(self, uri: str) -> list[Path]:
        """The Parquet files Spark wrote under a folder (none when it does not exist)."""
        return sorted(self.path(uri).rglob("*.parquet"))


@pytest.fixture
def lake(local_home) -> Lake:
    """An empty lake with one folder per zone bucket, so that Spark resolves s3://<zone>/ from the start."""
    root = local_home / "lake"
    for uri in ZONE_ARGUMENTS.values():
        (root / uri[len("s3://"):]).mkdir(parents=True)
    return Lake(root)


@pytest.fixture
def glue_context(spark, lake):
    """A GlueContext of the awsglue stand-in on the session Spark, over the test's lake."""
    from awsglue.context import GlueContext

    return GlueContext(spark.sparkContext)


@pytest.fixture
def start_job(glue_context) -> Callable[..., object]:
    """Start a job run with bookmarks enabled (`Job.init`); the caller commits it like a script does."""
    from awsglue.job import Job

    def start(job_name: str, option: str = "job-bookmark-enable"):
        job = Job(glue_context)
        job.init(job_name, {"JOB_NAME": job_name, "job_bookmark_option": option})
        return job
    return start


@pytest.fixture
def extract_context(glue_context, config, zones) -> Callable[..., object]:
    """The extract stage's context for one batch id (what jobs.run_job builds from the arguments)."""
    from etl_pipeline.stages.extract import ExtractContext

    def build(batch_id: str = "b1"):
        return ExtractContext(glue_context=glue_context, config=config, env="test", zones=zones,
                              batch_id=batch_id, extracted_at=EXTRACTED_AT, use_fallback=False)
    return build


@pytest.fixture
def land(lake, trips, extract_context, start_job) -> Callable[..., dict]:
    """Land one CSV file of trips as batch `batch_id` with the extract stage (an extract job run that
    commits, so the next call lands only its own file); returns the extract's numbers."""
    from etl_pipeline.stages.extract import extract_dataset

    def land_csv(text: str, batch_id: str = "b1", mtime: int = BASE_MTIME) -> dict:
        lake.put(f"s3://raw/trips/{batch_id}.csv", text, mtime)
        job = start_job("extract")
        numbers = extract_dataset(extract_context(batch_id), trips)
        job.commit()
        return numbers
    return land_csv
