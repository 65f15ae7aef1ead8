"""Run reports: the JSON document a run leaves, the one-line summary per dataset, and the invariant
check every stage ends with."""

from __future__ import annotations

import json

import pytest

from etl_pipeline import report as report_module
from etl_pipeline import storage
from etl_pipeline.report import InvariantError, RunReport, check_invariant, seconds_since

NUMBERS = {"rows_read": 1200, "rows_valid": 1190, "rows_quarantined": 10, "duplicates_removed": 0,
           "rule_failures": {"fare_positive": 10}, "nothing_new": False, "validated": "s3://processed/v/"}


def test_a_successful_run_reports_its_datasets_status_and_time():
    report = RunReport(stage="transform", job_name="etl-transform", run_id="jr_1")
    report.record("trips", NUMBERS)
    report.finish()

    document = json.loads(report.to_json())

    assert sorted(document) == ["datasets", "error", "failed", "job_name", "run_id", "seconds", "stage",
                                "started_at", "status"]
    assert (document["status"], document["error"], document["datasets"]) == ("SUCCEEDED", None, {"trips": NUMBERS})
    assert document["failed"] == {}
    assert document["seconds"] >= 0
    assert report.file_name == "jr_1.json"


def test_a_failed_run_reports_the_error():
    report = RunReport(stage="load", job_name="etl-load", run_id="jr_2")

    report.finish(ValueError("boom"))

    assert (report.status, report.error) == ("FAILED", "ValueError: boom")


def test_seconds_since_is_the_wall_time_to_the_millisecond(monkeypatch):
    monkeypatch.setattr(report_module.time, "monotonic", lambda: 12.3456789)

    assert seconds_since(10.0) == 2.346


def test_the_report_is_written_where_it_is_asked_to_be(spark, tmp_path):
    report = RunReport(stage="extract", job_name="etl-extract", run_id="jr_3")
    report.finish()
    uri = str(tmp_path / "reports" / report.file_name)

    report.write(spark, uri)

    assert json.loads(storage.read_text(spark, uri))["run_id"] == "jr_3"


@pytest.mark.parametrize("numbers, line", [
    (NUMBERS, "rows_read=1,200, rows_valid=1,190, rows_quarantined=10, duplicates_removed=0"),
    ({"rows_read": 0, "nothing_new": True}, "nothing new"),
    ({"rows_read": 0, "nothing_new": True, "empty_files": ["s3://raw/a.csv"], "warning": "1 new source file(s) "
      "hold no data rows"}, "rows_read=0, warning: 1 new source file(s) hold no data rows"),
    # the load's per-target seconds stay in the JSON report: the line gives counts
    ({"rows_loaded": 5, "curated_seconds": 1.234, "warehouse_seconds": None}, "rows_loaded=5"),
])
def test_each_dataset_gets_one_line_with_its_counts_and_any_warning(capsys, numbers, line):
    RunReport(stage="transform", job_name="etl-transform", run_id="jr_4").record("trips", numbers)

    assert capsys.readouterr().out == f"[transform] trips: {line}\n"


def test_check_invariant_passes_when_every_row_is_accounted_for():
    check_invariant("transform", "trips", 1200, {"valid": 1190, "quarantined": 10, "duplicates": 0})


def test_check_invariant_names_the_stage_dataset_and_every_count_when_rows_go_missing():
    with pytest.raises(InvariantError) as failure:
        check_invariant("transform", "trips", 1200, {"valid": 1189, "quarantined": 10, "duplicates": 0})

    assert str(failure.value).startswith(
        "transform trips: rows read 1,200 != valid 1,189 + quarantined 10 + duplicates 0 = 1,199; nothing is "
        "committed, so the rerun reads the same batch again.")
