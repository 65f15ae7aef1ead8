"""Extract: read what is new in each source and land it, as text, in the processed zone.

Sources are read through Glue with a `transformation_ctx`, so job bookmarks decide what is new:
files in the raw bucket (CSV, JSON lines, Parquet), or rows of a database table above the
bookmark keys' last values. Every value is landed as text, with batch metadata; typing and rules
are the transform's business, so a bad value is quarantined there with its rule name instead of
failing the read. A batch lands in `landing/<dataset>/batch_id=<id>/`, written whole or not at all;
a rerun after a failed run reuses the batch id and replaces what that run left.

A source file that the reader cannot decode (a corrupt or truncated .gz, .bz2 or .parquet) does not
stop the batch: extract sets it aside under `<quarantine>/<dataset>/unreadable/batch_id=<id>/`, with
a `<file>.reason.json` beside it, reads the rest of the batch without it and reports it. Every later
run keeps the set-aside files out of its read with Glue's `exclusions`, so a file is never re-read;
a fixed file is replayed under a new name (docs/data-quality.md). A source file with bytes that are
not UTF-8 (its rows are quarantined holding the reader's U+FFFD) is copied byte for byte under
`<quarantine>/<dataset>/not_utf8/batch_id=<id>/`, with its `.reason.json`, and read as usual.

A JSON reader types a number with a fraction as a double, which keeps 15 significant digits: a row
whose JSON number shows more lists the column in `etl_inexact_numbers`, and the transform
quarantines it rather than load a value the reader changed.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import quote

from awsglue.dynamicframe import DynamicFrame
from pyspark.sql import Column, DataFrame, Observation
from pyspark.sql import functions as F
from pyspark.sql import types as T

from etl_pipeline import storage
from etl_pipeline.batches import counted, observed
from etl_pipeline.columns import (CORRUPT_RECORD, ETL_BATCH_ID, ETL_EXTRACTED_AT, ETL_INEXACT_NUMBERS, ETL_ROW_NUMBER,
                                  ETL_SOURCE_FILE, ETL_SOURCE_MODIFIED_AT, LANDING_METADATA, names_given)
from etl_pipeline.config import DatasetConfig, DynamoDbSource, FileSource, JdbcSource, PipelineConfig
from etl_pipeline.report import check_invariant
from etl_pipeline.retries import RunReads
from etl_pipeline.rows import REPLACEMENT_CHARACTER
from etl_pipeline.zones import Zones

SOURCE_MODIFIED_MS = "_source_modified_ms"
BYTE_ORDER_MARK = "\ufeff"
REASON_SUFFIX = ".reason.json"
# How many significant decimal digits a binary floating-point number keeps exactly: any number of at
# most that many digits comes back from it unchanged, so a number whose text shows more went through
# it rounded (a JSON fraction such as 123456789012345678.12, which the reader types as double).
EXACT_DIGITS = {T.DoubleType: 15, T.FloatType: 6}
# A double's or float's text inside an object's or list's JSON (Spark's to_json writes them as Java
# does, always with a dot: 1.5, 1.2345678901234568E17); a whole long or decimal has none.
JSON_FRACTION = r"[:\[,](-?[0-9]+\.[0-9]+(?:E-?[0-9]+)?)(?=[,\]}])"
# Characters special in Glue's exclusion globs; escaped, a pattern names exactly one object.
GLOB_SPECIAL = re.compile(r"([\\*?\[\]{}])")


@dataclass(frozen=True)
class ExtractContext:
    glue_context: object
    config: PipelineConfig
    env: str
    zones: Zones
    batch_id: str
    extracted_at: datetime
    use_fallback: bool | frozenset[str]   # True: every dataset with fallback files reads them; a set: those
    # The job run's bookmarked reads and retry lists (etl_pipeline.retries); None outside a job run.
    reads: RunReads | None = None

    def falls_back(self, dataset: DatasetConfig) -> bool:
        return falls_back(dataset, self.use_fallback)


def falls_back(dataset: DatasetConfig, use_fallback: bool | frozenset[str]) -> bool:
    """Whether a database or DynamoDB dataset is read from its fallback files (`--source_fallback`)."""
    wanted = use_fallback if isinstance(use_fallback, bool) else dataset.name in use_fallback
    return wanted and dataset.fallback is not None


def file_read(dataset: DatasetConfig, use_fallback: bool | frozenset[str]) -> tuple[FileSource, str] | None:
    """The files extract reads a dataset from and that read's transformation_ctx (its bookmark), or
    None when it reads a database or DynamoDB table. Files and table rows are different positions:
    fallback files keep a bookmark of their own."""
    if isinstance(dataset.source, FileSource):
        return dataset.source, f"extract_{dataset.name}"
    if falls_back(dataset, use_fallback):
        return dataset.fallback, f"extract_{dataset.name}_fallback"
    return None


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


def jdbc_connection_options(source: JdbcSource, connection_name: str, temp_dir: str) -> dict:
    """Glue's connection_options for a JDBC source, from its config block.

    Glue's JDBC options (https://docs.aws.amazon.com/glue/latest/dg/aws-glue-programming-etl-connect-jdbc-home.html):
    the filter runs in the database as `sampleQuery`; with `enablePartitioningForSampleQuery` the query
    ends in AND, so Glue appends its own conditions (bookmark keys, hash partitions) to it. Parallel
    reads: `hashfield` or `hashexpression` with `hashpartitions`
    (https://docs.aws.amazon.com/glue/latest/dg/run-jdbc-parallel-read-job.html). Redshift is read
    through an UNLOAD into `redshiftTmpDir`.
    """
    options = {
        "useConnectionProperties": "true",
        "connectionName": connection_name,
        "dbtable": source.table,
        "jobBookmarkKeys": list(source.bookmark_keys),
        "jobBookmarkKeysSortOrder": "asc",
    }
    if source.filter:
        options["sampleQuery"] = f"SELECT * FROM {source.table} WHERE ({source.filter}) AND"
        options["enablePartitioningForSampleQuery"] = "true"
    if source.parallel:
        if source.parallel.hashfield:
            options["hashfield"] = source.parallel.hashfield
        else:
            options["hashexpression"] = source.parallel.hashexpression
        options["hashpartitions"] = str(source.parallel.partitions)
    if source.engine == "redshift":
        options["redshiftTmpDir"] = temp_dir
    return options


def dynamodb_connection_options(source: DynamoDbSource, table_arn: str | None, temp_dir: str) -> dict:
    """Glue 5.1's connection_options for a DynamoDB source
    (https://docs.aws.amazon.com/glue/latest/dg/aws-glue-programming-etl-connect-dynamodb-home.html):
    the export connector (`dynamodb.export` ddb: a point-in-time export into the temp dir, no read
    capacity used; `dynamodb.unnestDDBJson` turns DynamoDB JSON into plain columns) or the scan
    reader (`dynamodb.splits` parallel segments, `dynamodb.throughput.read.percent` of the capacity)."""
    if source.read == "export":
        bucket, _, prefix = temp_dir.removeprefix("s3://").partition("/")
        return {"dynamodb.export": "ddb", "dynamodb.tableArn": table_arn, "dynamodb.unnestDDBJson": True,
                "dynamodb.s3.bucket": bucket, "dynamodb.s3.prefix": prefix}
    return {"dynamodb.input.tableName": source.table, "dynamodb.splits": str(source.splits),
            "dynamodb.throughput.read.percent": str(source.read_percent)}


def flattened(schema: T.StructType, reference: str = "", name: str = "") -> list:
    """Nested maps (structs) as columns named parent_child, all the way down; lists stay whole."""
    columns = []
    for field in schema.fields:
        field_reference = f"{reference}.`{field.name}`" if reference else f"`{field.name}`"
        alias = f"{name}_{field.name}" if name else field.name
        if isinstance(field.dataType, T.StructType):
            columns += flattened(field.dataType, field_reference, alias)
        else:
            columns.append(F.col(field_reference).alias(alias))
    return columns


def watermark_uri(zones: Zones, dataset: DatasetConfig) -> str:
    """Where the extract keeps a DynamoDB dataset's watermark (job bookmarks do not cover DynamoDB)."""
    return storage.join_uri(zones.root("processed"), "_state", "watermarks", f"{dataset.name}.json")


def last_watermark(context: ExtractContext, dataset: DatasetConfig) -> str | None:
    uri = watermark_uri(context.zones, dataset)
    spark = context.glue_context.spark_session
    return json.loads(storage.read_text(spark, uri))["value"] if storage.exists(spark, uri) else None


def _read_dynamodb(context: ExtractContext, dataset: DatasetConfig, source: DynamoDbSource) -> tuple[DataFrame, str]:
    table_arn = _table_arn(dataset, source) if source.read == "export" else None
    frame = context.glue_context.create_dynamic_frame.from_options(
        connection_type="dynamodb",
        connection_options=dynamodb_connection_options(source, table_arn,
                                                       context.zones.temp("dynamodb-export", dataset.name)
                                                       if source.read == "export" else ""),
        transformation_ctx=f"extract_{dataset.name}",
    ).toDF()
    label = f"dynamodb://{source.table}"
    if not frame.columns:
        return frame, label
    if source.flatten:
        frame = frame.select(*flattened(frame.schema))
    if source.incremental_key:
        if source.incremental_key not in frame.columns:
            raise ValueError(f"dataset {dataset.name}: source.incremental_key {source.incremental_key!r} is not an "
                             f"attribute of DynamoDB table {source.table} (found {', '.join(frame.columns)})")
        # Job bookmarks do not cover DynamoDB (they cover JDBC and some S3 sources:
        # https://docs.aws.amazon.com/glue/latest/dg/monitor-continuations.html), so the extract keeps
        # its own watermark. The window is [last run's start, this run's start): an item stamped in the
        # second this run starts may be written after the scan passed it, so it waits for the next run
        # rather than being missed. An item without a readable key is read every run (the transform
        # counts it as a duplicate) rather than never.
        written = F.col(source.incremental_key).cast("timestamp")
        window = written < F.lit(_iso(context.extracted_at)).cast("timestamp")
        last = last_watermark(context, dataset)
        if last:
            window = window & (written >= F.lit(last).cast("timestamp"))
        frame = frame.where(written.isNull() | window)
    return (frame.withColumn(ETL_SOURCE_FILE, F.lit(label))
            .withColumn(SOURCE_MODIFIED_MS, F.lit(int(context.extracted_at.timestamp() * 1000)))), label


def _table_arn(dataset: DatasetConfig, source: DynamoDbSource) -> str:
    """The table's ARN, which the export connector needs (dynamodb.tableArn), from DynamoDB itself."""
    import boto3  # in Glue 5.1
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return boto3.client("dynamodb").describe_table(TableName=source.table)["Table"]["TableArn"]
    except (BotoCoreError, ClientError) as error:
        raise ValueError(f"dataset {dataset.name}: cannot describe DynamoDB table {source.table} for its export "
                         f"({' '.join(str(error).split())}); check source.table and the job role's "
                         f"dynamodb:DescribeTable on it") from error


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def exclusion_pattern(uri: str) -> str:
    """A glob of Glue's `exclusions` that matches exactly the object at uri (and no other)."""
    return GLOB_SPECIAL.sub(r"\\\1", uri)


def read_source(context: ExtractContext, dataset: DatasetConfig,
                excluded: tuple[str, ...] = ()) -> tuple[DataFrame, str]:
    """The new rows of a dataset's source, and a label of where they came from; a file source's
    read leaves out the files in `excluded` (the ones set aside as unreadable)."""
    source = dataset.source
    if isinstance(source, DynamoDbSource) and not context.falls_back(dataset):
        return _read_dynamodb(context, dataset, source)
    if isinstance(source, JdbcSource) and not context.falls_back(dataset):
        name = context.config.connection_name(context.env, source.connection)
        temp_dir = context.zones.temp("redshift-unload", dataset.name) if source.engine == "redshift" else ""
        frame = context.glue_context.create_dynamic_frame.from_options(
            connection_type=source.engine,
            connection_options=jdbc_connection_options(source, name, temp_dir),
            transformation_ctx=f"extract_{dataset.name}",
        ).toDF()
        label = f"jdbc://{name}/{source.table}"
        return (frame.withColumn(ETL_SOURCE_FILE, F.lit(label))
                .withColumn(SOURCE_MODIFIED_MS, F.lit(int(context.extracted_at.timestamp() * 1000)))), label
    files, transformation_ctx = file_read(dataset, context.use_fallback)
    location = context.zones.raw_files(files)
    options = {"paths": [location], "recurse": True,
               "attachFilename": ETL_SOURCE_FILE, "attachTimestamp": SOURCE_MODIFIED_MS}
    if excluded:
        # Glue's S3 source option: "a string containing a JSON list of Unix-style glob patterns to
        # exclude" (https://docs.aws.amazon.com/glue/latest/dg/aws-glue-programming-etl-connect-s3-home.html).
        options["exclusions"] = json.dumps([exclusion_pattern(uri) for uri in excluded])
    def as_text(dynamic_frame: DynamicFrame) -> DataFrame:
        # Parquet files that hold a column as different types (a string in one, a decimal in another)
        # make it a choice; everything lands as text, so each value becomes its own type's text.
        return dynamic_frame.resolveChoice(choice="cast:string").toDF()

    if context.reads is not None:  # in a job run: with the files a failed earlier run left to retry
        return context.reads.read_s3(context.glue_context, transformation_ctx, options, files.format,
                                     _glue_format_options(files), file_column=ETL_SOURCE_FILE,
                                     prepare=as_text), location
    return as_text(context.glue_context.create_dynamic_frame.from_options(
        connection_type="s3", connection_options=options, format=files.format,
        format_options=_glue_format_options(files), transformation_ctx=transformation_ctx)), location


def as_landing_rows(frame: DataFrame, context: ExtractContext, source_format: str | None = None) -> DataFrame:
    """Every source column as text, plus the batch metadata the later stages rely on.

    For a JSON file source (`source_format` "json"), each row lists in `etl_inexact_numbers` the
    columns whose number the reader typed as a double (or float) and whose text has more significant
    digits than that type keeps: the source's digits are gone, so the transform quarantines the row.
    The numbers inside an object or list are checked in its JSON text. A Parquet double is the
    source's own value, and a whole number read as long or decimal is exact."""
    metadata = {ETL_SOURCE_FILE, SOURCE_MODIFIED_MS}
    text_columns, inexact = [], []
    for field in frame.schema.fields:
        if field.name in metadata:
            continue
        column = F.col(f"`{field.name}`")
        # A UTF-8 byte order mark that a reader left on the first header is no part of the name.
        name = field.name.lstrip(BYTE_ORDER_MARK)
        if isinstance(field.dataType, (T.StructType, T.ArrayType, T.MapType)):
            text = F.to_json(column)
            text_columns.append(text.alias(name))
            exact_digits = _nested_exact_digits(field.dataType) if source_format == "json" else None
            if exact_digits:
                inexact.append(F.when(F.exists(F.regexp_extract_all(text, F.lit(JSON_FRACTION), 1),
                                               lambda number: significant_digits(number) > exact_digits), F.lit(name)))
        elif field.name == CORRUPT_RECORD or isinstance(field.dataType, T.StringType):
            text_columns.append(column.alias(name))
        else:
            text = column.cast("string")
            text_columns.append(text.alias(name))
            exact_digits = EXACT_DIGITS.get(type(field.dataType)) if source_format == "json" else None
            if exact_digits:
                inexact.append(F.when(significant_digits(text) > exact_digits, F.lit(name)))
    return frame.select(
        *text_columns,
        F.lit(context.batch_id).alias(ETL_BATCH_ID),
        F.col(ETL_SOURCE_FILE),
        F.timestamp_millis(F.col(SOURCE_MODIFIED_MS)).alias(ETL_SOURCE_MODIFIED_AT),
        # A text literal is read in the session time zone (UTC on Glue and locally), a datetime would not be.
        F.lit(context.extracted_at.strftime("%Y-%m-%d %H:%M:%S")).cast("timestamp").alias(ETL_EXTRACTED_AT),
        F.monotonically_increasing_id().alias(ETL_ROW_NUMBER),
        names_given(inexact).alias(ETL_INEXACT_NUMBERS),
    )


def _nested_exact_digits(data_type: T.DataType) -> int | None:
    """How many digits the floating-point numbers inside an object or list keep (a double's 15 when it
    holds any double, else a float's 6); None when it holds none."""
    kinds = set()
    pending = [data_type]
    while pending:
        kind = pending.pop()
        kinds.add(type(kind))
        if isinstance(kind, T.StructType):
            pending += [f.dataType for f in kind.fields]
        elif isinstance(kind, T.ArrayType):
            pending.append(kind.elementType)
        elif isinstance(kind, T.MapType):
            pending += [kind.keyType, kind.valueType]
    return next((EXACT_DIGITS[k] for k in (T.DoubleType, T.FloatType) if k in kinds), None)


def significant_digits(number_text: Column) -> Column:
    """How many significant digits a number's text has: its digits without the sign, the exponent, the
    dot, and leading or trailing zeros (`-0.001250E3` has 3). Spark built-ins, no UDF on the row path."""
    mantissa = F.regexp_replace(F.regexp_extract(number_text, r"^\s*[+-]?([0-9.]*)", 1), r"\.", "")
    return F.length(F.regexp_replace(mantissa, r"^0+|0+$", ""))


def _file_source(context: ExtractContext, dataset: DatasetConfig) -> FileSource | None:
    """The files this run reads the dataset from, or None for a database or DynamoDB table."""
    read = file_read(dataset, context.use_fallback)
    return read[0] if read else None


def _unread_files(context: ExtractContext, dataset: DatasetConfig) -> dict:
    """What the run report says about source files no row came from: hidden ones Glue never reads."""
    source = _file_source(context, dataset)
    if source is None:
        return {}
    hidden = storage.hidden_files(context.glue_context.spark_session, context.zones.raw_files(source))
    if not hidden:
        return {}
    return {"hidden_files": hidden,
            "warning": f"{len(hidden)} source file(s) are never read, their names start with _ or . "
                       f"(rename them to load them)"}


def extract_dataset(context: ExtractContext, dataset: DatasetConfig) -> dict:
    numbers = _extract(context, dataset)
    source = dataset.source
    if isinstance(source, DynamoDbSource) and source.incremental_key and not context.falls_back(dataset):
        # Kept by the job once every dataset is done (jobs._extract_done): a failed run moves nothing.
        numbers["watermark"] = {"key": source.incremental_key, "value": _iso(context.extracted_at),
                                "uri": watermark_uri(context.zones, dataset)}
    return numbers


def save_watermarks(spark, datasets: dict[str, dict]) -> None:
    """Keep the watermarks of a successful run's DynamoDB reads: the next run reads after them."""
    for numbers in datasets.values():
        mark = numbers.get("watermark")
        if mark:
            storage.write_text(spark, mark["uri"], json.dumps({"key": mark["key"], "value": mark["value"]}) + "\n")


def _extract(context: ExtractContext, dataset: DatasetConfig) -> dict:
    """Land the batch; a file the reader cannot decode is set aside and the batch read again without it."""
    files = _file_source(context, dataset)
    if files is None:
        return _land(context, dataset, ())
    earlier = set_aside_records(context, dataset)
    # A rerun of a failed run's batch reports what that run set aside as its own.
    set_aside = [record for record in earlier if record["batch_id"] == context.batch_id]
    excluded = [record["file"] for record in earlier]
    tried = set(excluded)  # files not to search again: set aside, or found readable alone
    while True:
        try:
            numbers = _land(context, dataset, tuple(excluded))
            break
        except Exception as error:  # noqa: BLE001 - whatever the reader raised; re-raised unless a file caused it
            unreadable = unreadable_file(context, files, error, tried)
            if unreadable is None:
                raise
            uri, reason = unreadable
            set_aside.append(_set_aside(context, dataset, files, uri, reason))
            excluded.append(uri)
            tried.add(uri)
    return {**numbers, **_set_aside_numbers(set_aside, numbers.get("warning"))} if set_aside else numbers


def set_aside_records(context: ExtractContext, dataset: DatasetConfig) -> list[dict]:
    """Every file of the dataset set aside so far (its `.reason.json`), oldest batch first."""
    spark = context.glue_context.spark_session
    return [json.loads(storage.read_text(spark, uri))
            for uri in storage.files_under(spark, context.zones.unreadable(dataset), REASON_SUFFIX)]


def unreadable_file(context: ExtractContext, files: FileSource, error: BaseException,
                    tried: set[str]) -> tuple[str, str] | None:
    """The source file that made a read fail, with why: the first that its reader cannot decode when
    read alone (every column of every row), trying the files the error names first, then the newest.

    Spark names the file in some errors but not in a codec's (a truncated gzip says only "Unexpected
    end of input stream"), hence the search; `tried` names the files not to try (read fine alone, or
    already set aside), and gets the ones found readable. When no
    file fails alone (a lost connection, a permission, a bug), None: the error is no file's fault."""
    spark = context.glue_context.spark_session
    text = _error_text(error)
    times = storage.modification_times(spark, context.zones.raw_files(files))
    candidates = sorted((uri for uri in times if not uri.rsplit("/", 1)[-1].startswith(("_", "."))
                         and uri not in tried),
                        key=lambda uri: (not _names(text, uri), -times[uri], uri))
    for uri in candidates:
        reason = _decode_failure(context, files, uri)
        if reason:
            return uri, reason
        tried.add(uri)
    return None


def _names(text: str, uri: str) -> bool:
    """Whether an error text names the object (as s3://bucket/key, bucket/key, or URL-encoded)."""
    path = uri.split("://", 1)[-1]
    return path in text or quote(path) in text


def _error_text(error: BaseException) -> str:
    """An exception's message with its causes', the JVM's included (py4j keeps them apart)."""
    parts, seen = [], set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        parts.append(str(error))
        java = getattr(error, "java_exception", None)
        while java is not None:
            parts.append(str(java.toString()))
            java = java.getCause()
        error = error.__cause__ or error.__context__
    return "\n".join(parts)


def _decode_failure(context: ExtractContext, files: FileSource, uri: str) -> str | None:
    """Why the source's reader cannot decode the file, in one line; None when it reads it whole."""
    try:
        frame = context.glue_context.create_dynamic_frame.from_options(
            connection_type="s3", connection_options={"paths": [uri]}, format=files.format,
            format_options=_glue_format_options(files), transformation_ctx="").toDF()  # no bookmark
        # Every value decoded and dropped: a count alone would read only a Parquet file's footer.
        frame.write.format("noop").mode("overwrite").save()
    except Exception as error:  # noqa: BLE001 - the reader's error is the reason
        return _root_cause(error)
    return None


def _root_cause(error: BaseException) -> str:
    """The innermost cause of a reader's error (a JVM exception's, when there is one), in one line."""
    java = getattr(error, "java_exception", None)
    if java is not None:
        while java.getCause() is not None:
            java = java.getCause()
        message = str(java.toString())
    else:
        message = f"{type(error).__name__}: {error}"
    return " ".join(message.split())[:500]


def _set_aside(context: ExtractContext, dataset: DatasetConfig, files: FileSource, uri: str, reason: str) -> dict:
    """Copy the file under the quarantine zone with its reason; the raw zone keeps the original."""
    spark = context.glue_context.spark_session
    copy = _quarantine_copy(context, files, uri, context.zones.unreadable(dataset, context.batch_id))
    record = {"file": uri, "size": storage.size(spark, uri), "reason": reason, "batch_id": context.batch_id,
              "set_aside_at": _iso(datetime.now(timezone.utc)), "copy": copy}
    storage.write_text(spark, copy + REASON_SUFFIX, json.dumps(record, sort_keys=True) + "\n")
    return record


def _quarantine_copy(context: ExtractContext, files: FileSource, uri: str, folder: str) -> str:
    """Copy a source file byte for byte into a quarantine folder, at its path below the raw prefix
    (a rerun of the batch replaces its own copy); returns the copy's URI."""
    raw = context.zones.raw_files(files)
    relative = uri[len(raw):] if uri.startswith(raw) else uri.rsplit("/", 1)[-1]
    copy = storage.join_uri(folder, relative)
    storage.copy(context.glue_context.spark_session, uri, copy)
    return copy


def _set_aside_numbers(set_aside: list[dict], warning: str | None) -> dict:
    said = (f"{len(set_aside)} source file(s) could not be read and are set aside under the quarantine zone "
            f"({', '.join(r['file'].rsplit('/', 1)[-1] for r in set_aside)}); the rest of the batch was read")
    return {"files_set_aside": len(set_aside),
            "set_aside": [{k: r[k] for k in ("file", "size", "reason", "copy")} for r in set_aside],
            "warning": f"{warning}; {said}" if warning else said}


def _land(context: ExtractContext, dataset: DatasetConfig, excluded: tuple[str, ...]) -> dict:
    frame, origin = read_source(context, dataset, excluded)
    unread = _unread_files(context, dataset)
    if not frame.columns:
        return {"rows_read": 0, "nothing_new": True, "source": origin, **unread}
    files = _file_source(context, dataset)
    # Rows are counted as the source hands them over and again as they are written: the one write
    # is the pass that counts both, and finds the files whose bytes were not UTF-8.
    source_rows, read = counted(frame, f"extract_read_{dataset.name}")
    landed = Observation(f"extract_{dataset.name}")
    landing = as_landing_rows(source_rows, context, files.format if files else None)
    landing = landing.observe(landed, F.count(F.lit(1)).alias("rows"), F.collect_set(ETL_SOURCE_FILE).alias("files"),
                              *_not_utf8_metrics([c for c in landing.columns if c not in LANDING_METADATA]))
    uri = context.zones.landing(dataset, context.batch_id)
    landing.write.mode("overwrite").parquet(uri)
    metrics = observed(landed)
    check_invariant("extract", dataset.name, read.get["rows"], {"landed": metrics["rows"]})
    # New files that hold no rows (0 bytes, a header only): nothing to pass on, but say which. Only
    # where the read's plan names its files: a plan that names none (a reader that is not a file scan)
    # leaves the warning out, never a row.
    empty_files = sorted(set(frame.inputFiles()) - set(metrics["files"]))
    empty = {"empty_files": empty_files} if empty_files else {}
    if metrics["rows"] == 0:
        storage.delete(context.glue_context.spark_session, uri)
        if not empty_files:
            return {"rows_read": 0, "nothing_new": True, "source": origin, **unread}
        return {"rows_read": 0, "nothing_new": True, "source": origin, **empty, **unread,
                "warning": f"{len(empty_files)} new source file(s) hold no data rows"}
    numbers = {
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
    columns_by_file = _not_utf8_columns(metrics)
    if files is None or not columns_by_file:
        return numbers
    kept = [_keep_not_utf8(context, dataset, files, file, columns, metrics["rows_not_utf8"], len(columns_by_file))
            for file, columns in sorted(columns_by_file.items())]
    return {**numbers, **_not_utf8_numbers(kept, metrics["rows_not_utf8"], numbers.get("warning"))}


# Between a file and a column name in the observed not-UTF-8 pairs: no URI or column name holds it.
PAIR_SEPARATOR = "\u0000"


def _not_utf8_metrics(text_columns: list[str]) -> list[Column]:
    """Observed on the landing write: the (file, column) pairs whose text holds U+FFFD, the reader's
    stand-in for bytes that were not UTF-8, and how many rows hold one."""
    if not text_columns:
        return []
    holding = names_given([
        F.when(F.contains(F.col(f"`{c}`"), F.lit(REPLACEMENT_CHARACTER)),
               F.concat(F.col(ETL_SOURCE_FILE), F.lit(PAIR_SEPARATOR + c))) for c in text_columns])
    return [F.flatten(F.collect_set(holding)).alias("not_utf8"), F.count_if(F.size(holding) > 0).alias("rows_not_utf8")]


def _not_utf8_columns(metrics: dict) -> dict[str, list[str]]:
    """The observed not-UTF-8 pairs as file -> its columns holding U+FFFD."""
    columns: dict[str, set[str]] = {}
    for pair in metrics.get("not_utf8") or []:
        file, _, column = pair.partition(PAIR_SEPARATOR)
        columns.setdefault(file, set()).add(column)
    return {file: sorted(names) for file, names in columns.items()}


def _keep_not_utf8(context: ExtractContext, dataset: DatasetConfig, files: FileSource, uri: str,
                   columns: list[str], rows: int, file_count: int) -> dict:
    """Copy a source file with bytes that are not UTF-8 under the quarantine zone, with why: its rows
    are quarantined holding the reader's U+FFFD, and this copy keeps the bytes the source sent. The
    file is not excluded from reads: its other rows load."""
    spark = context.glue_context.spark_session
    copy = _quarantine_copy(context, files, uri, context.zones.not_utf8(dataset, context.batch_id))
    rules = [f"{c.name}_invalid_utf8" for c in dataset.columns if c.source in columns]
    where = "this file" if file_count == 1 else f"this file and {file_count - 1} other(s) of the batch"
    record = {"file": uri, "size": storage.size(spark, uri), "batch_id": context.batch_id, "copy": copy,
              "copied_at": _iso(datetime.now(timezone.utc)), "columns": columns, "rules": rules,
              "reason": f"bytes that are not UTF-8 in column(s) {', '.join(columns)}, read as U+FFFD: {rows} row(s) "
                        f"of {where} " + (f"quarantined as {', '.join(rules)}" if rules else
                                           "not quarantined (no configured column holds them)")
                        + "; this copy keeps the bytes as they arrived"}
    storage.write_text(spark, copy + REASON_SUFFIX, json.dumps(record, sort_keys=True) + "\n")
    return record


def _not_utf8_numbers(kept: list[dict], rows: int, warning: str | None) -> dict:
    said = (f"{len(kept)} source file(s) hold bytes that are not UTF-8 ({', '.join(r['file'].rsplit('/', 1)[-1] for r in kept)}): "
            f"{rows} row(s) hold U+FFFD where those bytes were (the transform quarantines them), and a copy "
            f"of each file is kept under the quarantine zone")
    return {"files_not_utf8": len(kept), "rows_not_utf8": rows,
            "not_utf8": [{k: r[k] for k in ("file", "size", "rules", "copy")} for r in kept],
            "warning": f"{warning}; {said}" if warning else said}


def extract_started_at() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)
