"""The transform stage on batches the extract stage landed in the test's lake: the valid, rejected
and duplicate outputs at their zone paths, counts that add up, rule failures and warnings, a failed `fail` rule
that stops the batch, the output batch id, and bookmarks across job runs."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from etl_pipeline.quality import DataQualityError
from etl_pipeline.stages.transform import TransformContext, output_batch_id, transform_dataset

from ..conftest import BASE_MTIME

# Key 1 comes twice (the later row wins), key 3's fare is no number, key 4's fare is negative, key 5's
# fare is high (a warning: it is loaded).
TRIPS_CSV = "trip_id,carrier,fare\n1,ua,10.50\n2,AA,3\n1,dl,12\n3,B6,abc\n4,B6,-1\n5, ua ,200\n"


@pytest.fixture
def context(glue_context, zones, config) -> TransformContext:
    return TransformContext(glue_context=glue_context, zones=zones, target_file_size_mb=config.target_file_size_mb)


def rows(spark, uri: str, *columns: str) -> list[tuple]:
    return sorted(tuple(r) for r in spark.read.parquet(uri).select(*columns).collect())


def test_one_batch_splits_into_valid_rejected_and_duplicate_rows_that_add_up(spark, lake, zones, trips, land,
                                                                             context):
    land(TRIPS_CSV, "b1")

    numbers = transform_dataset(context, trips)

    assert numbers == {
        "rows_read": 6, "rows_valid": 3, "rows_quarantined": 2, "duplicates_removed": 1,
        "rule_failures": {"fare_is_decimal": 1, "fare_positive": 1},
        "schema_changes": [], "schema_change_count": 0,
        "rule_warnings": {"fare_at_most_100": 1},
        "data_quality": {
            "fare_positive": {"dqdl": 'ColumnValues "fare" > 0 where "fare is not null"', "outcome": "quarantine",
                              "passed": False, "observed": {"Column.fare.Minimum": -1.0},
                              "reason": "Value: -1.0 does not meet the constraint requirement!"},
            "fare_at_most_100": {"dqdl": 'ColumnValues "fare" <= 100 where "fare is not null"', "outcome": "warn",
                                 "passed": False, "observed": {"Column.fare.Maximum": 200.0},
                                 "reason": "Value: 200.0 does not meet the constraint requirement!"},
            "some_rows_conform": {"dqdl": "RowCount > 0", "outcome": "fail", "passed": True,
                                  "observed": {"Dataset.*.RowCount": 5.0}, "reason": None}},
        "landing_batches": ["b1"], "batch_id": "b1", "validated": zones.validated(trips, "b1"),
        "nothing_new": False,
    }
    validated = spark.read.parquet(zones.validated(trips, "b1"))
    assert validated.dtypes[:3] == [("trip_id", "bigint"), ("carrier", "string"), ("fare", "decimal(6,2)")]
    assert validated.columns[3:] == ["etl_batch_id", "etl_source_file", "etl_extracted_at",
                                     "etl_source_modified_at", "etl_row_number"]
    assert rows(spark, zones.validated(trips, "b1"), "trip_id", "carrier", "fare") == [
        (1, "DL", Decimal("12.00")), (2, "AA", Decimal("3.00")), (5, "UA", Decimal("200.00"))]
    assert rows(spark, zones.rejected(trips, "b1"), "trip_id", "fare", "etl_failed_rules", "etl_batch_id") == [
        ("3", "abc", ["fare_is_decimal"], "b1"), ("4", "-1", ["fare_positive"], "b1")]
    assert rows(spark, zones.duplicates(trips, "b1"), "trip_id", "carrier", "fare") == [(1, "UA", Decimal("10.50"))]
    for uri in (zones.validated(trips, "b1"), zones.rejected(trips, "b1"), zones.duplicates(trips, "b1")):
        assert len(lake.data_files(uri)) == 1


def test_a_failed_fail_rule_stops_the_batch_before_anything_is_written(lake, zones, trips, land, context):
    land("trip_id,carrier,fare\n1,UA,x\n2,UA,y\n", "b1")

    with pytest.raises(DataQualityError, match=r"dataset trips: 1 rule\(s\) with outcome fail failed, the batch "
                                               r"is not loaded: some_rows_conform \[RowCount > 0\] failed: "
                                               r"observed Dataset\.\*\.RowCount=0"):
        transform_dataset(context, trips)

    assert not lake.path(zones.validated(trips, "b1")).exists()
    assert not lake.path(zones.rejected(trips, "b1")).exists()


def test_glue_data_quality_results_are_published_per_dataset(spark, lake, zones, trips, land, context):
    land(TRIPS_CSV, "b1")

    transform_dataset(context, trips)

    results = sorted(lake.path(zones.data_quality_results()).joinpath("trips").glob("*.json"))
    assert len(results) == 1
    document = json.loads(results[0].read_text())
    assert document["evaluationContext"] == "trips"
    assert {r["Name"]: r["Result"] for r in document["ruleResults"]} == {
        'ColumnValues "fare" > 0 where "fare is not null"': "FAIL",
        'ColumnValues "fare" <= 100 where "fare is not null"': "FAIL", "RowCount > 0": "PASS"}


def test_several_landed_batches_make_one_output_batch_where_the_newer_file_wins(spark, zones, trips, land,
                                                                                  context):
    land("trip_id,carrier,fare\n1,UA,10\n2,AA,3\n", "b1", mtime=BASE_MTIME)
    land("trip_id,carrier,fare\n1,DL,11\n", "b2", mtime=BASE_MTIME + 3600)

    numbers = transform_dataset(context, trips)

    batch_id = output_batch_id(["b1", "b2"])
    assert (numbers["batch_id"], numbers["landing_batches"]) == (batch_id, ["b1", "b2"])
    assert rows(spark, zones.validated(trips, batch_id), "trip_id", "carrier", "etl_batch_id") == [
        (1, "DL", "b2"), (2, "AA", "b1")]
    assert rows(spark, zones.duplicates(trips, batch_id), "trip_id", "carrier", "etl_batch_id") == [(1, "UA", "b1")]
    assert transform_dataset(context, trips)["batch_id"] == batch_id  # a rerun writes to the same folders


def test_the_output_batch_id_depends_only_on_the_set_of_landed_batches():
    assert output_batch_id(["b1"]) == "b1"
    merged = output_batch_id(["b2", "b1"])
    assert merged == output_batch_id(["b1", "b2"]) and merged.startswith("m") and len(merged) == 17
    assert merged != output_batch_id(["b1", "b3"])


def test_an_empty_outcome_removes_what_an_earlier_attempt_left_there(spark, lake, zones, trips, land, context):
    stale = zones.duplicates(trips, "b1")
    spark.createDataFrame([(9,)], "trip_id long").write.parquet(stale)
    land("trip_id,carrier,fare\n1,UA,1\n", "b1")

    numbers = transform_dataset(context, trips)

    assert (numbers["rows_valid"], numbers["duplicates_removed"], numbers["rule_failures"]) == (1, 0, {})
    assert not lake.path(stale).exists()
    assert not lake.path(zones.rejected(trips, "b1")).exists()


def test_a_committed_transform_does_not_read_its_landed_batches_again(trips, land, context, start_job):
    land("trip_id,carrier,fare\n1,UA,1\n", "b1")
    job = start_job("transform")
    assert transform_dataset(context, trips)["rows_read"] == 1
    job.commit()

    start_job("transform")

    assert transform_dataset(context, trips) == {"rows_read": 0, "nothing_new": True}


def test_deduplicate_order_by_picks_the_winner_before_the_newer_file_and_derived_columns_chain(spark, zones,
                                                                                                trips, land, context):
    from dataclasses import replace

    from etl_pipeline.config import DerivedColumn, OrderKey

    # The highest fare wins; NULL loses; a tie goes to the newer file. fare_band uses fare_cents.
    dataset = replace(trips, dedupe_order=(OrderKey("fare", True),), derived=(
        DerivedColumn("fare_cents", "int", "CAST(fare * 100 AS INT)"),
        DerivedColumn("fare_band", "string", "CASE WHEN fare_cents >= 1000 THEN 'high' ELSE 'low' END")))
    land("trip_id,carrier,fare\n1,UA,20\n2,AA,3\n3,B6,\n4,WN,7\n", "b1", mtime=BASE_MTIME)
    land("trip_id,carrier,fare\n1,DL,11\n2,AA,4\n3,B6,5\n4,F9,7\n", "b2", mtime=BASE_MTIME + 3600)

    numbers = transform_dataset(context, dataset)

    batch_id = output_batch_id(["b1", "b2"])
    assert (numbers["rows_read"], numbers["rows_valid"], numbers["duplicates_removed"]) == (8, 4, 4)
    assert rows(spark, zones.validated(dataset, batch_id), "trip_id", "carrier", "fare", "fare_cents", "fare_band",
                "etl_batch_id") == [
        (1, "UA", Decimal("20.00"), 2000, "high", "b1"), (2, "AA", Decimal("4.00"), 400, "low", "b2"),
        (3, "B6", Decimal("5.00"), 500, "low", "b2"), (4, "F9", Decimal("7.00"), 700, "low", "b2")]
    assert rows(spark, zones.duplicates(dataset, batch_id), "trip_id", "carrier", "etl_batch_id") == [
        (1, "DL", "b2"), (2, "AA", "b1"), (3, "B6", "b1"), (4, "WN", "b1")]
