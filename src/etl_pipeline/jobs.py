"""The three jobs' bodies: what a Glue script calls between `job.init` and `job.commit`.

`run_job(stage, glue_context, args)` runs one stage for every selected dataset, reports the numbers,
and writes the run report to the processed zone, also when the run fails (then with the error, and
the exception goes on to fail the job, so `job.commit()` is never reached and no bookmark moves).
Each stage is one row of STAGES: how it builds its context from the job's arguments, the function
it runs per dataset, and what it does once every dataset is done.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Callable

from etl_pipeline import config as config_module
from etl_pipeline import metrics, storage
from etl_pipeline.config import ConfigError, PipelineConfig
from etl_pipeline.report import RunReport
from etl_pipeline.stages.extract import (ExtractContext, batch_id_for, extract_dataset, extract_started_at,
                                         save_watermarks)
from etl_pipeline.stages.load import LoadContext, load_dataset
from etl_pipeline.stages.transform import TransformContext, transform_dataset
from etl_pipeline.zones import Zones

LAST_SUCCESS_MARKER = "LAST_SUCCESS"


@dataclass(frozen=True)
class JobRun:
    """What every stage's context is built from."""

    glue_context: object
    args: dict
    config: PipelineConfig
    zones: Zones
    report: RunReport

    @property
    def spark(self):
        return self.glue_context.spark_session


def fallback_datasets(argument: str | None) -> bool | frozenset[str]:
    """--source_fallback: absent (read every source), `files` (every database or DynamoDB dataset with
    a source.fallback, from its files) or `files:a,b` (only datasets a and b)."""
    if not argument:
        return False
    if argument == "files":
        return True
    if argument.startswith("files:"):
        return frozenset(name.strip() for name in argument[len("files:"):].split(",") if name.strip())
    raise ConfigError(f"--source_fallback {argument!r}: expected files or files:<dataset>,<dataset>")


def _extract_context(run: JobRun) -> ExtractContext:
    """Arguments: env, config_path, raw_path, processed_path, quarantine_path, datasets, metrics_namespace; optional
    source_fallback=files reads JDBC datasets from their fallback files, files:a,b only datasets a and b."""
    marker = run.zones.reports("extract", LAST_SUCCESS_MARKER)
    last_success = storage.read_text(run.spark, marker).strip() if storage.exists(run.spark, marker) else None
    return ExtractContext(
        glue_context=run.glue_context, config=run.config, env=run.args["env"], zones=run.zones,
        batch_id=batch_id_for(run.args["JOB_NAME"], last_success), extracted_at=extract_started_at(),
        use_fallback=fallback_datasets(run.args.get("source_fallback")),
    )


def _extract_done(run: JobRun) -> None:
    # Written last: until it is, a rerun lands its batch under the same id, replacing this one's.
    storage.write_text(run.spark, run.zones.reports("extract", LAST_SUCCESS_MARKER), run.report.run_id + "\n")
    # After the marker: a crash in between reads the window again (counted as duplicates), never skips it.
    save_watermarks(run.spark, run.report.datasets)


def _transform_context(run: JobRun) -> TransformContext:
    """Arguments: env, config_path, processed_path, quarantine_path, datasets, metrics_namespace."""
    return TransformContext(glue_context=run.glue_context, zones=run.zones,
                            target_file_size_mb=run.config.target_file_size_mb)


def _load_context(run: JobRun) -> LoadContext:
    """Arguments: env, config_path, processed_path, curated_database, warehouse_connection (or none),
    warehouse_database, warehouse_schema, datasets, metrics_namespace, TempDir; the Iceberg catalog
    named in the config comes from the job's --conf."""
    run.zones.root("temp")  # Redshift staging: fail before reading anything without it
    return LoadContext(
        glue_context=run.glue_context, zones=run.zones, iceberg_catalog=run.config.iceberg_catalog,
        curated_database=run.args["curated_database"], target_file_size_mb=run.config.target_file_size_mb,
        warehouse_connection=run.args["warehouse_connection"], warehouse_database=run.args["warehouse_database"],
        warehouse_schema=run.args["warehouse_schema"],
    )


@dataclass(frozen=True)
class Stage:
    build_context: Callable[[JobRun], object]
    run_dataset: Callable[[object, object], dict]
    # What the stage does once every dataset is done (not after a failure).
    finish: Callable[[JobRun], None] = lambda run: None


STAGES = {
    "extract": Stage(_extract_context, extract_dataset, finish=_extract_done),
    "transform": Stage(_transform_context, transform_dataset),
    "load": Stage(_load_context, load_dataset),
}


def run_job(stage_name: str, glue_context, args: dict) -> RunReport:
    """Run one stage over the datasets `--datasets` selects; the run report is written either way."""
    stage = STAGES[stage_name]
    spark = glue_context.spark_session
    report = RunReport(stage=stage_name, job_name=args["JOB_NAME"],
                       run_id=args.get("JOB_RUN_ID") or f"jr_{uuid.uuid4().hex}")
    report_uri = None
    try:
        config = config_module.load_from_spark(spark, args["config_path"])
        zones = Zones.from_arguments(config, args)
        report_uri = zones.reports(stage_name, report.file_name)
        run = JobRun(glue_context, args, config, zones, report)
        context = stage.build_context(run)
        for dataset in config.select(args["datasets"]):
            numbers = stage.run_dataset(context, dataset)
            report.record(dataset.name, numbers)
            metrics.publish(args["metrics_namespace"], stage_name, args["env"], dataset.name, numbers)
        stage.finish(run)
    except BaseException as error:
        report.finish(error)
        if report_uri:
            report.write(spark, report_uri)
        raise
    report.finish()
    report.write(spark, report_uri)
    return report
