"""jobs.run_job on the session Spark (no job subprocess), mostly for the transform stage: the config is
read from a small folder by the library's loader, every selected dataset is reported, and the run
report lands at Zones.reports(...) whether the run succeeds or fails; the extract's success marker
decides the next batch id."""

from __future__ import annotations

import copy
import json
import os

import pytest
import yaml

from etl_deploy.config_bundle import write_bundle
from etl_pipeline import storage
from etl_pipeline.config import ConfigError
from etl_pipeline.jobs import DatasetsFailedError, run_job
from etl_pipeline.quality import DataQualityError
from etl_pipeline.stages.extract import batch_id_for

from .conftest import BASE_MTIME, TRIPS_DOCUMENT, ZONE_ARGUMENTS


@pytest.fixture
def job_args(config_folder) -> dict:
    """What getResolvedOptions hands the transform script."""
    return {"JOB_NAME": "etl-transform", "JOB_RUN_ID": "jr_unit", "env": "test", "config_path": str(config_folder),
            "processed_path": ZONE_ARGUMENTS["processed_path"], "quarantine_path": ZONE_ARGUMENTS["quarantine_path"],
            "datasets": "all", "metrics_namespace": "none"}


def stored_report(spark, zones, run_id: str = "jr_unit") -> dict:
    return json.loads(storage.read_text(spark, zones.reports("transform", f"{run_id}.json")))


def test_a_run_reports_every_selected_dataset_in_the_reports_zone(spark, glue_context, zones, land, job_args,
                                                                  start_job):
    land("trip_id,carrier,fare\n1,UA,1\n2,AA,2\n2,AA,3\n", "b1")

    report = run_job("transform", glue_context, job_args, start_job("etl-transform"))

    document = stored_report(spark, zones)
    assert (report.status, document["status"], document["error"]) == ("SUCCEEDED", "SUCCEEDED", None)
    assert (document["stage"], document["job_name"], document["run_id"]) == ("transform", "etl-transform", "jr_unit")
    trips = document["datasets"]["trips"]
    assert (trips["rows_read"], trips["rows_valid"], trips["duplicates_removed"]) == (3, 2, 1)
    assert document["datasets"]["readings"] == {"rows_read": 0, "nothing_new": True}


def test_a_failed_run_still_writes_its_report_with_the_error(spark, glue_context, zones, land, job_args, start_job):
    land("trip_id,carrier,fare\n1,UA,x\n2,UA,y\n", "b1")  # no row conforms: RowCount > 0 fails

    with pytest.raises(DatasetsFailedError) as raised:
        run_job("transform", glue_context, {**job_args, "datasets": "trips"}, start_job("etl-transform"))

    assert isinstance(raised.value.__cause__, DataQualityError)
    document = stored_report(spark, zones)
    assert document["status"] == "FAILED"
    assert document["error"].startswith("DatasetsFailedError: transform: 1 dataset(s) failed (trips: DataQualityError: "
                                        "dataset trips: 1 rule(s) with outcome fail failed")
    assert document["failed"]["trips"]["error"].startswith("DataQualityError: dataset trips: 1 rule(s)")
    assert document["datasets"] == {}


def test_an_unknown_dataset_name_fails_the_run_with_a_config_error(spark, glue_context, zones, job_args, start_job):
    with pytest.raises(ConfigError, match=r"--datasets 'trip': unknown dataset\(s\) \['trip'\]"):
        run_job("transform", glue_context, {**job_args, "datasets": "trip"}, start_job("etl-transform"))

    assert stored_report(spark, zones)["error"].startswith("ConfigError: --datasets 'trip'")


def test_a_config_path_without_the_config_fails_before_anything_is_written(glue_context, lake, tmp_path, job_args,
                                                                           start_job):
    with pytest.raises(ConfigError, match=r"pipeline-config.json: not found; --config_path must be the folder holding"):
        run_job("transform", glue_context, {**job_args, "config_path": str(tmp_path / "nowhere")},
                start_job("etl-transform"))

    assert list(lake.path(ZONE_ARGUMENTS["processed_path"]).iterdir()) == []


def test_a_run_without_a_run_id_gets_one(spark, glue_context, zones, job_args, start_job):
    del job_args["JOB_RUN_ID"]

    report = run_job("transform", glue_context, job_args, start_job("etl-transform"))

    assert report.run_id.startswith("jr_") and len(report.run_id) == 35
    assert stored_report(spark, zones, report.run_id)["status"] == "SUCCEEDED"


def test_only_a_successful_extract_moves_the_next_run_on_to_a_new_batch_id(spark, glue_context, lake, zones,
                                                                          job_args, start_job):
    args = {**job_args, "JOB_NAME": "etl-extract", "raw_path": ZONE_ARGUMENTS["raw_path"], "datasets": "trips"}
    lake.put("s3://raw/trips/a.csv", "trip_id,carrier,fare\n1,UA,1\n")
    marker = zones.reports("extract", "LAST_SUCCESS")

    with pytest.raises(ConfigError):
        run_job("extract", glue_context, {**args, "JOB_RUN_ID": "jr_0", "datasets": "nope"}, start_job("etl-extract"))
    assert not storage.exists(spark, marker)
    first = run_job("extract", glue_context, {**args, "JOB_RUN_ID": "jr_1"}, start_job("etl-extract"))
    assert storage.read_text(spark, marker) == "jr_1\n"
    lake.put("s3://raw/trips/b.csv", "trip_id,carrier,fare\n2,UA,1\n", mtime=BASE_MTIME + 60)
    second = run_job("extract", glue_context, {**args, "JOB_RUN_ID": "jr_2"}, start_job("etl-extract"))

    assert first.datasets["trips"]["batch_id"] == batch_id_for("etl-extract", None)
    assert second.datasets["trips"]["batch_id"] == batch_id_for("etl-extract", "jr_1")


# ------------------------------------------------------------- one dataset fails, the others go on
STRICT_TRIPS = "RowCount > 5"   # two trips arrive: a fail rule set too strict stops them


def write_trips_fail_rule(config_folder, dqdl: str) -> None:
    """Change trips' fail rule in the config folder and rebuild the bundle the jobs read."""
    document = copy.deepcopy(TRIPS_DOCUMENT)
    document["quality"]["rules"][-1]["dqdl"] = dqdl
    (config_folder / "datasets" / "trips.yaml").write_text(yaml.safe_dump(document))
    write_bundle(config_folder, config_folder)


def extract_all(glue_context, job_args, start_job, run_id: str) -> dict:
    args = {**job_args, "JOB_NAME": "etl-extract", "JOB_RUN_ID": run_id, "raw_path": ZONE_ARGUMENTS["raw_path"]}
    return run_job("extract", glue_context, args, start_job("etl-extract")).datasets


def test_a_failing_dataset_keeps_its_files_for_the_next_run_while_the_others_are_committed(
        spark, glue_context, lake, zones, config_folder, job_args, start_job):
    lake.put("s3://raw/trips/t1.csv", "trip_id,carrier,fare\n1,UA,10\n2,AA,20\n")
    lake.put("s3://raw/readings/r1.json", '{"sensor": "a", "value": 1.5}\n{"sensor": "b", "value": 2.5}\n')
    extracted = extract_all(glue_context, job_args, start_job, "jr_e1")
    assert (extracted["trips"]["rows_read"], extracted["readings"]["rows_read"]) == (2, 2)
    write_trips_fail_rule(config_folder, STRICT_TRIPS)

    with pytest.raises(DatasetsFailedError, match=r"transform: 1 dataset\(s\) failed \(trips: DataQualityError: "
                                                  r"dataset trips: .*RowCount > 5.*\)\. The other 1 were committed"):
        run_job("transform", glue_context, {**job_args, "JOB_RUN_ID": "jr_t1"}, start_job("etl-transform"))

    first = stored_report(spark, zones, "jr_t1")
    assert first["status"] == "FAILED"
    assert first["datasets"]["readings"]["rows_valid"] == 2          # the good dataset went on ...
    assert len(lake.data_files("s3://processed/validated/readings/")) >= 1
    assert not lake.path("s3://processed/validated/trips/").exists()  # ... the failed one wrote nothing
    retry = zones.root("processed") + "/_state/retry/transform/transform_trips.json"
    assert first["failed"]["trips"]["retry_lists"] == [retry]
    kept = json.loads(storage.read_text(spark, retry))
    landed = sorted(f"s3://processed/landing/trips/batch_id={extracted['trips']['batch_id']}/{p.name}"
                    for p in lake.data_files(f"s3://processed/landing/trips/batch_id={extracted['trips']['batch_id']}/"))
    assert (kept["dataset"], kept["failed_run"], sorted(f["uri"] for f in kept["files"])) == ("trips", "jr_t1", landed)
    assert kept["error"].startswith("DataQualityError: dataset trips:")
    # The bookmark moved for both (readings must not be read again): trips' files live on in the retry list.
    rerun_without_fix = run_job("transform", glue_context, {**job_args, "JOB_RUN_ID": "jr_t2", "datasets": "readings"},
                                start_job("etl-transform"))
    assert rerun_without_fix.datasets["readings"] == {"rows_read": 0, "nothing_new": True}

    write_trips_fail_rule(config_folder, "RowCount > 0")   # the fix: a config change
    fixed = run_job("transform", glue_context, {**job_args, "JOB_RUN_ID": "jr_t3"}, start_job("etl-transform"))

    trips = fixed.datasets["trips"]
    assert (trips["rows_read"], trips["rows_valid"], trips["rows_quarantined"], trips["duplicates_removed"]) == \
        (2, 2, 0, 0)
    assert trips["retried_files"] == landed
    assert fixed.datasets["readings"] == {"rows_read": 0, "nothing_new": True}
    assert not storage.exists(spark, retry)
    validated = spark.read.parquet("s3://processed/validated/trips/")
    assert sorted((r.trip_id, str(r.fare)) for r in validated.collect()) == [(1, "10.00"), (2, "20.00")]
    again = run_job("transform", glue_context, {**job_args, "JOB_RUN_ID": "jr_t4"}, start_job("etl-transform"))
    assert again.datasets["trips"] == {"rows_read": 0, "nothing_new": True}


def test_a_retried_file_replaced_since_is_read_once_as_a_new_file(spark, glue_context, lake, zones, config_folder,
                                                                   job_args, start_job):
    lake.put("s3://raw/trips/t1.csv", "trip_id,carrier,fare\n1,UA,10\n")
    write_trips_fail_rule(config_folder, "RowCount > 5")
    extract_all(glue_context, job_args, start_job, "jr_e1")
    with pytest.raises(DatasetsFailedError):
        run_job("transform", glue_context, {**job_args, "JOB_RUN_ID": "jr_t1"}, start_job("etl-transform"))
    retry = json.loads(storage.read_text(spark, zones.root("processed") + "/_state/retry/transform/transform_trips.json"))
    [landed] = [f["uri"] for f in retry["files"]]
    write_trips_fail_rule(config_folder, "RowCount > 0")
    # Someone rewrites the landed file in place (a newer modification time): the bookmark reads it as new.
    path = lake.path(landed)
    os.utime(path, (BASE_MTIME + 100_000_000, BASE_MTIME + 100_000_000))

    fixed = run_job("transform", glue_context, {**job_args, "JOB_RUN_ID": "jr_t2"}, start_job("etl-transform"))

    assert (fixed.datasets["trips"]["rows_read"], fixed.datasets["trips"]["rows_valid"]) == (1, 1)
    assert "retried_files" not in fixed.datasets["trips"]


def test_a_retried_file_that_is_gone_is_reported_and_dropped(spark, glue_context, lake, zones, config_folder,
                                                             job_args, start_job):
    lake.put("s3://raw/trips/t1.csv", "trip_id,carrier,fare\n1,UA,10\n")
    write_trips_fail_rule(config_folder, "RowCount > 5")
    extracted = extract_all(glue_context, job_args, start_job, "jr_e1")
    with pytest.raises(DatasetsFailedError):
        run_job("transform", glue_context, {**job_args, "JOB_RUN_ID": "jr_t1"}, start_job("etl-transform"))
    storage.delete(spark, extracted["trips"]["landing"])
    write_trips_fail_rule(config_folder, "RowCount > 0")

    fixed = run_job("transform", glue_context, {**job_args, "JOB_RUN_ID": "jr_t2"}, start_job("etl-transform"))

    trips = fixed.datasets["trips"]
    assert trips["rows_read"] == 0
    [warning] = trips["retry_warnings"]
    assert warning.startswith(f"{extracted['trips']['landing']}/") and warning.endswith(
        "was in the retry list s3://processed/_state/retry/transform/transform_trips.json but is gone; "
        "its rows are not read")
    assert not storage.exists(spark, "s3://processed/_state/retry/transform/transform_trips.json")
