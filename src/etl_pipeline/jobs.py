"""The three jobs' bodies: what a Glue script calls between `job.init` and `job.commit`.

Each runs its stage for every selected dataset, reports the numbers, and writes the run report
to the processed zone, also when the run fails (then with the error, and the exception goes on
to fail the job, so `job.commit()` is never reached and no bookmark moves).
"""

from __future__ import annotations

import uuid
from typing import Callable

from etl_pipeline import config as config_module
from etl_pipeline import metrics
from etl_pipeline import storage
from etl_pipeline.config import DatasetConfig, PipelineConfig
from etl_pipeline.extract import ExtractContext, batch_id_for, extract_dataset, extract_started_at
from etl_pipeline.load import LoadContext, load_dataset
from etl_pipeline.report import RunReport
from etl_pipeline.validate import TransformContext, transform_dataset

LAST_SUCCESS_MARKER = "LAST_SUCCESS"


def _run(stage: str, glue_context, args: dict, body: Callable[[PipelineConfig, RunReport], None]) -> RunReport:
    spark = glue_context.spark_session
    report = RunReport(stage=stage, job_name=args["JOB_NAME"],
                       run_id=args.get("JOB_RUN_ID") or f"jr_{uuid.uuid4().hex}")
    reports_uri = None
    try:
        pipeline = config_module.load_from_spark(spark, args["config_path"])
        reports_uri = storage.join_uri(args["processed_path"], pipeline.reports_prefix)
        body(pipeline, report)
    except BaseException as error:
        report.finish(error)
        if reports_uri:
            report.write(spark, reports_uri)
        raise
    report.finish()
    report.write(spark, reports_uri)
    return report


def _each_dataset(pipeline: PipelineConfig, args: dict, report: RunReport,
                  step: Callable[[DatasetConfig], dict]) -> None:
    for dataset in pipeline.select(args["datasets"]):
        numbers = step(dataset)
        report.record(dataset.name, numbers)
        metrics.publish(args["metrics_namespace"], report.stage, args["env"], dataset.name, numbers)


def run_extract(glue_context, args: dict) -> RunReport:
    """Land what is new in each source. Arguments: env, config_path, raw_path, processed_path,
    datasets, metrics_namespace; optional source_fallback=files reads JDBC datasets from their
    fallback files."""

    def body(pipeline: PipelineConfig, report: RunReport) -> None:
        spark = glue_context.spark_session
        marker = storage.join_uri(args["processed_path"], pipeline.reports_prefix, "extract", LAST_SUCCESS_MARKER)
        last_success = storage.read_text(spark, marker).strip() if storage.exists(spark, marker) else None
        context = ExtractContext(
            glue_context=glue_context, config=pipeline, env=args["env"], raw_path=args["raw_path"],
            processed_path=args["processed_path"], batch_id=batch_id_for(args["JOB_NAME"], last_success),
            extracted_at=extract_started_at(), use_fallback=args.get("source_fallback") == "files",
        )
        _each_dataset(pipeline, args, report, lambda dataset: extract_dataset(context, dataset))
        # Written last: until it is, a rerun lands its batch under the same id, replacing this one's.
        storage.write_text(spark, marker, report.run_id + "\n")

    return _run("extract", glue_context, args, body)


def run_transform(glue_context, args: dict) -> RunReport:
    """Validate and clean the new landed batches. Arguments: env, config_path, processed_path,
    quarantine_path, datasets, metrics_namespace."""

    def body(pipeline: PipelineConfig, report: RunReport) -> None:
        context = TransformContext(glue_context=glue_context, config=pipeline,
                                   processed_path=args["processed_path"], quarantine_path=args["quarantine_path"])
        _each_dataset(pipeline, args, report, lambda dataset: transform_dataset(context, dataset))

    return _run("transform", glue_context, args, body)


def run_load(glue_context, args: dict) -> RunReport:
    """Upsert the new validated rows into the curated zone and the warehouse. Arguments: env,
    config_path, processed_path, curated_path, curated_database, warehouse_connection (or none),
    warehouse_database, warehouse_schema, datasets, metrics_namespace, TempDir."""

    def body(pipeline: PipelineConfig, report: RunReport) -> None:
        if not args.get("TempDir"):
            raise ValueError("the load job needs --TempDir (an s3:// folder for checkpoints and Redshift staging)")
        spark = glue_context.spark_session
        checkpoints = storage.join_uri(args["TempDir"], "checkpoints", report.run_id)
        spark.sparkContext.setCheckpointDir(checkpoints)
        context = LoadContext(
            glue_context=glue_context, config=pipeline, processed_path=args["processed_path"],
            curated_path=args["curated_path"], curated_database=args["curated_database"],
            warehouse_connection=args["warehouse_connection"], warehouse_database=args["warehouse_database"],
            warehouse_schema=args["warehouse_schema"], temp_dir=args["TempDir"],
        )
        try:
            _each_dataset(pipeline, args, report, lambda dataset: load_dataset(context, dataset))
        finally:
            storage.delete(spark, checkpoints)

    return _run("load", glue_context, args, body)
