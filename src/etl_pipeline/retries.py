"""Retry lists: the input files of a dataset that failed in a job run whose other datasets went on.

Glue keeps one job bookmark per `transformation_ctx`, and `job.commit()` persists all of a run's
(https://docs.aws.amazon.com/glue/latest/dg/monitor-continuations.html): there is no committing some
and not others. A job run carries each dataset on its own, so when one fails the run still commits
(the others must not be read again), and the bookmark then moves past the files the failed dataset
read. Those files are kept here, at `<processed>/_state/retry/<stage>/<transformation_ctx>.json`
(written atomically, read through `storage`, so the same on S3 and locally), and the next run reads
them again beside what is new; the entry is cleared once its dataset succeeds and the run commits.

A retry entry lists each file with its modification time. A file that is gone by the next run is
dropped from the list (with a warning in the run report); a file replaced since (a newer
modification time) is dropped too, because the bookmark already reads it again as a new file.
"""

from __future__ import annotations

import json
import logging
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, Iterator

from pyspark.sql import DataFrame

from etl_pipeline import storage
from etl_pipeline.zones import Zones

logger = logging.getLogger("etl_pipeline")

# The column a retryable read attaches (Glue's `attachFilename`) when the stage does not name its own.
READ_FILE = "_etl_read_file"


def retry_uri(zones: Zones, stage: str, transformation_ctx: str) -> str:
    return storage.join_uri(zones.root("processed"), "_state", "retry", stage, f"{transformation_ctx}.json")


@dataclass
class _Read:
    """One bookmarked S3 read of a dataset in this run."""

    transformation_ctx: str
    frame: DataFrame          # every row read, with file_column
    file_column: str
    retried: dict[str, int]   # the earlier run's files this read took again: URI -> modification time


@dataclass
class RunReads:
    """The bookmarked S3 reads of one job run, per dataset: what a failed dataset's retry list holds,
    and which retry lists a successful dataset clears."""

    spark: object
    zones: Zones
    stage: str
    _dataset: str | None = None
    _reads: dict[str, list[_Read]] = field(default_factory=dict)
    warnings: dict[str, list[str]] = field(default_factory=dict)

    @contextmanager
    def dataset(self, name: str) -> Iterator[None]:
        """Reads made inside belong to dataset `name`."""
        self._dataset = name
        self._reads[name] = []
        try:
            yield
        finally:
            self._dataset = None

    def read_s3(self, glue_context, transformation_ctx: str, connection_options: dict, format: str,
                format_options: dict | None = None, file_column: str = READ_FILE,
                prepare: Callable[[object], DataFrame] = lambda frame: frame.toDF()) -> DataFrame:
        """What is new under connection_options' paths (the bookmark decides), together with the files
        an earlier failed run left in this transformation_ctx's retry list. Every row carries its file
        in `file_column` (Glue's attachFilename); READ_FILE, the default, is dropped from the result.
        `prepare` turns each DynamicFrame into the stage's DataFrame (e.g. resolving choice types)."""
        options = {**connection_options, "attachFilename": file_column}
        frame = prepare(glue_context.create_dynamic_frame.from_options(
            connection_type="s3", connection_options=options, format=format,
            format_options=format_options or {}, transformation_ctx=transformation_ctx))
        retried = self._still_pending(transformation_ctx)
        if retried:
            # No transformation_ctx: the bookmark has these files already and would skip them.
            again = prepare(glue_context.create_dynamic_frame.from_options(
                connection_type="s3", connection_options={**options, "paths": sorted(retried), "recurse": False},
                format=format, format_options=format_options or {}))
            frame = again if not frame.columns else frame.unionByName(again, allowMissingColumns=True)
        self._reads[self._dataset].append(_Read(transformation_ctx, frame, file_column, retried))
        return frame.drop(READ_FILE) if file_column == READ_FILE else frame

    def _still_pending(self, transformation_ctx: str) -> dict[str, int]:
        uri = retry_uri(self.zones, self.stage, transformation_ctx)
        kept = storage.read_text_written_atomically(self.spark, uri)
        if kept is None:
            return {}
        pending = {}
        for entry in json.loads(kept)["files"]:
            modified = storage.modified_ms(self.spark, entry["uri"])
            if modified is None:
                self.warnings.setdefault(self._dataset, []).append(
                    f"{entry['uri']} was in the retry list {uri} but is gone; its rows are not read")
            elif modified == entry["modified_ms"]:
                pending[entry["uri"]] = modified
            # else: replaced since, so the bookmark reads it as a new file
        return pending

    def retried_files(self, dataset: str) -> list[str]:
        return sorted(uri for read in self._reads.get(dataset, []) for uri in read.retried)

    def keep_for_retry(self, dataset: str, run_id: str, error: str) -> list[str]:
        """Write the retry lists of a failed dataset: every file its reads took in this run (the new
        ones and those retried again). Returns the retry list URIs. Raises whatever Spark raises when
        the files cannot be listed (a file no reader can open): then nothing may be committed."""
        written = []
        for read in self._reads.get(dataset, []):
            uris = {row[0] for row in read.frame.select(read.file_column).distinct().collect() if row[0]}
            files = {uri: storage.modified_ms(self.spark, uri) for uri in uris}
            files.update(read.retried)
            if not files:
                continue
            uri = retry_uri(self.zones, self.stage, read.transformation_ctx)
            storage.write_text_atomically(self.spark, uri, json.dumps({
                "dataset": dataset, "stage": self.stage, "transformation_ctx": read.transformation_ctx,
                "failed_run": run_id, "error": error,
                "files": [{"uri": u, "modified_ms": m} for u, m in sorted(files.items()) if m is not None],
            }, indent=2) + "\n")
            written.append(uri)
        return written

    def clear_retried(self, datasets: list[str]) -> None:
        """After the commit: the retry lists of these succeeded datasets' reads are done with (their
        files were read again, or are gone or replaced)."""
        for dataset in datasets:
            for read in self._reads.get(dataset, []):
                uri = retry_uri(self.zones, self.stage, read.transformation_ctx)
                storage.delete_written_atomically(self.spark, uri)
