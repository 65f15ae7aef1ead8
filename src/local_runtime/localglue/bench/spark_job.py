"""(A) One well-written PySpark job doing the pipeline's work in one pass: read the CSV files as
text, type, derive, check the rules, keep the winning version of each key (the latest l_receiptdate,
then the newest file) with one window, and write
valid, quarantined and duplicate rows as one Parquet dataset partitioned by outcome.

    python -m localglue.bench.spark_job INPUT_FOLDER OUTPUT_FOLDER [EVENT_LOG_FOLDER]
"""

from __future__ import annotations

import sys
from pathlib import Path

from pyspark.sql import Column, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql.types import StringType, StructField, StructType

from etl_pipeline.columns import names_given
from etl_pipeline.jobs import use_session_settings
from localglue.bench.lineitem import COLUMNS, DERIVED, INTEGER_TEXT, INTEGRAL_TYPES, ORDER_BY, PRIMARY_KEY, ROW_RULES
from localglue.services.environment import configure


def typed(name: str, type_: str) -> Column:
    if type_ in INTEGRAL_TYPES:  # through DECIMAL, as the pipeline reads "517.0" as 517
        return F.expr(f"try_cast(try_cast({name} AS DECIMAL(38,6)) AS {type_})")
    return F.expr(f"try_cast({name} AS {type_})") if type_ != "string" else F.col(name)


def failures(name: str, type_: str, nullable: bool, max_length: int | None) -> list[Column]:
    text = F.col(f"text.{name}")
    found = []
    if type_ != "string":
        bad = text.isNotNull() & F.col(name).isNull()
        if type_ in INTEGRAL_TYPES:
            bad = bad | (text.isNotNull() & ~text.rlike(INTEGER_TEXT))
        found.append(F.when(bad, F.lit(f"{name}_is_{type_.split('(')[0]}")))
    if not nullable or name in PRIMARY_KEY:
        found.append(F.when(text.isNull(), F.lit(f"{name}_not_null")))
    if max_length:
        found.append(F.when(F.length(text) > max_length, F.lit(f"{name}_max_length")))
    return found


def main(input_folder: str, output_folder: str, event_logs: str | None = None) -> None:
    # Java 17, the local folders and the Spark settings (master, driver memory, shuffle partitions)
    # the pipeline's jobs get: the two differ in the work they do, not in the Spark they run on.
    configure()
    builder = SparkSession.builder
    if event_logs:
        Path(event_logs).mkdir(parents=True, exist_ok=True)
        builder = builder.config("spark.eventLog.enabled", "true").config("spark.eventLog.dir", event_logs)
    spark = builder.appName("bench-single-spark-job").getOrCreate()
    use_session_settings(spark)  # the pipeline jobs' Spark SQL settings
    schema = StructType([StructField(c.name, StringType()) for c in COLUMNS])  # no inference pass
    text = (spark.read.schema(schema).option("header", True).csv(f"{input_folder}/*.csv")
            .select(F.struct(*[c.name for c in COLUMNS]).alias("text"),
                    F.col("_metadata.file_modification_time").alias("file_modified_at")))
    rows = text.select("*", *[typed(f"text.{c.name}", c.type).alias(c.name) for c in COLUMNS])
    for name, type_, spark_sql, _ in DERIVED:  # in order: one may use another
        rows = rows.select("*", F.expr(spark_sql).cast(type_).alias(name))
    checks = [f for c in COLUMNS for f in failures(c.name, c.type, c.nullable, c.max_length)]
    checks += [F.when(~F.coalesce(F.expr(check), F.lit(False)), F.lit(name)) for name, check in ROW_RULES]
    rows = rows.withColumn("failed_rules", names_given(checks))  # compiled, as the pipeline's
    failed = F.size("failed_rules") > 0
    column, direction = ORDER_BY
    newest = Window.partitionBy(failed, *PRIMARY_KEY).orderBy(
        F.col(column).desc_nulls_last() if direction == "desc" else F.col(column).asc_nulls_last(),
        F.col("file_modified_at").desc())
    outcome = (F.when(failed, "quarantined").when(F.row_number().over(newest) == 1, "valid").otherwise("duplicate"))
    classified = rows.withColumn("outcome", outcome)
    # Valid rows carry their typed values; the others their source text and failed rules.
    other = F.col("outcome") != "valid"
    output = classified.select(
        *[F.when(~other, F.col(name)).alias(name) for name in [c.name for c in COLUMNS] + [d[0] for d in DERIVED]],
        F.when(other, F.to_json("text")).alias("source_text"),
        F.when(other, F.col("failed_rules")).alias("failed_rules"), "outcome")
    output.write.mode("overwrite").partitionBy("outcome").parquet(output_folder)
    spark.stop()


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        raise SystemExit(__doc__)
    main(*sys.argv[1:])
