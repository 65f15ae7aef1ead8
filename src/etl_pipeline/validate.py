"""The transform stage for one dataset: standardise, apply the rules, de-duplicate, and split.

One pass over the new landed rows: they are standardised and classified once, kept in memory, and
the three outputs are written from there:
- valid rows      -> `<processed>/validated/<dataset>/batch_id=<id>/` (typed Parquet, PII masked)
- failed rows     -> `<quarantine>/<dataset>/rejected/batch_id=<id>/` (source text + failed rules)
- older versions  -> `<quarantine>/<dataset>/duplicates/batch_id=<id>/`
The outcome counts and the dataset rules' measures are observed during that pass, and the rows
written to each output are counted as they are written: rows read must equal valid + quarantined
+ duplicates, or the run fails before its bookmark is committed.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from functools import partial

from pyspark.sql import DataFrame, Observation
from pyspark.sql import functions as F

from etl_pipeline import storage
from etl_pipeline.config import DatasetConfig, PipelineConfig
from etl_pipeline.quality import batch_metrics, check_dataset_rules
from etl_pipeline.report import check_invariant, counted, observed
from etl_pipeline.transform import (DUPLICATE, ETL_BATCH_ID, ETL_FAILED_RULES, ETL_OUTCOME, ETL_ROW_NUMBER,
                                    ETL_SOURCE_MODIFIED_AT, QUARANTINED, VALID, classify, curated_columns,
                                    quarantine_columns, standardise)

# A pessimistic size of one value in Parquet, to turn a row count into a file count.
ESTIMATED_BYTES_PER_VALUE = 8


@dataclass(frozen=True)
class TransformContext:
    glue_context: object
    config: PipelineConfig
    processed_path: str
    quarantine_path: str


def output_batch_id(landing_batch_ids: list[str]) -> str:
    """One id for the set of landed batches a run transforms: a rerun writes to the same folders."""
    ids = sorted(landing_batch_ids)
    if len(ids) == 1:
        return ids[0]
    return "m" + hashlib.sha256(",".join(ids).encode()).hexdigest()[:16]


def file_count(rows: int, columns: int, target_file_size_mb: int) -> int:
    estimated_bytes = rows * columns * ESTIMATED_BYTES_PER_VALUE
    return max(1, math.ceil(estimated_bytes / (target_file_size_mb * 1024 * 1024)))


def _write_counted(frame: DataFrame, uri: str, files: int, name: str) -> int:
    """Write a frame as the whole content of uri and return the rows written."""
    frame, observation = counted(frame, name)
    frame.coalesce(files).write.mode("overwrite").parquet(uri)
    return observation.get["rows"]


def read_new_parquet(glue_context, uri: str, transformation_ctx: str) -> DataFrame:
    """The Parquet files under uri that the job's bookmark has not seen (no columns when none)."""
    return glue_context.create_dynamic_frame.from_options(
        connection_type="s3", connection_options={"paths": [uri], "recurse": True},
        format="parquet", transformation_ctx=transformation_ctx,
    ).toDF()


def transform_dataset(context: TransformContext, dataset: DatasetConfig) -> dict:
    spark = context.glue_context.spark_session
    landing_uri = storage.join_uri(context.processed_path, context.config.landing_prefix, dataset.name) + "/"
    landed = read_new_parquet(context.glue_context, landing_uri, f"transform_{dataset.name}")
    if not landed.columns:
        return {"rows_read": 0, "nothing_new": True}

    classified = classify(standardise(landed, dataset), dataset).persist()
    try:
        batch = Observation(f"transform_{dataset.name}")
        classified.observe(batch, *batch_metrics(dataset), F.collect_set(ETL_BATCH_ID).alias("batches")).count()
        metrics = observed(batch)
        batch_id = output_batch_id(metrics["batches"])
        outputs = {
            VALID: storage.join_uri(context.processed_path, context.config.validated_prefix, dataset.name,
                                    f"batch_id={batch_id}"),
            QUARANTINED: storage.join_uri(context.quarantine_path, dataset.name, "rejected", f"batch_id={batch_id}"),
            DUPLICATE: storage.join_uri(context.quarantine_path, dataset.name, "duplicates", f"batch_id={batch_id}"),
        }
        shapes = {VALID: partial(validated_output, dataset=dataset), QUARANTINED: quarantine_columns,
                  DUPLICATE: partial(validated_output, dataset=dataset)}
        written: dict[str, int] = {}
        rule_failures: dict[str, int] = {}

        def write(outcome: str) -> None:
            uri = outputs[outcome]
            if metrics[outcome] == 0:
                storage.delete(spark, uri)  # what an earlier, failed attempt at this batch may have left
                written[outcome] = 0
                return
            rows = shapes[outcome](classified.where(F.col(ETL_OUTCOME) == outcome))
            files = file_count(metrics[outcome], len(rows.columns), context.config.target_file_size_mb)
            written[outcome] = _write_counted(rows, uri, files, f"{outcome}_{dataset.name}")

        write(QUARANTINED)
        if metrics[QUARANTINED]:
            failures = (classified.where(F.col(ETL_OUTCOME) == QUARANTINED)
                        .select(F.explode(ETL_FAILED_RULES).alias("rule")).groupBy("rule").count().collect())
            rule_failures = {row["rule"]: row["count"] for row in sorted(failures, key=lambda r: (-r["count"], r["rule"]))}
        rule_results = check_dataset_rules(dataset, metrics)
        write(VALID)
        write(DUPLICATE)
        check_invariant("transform", dataset.name, metrics["rows"],
                        {"valid": written[VALID], "quarantined": written[QUARANTINED],
                         "duplicates": written[DUPLICATE]})
    finally:
        classified.unpersist()
    return {
        "rows_read": metrics["rows"],
        "rows_valid": written[VALID],
        "rows_quarantined": written[QUARANTINED],
        "duplicates_removed": written[DUPLICATE],
        "rule_failures": rule_failures,
        "dataset_rules": {r.name: {"passed": r.passed, "measured": r.measured, "expected": r.expected}
                          for r in rule_results},
        "landing_batches": sorted(metrics["batches"]),
        "batch_id": batch_id,
        "validated": outputs[VALID],
        "nothing_new": False,
    }


def validated_output(rows: DataFrame, dataset: DatasetConfig) -> DataFrame:
    """Curated columns (PII masked) plus what the load needs to pick the newest version of a key."""
    return curated_columns(rows, dataset, extra=(ETL_SOURCE_MODIFIED_AT, ETL_ROW_NUMBER))
