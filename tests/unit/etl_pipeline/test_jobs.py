"""jobs.run_job on the session Spark (no job subprocess), mostly for the transform stage: the config is
read from a small folder by the library's loader, every selected dataset is reported, and the run
report lands at Zones.reports(...) whether the run succeeds or fails; the extract's success marker
decides the next batch id."""

from __future__ import annotations

import json

import pytest

from etl_pipeline import storage
from etl_pipeline.config import ConfigError
from etl_pipeline.jobs import run_job
from etl_pipeline.quality import DataQualityError
from etl_pipeline.stages.extract import batch_id_for

from .conftest import ZONE_ARGUMENTS


@pytest.fixture
def job_args(config_folder) -> dict:
    """What getResolvedOptions hands the transform script."""
    return {"JOB_NAME": "etl-transform", "JOB_RUN_ID": "jr_unit", "env": "test", "config_path": str(config_folder),
            "processed_path": ZONE_ARGUMENTS["processed_path"], "quarantine_path": ZONE_ARGUMENTS["quarantine_path"],
            "datasets": "all", "metrics_namespace": "none"}


def stored_report(spark, zones, run_id: str = "jr_unit") -> dict:
    return json.loads(storage.read_text(spark, zones.reports("transform", f"{run_id}.json")))


def test_a_run_reports_every_selected_dataset_in_the_reports_zone(spark, glue_context, zones, land, job_args):
    land("trip_id,carrier,fare\n1,UA,1\n2,AA,2\n2,AA,3\n", "b1")

    report = run_job("transform", glue_context, job_args)

    document = stored_report(spark, zones)
    assert (report.status, document["status"], document["error"]) == ("SUCCEEDED", "SUCCEEDED", None)
    assert (document["stage"], document["job_name"], document["run_id"]) == ("transform", "etl-transform", "jr_unit")
    trips = document["datasets"]["trips"]
    assert (trips["rows_read"], trips["rows_valid"], trips["duplicates_removed"]) == (3, 2, 1)
    assert document["datasets"]["readings"] == {"rows_read": 0, "nothing_new": True}


def test_a_failed_run_still_writes_its_report_with_the_error(spark, glue_context, zones, land, job_args):
    land("trip_id,carrier,fare\n1,UA,x\n2,UA,y\n", "b1")  # no row conforms: RowCount > 0 fails

    with pytest.raises(DataQualityError):
        run_job("transform", glue_context, {**job_args, "datasets": "trips"})

    document = stored_report(spark, zones)
    assert document["status"] == "FAILED"
    assert document["error"].startswith("DataQualityError: dataset trips: 1 rule(s) with outcome fail failed")
    assert document["datasets"] == {}


def test_an_unknown_dataset_name_fails_the_run_with_a_config_error(spark, glue_context, zones, job_args):
    with pytest.raises(ConfigError, match=r"--datasets 'trip': unknown dataset\(s\) \['trip'\]"):
        run_job("transform", glue_context, {**job_args, "datasets": "trip"})

    assert stored_report(spark, zones)["error"].startswith("ConfigError: --datasets 'trip'")


def test_a_config_path_without_the_config_fails_before_anything_is_written(glue_context, lake, tmp_path, job_args):
    with pytest.raises(ConfigError, match=r"pipeline-config.json: not found; --config_path must be the folder holding"):
        run_job("transform", glue_context, {**job_args, "config_path": str(tmp_path / "nowhere")})

    assert list(lake.path(ZONE_ARGUMENTS["processed_path"]).iterdir()) == []


def test_a_run_without_a_run_id_gets_one(spark, glue_context, zones, job_args):
    del job_args["JOB_RUN_ID"]

    report = run_job("transform", glue_context, job_args)

    assert report.run_id.startswith("jr_") and len(report.run_id) == 35
    assert stored_report(spark, zones, report.run_id)["status"] == "SUCCEEDED"


def test_only_a_successful_extract_moves_the_next_run_on_to_a_new_batch_id(spark, glue_context, lake, zones,
                                                                          job_args):
    args = {**job_args, "JOB_NAME": "etl-extract", "raw_path": ZONE_ARGUMENTS["raw_path"], "datasets": "trips"}
    lake.put("s3://raw/trips/a.csv", "trip_id,carrier,fare\n1,UA,1\n")
    marker = zones.reports("extract", "LAST_SUCCESS")

    with pytest.raises(ConfigError):
        run_job("extract", glue_context, {**args, "JOB_RUN_ID": "jr_0", "datasets": "nope"})
    assert not storage.exists(spark, marker)
    first = run_job("extract", glue_context, {**args, "JOB_RUN_ID": "jr_1"})
    assert storage.read_text(spark, marker) == "jr_1\n"
    second = run_job("extract", glue_context, {**args, "JOB_RUN_ID": "jr_2"})

    assert first.datasets["trips"]["batch_id"] == batch_id_for("etl-extract", None)
    assert second.datasets["trips"]["batch_id"] == batch_id_for("etl-extract", "jr_1")
