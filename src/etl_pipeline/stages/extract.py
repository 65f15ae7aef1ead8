"""Extract: read what is new in each source and land it, as text, in the processed zone.

Sources are read through Glue with a `transformation_ctx`, so job bookmarks decide what is new:
files in the raw bucket (CSV, JSON lines, Parquet), or rows of a database table above the
bookmark keys' last values. Every value is landed as text, with batch metadata; typing and rules
are the transform's business, so a bad value is quarantined there with its rule name instead of
failing the read. A batch lands in `landing/<dataset>/batch_id=<id>/`, written whole or not at all;
a rerun after a failed run reuses the batch id and replaces what that run left.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone

from pyspark.sql import DataFrame, Observation
from pyspark.sql import functions as F
from pyspark.sql import types as T

from etl_pipeline import storage
from etl_pipeline.batches import counted, observed
from etl_pipeline.columns import (CORRUPT_RECORD, ETL_BATCH_ID, ETL_EXTRACTED_AT, ETL_ROW_NUMBER, ETL_SOURCE_FILE,
                                  ETL_SOURCE_MODIFIED_AT)
from etl_pipeline.config import DatasetConfig, FileSource, JdbcSource, PipelineConfig
from etl_pipeline.report import check_invariant
from etl_pipeline.zones import Zones

SOURCE_MODIFIED_MS = "_source_modified_ms"
BYTE_ORDER_MARK = "\ufeff"


@dataclass(frozen=True)
class ExtractContext:
    glue_context: object
    config: PipelineConfig
    env: str
    zones: Zones
    batch_id: str
    extracted_at: datetime
    use_fallback: bool


def batch_id_for(job_name: str, last_successful_run: str | None) -> str:
    """The same id for a failed run and its reruns, a new one once a run has succeeded."""
    digest = hashlib.sha256(f"{job_name}/{last_successful_run or 'first'}".encode()).hexdigest()
    return f"b{digest[:16]}"


def _glue_format_options(source: FileSource) -> dict:
    if source.format == "csv":
        # multiLine: a quoted field may hold a line break (an address, a comment); without it Glue
        # splits the record in two malformed fragments.
        return {"withHeader": bool(source.options.get("header", True)),
                "separator": source.options.get("separator", ","),
                "quoteChar": source.options.get("quote", '"'),
                "multiLine": bool(source.options.get("multiline", True))}
    if source.format == "json":
        return {"multiline": bool(source.options.get("multiline", False))}
    return {}


def read_source(context: ExtractContext, dataset: DatasetConfig) -> tuple[DataFrame, str]:
    """The new rows of a dataset's source, and a label of where they came from."""
    source = dataset.source
    if isinstance(source, JdbcSource) and not (context.use_fallback and dataset.fallback):
        name = context.config.connection_name(context.env, source.connection)
        frame = context.glue_context.create_dynamic_frame.from_options(
            connection_type=source.engine,
            connection_options={
                "useConnectionProperties": "true",
                "connectionName": name,
                "dbtable": source.table,
                "jobBookmarkKeys": list(source.bookmark_keys),
                "jobBookmarkKeysSortOrder": "asc",
            },
            transformation_ctx=f"extract_{dataset.name}",
        ).toDF()
        label = f"jdbc://{name}/{source.table}"
        return (frame.withColumn(ETL_SOURCE_FILE, F.lit(label))
                .withColumn(SOURCE_MODIFIED_MS, F.lit(int(context.extracted_at.timestamp() * 1000)))), label
    files = dataset.fallback if isinstance(source, JdbcSource) else source
    location = context.zones.raw_files(files)
    frame = context.glue_context.create_dynamic_frame.from_options(
        connection_type="s3",
        connection_options={"paths": [location], "recurse": True,
                            "attachFilename": ETL_SOURCE_FILE, "attachTimestamp": SOURCE_MODIFIED_MS},
        format=files.format,
        format_options=_glue_format_options(files),
        # Files and table rows are different positions: each keeps its own bookmark.
        transformation_ctx=f"extract_{dataset.name}" + ("_fallback" if isinstance(source, JdbcSource) else ""),
    ).toDF()
    return frame, location


def as_landing_rows(frame: DataFrame, context: ExtractContext) -> DataFrame:
    """Every source column as text, plus the batch metadata the later stages rely on."""
    metadata = {ETL_SOURCE_FILE, SOURCE_MODIFIED_MS}
    text_columns = []
    for field in frame.schema.fields:
        if field.name in metadata:
            continue
        column = F.col(f"`{field.name}`")
        # A UTF-8 byte order mark that a reader left on the first header is no part of the name.
        name = field.name.lstrip(BYTE_ORDER_MARK)
        if isinstance(field.dataType, (T.StructType, T.ArrayType, T.MapType)):
            text_columns.append(F.to_json(column).alias(name))
        elif field.name == CORRUPT_RECORD or isinstance(field.dataType, T.StringType):
            text_columns.append(column.alias(name))
        else:
            text_columns.append(column.cast("string").alias(name))
    return frame.select(
        *text_columns,
        F.lit(context.batch_id).alias(ETL_BATCH_ID),
        F.col(ETL_SOURCE_FILE),
        F.timestamp_millis(F.col(SOURCE_MODIFIED_MS)).alias(ETL_SOURCE_MODIFIED_AT),
        # A text literal is read in the session time zone (UTC on Glue and locally), a datetime would not be.
        F.lit(context.extracted_at.strftime("%Y-%m-%d %H:%M:%S")).cast("timestamp").alias(ETL_EXTRACTED_AT),
        F.monotonically_increasing_id().alias(ETL_ROW_NUMBER),
    )


def _unread_files(context: ExtractContext, dataset: DatasetConfig) -> dict:
    """What the run report says about source files no row came from: hidden ones Glue never reads."""
    source = dataset.fallback if isinstance(dataset.source, JdbcSource) else dataset.source
    if source is None or (isinstance(dataset.source, JdbcSource) and not context.use_fallback):
        return {}
    hidden = storage.hidden_files(context.glue_context.spark_session, context.zones.raw_files(source))
    if not hidden:
        return {}
    return {"hidden_files": hidden,
            "warning": f"{len(hidden)} source file(s) are never read, their names start with _ or . "
                       f"(rename them to load them)"}


def extract_dataset(context: ExtractContext, dataset: DatasetConfig) -> dict:
    frame, origin = read_source(context, dataset)
    unread = _unread_files(context, dataset)
    if not frame.columns:
        return {"rows_read": 0, "nothing_new": True, "source": origin, **unread}
    # Rows are counted as the source hands them over and again as they are written: the one write
    # is the pass that counts both.
    source_rows, read = counted(frame, f"extract_read_{dataset.name}")
    landed = Observation(f"extract_{dataset.name}")
    landing = as_landing_rows(source_rows, context).observe(
        landed, F.count(F.lit(1)).alias("rows"), F.collect_set(ETL_SOURCE_FILE).alias("files"))
    uri = context.zones.landing(dataset, context.batch_id)
    landing.write.mode("overwrite").parquet(uri)
    metrics = observed(landed)
    check_invariant("extract", dataset.name, read.get["rows"], {"landed": metrics["rows"]})
    # New files that hold no rows (0 bytes, a header only): nothing to pass on, but say which.
    empty_files = sorted(set(frame.inputFiles()) - set(metrics["files"]))
    empty = {"empty_files": empty_files} if empty_files else {}
    if metrics["rows"] == 0:
        storage.delete(context.glue_context.spark_session, uri)
        if not empty_files:
            return {"rows_read": 0, "nothing_new": True, "source": origin, **unread}
        return {"rows_read": 0, "nothing_new": True, "source": origin, **empty, **unread,
                "warning": f"{len(empty_files)} new source file(s) hold no data rows"}
    return {
        "rows_read": metrics["rows"],
        "files": sorted(metrics["files"]),
        "file_count": len(metrics["files"]),
        "batch_id": context.batch_id,
        "landing": uri,
        "nothing_new": False,
        "source": origin,
        **empty,
        **unread,
    }


def extract_started_at() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)
