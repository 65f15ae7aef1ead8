"""The load stage for one dataset: upsert the new validated rows into the curated zone and the warehouse.

- The newest version of each key wins: when one run loads several validated batches, older versions
  of a key are counted as superseded.
- Curated zone (Parquet, partitioned as configured, registered in the Data Catalog): rows for
  partitions that do not exist yet are appended through a Glue sink that creates the table and
  registers the new partitions. Partitions that exist are rewritten with their current rows merged
  with the batch (the batch wins per key), so a rerun or a correction replaces rows instead of
  duplicating them. Partition columns are part of the primary key, so a key never changes partition.
- Warehouse: `from_jdbc_conf` into a staging table, then DELETE USING + INSERT on the key.
Rows read must equal rows loaded + superseded, and the warehouse must stage exactly the rows loaded.
"""

from __future__ import annotations

from dataclasses import dataclass

from awsglue.dynamicframe import DynamicFrame
from pyspark.sql import DataFrame, Observation
from pyspark.sql import functions as F

from etl_pipeline import storage
from etl_pipeline.batches import counted, file_count, read_new_parquet
from etl_pipeline.columns import VERSION_COLUMNS, column, newest_first
from etl_pipeline.config import DatasetConfig
from etl_pipeline.report import InvariantError, check_invariant
from etl_pipeline.warehouse import WarehouseTable
from etl_pipeline.zones import Zones

NO_WAREHOUSE = "none"


@dataclass(frozen=True)
class LoadContext:
    glue_context: object
    zones: Zones
    target_file_size_mb: int
    curated_database: str
    warehouse_connection: str
    warehouse_database: str
    warehouse_schema: str


def _key(names) -> list:
    return [column(n) for n in names]


def newest_versions(validated: DataFrame, dataset: DatasetConfig) -> DataFrame:
    """Mark each row's rank among the versions of its key (1 = newest)."""
    return validated.withColumn("_version_rank", F.row_number().over(newest_first(dataset.primary_key)))


def partition_uri(table_uri: str, keys: tuple[str, ...], values: tuple) -> str:
    return storage.join_uri(table_uri, *[f"{k}={v}" for k, v in zip(keys, values)]) + "/"


class CuratedTable:
    def __init__(self, context: LoadContext, dataset: DatasetConfig):
        self.context = context
        self.dataset = dataset
        self.spark = context.glue_context.spark_session
        self.uri = context.zones.curated_table(dataset)
        self.keys = dataset.partition_by

    def _typed_partitions(self, frame: DataFrame) -> DataFrame:
        """Partition values read back from folder names, cast to the configured types."""
        for key in self.keys:
            frame = frame.withColumn(key, F.col(key).cast(self.dataset.column_type(key)))
        return frame

    def partitions(self, batch: DataFrame) -> tuple[list[tuple], list[tuple]]:
        """The partitions the batch touches, and those of them that already hold data."""
        if not self.keys:
            return [()], ([()] if storage.exists(self.spark, self.uri) else [])
        touched = [tuple(row) for row in batch.select(*self.keys).distinct().collect()]
        existing = [v for v in touched if storage.exists(self.spark, partition_uri(self.uri, self.keys, v))]
        return touched, existing

    def upsert(self, batch: DataFrame, rows: int) -> dict:
        touched, existing = self.partitions(batch)
        if not existing:
            into_new, into_existing = batch, None
        elif len(existing) == len(touched):
            into_new, into_existing = None, batch
        else:
            existing_values = F.broadcast(self.spark.createDataFrame(existing, batch.select(*self.keys).schema))
            into_existing = batch.join(existing_values, list(self.keys), "left_semi")
            into_new = batch.join(existing_values, list(self.keys), "left_anti")
        appended = self._append_new(into_new, rows) if into_new is not None else 0
        merged = self._merge_existing(into_existing, existing) if into_existing is not None \
            else {"inserted": 0, "updated": 0}
        return {"rows_appended_to_new_partitions": appended, **merged, "partitions_rewritten": len(existing)}

    def _append_new(self, rows_frame: DataFrame, rows: int) -> int:
        """New partitions (or a new table): a Glue sink appends them and registers them in the catalog."""
        frame, observation = counted(rows_frame, f"curated_new_{self.dataset.name}")
        frame = frame.repartition(*_key(self.keys)) if self.keys else \
            frame.coalesce(file_count(rows, len(rows_frame.columns), self.context.target_file_size_mb))
        sink = self.context.glue_context.getSink(
            connection_type="s3", path=self.uri, enableUpdateCatalog=True,
            updateBehavior="UPDATE_IN_DATABASE", partitionKeys=list(self.keys),
            transformation_ctx=f"load_{self.dataset.name}_curated")
        sink.setFormat("glueparquet")
        sink.setCatalogInfo(catalogDatabase=self.context.curated_database,
                            catalogTableName=self.dataset.curated_table)
        sink.writeFrame(DynamicFrame.fromDF(frame, self.context.glue_context, f"curated_{self.dataset.name}"))
        return observation.get["rows"]

    def _merge_existing(self, batch_rows: DataFrame, partitions: list[tuple]) -> dict:
        """Rewrite the touched partitions: their current rows, minus the keys in the batch, plus the batch."""
        uris = [partition_uri(self.uri, self.keys, values) for values in partitions] if self.keys else [self.uri]
        current = self._typed_partitions(self.spark.read.option("basePath", self.uri).parquet(*uris))
        batch_keys = batch_rows.select(*_key(self.dataset.primary_key)).withColumn("_replaced", F.lit(True))
        replaced = Observation(f"curated_replaced_{self.dataset.name}")
        kept = (current.join(batch_keys, list(self.dataset.primary_key), "left")
                .observe(replaced, F.count_if(F.col("_replaced")).alias("rows"))
                .where(F.col("_replaced").isNull()).drop("_replaced"))
        incoming, batch_observation = counted(batch_rows, f"curated_merge_{self.dataset.name}")
        merged = kept.unionByName(incoming, allowMissingColumns=True).select(*batch_rows.columns)
        # Materialise before overwriting what the merge reads from (Spark forbids it, rightly).
        merged = merged.checkpoint(eager=True)
        if self.keys:
            (merged.repartition(*_key(self.keys)).write.mode("overwrite")
             .option("partitionOverwriteMode", "dynamic").partitionBy(*self.keys).parquet(self.uri))
        else:
            merged.coalesce(1).write.mode("overwrite").parquet(self.uri)
        updated, incoming_rows = replaced.get["rows"], batch_observation.get["rows"]
        return {"updated": updated, "inserted": incoming_rows - updated}


def load_warehouse(context: LoadContext, dataset: DatasetConfig, batch: DataFrame) -> int:
    table = WarehouseTable(context.warehouse_schema, dataset)
    frame, observation = counted(batch, f"warehouse_{dataset.name}")
    context.glue_context.write_dynamic_frame.from_jdbc_conf(
        frame=DynamicFrame.fromDF(frame, context.glue_context, f"warehouse_{dataset.name}"),
        catalog_connection=context.warehouse_connection,
        connection_options={
            "dbtable": table.dbtable,
            "database": context.warehouse_database,
            "preactions": table.preactions(),
            "postactions": table.postactions(),
        },
        redshift_tmp_dir=context.zones.temp("redshift"),
        transformation_ctx=f"load_{dataset.name}_warehouse",
    )
    return observation.get["rows"]


def load_dataset(context: LoadContext, dataset: DatasetConfig) -> dict:
    validated = read_new_parquet(context.glue_context, context.zones.validated(dataset), f"load_{dataset.name}")
    if not validated.columns:
        return {"rows_read": 0, "nothing_new": True}

    ranked = newest_versions(validated, dataset).persist()
    try:
        counts = Observation(f"load_{dataset.name}")
        ranked.observe(counts, F.count(F.lit(1)).alias("rows"),
                       F.count_if(F.col("_version_rank") > 1).alias("superseded")).count()
        metrics = counts.get
        batch = ranked.where(F.col("_version_rank") == 1).drop("_version_rank", *VERSION_COLUMNS)
        loaded_rows = metrics["rows"] - metrics["superseded"]
        curated = CuratedTable(context, dataset).upsert(batch, loaded_rows)
        curated_rows = curated["rows_appended_to_new_partitions"] + curated["inserted"] + curated["updated"]
        check_invariant("load", dataset.name, metrics["rows"],
                        {"loaded to curated": curated_rows, "superseded": metrics["superseded"]})
        warehouse_rows = None
        if context.warehouse_connection != NO_WAREHOUSE:
            warehouse_rows = load_warehouse(context, dataset, batch)
            if warehouse_rows != curated_rows:
                raise InvariantError(
                    f"load {dataset.name}: {warehouse_rows:,} rows staged for the warehouse but "
                    f"{curated_rows:,} loaded to the curated zone; nothing is committed")
    finally:
        ranked.unpersist()
    return {
        "rows_read": metrics["rows"],
        "rows_loaded": curated_rows,
        "superseded": metrics["superseded"],
        "curated_new_partition_rows": curated["rows_appended_to_new_partitions"],
        "curated_inserted": curated["inserted"],
        "curated_updated": curated["updated"],
        "partitions_rewritten": curated["partitions_rewritten"],
        "warehouse_rows": warehouse_rows,
        "warehouse": f"{context.warehouse_schema}.{dataset.warehouse_table}"
        if context.warehouse_connection != NO_WAREHOUSE else "disabled (--warehouse_connection none)",
        "nothing_new": False,
    }
