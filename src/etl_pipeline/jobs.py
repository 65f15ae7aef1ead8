"""The three jobs' bodies: what a Glue script runs after `job.init`, up to and with `job.commit`.

`run_job(stage, glue_context, args, job)` runs one stage for every selected dataset, each on its
own, reports the numbers, commits the job and writes the run report to the processed zone.

A dataset that fails does not stop the others. Its error is one line in the report and the log
(with the trace in the log), what it had written is removed, and the files it read in this run go
to its retry list (etl_pipeline.retries), because the commit moves every bookmark of the run. The
other datasets finish and are committed, and then the run fails (DatasetsFailedError) so the
workflow and the failed-runs alarm see it. Only when a failed dataset's input cannot be kept
aside (a database table, whose bookmark is a key value, not files; or files no reader can list)
does the run fail without committing, as a whole: its rerun reads every dataset's input again.

Each stage is one row of STAGES: how it builds its context from the job's arguments, the function
it runs per dataset, whether a failed dataset's input can be retried, and what it does once the
datasets are done.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Callable

from awsglue.job import Job

from etl_pipeline import config as config_module
from etl_pipeline import metrics, storage
from etl_pipeline.config import ConfigError, DatasetConfig, JdbcSource, PipelineConfig
from etl_pipeline.report import RunReport
from etl_pipeline.retries import RunReads
from etl_pipeline.stages.extract import (ExtractContext, batch_id_for, extract_dataset, extract_started_at,
                                         save_watermarks)
from etl_pipeline.stages.load import LoadContext, load_dataset
from etl_pipeline.stages.transform import TransformContext, transform_dataset
from etl_pipeline.zones import Zones

LAST_SUCCESS_MARKER = "LAST_SUCCESS"
# Spark SQL settings the jobs' plans were measured with, set on each job's session when it starts.
# They are runtime settings: set from the script, they apply on Glue as they do locally.
SESSION_SETTINGS = {
    # HotSpot does not compile a method of more than 8,000 bytes of bytecode: it stays interpreted. A
    # row's conformance checks (about 50 for TPC-H lineitem) make whole-stage code generation write
    # such methods, and Spark only falls back from it above 65,535 bytes (SPARK-23267,
    # apache/spark#20434). At 8,000 a stage that large runs as per-operator generated code, split
    # into methods the JIT compiles: standardising SF 1's landed rows took 27 s instead of 46 s
    # (docs/performance.md, "the checks compiled").
    "spark.sql.codegen.hugeMethodLimit": "8000",
}

logger = logging.getLogger("etl_pipeline")


def use_session_settings(spark) -> None:
    """Set SESSION_SETTINGS on the session (the jobs', and the benchmark's single Spark job)."""
    for key, value in SESSION_SETTINGS.items():
        spark.conf.set(key, value)


class DatasetsFailedError(RuntimeError):
    """Datasets failed in a job run; the message names each with its error and what became of its input."""


@dataclass(frozen=True)
class JobRun:
    """What every stage's context is built from."""

    glue_context: object
    args: dict
    config: PipelineConfig
    zones: Zones
    report: RunReport
    reads: RunReads

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
        use_fallback=fallback_datasets(run.args.get("source_fallback")), reads=run.reads,
    )


def _extract_retryable(context: ExtractContext, dataset: DatasetConfig) -> bool:
    """Files can be read again from a retry list; a database table's bookmark is a key value, so its
    rows cannot (a DynamoDB dataset's watermark only moves when it succeeds: nothing to retry)."""
    return not isinstance(dataset.source, JdbcSource) or context.falls_back(dataset)


def _extract_discard(context: ExtractContext, dataset: DatasetConfig) -> None:
    # The next batch gets a new id, so nothing would overwrite what the failed dataset landed.
    storage.delete(context.glue_context.spark_session, context.zones.landing(dataset, context.batch_id))


def _extract_done(run: JobRun) -> None:
    # Written once the datasets are done: until it is, a rerun lands its batch under the same id,
    # replacing this one's. A run that commits some datasets writes it too, or the next run would
    # land their new files over this run's batch before the transform has read it.
    storage.write_text(run.spark, run.zones.reports("extract", LAST_SUCCESS_MARKER), run.report.run_id + "\n")
    # After the marker: a crash in between reads the window again (counted as duplicates), never skips it.
    save_watermarks(run.spark, run.report.datasets)


def _transform_context(run: JobRun) -> TransformContext:
    """Arguments: env, config_path, processed_path, quarantine_path, datasets, metrics_namespace."""
    return TransformContext(glue_context=run.glue_context, zones=run.zones,
                            target_file_size_mb=run.config.target_file_size_mb, reads=run.reads)


def _load_context(run: JobRun) -> LoadContext:
    """Arguments: env, config_path, processed_path, curated_database, warehouse_connection (or none),
    warehouse_database, warehouse_schema, datasets, metrics_namespace, TempDir; the Iceberg catalog
    named in the config comes from the job's --conf."""
    run.zones.root("temp")  # Redshift staging: fail before reading anything without it
    return LoadContext(
        glue_context=run.glue_context, zones=run.zones, iceberg_catalog=run.config.iceberg_catalog,
        curated_database=run.args["curated_database"], target_file_size_mb=run.config.target_file_size_mb,
        warehouse_connection=run.args["warehouse_connection"], warehouse_database=run.args["warehouse_database"],
        warehouse_schema=run.args["warehouse_schema"], reads=run.reads,
    )


@dataclass(frozen=True)
class Stage:
    build_context: Callable[[JobRun], object]
    run_dataset: Callable[[object, DatasetConfig], dict]
    # What the stage does once the datasets are done, when the run commits.
    finish: Callable[[JobRun], None] = lambda run: None
    # Whether a failed dataset's input can go to a retry list (else the run commits nothing).
    retryable: Callable[[object, DatasetConfig], bool] = lambda context, dataset: True
    # Removes what a failed dataset wrote in this run (the transform removes its own half-written batch,
    # the load's Iceberg commit and warehouse transaction are whole or nothing).
    discard: Callable[[object, DatasetConfig], None] = lambda context, dataset: None


STAGES = {
    "extract": Stage(_extract_context, extract_dataset, finish=_extract_done, retryable=_extract_retryable,
                     discard=_extract_discard),
    "transform": Stage(_transform_context, transform_dataset),
    "load": Stage(_load_context, load_dataset),
}


def _first_line(error: BaseException) -> str:
    """The error in one line. A Java error's first line only says which call failed
    ("An error occurred while calling o123.save."): the Java exception's line follows it."""
    lines = [line.strip(" :") for line in str(error).strip().splitlines() if line.strip(" :")]
    if len(lines) > 1 and lines[0].startswith("An error occurred while calling"):
        lines = [f"{lines[0]} {lines[1]}"]
    return f"{type(error).__name__}: {lines[0] if lines else ''}"


def run_job(stage_name: str, glue_context, args: dict, job: Job) -> RunReport:
    """Run one stage over the datasets `--datasets` selects, each on its own, and commit the job
    (`job`: the script's awsglue.job.Job, initialised); the run report is written either way."""
    stage = STAGES[stage_name]
    spark = glue_context.spark_session
    use_session_settings(spark)
    report = RunReport(stage=stage_name, job_name=args["JOB_NAME"],
                       run_id=args.get("JOB_RUN_ID") or f"jr_{uuid.uuid4().hex}")
    report_uri = None
    try:
        config = config_module.load_from_spark(spark, args["config_path"])
        zones = Zones.from_arguments(config, args)
        report_uri = zones.reports(stage_name, report.file_name)
        run = JobRun(glue_context, args, config, zones, report, RunReads(spark, zones, stage_name))
        context = stage.build_context(run)
        failed: dict[str, BaseException] = {}
        for dataset in config.select(args["datasets"]):
            with run.reads.dataset(dataset.name):
                try:
                    numbers = stage.run_dataset(context, dataset)
                except Exception as error:  # noqa: BLE001 - one dataset's failure must not stop the others
                    logger.error("%s %s failed", stage_name, dataset.name, exc_info=error)
                    failed[dataset.name] = error
                    stage.discard(context, dataset)
                    continue
            numbers = {**numbers, **_retry_numbers(run.reads, dataset.name)}
            report.record(dataset.name, numbers)
            metrics.publish(args["metrics_namespace"], stage_name, args["env"], dataset.name, numbers)
        committable = _keep_failed_input(run, stage, context, failed)
        first_failure = next(iter(failed.values()), None)
        if failed and not committable:
            raise DatasetsFailedError(_failure_line(stage_name, report, committed=False)) from first_failure
        stage.finish(run)
        job.commit()
        run.reads.clear_retried(list(report.datasets))
        if failed:
            raise DatasetsFailedError(_failure_line(stage_name, report, committed=True)) from first_failure
    except BaseException as error:
        report.finish(error)
        if report_uri:
            report.write(spark, report_uri)
        raise
    report.finish()
    report.write(spark, report_uri)
    return report


def _keep_failed_input(run: JobRun, stage: Stage, context, failed: dict[str, BaseException]) -> bool:
    """Report each failed dataset and keep the files it read in its retry lists; False when some
    failed dataset's input cannot be kept, and the run must then commit nothing (no list is written)."""
    entries = {name: {"error": _first_line(error)} for name, error in failed.items()}
    for name, entry in entries.items():
        if not stage.retryable(context, run.config.datasets[name]):
            entry["not_kept"] = "it reads a database table, whose bookmark is a key value, not files"
    if not any("not_kept" in entry for entry in entries.values()):
        for name, entry in entries.items():
            try:
                entry["retry_lists"] = run.reads.keep_for_retry(name, run.report.run_id, entry["error"])
            except Exception as listing:  # noqa: BLE001 - then nothing may be committed; the reason is reported
                logger.error("%s %s: cannot list the files it read", run.report.stage, name, exc_info=listing)
                entry["not_kept"] = f"its files cannot be listed ({_first_line(listing)})"
                break
    for name, entry in entries.items():
        run.report.record_failure(name, entry)
    return not any("not_kept" in entry for entry in entries.values())


def _retry_numbers(reads: RunReads, dataset: str) -> dict:
    numbers = {}
    retried = reads.retried_files(dataset)
    if retried:
        numbers["retried_files"] = retried
    if reads.warnings.get(dataset):
        numbers["retry_warnings"] = reads.warnings[dataset]
    return numbers


def _failure_line(stage: str, report: RunReport, committed: bool) -> str:
    """One line: which datasets failed and why, and what the run did with the others' work and their input."""
    failures = "; ".join(f"{name}: {entry['error']}" for name, entry in report.failed.items())
    if committed:
        return (f"{stage}: {len(report.failed)} dataset(s) failed ({failures}). The other {len(report.datasets)} "
                f"were committed; the failed datasets' files are kept in their retry lists "
                f"(processed/_state/retry/{stage}/) and read again by the next run: fix the cause (the trace is in "
                f"the log, the run report lists each dataset), then rerun the {stage} job")
    unkept = ", ".join(f"{name} ({entry['not_kept']})" for name, entry in report.failed.items() if "not_kept" in entry)
    return (f"{stage}: {len(report.failed)} dataset(s) failed ({failures}). Nothing was committed, because the "
            f"input of {unkept} cannot be kept aside: fix the cause (the trace is in the log), then rerun the "
            f"{stage} job, which reads every dataset's input again")
