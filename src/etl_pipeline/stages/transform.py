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
import json
from dataclasses import dataclass
from functools import partial

from pyspark.sql import DataFrame, Observation
from pyspark.sql import functions as F

from etl_pipeline import storage
from etl_pipeline.batches import file_count, observed, read_new_parquet, write_counted
from etl_pipeline.columns import DUPLICATE, ETL_BATCH_ID, ETL_FAILED_RULES, ETL_OUTCOME, QUARANTINED, VALID, \
    VERSION_COLUMNS
from etl_pipeline.config import DatasetConfig
from etl_pipeline.quality import batch_metrics, check_dataset_rules
from etl_pipeline.report import check_invariant
from etl_pipeline.rows import classify, curated_columns, quarantine_columns, standardise
from etl_pipeline.schema_evolution import plan_source_schema, validated_type_changes
from etl_pipeline.zones import Zones


@dataclass(frozen=True)
class TransformContext:
    glue_context: object
    zones: Zones
    target_file_size_mb: int


def output_batch_id(landing_batch_ids: list[str]) -> str:
    """One id for the set of landed batches a run transforms: a rerun writes to the same folders."""
    ids = sorted(landing_batch_ids)
    if len(ids) == 1:
        return ids[0]
    return "m" + hashlib.sha256(",".join(ids).encode()).hexdigest()[:16]


def transform_dataset(context: TransformContext, dataset: DatasetConfig) -> dict:
    spark = context.glue_context.spark_session
    landed = read_new_parquet(context.glue_context, context.zones.landing(dataset), f"transform_{dataset.name}")
    if not landed.columns:
        return {"rows_read": 0, "nothing_new": True}

    # What each landed file's columns mean under the dataset's evolution policy; from here on the
    # dataset includes the new columns `add` brings in.
    schema = plan_source_schema(landed, dataset)
    types_uri = context.zones.validated_types(dataset)
    previous_types = json.loads(storage.read_text(spark, types_uri)) if storage.exists(spark, types_uri) else None
    type_changes = validated_type_changes(dataset, previous_types, schema.files)
    dataset = schema.dataset
    classified = classify(schema.with_failures(standardise(schema.landed, dataset)), dataset).persist()
    try:
        batch = Observation(f"transform_{dataset.name}")
        classified.observe(batch, *batch_metrics(dataset), F.collect_set(ETL_BATCH_ID).alias("batches")).count()
        metrics = observed(batch)
        batch_id = output_batch_id(metrics["batches"])
        outputs = {
            VALID: context.zones.validated(dataset, batch_id),
            QUARANTINED: context.zones.rejected(dataset, batch_id),
            DUPLICATE: context.zones.duplicates(dataset, batch_id),
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
            files = file_count(metrics[outcome], len(rows.columns), context.target_file_size_mb)
            written[outcome] = write_counted(rows, uri, files, f"{outcome}_{dataset.name}")

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
        # The types the curated table is now being given, for the next run's comparison.
        storage.write_text(spark, types_uri, json.dumps({c.name: c.type for c in (*dataset.columns, *dataset.derived)}))
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
        "schema_changes": [*schema.changes, *type_changes],
        "schema_change_count": len(schema.changes) + len(type_changes),
        "landing_batches": sorted(metrics["batches"]),
        "batch_id": batch_id,
        "validated": outputs[VALID],
        "nothing_new": False,
    }


def validated_output(rows: DataFrame, dataset: DatasetConfig) -> DataFrame:
    """Curated columns (PII masked) plus what the load needs to pick the newest version of a key."""
    return curated_columns(rows, dataset, extra=VERSION_COLUMNS)
