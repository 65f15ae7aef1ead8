"""The transform stage for one dataset: standardise, apply the rules, de-duplicate, and split.

The new landed rows are standardised (conformance: types, not-null, lengths), evaluated against the
dataset's DQDL ruleset (`quality.evaluate`: Glue Data Quality), classified once, kept on local disk, and
the three outputs are written from there:
- valid rows      -> `<processed>/validated/<dataset>/batch_id=<id>/` (typed Parquet, PII masked)
- failed rows     -> `<quarantine>/<dataset>/rejected/batch_id=<id>/` (source text + failed rules)
- older versions  -> `<quarantine>/<dataset>/duplicates/batch_id=<id>/`
A rule with outcome `fail` that fails stops the dataset before anything is written; a failure
while writing removes what was written. The outcome and rule counts come from the pass that
classifies the rows into the cache, and the rows written to each output are counted as they are
written (observed on the writes): rows read must equal
valid + quarantined + duplicates, or the dataset fails (and its files are read again by the next
run: etl_pipeline.retries).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from functools import partial

from pyspark import StorageLevel
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from etl_pipeline import quality, storage
from etl_pipeline.batches import file_count, read_new_parquet, write_counted
from etl_pipeline.columns import DUPLICATE, ETL_BATCH_ID, ETL_FAILED_RULES, ETL_OUTCOME, ETL_WARNED_RULES, \
    QUARANTINED, VALID, VERSION_COLUMNS
from etl_pipeline.config import DatasetConfig
from etl_pipeline.report import check_invariant
from etl_pipeline.retries import RunReads
from etl_pipeline.rows import classify, curated_columns, quarantine_columns, standardise
from etl_pipeline.schema_evolution import plan_source_schema, validated_type_changes
from etl_pipeline.zones import Zones


@dataclass(frozen=True)
class TransformContext:
    glue_context: object
    zones: Zones
    target_file_size_mb: int
    # The job run's bookmarked reads and retry lists (etl_pipeline.retries); None outside a job run.
    reads: RunReads | None = None


def output_batch_id(landing_batch_ids: list[str]) -> str:
    """One id for the set of landed batches a run transforms: a rerun writes to the same folders."""
    ids = sorted(landing_batch_ids)
    if len(ids) == 1:
        return ids[0]
    return "m" + hashlib.sha256(",".join(ids).encode()).hexdigest()[:16]


def transform_dataset(context: TransformContext, dataset: DatasetConfig) -> dict:
    spark = context.glue_context.spark_session
    landed = read_new_parquet(context.glue_context, context.zones.landing(dataset), f"transform_{dataset.name}",
                              reads=context.reads)
    if not landed.columns:
        return {"rows_read": 0, "nothing_new": True}

    # What each landed file's columns mean under the dataset's evolution policy; from here on the
    # dataset includes the new columns `add` brings in.
    schema = plan_source_schema(landed, dataset)
    types_uri = context.zones.validated_types(dataset)
    previous_types = json.loads(storage.read_text(spark, types_uri)) if storage.exists(spark, types_uri) else None
    type_changes = validated_type_changes(dataset, previous_types, schema.files)
    dataset = schema.dataset
    with ExitStack() as caches:
        standardised = schema.with_failures(standardise(schema.landed, dataset))
        if dataset.quality_rules:
            # Glue Data Quality passes over the rows twice (the ruleset's dataset-level metrics, then the
            # row-level outcomes), and each pass would read and standardise the landed rows again
            # (benchmark, SF 1: standardise + rules + classify 121 s without this cache, 66 s with it).
            standardised = caches.enter_context(kept_on_disk(standardised))
        evaluated, rule_outcomes = quality.evaluate(
            context.glue_context, standardised, dataset,
            quality.publishing_options(dataset, context.zones.data_quality_results()))
        quality.check_fail_rules(dataset, rule_outcomes)
        # The classified rows are read back by each of the three writes.
        classified = caches.enter_context(kept_on_disk(classify(evaluated, dataset)))
        # One pass fills the cache and counts the outcomes, the landed batches and the rules.
        metrics, rule_failures, rule_warnings = classified_counts(classified)
        batch_id = output_batch_id(metrics["batches"])
        outputs = {
            VALID: context.zones.validated(dataset, batch_id),
            QUARANTINED: context.zones.rejected(dataset, batch_id),
            DUPLICATE: context.zones.duplicates(dataset, batch_id),
        }
        shapes = {VALID: partial(validated_output, dataset=dataset), QUARANTINED: quarantine_columns,
                  DUPLICATE: partial(validated_output, dataset=dataset)}
        written: dict[str, int] = {}

        def write(outcome: str) -> None:
            uri = outputs[outcome]
            if metrics[outcome] == 0:
                storage.delete(spark, uri)  # what an earlier, failed attempt at this batch may have left
                written[outcome] = 0
                return
            rows = shapes[outcome](classified.where(F.col(ETL_OUTCOME) == outcome))
            files = file_count(metrics[outcome], len(rows.columns), context.target_file_size_mb)
            written[outcome] = write_counted(rows, uri, files, f"{outcome}_{dataset.name}")

        try:
            write(QUARANTINED)
            write(VALID)
            write(DUPLICATE)
            check_invariant("transform", dataset.name, metrics["rows"],
                            {"valid": written[VALID], "quarantined": written[QUARANTINED],
                             "duplicates": written[DUPLICATE]})
        except BaseException:
            # Half a batch must not stay behind: the load would read it, and the retry (with newer
            # landed batches, so under another batch id) would not overwrite it.
            for uri in outputs.values():
                storage.delete(spark, uri)
            raise
        # The types the curated table is now being given, for the next run's comparison.
        storage.write_text(spark, types_uri, json.dumps({c.name: c.type for c in (*dataset.columns, *dataset.derived)}))
    return {
        "rows_read": metrics["rows"],
        "rows_valid": written[VALID],
        "rows_quarantined": written[QUARANTINED],
        "duplicates_removed": written[DUPLICATE],
        "rule_failures": rule_failures,
        "schema_changes": [*schema.changes, *type_changes],
        "schema_change_count": len(schema.changes) + len(type_changes),
        "rule_warnings": rule_warnings,
        "data_quality": quality.report(rule_outcomes),
        "landing_batches": sorted(metrics["batches"]),
        "batch_id": batch_id,
        "validated": outputs[VALID],
        "nothing_new": False,
    }


@contextmanager
def kept_on_disk(frame: DataFrame) -> Iterator[DataFrame]:
    """The frame cached on the executors' local disk while the block runs. On disk, not in the heap:
    held in memory, the classified rows took about 12 times their Parquet size and SF 1 of the
    benchmark ran out of a 4 GB driver's heap (docs/performance.md); Spark's memory then holds only
    what a task works on."""
    kept = frame.persist(StorageLevel.DISK_ONLY)
    try:
        yield kept
    finally:
        kept.unpersist()


def classified_counts(classified: DataFrame) -> tuple[dict, dict[str, int], dict[str, int]]:
    """From one aggregation over the classified rows: rows in all and per outcome, the landed batch
    ids ("batches"); per rule, how many quarantined rows failed it, and how many of the other rows
    (valid or duplicate) it warned about, each most frequent first.

    An aggregation, not an Observation on it: an Observation below the aggregation's shuffle was
    not always reported (a test's `Observation.get` waited forever), and the rule counts need the
    aggregation anyway."""
    quarantined = F.col(ETL_OUTCOME) == QUARANTINED
    rules = F.coalesce(F.when(quarantined, F.col(ETL_FAILED_RULES)).otherwise(F.col(ETL_WARNED_RULES)),
                       F.array().cast("array<string>"))
    # A NULL rule first: every row counts once under its outcome, then once for each rule it names.
    named = classified.select(ETL_BATCH_ID, ETL_OUTCOME,
                              F.explode(F.concat(F.array(F.lit(None).cast("string")), rules)).alias("rule"))
    groups = named.groupBy(ETL_BATCH_ID, ETL_OUTCOME, "rule").count().collect()
    metrics = {"rows": 0, VALID: 0, QUARANTINED: 0, DUPLICATE: 0, "batches": sorted({g[ETL_BATCH_ID] for g in groups})}
    failures: dict[str, int] = {}
    warnings: dict[str, int] = {}
    for group in groups:
        if group["rule"] is None:
            metrics["rows"] += group["count"]
            metrics[group[ETL_OUTCOME]] += group["count"]
        else:
            named_in = failures if group[ETL_OUTCOME] == QUARANTINED else warnings
            named_in[group["rule"]] = named_in.get(group["rule"], 0) + group["count"]
    return metrics, most_frequent_first(failures), most_frequent_first(warnings)


def most_frequent_first(counts: dict[str, int]) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def validated_output(rows: DataFrame, dataset: DatasetConfig) -> DataFrame:
    """Curated columns (PII masked) plus what the load needs to pick the newest version of a key."""
    return curated_columns(rows, dataset, extra=VERSION_COLUMNS)
