"""The load stage for one dataset: merge the new validated rows into the curated table and the warehouse.

- When one run loads several validated batches, one version of each key wins (`columns.newest_first`:
  `deduplicate.order_by`, then the newest); the others are counted as superseded. With
  `deduplicate.order_by`, the curated table's version of each key competes too: a batch row it
  beats is not loaded (counted as superseded_by_curated), in the table nor in the warehouse. One
  validated batch (the usual run) was de-duplicated by the transform: only the table's version
  competes with its rows, by a join on the key instead of a window over the batch.
- Curated zone: an Apache Iceberg table (format version 2) `<catalog>.<curated database>.<table>`,
  created by the first load with the dataset's partition transforms (which appends its batch: no key
  can match yet), then merged with `MERGE INTO` on the primary key, copy-on-write or merge-on-read
  as `targets.curated.merge_mode` says (a changed setting is applied to the table before the
  merge). One merge, like the first append, is one atomic Iceberg commit: a crash at any moment
  leaves the previous snapshot whole, and a rerun of the same batch updates the same keys instead of
  adding rows. Spark SQL, not a DynamicFrame sink: Glue's DynamicFrame catalog
  writers do not support Iceberg tables.
- Warehouse: `from_jdbc_conf` into a staging table, then DELETE USING + INSERT on the key; skipped
  for a dataset without `targets.warehouse` and for every dataset under `--warehouse_connection none`.
- Schema evolution (`schema_evolution`): before the merge, a column the batch has and a table lacks
  is added to it (`ALTER TABLE ... ADD COLUMN`: old rows read NULL), and a widened type is promoted;
  the warehouse's columns are read first, so a rerun after any failure changes only what is left.
Rows read must equal rows merged + superseded + superseded_by_curated (all counted on the MERGE's read
of its source: no pass of their own), and the warehouse must stage exactly the rows merged.
The report gives the wall seconds of each target (`curated_seconds`, `warehouse_seconds`): the
batch is not cached, so each target's write reads and ranks the validated batch itself, and its
seconds are what that target costs the load (the job's start and listing are in neither).
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass

from awsglue.dynamicframe import DynamicFrame
from pyspark.sql import DataFrame, Observation, SparkSession
from pyspark.sql.utils import AnalysisException
from pyspark.sql import functions as F

from etl_pipeline.batches import batch_folders, counted, read_new_parquet
from etl_pipeline.columns import ETL_EXTRACTED_AT, VERSION_COLUMNS, column, newest_first, wins_sql
from etl_pipeline.config import MERGE_MODES, DatasetConfig
from etl_pipeline.report import InvariantError, check_invariant, seconds_since
from etl_pipeline.retries import RunReads
from etl_pipeline.schema_evolution import (TableChange, curated_changes, curated_ddl, refuse_several_types,
                                           widened_types, with_undeclared_columns)
from etl_pipeline.warehouse import WarehouseTable
from etl_pipeline.zones import Zones

NO_WAREHOUSE = "none"
# The JDBC drivers Glue 5.1 ships, by the scheme of the connection's URL.
JDBC_DRIVERS = {"redshift": "com.amazon.redshift.jdbc42.Driver", "postgresql": "org.postgresql.Driver"}

logger = logging.getLogger("etl_pipeline")


class WarehouseLoadError(RuntimeError):
    """The warehouse refused the load; one line names the table, the column if known, and what to do."""


@dataclass(frozen=True)
class LoadContext:
    glue_context: object
    zones: Zones
    iceberg_catalog: str
    curated_database: str
    target_file_size_mb: int
    warehouse_connection: str
    warehouse_database: str
    warehouse_schema: str
    # The job run's bookmarked reads and retry lists (etl_pipeline.retries); None outside a job run.
    reads: RunReads | None = None


# Iceberg's row-level operation modes, all set to the dataset's `targets.curated.merge_mode`: the
# MERGE's, and the DELETE's a take-back of a first load runs
# (https://iceberg.apache.org/docs/1.10.0/configuration/#write-properties; the default, copy-on-write, when unset).
ROW_LEVEL_MODES = ("write.merge.mode", "write.update.mode", "write.delete.mode")


# The rows a snapshot's readers see, from its summary: its data files' records (the first) less the
# rows its delete files remove, as a merge-on-read update adds a record and a position delete
# (https://iceberg.apache.org/spec/#optional-snapshot-summary-fields). A delete left pointing at a
# data file a compaction replaced would count too: the same before and after a merge, it cancels out
# of the rows a merge inserted (`make table-compact` leaves none).
LIVE_ROW_COUNTS = ("total-records", "total-position-deletes", "total-equality-deletes")


def live_rows_sql(snapshots: str) -> str:
    """LIVE_ROW_COUNTS in SQL over Iceberg's `snapshots` metadata table (`snapshots`: its alias in the query)."""
    total = [f"coalesce(CAST({snapshots}.summary['{key}'] AS BIGINT), 0)" for key in LIVE_ROW_COUNTS]
    return " - ".join(total)


def live_rows(summary: dict) -> int:
    """LIVE_ROW_COUNTS from a snapshot's summary as its table's metadata file holds it."""
    records, *deleted = (int(summary.get(key, 0)) for key in LIVE_ROW_COUNTS)
    return records - sum(deleted)


IN_TABLE, RANK, TABLE_WINS = "_in_curated_table", "_version_rank", "_curated_version_wins"


def ranked_versions(validated: DataFrame, dataset: DatasetConfig, current: DataFrame | None = None) -> DataFrame:
    """Each row's rank among the versions of its key (1 = the winner, `columns.newest_first`).

    `current` (with `deduplicate.order_by`): the curated table's version of the batch's keys, its key,
    order and lineage columns; it competes in the same window and loses every tie (it has no source
    metadata), so a batch row whose order value is lower than the table's is not loaded.
    `_curated_version_wins` marks the keys whose table version stays."""
    versions = validated.withColumn(IN_TABLE, F.lit(False))
    if current is not None:
        keys = validated.select(*[column(k) for k in dataset.primary_key])
        current = current.join(keys, list(dataset.primary_key), "left_semi")
        versions = versions.unionByName(current.withColumn(IN_TABLE, F.lit(True)), allowMissingColumns=True)
    window = newest_first(dataset.primary_key, order=dataset.dedupe_order)
    return versions.select("*", F.row_number().over(window).alias(RANK),
                           F.first(IN_TABLE).over(window).alias(TABLE_WINS))


def versions_of_one_batch(validated: DataFrame, dataset: DatasetConfig, current: DataFrame | None = None) -> DataFrame:
    """`ranked_versions` for the rows of one validated batch, without a window: the transform left
    one version of each key in a batch, so every row ranks first among the batch's rows and only
    the curated table's version (`current`, with `deduplicate.order_by`) can beat it. A left join on
    the key decides that (keys are unique in the batch and in the table): the batch row stays
    unless the table's version is better by `deduplicate.order_by`; a tie goes to the batch row, as
    in the window, where the table's version has no source metadata and loses every tie."""
    versions = validated.withColumn(IN_TABLE, F.lit(False)).withColumn(RANK, F.lit(1))
    if current is None:
        return versions.withColumn(TABLE_WINS, F.lit(False))
    keys = list(dataset.primary_key)
    table = current.select(*[column(c) for c in dict.fromkeys([*keys, *(k.column for k in dataset.dedupe_order)])])
    # NULL when the batch's value is NULL and the table's is not: the table's version wins.
    batch_wins = F.expr(wins_sql(dataset.dedupe_order, "batch", "curated", lambda name: f"`{name}`"))
    return (versions.alias("batch")
            .join(table.alias("curated"), [F.col(f"batch.`{k}`") == F.col(f"curated.`{k}`") for k in keys], "left")
            .select("batch.*", (~F.coalesce(batch_wins, F.lit(False))).alias(TABLE_WINS)))


def _quoted(*names: str) -> str:
    return ".".join(f"`{name}`" for name in names)


@dataclass(frozen=True)
class Snapshot:
    snapshot_id: int | None
    rows: int  # what readers see: records less deleted rows (`live_rows_sql`)
    parent_id: int | None = None


class CuratedTable:
    """One curated Iceberg table, reached through the Spark catalog the job's --conf configures."""

    def __init__(self, spark: SparkSession, context: LoadContext, dataset: DatasetConfig):
        self.spark = spark
        self.dataset = dataset
        self.namespace = _quoted(context.iceberg_catalog, context.curated_database)
        self.name = _quoted(context.iceberg_catalog, context.curated_database, dataset.curated_table)
        self.catalog, self.identifier = context.iceberg_catalog, f"{context.curated_database}.{dataset.curated_table}"
        self.target_file_bytes = context.target_file_size_mb * 1024 * 1024

    def create_if_missing(self, columns: DataFrame) -> None:
        """The table with the batch's columns and the dataset's partition transforms, if it is new."""
        self.spark.sql(f"CREATE NAMESPACE IF NOT EXISTS {self.namespace}")
        definitions = ", ".join(f"`{f.name}` {f.dataType.simpleString()}" for f in columns.schema.fields)
        partitioned = f" PARTITIONED BY ({', '.join(self.dataset.partition_by)})" if self.dataset.partition_by else ""
        self.spark.sql(
            f"CREATE TABLE IF NOT EXISTS {self.name} ({definitions}) USING iceberg{partitioned} "
            f"TBLPROPERTIES ('format-version' = '2', 'write.target-file-size-bytes' = '{self.target_file_bytes}', "
            # Rows of one partition are written together: few files per partition, near the target size.
            f"'write.distribution-mode' = 'hash', {self._row_level_modes(ROW_LEVEL_MODES)})")

    def _row_level_modes(self, properties: tuple[str, ...] | list[str]) -> str:
        return ", ".join(f"'{key}' = '{self.dataset.curated_merge_mode}'" for key in properties)

    def keep_merge_mode(self) -> None:
        """Give the table the row-level modes `targets.curated.merge_mode` asks for, when the setting
        changed since the table was created (`ALTER TABLE ... SET TBLPROPERTIES`: a metadata change,
        no snapshot; the files written before stay as they are)."""
        properties = {row["key"]: row["value"] for row in self.spark.sql(f"SHOW TBLPROPERTIES {self.name}").collect()}
        changed = [key for key in ROW_LEVEL_MODES
                   if properties.get(key, MERGE_MODES[0]) != self.dataset.curated_merge_mode]
        if changed:
            self.spark.sql(f"ALTER TABLE {self.name} SET TBLPROPERTIES ({self._row_level_modes(changed)})")
            logger.info("%s: %s set to %s (targets.curated.merge_mode)", self.identifier, ", ".join(changed),
                        self.dataset.curated_merge_mode)

    def current_versions(self, batch: DataFrame) -> DataFrame | None:
        """The table's rows: key, `deduplicate.order_by` columns and extract time,
        as the batch types them (a column the table lacks yet is NULL: it loses). None without
        `deduplicate.order_by` (the batch always wins) or without a table yet."""
        if not self.dataset.dedupe_order:
            return None
        try:
            table = self.spark.table(self.name)
        except AnalysisException:
            return None  # the first load creates the table
        types = dict(batch.dtypes)
        names = [*self.dataset.primary_key, *(k.column for k in self.dataset.dedupe_order
                                              if k.column not in self.dataset.primary_key), ETL_EXTRACTED_AT]
        versions = table.select(*[(column(n) if n in table.columns else F.lit(None)).cast(types[n]).alias(n)
                                  for n in names])
        return versions

    def evolve(self, batch: DataFrame) -> list[TableChange]:
        """Add the batch's new columns to the table and promote widened types (Iceberg's schema
        evolution: metadata only, no data file is rewritten; each change is a new table version)."""
        existing = {f.name: f.dataType.simpleString() for f in self.spark.table(self.name).schema.fields}
        wanted = {f.name: f.dataType.simpleString() for f in batch.schema.fields}
        changes = curated_changes(self.name.replace("`", ""), existing, wanted,
                                  self.dataset.schema_evolution.type_changes)
        for change in changes:
            self.spark.sql(curated_ddl(self.name, change))
        return changes

    def current_snapshot(self) -> Snapshot:
        """The snapshot readers see now (the last one made current: a rollback makes an older one current)."""
        row = self.spark.sql(
            f"SELECT h.snapshot_id, {live_rows_sql('s')} AS live_rows, s.parent_id FROM {self.name}.history h "
            f"JOIN {self.name}.snapshots s ON s.snapshot_id = h.snapshot_id "
            f"ORDER BY h.made_current_at DESC LIMIT 1").collect()
        return Snapshot(row[0]["snapshot_id"], row[0]["live_rows"], row[0]["parent_id"]) if row else Snapshot(None, 0)

    def take_back(self, before: Snapshot, made: Snapshot) -> str:
        """Undo the merge that committed `made`, when a check after the commit fails: the table reads
        `before` again (Iceberg's rollback_to_snapshot; a table empty before its first merge is
        emptied). Only while `made` is current and `before` its parent: a later commit (another
        writer) is never undone. Returns what was done, for the error line."""
        if self.current_snapshot().snapshot_id != made.snapshot_id or made.parent_id != before.snapshot_id:
            return (f"The merge stays in {self.identifier} (snapshot {made.snapshot_id}): another commit came "
                    f"between or after it; inspect its history (docs/operations: Iceberg tables).")
        if before.snapshot_id is None:
            self.spark.sql(f"DELETE FROM {self.name}")
        else:
            self.spark.sql(f"CALL {self.catalog}.system.rollback_to_snapshot('{self.identifier}', "
                           f"{before.snapshot_id})").collect()
        return f"The merge was taken back: {self.identifier} holds its {before.rows:,} earlier rows again."

    def merge(self, batch: DataFrame) -> dict:
        """MERGE the batch on the primary key: matched keys are updated, the others inserted. Into a
        table that has never had a snapshot (the first load) the batch is appended instead: no key
        can match, and an append writes the batch as it is read, where a MERGE joins it with the
        table and shuffles it twice, for its join and for the write (240 s of the benchmark's
        60-million-row first load, docs/performance.md). A table that has had rows, even if it reads
        none now, is merged: its delete files are not trusted to say that no row is left."""
        before = self.current_snapshot()
        # No coalesce: it would run the whole read and join in as many tasks as files. The table's
        # 'write.distribution-mode' and 'write.target-file-size-bytes' shape the files Iceberg writes.
        source, observation = counted(batch, f"curated_merge_{self.dataset.name}")
        view = f"etl_load_batch_{self.dataset.name}"
        source.createOrReplaceTempView(view)
        # The batch's columns by name: the table may have more (a column no longer configured, or
        # one an earlier run added), which an update leaves as it is and an insert leaves NULL.
        names = [f"`{c}`" for c in batch.columns]
        listed = ", ".join(names)
        try:
            if before.snapshot_id is None:
                # One commit like the MERGE's; a writer that commits rows meanwhile is caught by the
                # row check below, as it is for a MERGE.
                self.spark.sql(f"INSERT INTO {self.name} ({listed}) SELECT {listed} FROM {view}")
            else:
                matched = " AND ".join(f"target.`{key}` = batch.`{key}`" for key in self.dataset.primary_key)
                updates = ", ".join(f"target.{n} = batch.{n}" for n in names)
                self.spark.sql(f"MERGE INTO {self.name} target USING {view} batch ON {matched} "
                               f"WHEN MATCHED THEN UPDATE SET {updates} "
                               f"WHEN NOT MATCHED THEN INSERT ({listed}) "
                               f"VALUES ({', '.join(f'batch.{n}' for n in names)})")
        finally:
            self.spark.catalog.dropTempView(view)
        after = self.current_snapshot()
        merged = observation.get["rows"]
        # Keys are unique in the batch and in the table, so each merged row either added one row or
        # replaced one: the table grew by exactly the inserted rows.
        inserted = after.rows - before.rows
        if not 0 <= inserted <= merged:
            raise InvariantError(
                f"load {self.dataset.name}: merging {merged:,} rows changed {self.name} from "
                f"{before.rows:,} to {after.rows:,} rows; the table holds duplicate keys or "
                f"was changed by another writer. Inspect its history (docs/operations: Iceberg tables). "
                f"{self.take_back(before, after)}")
        return {"merged": merged, "inserted": inserted, "updated": merged - inserted,
                "snapshot_id": after.snapshot_id, "total_rows": after.rows, "before": before, "after": after}


def warehouse_columns(context: LoadContext, table: WarehouseTable) -> dict[str, str]:
    """The warehouse table's columns and types as they are now (none when it does not exist yet),
    read through the Glue connection (`extract_jdbc_conf`: its `url` has no database)."""
    connection = context.glue_context.extract_jdbc_conf(context.warehouse_connection)
    url = f"{connection['url'].rstrip('/')}/{context.warehouse_database}"
    scheme = url.split(":")[1] if url.startswith("jdbc:") else ""
    query = ("SELECT column_name, data_type, character_maximum_length, numeric_precision, numeric_scale "
             f"FROM information_schema.columns WHERE table_schema = '{table.schema}' AND table_name = '{table.name}'")
    reader = (context.glue_context.spark_session.read.format("jdbc").option("url", url)
              .option("user", connection["user"]).option("password", connection["password"]).option("query", query))
    if scheme in JDBC_DRIVERS:
        reader = reader.option("driver", JDBC_DRIVERS[scheme])
    return {row["column_name"]: table.sql_type_of(row) for row in reader.load().collect()}


def load_warehouse(context: LoadContext, dataset: DatasetConfig, batch: DataFrame) -> tuple[int, list[TableChange]]:
    table = WarehouseTable(context.warehouse_schema, dataset)
    frame, observation = counted(batch, f"warehouse_{dataset.name}")
    changes = table.changes(warehouse_columns(context, table))
    try:
        context.glue_context.write_dynamic_frame.from_jdbc_conf(
            frame=DynamicFrame.fromDF(frame, context.glue_context, f"warehouse_{dataset.name}"),
            catalog_connection=context.warehouse_connection,
            connection_options={
                "dbtable": table.dbtable,
                "database": context.warehouse_database,
                "preactions": table.preactions(changes),
                "postactions": table.postactions(),
            },
            redshift_tmp_dir=context.zones.temp("redshift"),
            transformation_ctx=f"load_{dataset.name}_warehouse",
        )
    except Exception as error:  # noqa: BLE001 - the trace goes to the log, the job fails with one line
        logger.exception("warehouse load of %s failed", table.qualified)
        raise WarehouseLoadError(warehouse_error_line(table, error)) from None
    return observation.get["rows"], changes


def warehouse_error_line(table: WarehouseTable, error: BaseException) -> str:
    """One line: the table, the column(s) the database's message names, its first line, what to do."""
    message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    # Only the database's own message: the SQL that follows it names every column.
    named = [name for name, _ in table.columns() if re.search(rf'(?<![\w]){re.escape(name)}(?![\w])', message)]
    column = f"column(s) {', '.join(named)}" if named else "column not named by the database"
    return (f"warehouse table {table.schema}.{table.name} ({column}) refused the load: {message[:300]}. "
            f"Compare the table with config/datasets/{table.dataset.name}.yaml (types, max_length, "
            f"targets.warehouse.varchar_bytes), fix the one that is wrong, then rerun the load job: the batch's "
            f"files are kept in its retry list, so it loads the same batch again (full trace in the job's log)")


def loads_warehouse(context: LoadContext, dataset: DatasetConfig) -> bool:
    """The dataset names a warehouse table and the job was given a warehouse connection."""
    return dataset.warehouse_table is not None and context.warehouse_connection != NO_WAREHOUSE


def warehouse_target(context: LoadContext, dataset: DatasetConfig) -> str:
    """Where the load put the dataset's rows in the warehouse, or why it put none there (the run report)."""
    if dataset.warehouse_table is None:
        return f"none (config/datasets/{dataset.name}.yaml has no targets.warehouse)"
    if context.warehouse_connection == NO_WAREHOUSE:
        return "disabled (--warehouse_connection none)"
    return f"{context.warehouse_schema}.{dataset.warehouse_table}"


def load_dataset(context: LoadContext, dataset: DatasetConfig) -> dict:
    spark = context.glue_context.spark_session
    # Batches validated before and after a type widening hold the column as different Parquet
    # types: read as the config's current (wider) type, they load together.
    validated = read_new_parquet(context.glue_context, context.zones.validated(dataset), f"load_{dataset.name}",
                                 casts=widened_types(dataset), reads=context.reads)
    if not validated.columns:
        return {"rows_read": 0, "nothing_new": True}
    refuse_several_types(validated, dataset)

    started = time.monotonic()
    current = CuratedTable(spark, context, dataset).current_versions(validated)
    # One validated batch holds one version of each key (the transform de-duplicated it): no window.
    # Where the read's plan names no files (Glue's DynamicFrame reader may be a Hadoop RDD rather than
    # a file scan), no batch is known and the window ranks them: right for any number, only slower.
    one_batch = len(batch_folders(validated)) == 1
    versions = (versions_of_one_batch if one_batch else ranked_versions)(validated, dataset, current)
    # The counts are observed on the MERGE's read of its source, the pass the load makes anyway.
    counts = Observation(f"load_{dataset.name}")
    batch_row = ~F.col(IN_TABLE)
    versions = versions.observe(
        counts, F.count_if(batch_row).alias("rows"),
        F.count_if(batch_row & (F.col(RANK) > 1) & ~F.col(TABLE_WINS)).alias("superseded"),
        F.count_if(batch_row & F.col(TABLE_WINS)).alias("kept_curated"))
    batch = versions.where(batch_row & (F.col(RANK) == 1) & ~F.col(TABLE_WINS)).drop(IN_TABLE, RANK, TABLE_WINS,
                                                                                     *VERSION_COLUMNS)
    dataset = with_undeclared_columns(dataset, batch.columns)
    curated = CuratedTable(spark, context, dataset)
    curated.create_if_missing(batch)
    curated.keep_merge_mode()
    changes = curated.evolve(batch)
    merged = curated.merge(batch)
    metrics = counts.get
    # The counts are known only once the MERGE has committed (today's count() knew them before, but
    # checked them after the commit too, and a failure left the merge in the table while saying
    # "nothing is committed"). A failed check now takes the merge back, so it holds: nothing stays
    # committed and the rerun (the batch's files stay in its retry list) loads the same batch again.
    try:
        check_invariant("load", dataset.name, metrics["rows"],
                        {"merged into curated": merged["merged"], "superseded": metrics["superseded"],
                         "losing to the curated version": metrics["kept_curated"]})
    except InvariantError as error:
        raise InvariantError(f"{error} {curated.take_back(merged['before'], merged['after'])}") from None
    curated_seconds = seconds_since(started)
    warehouse_rows = warehouse_seconds = None
    if loads_warehouse(context, dataset):
        started = time.monotonic()
        warehouse_rows, warehouse_changes = load_warehouse(context, dataset, batch)
        warehouse_seconds = seconds_since(started)
        changes += warehouse_changes
        if warehouse_rows != merged["merged"]:
            raise InvariantError(
                f"load {dataset.name}: {warehouse_rows:,} rows staged for the warehouse but "
                f"{merged['merged']:,} merged into the curated table; the batch's files are kept in its retry "
                f"list, so the rerun loads the batch again")
    return {
        "rows_read": metrics["rows"],
        "rows_loaded": merged["merged"],
        "superseded": metrics["superseded"],
        "superseded_by_curated": metrics["kept_curated"],
        "curated_inserted": merged["inserted"],
        "curated_updated": merged["updated"],
        "curated_table": curated.name.replace("`", ""),
        "curated_snapshot_id": str(merged["snapshot_id"]),
        "curated_rows": merged["total_rows"],
        "warehouse_rows": warehouse_rows,
        "curated_seconds": curated_seconds,
        "warehouse_seconds": warehouse_seconds,
        "schema_changes": [change.report() for change in changes],
        "schema_change_count": len(changes),
        "warehouse": warehouse_target(context, dataset),
        "nothing_new": False,
    }
