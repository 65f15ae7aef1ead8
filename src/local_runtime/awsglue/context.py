"""`awsglue.context.GlueContext` on a local SparkSession.

What Glue does in its Java classes, done here in Python over the local runtime's parts:
- S3 reads list the files under the paths in the local lake, leave out the ones the `exclusions`
  globs match, keep only the ones the job bookmark has not seen (per `transformation_ctx`; a read
  without one has no bookmark), and read them with Spark; CSV files are read by header,
  one group per distinct header, so every file maps its columns by name (Glue's frames are
  self-describing per record; Spark's CSV reader alone would map later files by position).
- JDBC reads (postgresql, mysql, redshift) resolve the Glue connection from the local Data Catalog
  and read only rows above the bookmark keys' last values, up to the maximum taken before the read
  (rows inserted meanwhile wait for the next run instead of being skipped); `hashfield` /
  `hashexpression` + `hashpartitions` split the read into non-overlapping Spark JDBC predicates, and
  a `sampleQuery` (the database-side filter) gets the bookmark conditions appended as Glue appends them.
- DynamoDB reads scan the local DynamoDB endpoint in `dynamodb.splits` parallel segments, or, with
  `dynamodb.export`, read a point-in-time export that moto's server writes to its S3
  (localglue.services.dynamodb). The job's own boto3 DynamoDB calls reach the same endpoint.
- Catalog reads and writes use the local Data Catalog's tables, locations and partitions.
- `from_jdbc_conf` runs `preactions`, writes the frame through Spark JDBC, then runs `postactions`.
- The job's `--conf` (Glue's way to configure Spark, e.g. the Iceberg catalog) is applied as Glue
  applies it, and Iceberg needs `--datalake-formats iceberg` as on Glue. DynamicFrame catalog reads
  and writes refuse Iceberg tables, as Glue's do ("Limitations" of data lake frameworks:
  https://docs.aws.amazon.com/glue/latest/dg/aws-glue-programming-etl-datalake-native-frameworks-limitations.html);
  jobs use Spark SQL and the DataFrame API for them.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from awsglue.data_sink import DataSink
from awsglue.dynamicframe import DynamicFrame, DynamicFrameReader, DynamicFrameWriter
from localglue.services import bookmarks as bm
from localglue.services import dynamodb, jdbc, lake
from localglue.services.catalog import LocalDataCatalog
from localglue.services.environment import LocalSettings, glue_conf_pairs, job_argument

_S3_FORMATS = ("csv", "json", "parquet", "glueparquet")
_JDBC_TYPES = ("postgresql", "mysql", "redshift")
_CORRUPT_RECORD = "_corrupt_record"


class GlueContext(object):
    def __init__(self, sparkContext=None, **options):
        if sparkContext is None:
            spark_session = SparkSession.builder.getOrCreate()
        elif isinstance(sparkContext, SparkSession):
            spark_session = sparkContext
        else:
            spark_session = SparkSession.builder.getOrCreate()
        self.spark_session = spark_session
        self.sparkSession = spark_session
        self._sc = spark_session.sparkContext
        self._local_settings = LocalSettings.from_environment()
        self._local_catalog = LocalDataCatalog(self._local_settings.catalog_root)
        self.create_dynamic_frame = DynamicFrameReader(self)
        self.write_dynamic_frame = DynamicFrameWriter(self)
        self._bookmarks: bm.BookmarkSession | None = None
        dynamodb.route_job_clients()
        self._apply_job_conf(sys.argv[1:])
        # Buckets named in the job arguments or already in the lake resolve from the first Spark read on.
        existing = [p.name for p in self._local_settings.lake_root.iterdir() if p.is_dir()] \
            if self._local_settings.lake_root.exists() else []
        self._mount(set(existing) | lake.buckets_in(sys.argv[1:]))

    # ------------------------------------------------------------------ helpers
    def _apply_job_conf(self, argv: list[str]) -> None:
        """The job's --conf settings, on the Spark this process runs (started before, when it shares one)."""
        conf = glue_conf_pairs(job_argument(argv, "conf") or "")
        formats = [f.strip() for f in (job_argument(argv, "datalake-formats") or "").split(",") if f.strip()]
        if any("org.apache.iceberg" in value for value in conf.values()) and "iceberg" not in formats:
            raise ValueError("--conf configures Apache Iceberg but --datalake-formats does not name iceberg: "
                             "AWS Glue loads Iceberg's libraries only with --datalake-formats iceberg")
        changed_catalogs = False
        for key, value in conf.items():
            current = self.spark_session.conf.get(key, None)
            if current == value:
                continue
            if not key.startswith("spark.sql.catalog."):
                raise ValueError(f"--conf {key}={value}: this Spark started with {current!r} and the setting "
                                 f"cannot change while it runs; run the job in its own process")
            self.spark_session.conf.set(key, value)
            changed_catalogs = True
        if changed_catalogs:
            # Spark keeps each catalog it has loaded: forget them, so the new settings take effect.
            self.spark_session._jsparkSession.sessionState().catalogManager().reset()

    def _refuse_data_lake_table(self, table: dict, method: str) -> None:
        table_type = table.get("Parameters", {}).get("table_type", "")
        if table_type.upper() in ("ICEBERG", "DELTA", "HUDI"):
            raise ValueError(
                f"{method} does not support {table_type} tables (AWS Glue's limitation for data lake frameworks): "
                f"{table['DatabaseName']}.{table['Name']} is one; use Spark SQL or the DataFrame API")

    def _mount(self, buckets) -> None:
        lake.mount_buckets(self._sc, self._local_settings.lake_root, buckets)

    def _mount_uris(self, *uris: str) -> None:
        self._mount(lake.buckets_in(uris))

    def _unread(self, files: list[lake.LakeFile], transformation_ctx: str) -> list[lake.LakeFile]:
        """The files the job's bookmark has not seen; they count as read when the job commits. A read
        without a transformation_ctx has no bookmark, as on Glue: it reads every file."""
        if not (self._bookmarks and transformation_ctx):
            return files
        state = self._bookmarks.state(transformation_ctx)
        unread = bm.new_files(state, files)
        self._bookmarks.record(transformation_ctx, bm.files_state(state, unread))
        return unread

    def _empty_frame(self, name: str) -> DynamicFrame:
        return DynamicFrame(self.spark_session.createDataFrame([], T.StructType([])), self, name)

    # -------------------------------------------------------------------- reads
    def create_dynamic_frame_from_options(self, connection_type, connection_options={}, format=None,
                                          format_options={}, transformation_ctx="", push_down_predicate="",
                                          **kwargs):
        if connection_type == "s3":
            return self._read_s3(connection_options, format, format_options, transformation_ctx)
        if connection_type in _JDBC_TYPES:
            return self._read_jdbc(connection_type, connection_options, transformation_ctx)
        if connection_type == "dynamodb":
            return self._read_dynamodb(connection_options, transformation_ctx)
        raise NotImplementedError(
            f"connection_type {connection_type!r} is not emulated by the local Glue runtime "
            f"(supported: s3, dynamodb, {', '.join(_JDBC_TYPES)})"
        )

    def _read_dynamodb(self, options, transformation_ctx) -> DynamicFrame:
        """Glue's DynamoDB readers against the local DynamoDB endpoint (localglue.services.dynamodb):
        the scan reader as a parallel-segment scan, the export connector (`dynamodb.export`) through a
        point-in-time export in moto's S3. Glue keeps no bookmark for DynamoDB: every read is whole."""
        if options.get("dynamodb.export") is not None:
            items = self._exported_items(options)
            splits = 1
        else:
            table = options.get("dynamodb.input.tableName")
            if not table:
                raise ValueError("a dynamodb source needs connection_options 'dynamodb.input.tableName' "
                                 "(the scan reader) or 'dynamodb.export' (the export connector)")
            splits = int(options.get("dynamodb.splits", 1))
            read_percent = float(options.get("dynamodb.throughput.read.percent", 0.5))
            if not 1 <= splits <= 1_000_000 or not 0.1 <= read_percent <= 1.5:
                raise ValueError(f"dynamodb.splits must be 1..1000000 and dynamodb.throughput.read.percent 0.1..1.5 "
                                 f"(got {splits}, {read_percent}) for table {table}")
            items = dynamodb.scan(table, splits, read_percent)
        if not items:
            return self._empty_frame(transformation_ctx)
        lines = [json.dumps(item) for item in items]
        frame = self.spark_session.read.json(self._sc.parallelize(lines, splits))
        return DynamicFrame(frame, self, transformation_ctx)

    @staticmethod
    def _exported_items(options) -> list[dict]:
        """The export connector's items: `dynamodb.unnestDDBJson` true gives plain attributes, false
        (Glue's default) one `Item` column in DynamoDB JSON, as Glue's connector gives them."""
        mode = options["dynamodb.export"]
        if mode not in ("ddb", "s3"):
            raise ValueError(f"dynamodb.export must be 'ddb' (export now) or 's3' (read a past export), got {mode!r}")
        missing = [key for key in ("dynamodb.tableArn", "dynamodb.s3.bucket") if not options.get(key)]
        if missing:
            raise ValueError(f"the DynamoDB export connector needs connection_options {', '.join(missing)}")
        items = dynamodb.export_items(options["dynamodb.tableArn"], options["dynamodb.s3.bucket"],
                                      options.get("dynamodb.s3.prefix", ""), fresh=mode == "ddb")
        if str(options.get("dynamodb.unnestDDBJson", False)).lower() == "true":
            return [dynamodb.plain_item(item) for item in items]
        return [{"Item": item} for item in items]

    def _read_s3(self, options, format, format_options, transformation_ctx) -> DynamicFrame:
        paths = options.get("paths") or ([options["path"]] if options.get("path") else [])
        if not paths:
            raise ValueError("S3 source needs connection_options 'paths' (a list of s3:// URIs)")
        if format not in _S3_FORMATS:
            raise NotImplementedError(f"format {format!r} is not emulated locally (supported: {', '.join(_S3_FORMATS)})")
        self._mount_uris(*paths)
        recurse = str(options.get("recurse", False)).lower() == "true"  # Glue's default: this folder only
        excluded = _exclusions(options.get("exclusions"))
        listed = [f for f in lake.list_files(self._local_settings.lake_root, paths, recurse=recurse)
                  if not any(pattern.fullmatch(f.uri) for pattern in excluded)]
        unread = self._unread(listed, transformation_ctx)
        if not unread:
            return self._empty_frame(transformation_ctx)
        if format in ("parquet", "glueparquet"):
            dynamic = self._read_parquet(unread, transformation_ctx)
            frame = dynamic.toDF()
        else:
            dynamic, frame = None, self._read_files(unread, format, format_options)
        if options.get("attachFilename"):
            frame = frame.withColumn(options["attachFilename"], F.col("_metadata.file_path"))
        if options.get("attachTimestamp"):
            frame = frame.withColumn(options["attachTimestamp"],
                                     (F.unix_micros(F.col("_metadata.file_modification_time")) / 1000).cast("long"))
        if "_metadata" in frame.columns:
            frame = frame.drop("_metadata")
        result = DynamicFrame(frame, self, transformation_ctx)
        result._choices = dynamic._choices if dynamic else {}
        return result

    def _read_parquet(self, files: list[lake.LakeFile], name: str) -> DynamicFrame:
        """Parquet files as one frame. Files that hold a column as different types (a batch written
        before a type widening and one after) cannot be merged by Spark's reader: as on Glue, that
        column becomes a choice type, read folder by folder (each folder is one writer's output)."""
        try:
            return DynamicFrame(self._read_files(files, "parquet", {}), self, name)
        except Exception as error:  # Spark's AnalysisException
            if not _types_differ(error):
                raise
        folders: dict[str, list[lake.LakeFile]] = {}
        for file in files:
            folders.setdefault(file.uri.rsplit("/", 1)[0], []).append(file)
        parts = []
        for group in folders.values():
            try:
                parts.append(self._read_files(group, "parquet", {}).select("*", "_metadata"))
            except Exception as error:  # one folder of mixed types: file by file
                if not _types_differ(error):
                    raise
                parts += [self._read_files([file], "parquet", {}).select("*", "_metadata") for file in group]
        return DynamicFrame._with_choices(parts, self, name)

    def _read_files(self, files: list[lake.LakeFile], format: str, format_options: dict) -> DataFrame:
        reader = self.spark_session.read
        uris = [_literal_path(f.uri) for f in files]
        if format in ("parquet", "glueparquet"):
            return reader.option("mergeSchema", "true").parquet(*uris)
        if format == "json":
            multiline = str(format_options.get("multiline", False)).lower() == "true"
            return reader.option("multiLine", multiline).option("mode", "PERMISSIVE") \
                .option("columnNameOfCorruptRecord", _CORRUPT_RECORD).json(uris)
        return self._read_csv(files, format_options)

    def _read_csv(self, files: list[lake.LakeFile], format_options: dict) -> DataFrame:
        """Glue's CSV format options (https://docs.aws.amazon.com/glue/latest/dg/aws-glue-programming-etl-format-csv-home.html):
        separator, quoteChar, withHeader, multiLine (quoted fields may hold line breaks); gzip and
        bzip2 files are read by their extension, as Glue does."""
        separator = format_options.get("separator", ",")
        quote = format_options.get("quoteChar", '"')
        with_header = str(format_options.get("withHeader", False)).lower() == "true"
        multi_line = str(format_options.get("multiLine", False)).lower() == "true"
        groups: dict[tuple[str, ...] | None, list[str]] = {}
        for file in files:
            header = _csv_header(file.path, separator, quote) if with_header else ()
            groups.setdefault(header, []).append(_literal_path(file.uri))
        frames = []
        for header, uris in groups.items():
            # A file without a header line (0 bytes, or blank first line) has no columns of its own:
            # Glue reads no rows from an empty file; any lines it does hold are malformed records.
            # A file whose codec fails (header None) is left to Spark's reader, which fails naming it.
            names = list(header) if with_header and header is not None else None
            schema = None
            if names is not None:
                schema = T.StructType([T.StructField(n, T.StringType()) for n in names]
                                      + [T.StructField(_CORRUPT_RECORD, T.StringType())])
            reader = (self.spark_session.read.option("header", with_header).option("sep", separator)
                      .option("quote", quote).option("escape", quote).option("mode", "PERMISSIVE")
                      .option("multiLine", multi_line).option("columnNameOfCorruptRecord", _CORRUPT_RECORD))
            frame = reader.schema(schema).csv(uris) if schema else reader.csv(uris)
            frames.append(frame.select("*", "_metadata"))
        result = frames[0]
        for frame in frames[1:]:
            result = result.unionByName(frame, allowMissingColumns=True)
        return result

    def _read_jdbc(self, connection_type, options, transformation_ctx) -> DynamicFrame:
        target = self._jdbc_target(connection_type, options)
        table = options.get("dbtable")
        if not table:
            raise ValueError(f"JDBC source needs connection_options 'dbtable' ({target.describe()})")
        keys = list(options.get("jobBookmarkKeys") or [])
        if str(options.get("jobBookmarkKeysSortOrder", "asc")).lower() != "asc":
            raise NotImplementedError("jobBookmarkKeysSortOrder 'desc' is not emulated locally")
        if connection_type == "redshift" and not options.get("redshiftTmpDir"):
            raise ValueError(f"a redshift source needs connection_options 'redshiftTmpDir' (Glue unloads {table} "
                             f"through it): pass the job's --TempDir")
        # Glue ignores the hash options for Redshift, which it unloads in parallel anyway.
        partitions = [] if connection_type == "redshift" else _hash_partitions(target.engine, options)
        select = _select_prefix(table, options, bool(keys or partitions))
        spark_options = target.spark_options()
        state = self._bookmarks.state(transformation_ctx) if (self._bookmarks and keys) else None
        connection_name = options.get("connectionName") or target.describe()

        def read(sql: str, predicates: list[str] | None = None) -> DataFrame:
            try:
                if predicates:
                    properties = {k: v for k, v in spark_options.items() if k != "url"}
                    return self.spark_session.read.jdbc(spark_options["url"], f"({sql}) src",
                                                        predicates=predicates, properties=properties)
                return self.spark_session.read.format("jdbc").options(**spark_options).option("query", sql).load()
            except Exception as error:  # Py4JJavaError and Spark's AnalysisException: one line, cause in the log
                java = getattr(error, "java_exception", None)   # the driver's exception, not py4j's call frame
                raise jdbc.read_failed(connection_name, target, table,
                                       java.toString() if java is not None else str(error)) from error

        def rows(conditions: list[str]) -> DataFrame:
            return read(f"{select} {' AND '.join(conditions or ['1 = 1'])}", partitions or None)

        if not keys:
            return DynamicFrame(rows([]), self, transformation_ctx)
        key_list = ", ".join(keys)
        upper = read(f"SELECT {key_list} FROM ({select} 1 = 1) bounds ORDER BY "
                     + ", ".join(f"{k} DESC" for k in keys) + " LIMIT 1").collect()
        if not upper:
            return self._empty_frame(transformation_ctx)
        upper_values = [upper[0][k] for k in keys]
        conditions = [f"({key_list}) <= ({_sql_literals(upper_values)})"]
        last_read = bm.jdbc_last_read(state, keys)
        if last_read is not None:
            # Keys never go back: rows deleted at the source must not make old keys "new" again.
            if [bm.json_value(v) for v in upper_values] <= last_read:
                return self._empty_frame(transformation_ctx)
            conditions.append(f"({key_list}) > ({_sql_literals(last_read)})")
        if self._bookmarks:
            self._bookmarks.record(transformation_ctx, bm.jdbc_state(keys, upper_values))
        return DynamicFrame(rows(conditions), self, transformation_ctx)

    def _jdbc_target(self, connection_type, options) -> jdbc.JdbcTarget:
        if str(options.get("useConnectionProperties", "")).lower() == "true" or options.get("connectionName"):
            target = jdbc.resolve_connection(self._local_catalog, options["connectionName"])
        elif options.get("url"):
            target = jdbc.parse_url(options["url"])
            target = jdbc.JdbcTarget(target.engine, target.host, target.port, target.database,
                                     options.get("user", ""), options.get("password", ""))
        else:
            raise ValueError(f"{connection_type} source needs 'connectionName' or 'url' in connection_options")
        return target

    def create_dynamic_frame_from_catalog(self, database=None, table_name=None, redshift_tmp_dir="",
                                          transformation_ctx="", push_down_predicate="", additional_options={},
                                          catalog_id=None, **kwargs):
        table = self._local_catalog.get_table(DatabaseName=database, Name=table_name)["Table"]
        self._refuse_data_lake_table(table, "create_dynamic_frame.from_catalog")
        descriptor = table["StorageDescriptor"]
        classification = table["Parameters"].get("classification", "parquet")
        self._mount_uris(descriptor["Location"])
        partition_keys = table.get("PartitionKeys", [])
        if not partition_keys:
            locations = [descriptor["Location"]]
        else:
            partitions = self._local_catalog.get_partitions(DatabaseName=database, TableName=table_name)["Partitions"]
            partitions = self._prune(partitions, partition_keys, push_down_predicate)
            locations = [p["StorageDescriptor"]["Location"] for p in partitions]
        files = lake.list_files(self._local_settings.lake_root, locations) if locations else []
        unread = self._unread(files, transformation_ctx)
        if not unread:
            return self._empty_frame(transformation_ctx)
        serde = descriptor.get("SerdeInfo", {}).get("Parameters", {})
        format_options = {"withHeader": table["Parameters"].get("skip.header.line.count") == "1",
                          "separator": serde.get("field.delim", ",")}
        if partition_keys:
            reader = self.spark_session.read.option("basePath", descriptor["Location"])
            read = {"csv": lambda: reader.option("header", format_options["withHeader"])
                    .option("sep", format_options["separator"]).csv([f.uri for f in unread]),
                    "json": lambda: reader.json([f.uri for f in unread])}.get(
                        classification, lambda: reader.option("mergeSchema", "true").parquet(*[f.uri for f in unread]))
            # Partition values are typed by the catalog, as on Glue, not guessed from the folder names
            # (Spark's guess would turn a string key's "01" into 1).
            frame = _without_partition_type_inference(self.spark_session, read)
            for key in partition_keys:
                frame = frame.withColumn(key["Name"], F.col(key["Name"]).cast(key["Type"]))
        else:
            frame = self._read_files(unread, classification, format_options)
        columns = [c["Name"] for c in descriptor["Columns"]] + [k["Name"] for k in partition_keys]
        frame = frame.select(*[F.col(f"`{c}`") for c in columns if c in frame.columns])
        return DynamicFrame(frame, self, transformation_ctx)

    def _prune(self, partitions, partition_keys, predicate):
        if not predicate or not partitions:
            return partitions
        schema = T.StructType([T.StructField("_index", T.IntegerType())]
                              + [T.StructField(k["Name"], T.StringType()) for k in partition_keys])
        rows = [(i, *p["Values"]) for i, p in enumerate(partitions)]
        typed = self.spark_session.createDataFrame(rows, schema).select(
            "_index", *[F.col(k["Name"]).cast(k["Type"]).alias(k["Name"]) for k in partition_keys])
        selected = {row["_index"] for row in typed.where(predicate).select("_index").collect()}
        return [p for i, p in enumerate(partitions) if i in selected]

    # ------------------------------------------------------------------- writes
    def getSink(self, connection_type, format=None, transformation_ctx="", **options):
        return DataSink(self, connection_type, format, transformation_ctx, options)

    def write_dynamic_frame_from_options(self, frame, connection_type, connection_options={}, format=None,
                                         format_options={}, transformation_ctx=""):
        if connection_type != "s3":
            raise NotImplementedError(f"writing to {connection_type!r} is not emulated locally (use s3 or from_jdbc_conf)")
        sink = self.getSink(connection_type, format, transformation_ctx, **connection_options)
        sink.setFormat(format, **format_options)
        return sink.writeFrame(frame)

    def write_dynamic_frame_from_catalog(self, frame, database=None, table_name=None, redshift_tmp_dir="",
                                         transformation_ctx="", additional_options={}, catalog_id=None, **kwargs):
        table = self._local_catalog.get_table(DatabaseName=database, Name=table_name)["Table"]
        self._refuse_data_lake_table(table, "write_dynamic_frame.from_catalog")
        options = {"path": table["StorageDescriptor"]["Location"],
                   "partitionKeys": [k["Name"] for k in table.get("PartitionKeys", [])], **additional_options}
        sink = self.getSink("s3", table["Parameters"].get("classification", "parquet"), transformation_ctx, **options)
        sink.setCatalogInfo(database, table_name)
        return sink.writeFrame(frame)

    def extract_jdbc_conf(self, connection_name, catalog_id=None):
        """A Glue connection's JDBC settings as Glue gives them: `url` without the database,
        `fullUrl` with it, `user`, `password`, `vendor`."""
        target = jdbc.resolve_connection(self._local_catalog, connection_name)
        return {"url": target.jdbc_url.rsplit("/", 1)[0], "fullUrl": target.jdbc_url, "user": target.user,
                "password": target.password, "vendor": target.engine}

    def write_dynamic_frame_from_jdbc_conf(self, frame, catalog_connection, connection_options={},
                                           redshift_tmp_dir="", transformation_ctx="", catalog_id=None):
        target = jdbc.resolve_connection(self._local_catalog, catalog_connection)
        target = target.with_database(connection_options.get("database"))
        table = connection_options.get("dbtable")
        if not table:
            raise ValueError(f"from_jdbc_conf needs connection_options 'dbtable' (connection {catalog_connection})")
        jdbc.run_sql(target, connection_options.get("preactions", ""), f"preactions for {table}")
        (frame.toDF().write.format("jdbc").options(**target.spark_options()).option("dbtable", table)
         .option("batchsize", "10000").mode("append").save())
        jdbc.run_sql(target, connection_options.get("postactions", ""), f"postactions for {table}")
        return self._empty_frame(f"{frame.name}_errors")


def _without_partition_type_inference(spark_session: SparkSession, read):
    """Run read() (which resolves the partition columns) with every partition value read as text."""
    key = "spark.sql.sources.partitionColumnTypeInference.enabled"
    previous = spark_session.conf.get(key)
    spark_session.conf.set(key, "false")
    try:
        return read()
    finally:
        spark_session.conf.set(key, previous)


def _csv_header(path: Path, separator: str, quote: str) -> tuple[str, ...] | None:
    """The column names on a CSV file's first line: compressed files through their codec, a UTF-8 byte
    order mark dropped, bytes that are not UTF-8 shown as U+FFFD instead of failing the read. None
    when the codec cannot decode the file: Spark's reader then fails on it, naming it, as Glue's does."""
    import bz2
    import csv
    import gzip
    import io
    import zlib

    opener = {".gz": gzip.open, ".bz2": bz2.open}.get(path.suffix, open)
    try:
        with opener(path, "rb") as raw, io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace",
                                                         newline="") as text:
            first = next(csv.reader(text, delimiter=separator, quotechar=quote), [])
    except (OSError, EOFError, zlib.error):  # gzip.BadGzipFile is an OSError; bz2 raises OSError too
        return None
    return tuple(name.strip() for name in first)


def _exclusions(value) -> list[re.Pattern]:
    """Glue's S3 source option `exclusions`: a string holding a JSON list of Unix-style glob patterns
    (https://docs.aws.amazon.com/glue/latest/dg/aws-glue-programming-etl-connect-s3-home.html), each
    matched against an object's whole s3:// path."""
    if value is None:
        return []
    try:
        patterns = json.loads(value) if isinstance(value, str) else None
    except json.JSONDecodeError:
        patterns = None
    if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
        raise ValueError(f"connection option 'exclusions' must be a string holding a JSON list of glob patterns, "
                         f'e.g. "[\\"**.pdf\\"]"; got {value!r}')
    return [_glob(pattern) for pattern in patterns]


def _glob(pattern: str) -> re.Pattern:
    """A glob as Glue reads include and exclude patterns ("Include and exclude patterns",
    https://docs.aws.amazon.com/glue/latest/dg/define-crawler.html):
    `*` within one path component, `**` across components, `?` one character, `[a-z]` / `[!a-z]` one
    character of a set, `{a,b}` either subpattern (groups do not nest), `\\` escapes the next character."""
    regex, index, in_group = [], 0, False
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern):
            regex.append(re.escape(pattern[index + 1]))
            index += 2
            continue
        if pattern.startswith("**", index):
            regex.append(".*")
            index += 2
            continue
        if char == "*":
            regex.append("[^/]*")
        elif char == "?":
            regex.append("[^/]")
        elif char == "[":
            end = pattern.find("]", index + 2)
            if end < 0:
                raise ValueError(f"exclusion pattern {pattern!r}: [ without a closing ]")
            members = pattern[index + 1:end]
            negated = members.startswith("!")
            members = "".join(c if c == "-" else re.escape(c) for c in members.removeprefix("!"))
            regex.append(f"[{'^' if negated else ''}{members}]")
            index = end + 1
            continue
        elif char == "{":
            if in_group:
                raise ValueError(f"exclusion pattern {pattern!r}: groups {{...}} cannot be nested")
            regex.append("(?:")
            in_group = True
        elif char == "}" and in_group:
            regex.append(")")
            in_group = False
        elif char == "," and in_group:
            regex.append("|")
        else:
            regex.append(re.escape(char))
        index += 1
    if in_group:
        raise ValueError(f"exclusion pattern {pattern!r}: {{ without a closing }}")
    return re.compile("".join(regex), re.DOTALL)


def _select_prefix(table: str, options: dict, adds_conditions: bool) -> str:
    """The start of the read's SQL, ending in WHERE or AND so conditions can follow: Glue's
    `sampleQuery` (the filter the database runs) or the whole table. Glue appends its conditions to a
    sampleQuery only with enablePartitioningForSampleQuery, and then the query must end in WHERE or AND
    (https://docs.aws.amazon.com/glue/latest/dg/aws-glue-programming-etl-connect-jdbc-home.html)."""
    sample = str(options.get("sampleQuery") or "").strip()
    if not sample:
        return f"SELECT * FROM {table} WHERE"
    partitioned = str(options.get("enablePartitioningForSampleQuery", "false")).lower() == "true"
    last_word = sample.rsplit(None, 1)[-1].upper()
    if partitioned and last_word not in ("WHERE", "AND"):
        raise ValueError(f"sampleQuery for {table} must end with WHERE or AND when enablePartitioningForSampleQuery "
                         f"is true: {sample!r}")
    if not partitioned:
        if adds_conditions:
            raise ValueError(f"sampleQuery for {table} with jobBookmarkKeys or hash partitions needs "
                             f"enablePartitioningForSampleQuery 'true' and a query ending in WHERE or AND")
        return f"SELECT * FROM ({sample}) sample WHERE"
    return sample


def _hash_partitions(engine: str, options: dict) -> list[str]:
    """WHERE conditions that split a read into `hashpartitions` non-overlapping parts, as Glue's
    hashfield (any column, hashed by the database) or hashexpression (a whole number) do
    (https://docs.aws.amazon.com/glue/latest/dg/run-jdbc-parallel-read-job.html). Rows whose hash is
    NULL go to the first part, so the parts together hold every row once."""
    field, expression = options.get("hashfield"), options.get("hashexpression")
    if not field and not expression:
        return []
    count = int(options.get("hashpartitions", 7))  # Glue's default
    if count < 1:
        raise ValueError(f"hashpartitions must be at least 1, got {count}")
    if field:
        value = f"CRC32({field})" if engine in ("mysql", "mariadb") \
            else f"CAST(hashtext(CAST({field} AS text)) AS bigint)"
    else:
        value = f"({expression})"
    bucket = f"MOD(MOD({value}, {count}) + {count}, {count})"
    return [f"{bucket} = {index}" + (f" OR {value} IS NULL" if index == 0 else "") for index in range(count)]


def _types_differ(error: Exception) -> bool:
    """Spark's Parquet schema merge refused files that hold a column as different types."""
    return "CANNOT_MERGE" in str(error) or "Failed to merge" in str(error)


def _literal_path(uri: str) -> str:
    """A file URI for Spark's readers, which treat [ ] { } * ? as glob patterns: S3 object keys are literal."""
    return re.sub(r"([\\\[\]{}*?])", r"\\\1", uri)


def _sql_literals(values) -> str:
    literals = []
    for value in values:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            literals.append(repr(value))
        else:
            literals.append("'" + str(value).replace("'", "''") + "'")
    return ", ".join(literals)
