"""The extract stage on small CSV and JSON-lines files in the test's lake: what lands (text plus
batch metadata, in the batch's landing folder), the rows-read = rows-landed invariant, bookmarks
across job runs, empty files, and the batch id of reruns."""

from __future__ import annotations

import pytest
from pyspark.sql import functions as F

from etl_pipeline.columns import ETL_ROW_NUMBER, LANDING_METADATA
from etl_pipeline.report import InvariantError, check_invariant
from etl_pipeline.stages import extract
from etl_pipeline.stages.extract import batch_id_for, extract_dataset

from ..conftest import BASE_MTIME, EXTRACTED_AT

TRIPS_CSV = "trip_id,carrier,fare\n1,ua,10.50\n2,AA,\n3, dl ,7\n"
METADATA_TYPES = [("etl_batch_id", "string"), ("etl_source_file", "string"), ("etl_source_modified_at", "timestamp"),
                  ("etl_extracted_at", "timestamp"), ("etl_row_number", "bigint"),
                  ("etl_inexact_numbers", "array<string>")]


def landed(spark, uri: str):
    return spark.read.parquet(uri)


def test_csv_rows_land_as_text_with_the_batch_metadata_in_the_batch_folder(spark, lake, zones, trips,
                                                                           extract_context):
    source = lake.put("s3://raw/trips/2024/a.csv", TRIPS_CSV, mtime=BASE_MTIME)

    numbers = extract_dataset(extract_context("b1"), trips)

    assert numbers == {"rows_read": 3, "files": [source], "file_count": 1, "batch_id": "b1",
                       "landing": "s3://processed/landing/trips/batch_id=b1", "nothing_new": False,
                       "source": "s3://raw/trips/"}
    assert numbers["landing"] == zones.landing(trips, "b1")
    frame = landed(spark, numbers["landing"])
    assert frame.dtypes == [("trip_id", "string"), ("carrier", "string"), ("fare", "string"),
                            ("_corrupt_record", "string"), *METADATA_TYPES]
    rows = frame.select("trip_id", "carrier", "fare", "etl_batch_id", "etl_source_file",
                        F.unix_timestamp("etl_source_modified_at").alias("modified"),
                        F.unix_timestamp("etl_extracted_at").alias("extracted")).orderBy("trip_id").collect()
    assert [tuple(r) for r in rows] == [
        ("1", "ua", "10.50", "b1", source, BASE_MTIME, int(EXTRACTED_AT.timestamp())),
        ("2", "AA", None, "b1", source, BASE_MTIME, int(EXTRACTED_AT.timestamp())),
        ("3", " dl ", "7", "b1", source, BASE_MTIME, int(EXTRACTED_AT.timestamp())),
    ]
    assert frame.select(ETL_ROW_NUMBER).distinct().count() == 3


def test_json_lines_values_become_text_nested_ones_json_and_bad_lines_keep_their_text(spark, lake, readings,
                                                                                        extract_context):
    lake.put("s3://raw/readings/r.json",
             '{"sensor": "s1", "value": 1.5, "ok": true, "tags": {"site": "x"}}\n'
             '{"sensor": "s2", "value": \n'
             '{"sensor": "s3", "value": 7}\n')

    numbers = extract_dataset(extract_context("b1"), readings)

    assert numbers["rows_read"] == 3
    frame = landed(spark, numbers["landing"])
    assert {name for name, kind in frame.dtypes if name not in LANDING_METADATA} == {
        "sensor", "value", "ok", "tags", "_corrupt_record"}
    assert all(kind == "string" for name, kind in frame.dtypes if name not in LANDING_METADATA)
    rows = {r["sensor"]: r for r in frame.collect()}
    assert (rows["s1"]["value"], rows["s1"]["ok"], rows["s1"]["tags"]) == ("1.5", "true", '{"site":"x"}')
    assert rows["s3"]["value"] == "7.0"  # JSON numbers of one column share a type: double here
    assert rows[None]["_corrupt_record"] == '{"sensor": "s2", "value": '


def test_a_row_lost_between_read_and_landing_fails_the_extract(lake, trips, extract_context, monkeypatch):
    lake.put("s3://raw/trips/a.csv", TRIPS_CSV)
    as_landing_rows = extract.as_landing_rows
    monkeypatch.setattr(extract, "as_landing_rows",
                        lambda frame, context, source_format: as_landing_rows(frame, context, source_format)
                        .where(F.col(ETL_ROW_NUMBER) > 0))

    with pytest.raises(InvariantError, match=r"extract trips: rows read 3 != landed 2 = 2"):
        extract_dataset(extract_context("b1"), trips)


def test_check_invariant_fails_when_rows_read_differ_from_rows_landed():
    check_invariant("extract", "trips", 3, {"landed": 3})

    with pytest.raises(InvariantError, match=r"^extract trips: rows read 3 != landed 4 = 4;"):
        check_invariant("extract", "trips", 3, {"landed": 4})


def test_a_committed_run_bookmarks_its_files_so_the_next_run_reads_only_new_ones(lake, zones, trips,
                                                                                 extract_context, start_job):
    first = lake.put("s3://raw/trips/a.csv", TRIPS_CSV)
    job = start_job("extract")
    assert extract_dataset(extract_context("b1"), trips)["files"] == [first]
    job.commit()

    start_job("extract")
    again = extract_dataset(extract_context("b2"), trips)

    assert again == {"rows_read": 0, "nothing_new": True, "source": "s3://raw/trips/"}
    assert lake.data_files(zones.landing(trips, "b2")) == []

    second = lake.put("s3://raw/trips/b.csv", "trip_id,carrier,fare\n4,B6,1\n", mtime=BASE_MTIME + 60)
    start_job("extract")
    assert extract_dataset(extract_context("b2"), trips)["files"] == [second]


def test_a_run_that_does_not_commit_leaves_its_files_for_the_rerun(lake, trips, extract_context, start_job):
    lake.put("s3://raw/trips/a.csv", TRIPS_CSV)
    start_job("extract")
    extract_dataset(extract_context("b1"), trips)  # ... and the job fails before job.commit()

    start_job("extract")

    assert extract_dataset(extract_context("b1"), trips)["rows_read"] == 3


def test_files_without_data_rows_are_reported_with_a_warning_and_land_nothing(lake, zones, trips,
                                                                              extract_context):
    empty = lake.put("s3://raw/trips/header-only.csv", "trip_id,carrier,fare\n")

    numbers = extract_dataset(extract_context("b1"), trips)

    assert numbers == {"rows_read": 0, "nothing_new": True, "source": "s3://raw/trips/", "empty_files": [empty],
                       "warning": "1 new source file(s) hold no data rows"}
    assert not lake.path(zones.landing(trips, "b1")).exists()


def test_no_files_at_all_is_nothing_new_without_a_warning(trips, extract_context):
    assert extract_dataset(extract_context("b1"), trips) == {
        "rows_read": 0, "nothing_new": True, "source": "s3://raw/trips/"}


def test_a_failed_run_and_its_reruns_share_a_batch_id_and_a_success_starts_a_new_one():
    first = batch_id_for("extract", None)

    assert first == batch_id_for("extract", None)
    assert first.startswith("b") and len(first) == 17
    after_success = batch_id_for("extract", "jr_1")
    assert after_success == batch_id_for("extract", "jr_1")
    assert len({first, after_success, batch_id_for("extract", "jr_2"), batch_id_for("other-extract", None)}) == 4


def test_significant_digits_of_a_number_text_leave_out_sign_exponent_dot_and_outer_zeros(spark):
    texts = ["1.2345678901234568E17", "-0.001250E3", "10.0", "1234567890123.45", "0.0", "NaN", None]
    frame = spark.createDataFrame([(t,) for t in texts], "text string")
    counted = frame.select(extract.significant_digits(F.col("text")).alias("digits")).collect()
    assert [r["digits"] for r in counted] == [17, 3, 1, 15, 0, 0, None]
