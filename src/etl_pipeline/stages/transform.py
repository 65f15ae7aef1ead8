"""The transform stage for one dataset: standardise, apply the rules, de-duplicate, and split.

The new landed rows are standardised (conformance: types, not-null, lengths), evaluated against the
dataset's DQDL ruleset (`quality.evaluate`: Glue Data Quality), classified, and written to three
outputs, under a batch id known before any pass (the landing folders the bookmarked read returned):
- valid rows      -> `<processed>/validated/<dataset>/batch_id=<id>/` (typed Parquet, PII masked)
- failed rows     -> `<quarantine>/<dataset>/rejected/batch_id=<id>/` (source text + failed rules)
- older versions  -> `<quarantine>/<dataset>/duplicates/batch_id=<id>/`
A rule with outcome `fail` that fails stops the dataset before anything is written; a failure
while writing removes what was written. Nothing is cached and nothing is counted apart: the valid
rows' write observes every row's outcome and rules on its way (Spark's `Observation`), the other
two writes follow only when they have rows, and each write counts the rows it writes. Rows read
must equal valid + quarantined + duplicates, or the dataset fails (and its files are read again by
the next run: etl_pipeline.retries).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from pyspark.sql import Column, DataFrame, Observation
from pyspark.sql import functions as F

from etl_pipeline import quality, storage
from etl_pipeline.batches import batch_folders, file_count, read_new_parquet, rows_per_file, write_counted
from etl_pipeline.columns import DUPLICATE, ETL_BATCH_ID, ETL_FAILED_RULES, ETL_OUTCOME, ETL_WARNED_RULES, \
    QUARANTINED, VALID, VERSION_COLUMNS
from etl_pipeline.config import DatasetConfig
from etl_pipeline.report import InvariantError, check_invariant
from etl_pipeline.retries import RunReads
from etl_pipeline.rows import (classify, conformance_rules, curated_columns, quarantine_columns, quarantined,
                               rounding_rules, standardise)
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
    evaluated, rule_outcomes = quality.evaluate(
        context.glue_context, schema.with_failures(standardise(schema.landed, dataset)), dataset,
        quality.publishing_options(dataset, context.zones.data_quality_results()))
    quality.check_fail_rules(dataset, rule_outcomes)
    landing_batches = landing_batch_ids(landed)
    batch_id = output_batch_id(landing_batches)
    outputs = {
        VALID: context.zones.validated(dataset, batch_id),
        QUARANTINED: context.zones.rejected(dataset, batch_id),
        DUPLICATE: context.zones.duplicates(dataset, batch_id),
    }
    classified = classify(evaluated, dataset)
    tallies = RuleTallies(failed=[*conformance_rules(schema.landed.columns, dataset), *schema.failures(),
                                  *quality.row_rule_names(dataset, "quarantine")],
                          warned=[*rounding_rules(dataset), *quality.row_rule_names(dataset, "warn")])
    counts = Observation(f"transform_{dataset.name}")
    outcome = F.col(ETL_OUTCOME)
    written: dict[str, int] = {}
    try:
        # The valid rows' write is the one pass over every classified row: it counts the outcomes and
        # each rule's rows on the way (nothing is cached, nothing counted apart). The quarantined and
        # duplicate rows' writes come after it, sized by its counts, and are skipped when empty.
        every_row = classified.observe(counts, *outcome_counts(), *tallies.metrics())
        valid_rows = validated_output(every_row.where(outcome == VALID), dataset)
        written[VALID] = write_counted(
            valid_rows, outputs[VALID], f"{VALID}_{dataset.name}",
            max_rows_per_file=rows_per_file(len(valid_rows.columns), context.target_file_size_mb))
        metrics = counts.get
        tallies.check(dataset.name, metrics)
        if written[VALID] == 0:
            storage.delete(spark, outputs[VALID])
        # The quarantined rows need no window: they failed a rule, whatever the other versions are.
        for kind, rows in ((QUARANTINED, quarantine_columns(quarantined(evaluated))),
                           (DUPLICATE, validated_output(classified.where(outcome == DUPLICATE), dataset))):
            if metrics[kind] == 0:
                storage.delete(spark, outputs[kind])  # what an earlier, failed attempt at this batch may have left
                written[kind] = 0
                continue
            files = file_count(metrics[kind], len(rows.columns), context.target_file_size_mb)
            written[kind] = write_counted(rows, outputs[kind], f"{kind}_{dataset.name}", files=files)
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
        "rule_failures": tallies.failed_counts(metrics),
        "schema_changes": [*schema.changes, *type_changes],
        "schema_change_count": len(schema.changes) + len(type_changes),
        "rule_warnings": tallies.warned_counts(metrics),
        "data_quality": quality.report(rule_outcomes),
        "landing_batches": landing_batches,
        "batch_id": batch_id,
        "validated": outputs[VALID],
        "nothing_new": False,
    }


def outcome_counts() -> list:
    outcome = F.col(ETL_OUTCOME)
    return [F.count(F.lit(1)).alias("rows"), F.count_if(outcome == VALID).alias(VALID),
            F.count_if(outcome == QUARANTINED).alias(QUARANTINED), F.count_if(outcome == DUPLICATE).alias(DUPLICATE)]


def landing_batch_ids(landed: DataFrame) -> list[str]:
    """The landed batches the rows come from, before any pass over them: the `batch_id=<id>` folders
    of the files the bookmarked read returned. A frame whose plan names no files (a reader that
    hands over rows, not files) costs one pass over its batch id column instead."""
    folders = batch_folders(landed)
    if folders:
        return sorted(folders)
    return sorted(row[0] for row in landed.select(ETL_BATCH_ID).distinct().collect())


@dataclass(frozen=True)
class RuleTallies:
    """How many rows name each rule, observed in the pass that classifies them: a failed rule among
    the quarantined rows, a warned rule among the others. Rule names are known before the pass
    (conformance, the schema plan, the DQDL ruleset), so each is one `count_if`."""

    failed: list[str]
    warned: list[str]

    def metrics(self) -> list[Column]:
        outcome, failed, warned = F.col(ETL_OUTCOME), F.col(ETL_FAILED_RULES), F.col(ETL_WARNED_RULES)
        quarantined, loaded = outcome == QUARANTINED, outcome != QUARANTINED
        return [*[F.count_if(quarantined & F.array_contains(failed, name)).alias(f"failed {name}")
                  for name in dict.fromkeys(self.failed)],
                *[F.count_if(loaded & F.array_contains(warned, name)).alias(f"warned {name}")
                  for name in dict.fromkeys(self.warned)],
                # Every name a row carries, to prove each was counted above.
                F.sum(F.when(quarantined, F.size(failed)).otherwise(0)).alias("failed names"),
                F.sum(F.when(loaded, F.size(warned)).otherwise(0)).alias("warned names")]

    def check(self, dataset: str, metrics: dict) -> None:
        for kind in ("failed", "warned"):
            counted = sum(self._counts(kind, metrics).values())
            if counted != (metrics[f"{kind} names"] or 0):
                raise InvariantError(
                    f"transform {dataset}: rows name {metrics[f'{kind} names']:,} {kind} rules in etl_{kind}_rules "
                    f"but the transform counted {counted:,} for the rules it knows ({', '.join(getattr(self, kind))}); "
                    f"a rule is added without its name being listed. This is a bug in the pipeline: please report it "
                    f"with the run report.")

    def failed_counts(self, metrics: dict) -> dict[str, int]:
        """Each failed rule's quarantined rows, most frequent first (rules no row failed left out)."""
        return self._counts("failed", metrics)

    def warned_counts(self, metrics: dict) -> dict[str, int]:
        return self._counts("warned", metrics)

    def _counts(self, kind: str, metrics: dict) -> dict[str, int]:
        counts = {name: metrics[f"{kind} {name}"] for name in dict.fromkeys(getattr(self, kind))}
        return dict(sorted(((n, c) for n, c in counts.items() if c), key=lambda item: (-item[1], item[0])))


def validated_output(rows: DataFrame, dataset: DatasetConfig) -> DataFrame:
    """Curated columns (PII masked) plus what the load needs to pick the newest version of a key."""
    return curated_columns(rows, dataset, extra=VERSION_COLUMNS)
