"""standardise / classify / curated_columns on small landed batches."""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from decimal import Decimal

from pyspark.sql import functions as F
from pyspark.sql import types as T

from etl_pipeline.columns import DUPLICATE, ETL_FAILED_RULES, ETL_OUTCOME, QUARANTINED, VALID
from etl_pipeline.config import parse_dataset
from etl_pipeline.rows import classify, curated_columns, quarantine_columns, standardise

DATASET = parse_dataset({
    "name": "trips",
    "source": {"type": "s3", "format": "csv", "prefix": "trips/"},
    "primary_key": ["trip_id", "month"],
    "columns": [
        {"name": "trip_id", "type": "bigint", "nullable": False},
        {"name": "month", "type": "int", "nullable": False},
        {"name": "carrier", "type": "string", "trim": True, "case": "upper", "max_length": 2},
        {"name": "delay", "source": "dep_delay", "type": "double"},
        {"name": "fare", "type": "decimal(6,2)"},
        {"name": "departed_at", "type": "timestamp", "format": "yyyy-MM-dd'T'HH:mm:ssX"},
        {"name": "rider_email", "type": "string", "mask": "sha256"},
    ],
    "derived": [{"name": "departure_day", "type": "date", "expr": "to_date(departed_at)"},
                {"name": "late", "type": "boolean", "expr": "coalesce(delay, 0) > 15"}],
    "partition_by": ["month"],
    "targets": {"curated": {"table": "trips"}, "warehouse": {"table": "trips"}},
}, "test")

TEXT_COLUMNS = ["trip_id", "month", "carrier", "dep_delay", "fare", "departed_at", "rider_email"]


LANDED_SCHEMA = T.StructType(
    [T.StructField(name, T.StringType()) for name in TEXT_COLUMNS]
    + [T.StructField("etl_batch_id", T.StringType()), T.StructField("etl_source_file", T.StringType()),
       T.StructField("etl_source_modified_at", T.TimestampType()),
       T.StructField("etl_extracted_at", T.TimestampType()), T.StructField("etl_row_number", T.LongType())])


def landed(spark, rows, source_file="s3://raw/trips/a.csv", modified="2013-01-02 00:00:00"):
    """Rows as extract lands them: text values plus batch metadata."""
    records = [(*values, "b1", source_file, datetime.fromisoformat(modified), datetime(2013, 1, 3), number)
               for number, values in enumerate(rows)]
    return spark.createDataFrame(records, LANDED_SCHEMA)


GOOD = ["1", "1", " ua ", "12.5", "10.10", "2013-01-01T10:00:00Z", "a@example.com"]


def by_id(frame):
    return {row["trip_id"]: row for row in frame.collect()}


def test_a_clean_row_is_typed_trimmed_and_derived(spark):
    row = standardise(landed(spark, [GOOD]), DATASET).collect()[0]

    assert row["trip_id"] == 1 and row["month"] == 1
    assert row["carrier"] == "UA"
    assert row["delay"] == 12.5
    assert row["fare"] == Decimal("10.10")
    assert row["departed_at"] == datetime(2013, 1, 1, 10, 0)
    assert row["departure_day"] == date(2013, 1, 1)
    assert row["late"] is False
    assert row[ETL_FAILED_RULES] == []
    assert row["etl_raw"]["carrier"] == " ua "


def test_bad_values_fail_named_rules_instead_of_becoming_null(spark):
    rows = [
        ["2", "1", "UA", "abc", "1.00", "2013-01-01T10:00:00Z", None],     # not a number
        ["3", "1.5", "UA", "1", "1.00", "2013-01-01T10:00:00Z", None],     # a fraction is not an int
        ["4", "1.0", "UA", "1", "1.00", "01/01/2013 10:00", None],         # wrong timestamp format
        ["5", "", "UAL", "1", "1.00", "2013-01-01T10:00:00Z", None],       # required month empty, carrier too long
        ["6", "1", "UA", "900", "12345.678", "2013-01-01T10:00:00Z", None],  # decimal overflows
    ]
    result = by_id(standardise(landed(spark, rows), DATASET))

    assert result[2][ETL_FAILED_RULES] == ["delay_is_double"]
    assert result[3][ETL_FAILED_RULES] == ["month_is_int"]
    assert result[4][ETL_FAILED_RULES] == ["departed_at_is_timestamp"]
    assert result[4]["month"] == 1  # "1.0" is a whole number
    assert sorted(result[5][ETL_FAILED_RULES]) == ["carrier_max_length", "month_not_null"]
    assert result[6][ETL_FAILED_RULES] == ["fare_is_decimal"]


def test_a_decimal_column_that_opts_in_rounds_and_reports_instead_of_quarantining(spark):
    rounding = DATASET.__class__(**{**DATASET.__dict__, "columns": tuple(
        c.__class__(**{**c.__dict__, "round": True}) if c.name == "fare" else c for c in DATASET.columns)})
    rows = [["7", "1", "UA", "1", "12.345", "2013-01-01T10:00:00Z", None],
            ["8", "1", "UA", "1", "12.34", "2013-01-01T10:00:00Z", None]]

    strict, rounded = by_id(standardise(landed(spark, rows), DATASET)), by_id(standardise(landed(spark, rows), rounding))

    assert (strict[7][ETL_FAILED_RULES], strict[7]["etl_warned_rules"]) == (["fare_is_decimal"], [])
    assert (rounded[7][ETL_FAILED_RULES], rounded[7]["etl_warned_rules"], rounded[7]["fare"]) == (
        [], ["fare_rounded"], Decimal("12.35"))
    assert (rounded[8][ETL_FAILED_RULES], rounded[8]["etl_warned_rules"]) == ([], [])


def test_malformed_records_are_quarantined_with_their_text(spark):
    frame = landed(spark, [GOOD]).withColumn("_corrupt_record", F.lit("1,1,UA,extra"))

    row = standardise(frame, DATASET).collect()[0]

    assert row[ETL_FAILED_RULES] == ["malformed_record"]
    assert row["etl_raw"]["_corrupt_record"] == "1,1,UA,extra"


def test_classify_keeps_the_newest_version_of_a_key_and_quarantines_failures(spark):
    older = landed(spark, [GOOD, ["2", "1", "AA", "5", "1", None, None]], source_file="s3://raw/trips/a.csv",
                   modified="2013-01-02 00:00:00")
    newer = landed(spark, [["1", "1", "DL", "30", "2", None, None], ["7", "1", "AA", "oops", "1", None, None]],
                   source_file="s3://raw/trips/corrections.csv", modified="2013-02-01 00:00:00")
    same_file_twice = landed(spark, [["8", "1", "AA", "1", "1", None, None], ["8", "1", "B6", "2", "1", None, None]],
                             source_file="s3://raw/trips/b.csv")
    classified = classify(standardise(older.unionByName(newer).unionByName(same_file_twice), DATASET), DATASET)

    outcomes = sorted((r["trip_id"], r["carrier"], r[ETL_OUTCOME]) for r in classified.collect())
    assert outcomes == [
        (1, "DL", VALID), (1, "UA", DUPLICATE), (2, "AA", VALID), (7, "AA", QUARANTINED),
        (8, "AA", DUPLICATE), (8, "B6", VALID),
    ]
    # Only the quarantined row keeps its source text through the window.
    texts = {r["trip_id"]: r["etl_raw"] for r in classified.collect()}
    assert texts[7]["dep_delay"] == "oops" and [k for k, text in texts.items() if text is not None] == [7]


def test_curated_columns_mask_pii_and_keep_lineage(spark):
    frame = standardise(landed(spark, [GOOD]), DATASET)

    curated = curated_columns(frame, DATASET)

    assert curated.columns == ["trip_id", "month", "carrier", "delay", "fare", "departed_at", "rider_email",
                               "departure_day", "late", "etl_batch_id", "etl_source_file", "etl_extracted_at"]
    row = curated.collect()[0]
    assert row["rider_email"] == hashlib.sha256(b"a@example.com").hexdigest()
    assert row["etl_source_file"] == "s3://raw/trips/a.csv"


def test_quarantine_rows_carry_the_source_text(spark):
    bad = ["9", "x", " ua ", "1", "1", None, None]
    frame = classify(standardise(landed(spark, [bad]), DATASET), DATASET)

    row = quarantine_columns(frame.where(f"{ETL_OUTCOME} = '{QUARANTINED}'")).collect()[0]

    assert row["month"] == "x" and row["carrier"] == " ua "
    assert row[ETL_FAILED_RULES] == ["month_is_int"]
    assert row["etl_source_file"] == "s3://raw/trips/a.csv"
