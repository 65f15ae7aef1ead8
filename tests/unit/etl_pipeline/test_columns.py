"""columns.newest_first: which version of a key is the newest (the transform's de-duplication and the
load's merge both rank by it), column() quoting any configured name, and names_given listing the
checks a row fails."""

from __future__ import annotations

from datetime import datetime

from pyspark.sql import functions as F

from etl_pipeline.columns import (ETL_EXTRACTED_AT, ETL_ROW_NUMBER, ETL_SOURCE_MODIFIED_AT, column, names_given,
                                  newest_first)
from etl_pipeline.jobs import SESSION_SETTINGS, use_session_settings

SCHEMA = f"order string, version string, {ETL_SOURCE_MODIFIED_AT} timestamp, {ETL_EXTRACTED_AT} timestamp, " \
         f"{ETL_ROW_NUMBER} long"
JAN, FEB = datetime(2024, 1, 1), datetime(2024, 2, 1)


def newest(spark, versions: list[tuple], *partition) -> dict[str, str]:
    """The newest version of each `order` key."""
    frame = spark.createDataFrame(versions, SCHEMA)
    ranked = frame.withColumn("rank", F.row_number().over(newest_first(["order"], *partition)))
    return {r["order"]: r["version"] for r in ranked.where("rank = 1").collect()}


def test_the_most_recently_modified_file_wins_over_a_later_extract_and_a_later_row(spark):
    assert newest(spark, [("k", "newer file", FEB, JAN, 0), ("k", "later extract and row", JAN, FEB, 9)]) == {
        "k": "newer file"}


def test_among_rows_of_equally_old_files_the_later_extract_wins_over_a_later_row(spark):
    assert newest(spark, [("k", "later extract", JAN, FEB, 0), ("k", "later row", JAN, JAN, 9)]) == {
        "k": "later extract"}


def test_within_one_file_and_extract_the_later_row_wins(spark):
    assert newest(spark, [("k", "first", JAN, JAN, 1), ("k", "second", JAN, JAN, 2),
                          ("j", "only", JAN, JAN, 0)]) == {"k": "second", "j": "only"}


def test_extra_partition_columns_rank_each_group_on_its_own(spark):
    frame = spark.createDataFrame([("k", "a", FEB, JAN, 0), ("k", "b", JAN, JAN, 0)], SCHEMA)

    ranked = frame.withColumn("rank", F.row_number().over(newest_first(["order"], F.col("version"))))

    assert sorted(r["rank"] for r in ranked.collect()) == [1, 1]


def test_column_quotes_names_that_are_sql_keywords(spark):
    frame = spark.createDataFrame([("k",)], "order string")

    assert frame.select(column("order")).first()[0] == "k"


def test_a_configured_order_decides_before_the_source_file_and_null_loses(spark):
    from etl_pipeline.config import OrderKey

    frame = spark.createDataFrame([
        ("k", "later receipt, older file", 5, JAN, JAN, 0), ("k", "earlier receipt, newer file", 3, FEB, FEB, 0),
        ("n", "null receipt, newer file", None, FEB, FEB, 0), ("n", "any receipt, older file", 1, JAN, JAN, 0),
        ("t", "tie, older file", 7, JAN, JAN, 0), ("t", "tie, newer file", 7, FEB, JAN, 0),
    ], "order string, version string, receipt int, "
       f"{ETL_SOURCE_MODIFIED_AT} timestamp, {ETL_EXTRACTED_AT} timestamp, {ETL_ROW_NUMBER} long")

    def winners(order) -> dict[str, str]:
        ranked = frame.withColumn("rank", F.row_number().over(newest_first(["order"], order=order)))
        return {r["order"]: r["version"] for r in ranked.where("rank = 1").collect()}

    assert winners((OrderKey("receipt", True),)) == {
        "k": "later receipt, older file", "n": "any receipt, older file", "t": "tie, newer file"}
    # ascending: the lowest value wins, NULL still loses
    assert winners((OrderKey("receipt", False),)) == {
        "k": "earlier receipt, newer file", "n": "any receipt, older file", "t": "tie, newer file"}
    assert winners(()) == {"k": "earlier receipt, newer file", "n": "null receipt, newer file", "t": "tie, newer file"}


def test_names_given_lists_the_checks_a_row_fails_in_order_and_nothing_for_a_row_that_fails_none(spark):
    frame = spark.createDataFrame([(-1, None), (5, "x"), (-2, "x")], "n int, t string")
    checks = [F.when(F.col("n") < 0, F.lit("n_negative")), F.when(F.col("t").isNull(), F.lit("t_missing")),
              F.when(F.col("n") % 2 == 0, F.lit("n_even"))]
    use_session_settings(spark)  # as the jobs run it: compiled, not interpreted
    try:
        listed = frame.select(names_given(checks).alias("failed"), names_given([]).alias("none")).collect()
    finally:
        for key in SESSION_SETTINGS:
            spark.conf.unset(key)
    assert [r["failed"] for r in listed] == [["n_negative", "t_missing"], [], ["n_negative", "n_even"]]
    assert [r["none"] for r in listed] == [[], [], []]
    assert frame.select(names_given([]).alias("none")).schema["none"].dataType.simpleString() == "array<string>"
