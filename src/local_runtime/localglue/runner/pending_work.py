"""Whether a job has anything to read, decided from its committed bookmarks and a listing of the
local lake before Spark starts.

A job run with nothing new still pays for a JVM and a SparkSession (about 10 s a job here, most of
a no-op rerun). A job's reads are bookmarked S3 reads (`etl_pipeline.retries`, `stages.*`), so what
it would read is known without Spark: the files under each read's folder that its bookmark has not
seen, plus a retry list a failed earlier run left. When no selected dataset has any, `run_job` says
so and starts nothing: the job's outcome (nothing read, nothing written, the bookmark unchanged) is
the one the run would have had. Anything this module cannot decide without reading a source (a
database table, a DynamoDB table) counts as work, and so does a bookmark option other than enable
or pause.

On AWS a job run always starts its Spark driver, so there the equivalent is not to start the run:
a workflow started by S3 events instead of a schedule (docs/performance.md).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from etl_pipeline.config import DatasetConfig
from etl_pipeline.jobs import fallback_datasets
from etl_pipeline.retries import retry_uri
from etl_pipeline.storage import writing_name
from etl_pipeline.stages.extract import REASON_SUFFIX, file_read
from localglue.runner.deployment import LocalDeployment, argument_value
from localglue.services import lake
from localglue.services.bookmarks import DISABLE, BookmarkSession, BookmarkStore, new_files


@dataclass(frozen=True)
class DatasetWork:
    dataset: str
    reason: str      # why the job must start for it, or what it found when it need not
    pending: bool


def pending_work(pipeline: LocalDeployment, stage: str, arguments: list[str]) -> list[DatasetWork]:
    """For each dataset the job's arguments select, whether the job would read anything for it."""
    bookmarks = BookmarkSession(BookmarkStore(pipeline.settings.bookmarks_root), argument_value(arguments, "--JOB_NAME"),
                                "precheck", argument_value(arguments, "--job-bookmark-option"))
    zones = pipeline.zones()
    datasets = pipeline.config.select(argument_value(arguments, "--datasets"))
    fallback = fallback_datasets(argument_value(arguments, "--source_fallback")
                                 if "--source_fallback" in arguments else None)
    work = []
    for dataset in datasets:
        if bookmarks.option == DISABLE:
            work.append(DatasetWork(dataset.name, "job bookmarks disabled: every file is read", True))
            continue
        if stage == "extract":
            read = file_read(dataset, fallback)
            if read is None:
                work.append(DatasetWork(dataset.name, "a database or DynamoDB source: only a read can tell", True))
                continue
            files, context = read
            folder, excluded = zones.raw_files(files), _set_aside_files(pipeline, zones.unreadable(dataset))
        else:
            folder = zones.landing(dataset) if stage == "transform" else zones.validated(dataset)
            context, excluded = f"{stage}_{dataset.name}", set()
        work.append(_files_work(pipeline, dataset, stage, folder, context, excluded, bookmarks))
    return work


def _set_aside_files(pipeline: LocalDeployment, unreadable_folder: str) -> set[str]:
    """The source files extract set aside as unreadable (kept out of every later read)."""
    folder = lake.to_local_path(pipeline.settings.lake_root, unreadable_folder)
    if not folder.exists():
        return set()
    return {json.loads(path.read_text())["file"] for path in folder.rglob(f"*{REASON_SUFFIX}")}


def _files_work(pipeline: LocalDeployment, dataset: DatasetConfig, stage: str, folder: str, context: str,
                excluded: set[str], bookmarks: BookmarkSession) -> DatasetWork:
    retry = retry_uri(pipeline.zones(), stage, context)
    retry_path = lake.to_local_path(pipeline.settings.lake_root, retry)
    # An atomic write goes through a hidden sibling (etl_pipeline.storage): either one is a list.
    if retry_path.exists() or retry_path.with_name(writing_name(retry_path.name)).exists():
        return DatasetWork(dataset.name, f"a failed earlier run left files to read again ({retry})", True)
    listed = [f for f in lake.list_files(pipeline.settings.lake_root, [folder]) if f.uri not in excluded]
    new = new_files(bookmarks.state(context), listed)
    if new:
        return DatasetWork(dataset.name, f"{len(new)} file(s) under {folder} not in the bookmark of {context}", True)
    return DatasetWork(dataset.name, f"the bookmark of {context} holds all {len(listed)} file(s) under {folder}",
                       False)
