"""`awsglue.data_sink.DataSink`: an S3 sink that can keep the Data Catalog up to date.

Like Glue's sinks it only appends. With `enableUpdateCatalog=True` and `setCatalogInfo`, writing a
frame creates the catalog table when it is missing, records a schema change as a new table version
when `updateBehavior` is UPDATE_IN_DATABASE (LOG leaves the table as it is), and registers every
partition folder the table does not have yet.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

from awsglue.dynamicframe import DynamicFrame
from localglue.services import lake
from localglue.services.catalog import storage_descriptor, table_input
from localglue.services.schema import hive_type

_SPARK_FORMATS = {"parquet": "parquet", "glueparquet": "parquet", "csv": "csv", "json": "json"}
_UPDATE_BEHAVIORS = ("UPDATE_IN_DATABASE", "LOG")


class DataSink(object):
    def __init__(self, glue_context, connection_type, format, transformation_ctx, options):
        if connection_type != "s3":
            raise NotImplementedError(f"getSink({connection_type!r}) is not emulated locally (only s3)")
        if not options.get("path"):
            raise ValueError("getSink('s3') needs path=s3://bucket/prefix/")
        self._glue_context = glue_context
        self._options = dict(options)
        self._format = format or "parquet"
        self._format_options = {}
        self._catalog = None
        self._transformation_ctx = transformation_ctx

    def setFormat(self, format, **options):
        if format not in _SPARK_FORMATS:
            raise NotImplementedError(f"sink format {format!r} is not emulated locally ({', '.join(_SPARK_FORMATS)})")
        self._format = format
        self._format_options = options

    def setCatalogInfo(self, catalogDatabase, catalogTableName, catalogId=""):
        self._catalog = (catalogDatabase, catalogTableName)

    def writeFrame(self, dynamic_frame, info=""):
        path = self._options["path"]
        partition_keys = list(self._options.get("partitionKeys") or [])
        self._glue_context._mount_uris(path)
        update_catalog = bool(self._options.get("enableUpdateCatalog") and self._catalog)
        if update_catalog:
            # Fail before writing: files written for a catalog update that then fails would be written
            # again (duplicated) by the rerun, since the failed run commits no bookmark.
            self._check_catalog_target()
        frame = dynamic_frame.toDF()
        writer = frame.write.mode("append").format(_SPARK_FORMATS[self._format])
        if self._format == "csv":
            writer = writer.option("header", str(self._format_options.get("writeHeader", True)).lower())
        if partition_keys:
            writer = writer.partitionBy(*partition_keys)
        writer.save(path)
        if update_catalog:
            self._update_catalog(frame, path, partition_keys)
        return DynamicFrame(self._glue_context.spark_session.createDataFrame([], "id string").drop("id"),
                            self._glue_context, f"{dynamic_frame.name}_errors")

    def _check_catalog_target(self) -> None:
        behavior = self._options.get("updateBehavior", "UPDATE_IN_DATABASE")
        if behavior not in _UPDATE_BEHAVIORS:
            raise ValueError(f"updateBehavior must be one of {_UPDATE_BEHAVIORS}, got {behavior!r}")
        catalog = self._glue_context._local_catalog
        catalog.get_database(Name=self._catalog[0])
        if catalog.table_exists(*self._catalog):
            self._glue_context._refuse_data_lake_table(catalog.get_table(DatabaseName=self._catalog[0],
                                                                         Name=self._catalog[1])["Table"],
                                                       "a DynamicFrame sink with setCatalogInfo")

    def _update_catalog(self, frame, path: str, partition_keys: list[str]) -> None:
        behavior = self._options.get("updateBehavior", "UPDATE_IN_DATABASE")
        database, table_name = self._catalog
        catalog = self._glue_context._local_catalog
        fields = {f.name: hive_type(f.dataType) for f in frame.schema.fields}
        columns = [{"Name": n, "Type": t} for n, t in fields.items() if n not in partition_keys]
        keys = [{"Name": k, "Type": fields[k]} for k in partition_keys]
        classification = _SPARK_FORMATS[self._format]
        location = path if path.endswith("/") else path + "/"
        wanted = table_input(table_name, location, columns, classification, keys)
        if not catalog.table_exists(database, table_name):
            catalog.create_table(DatabaseName=database, TableInput=wanted)
        else:
            current = catalog.get_table(DatabaseName=database, Name=table_name)["Table"]
            changed = (current["StorageDescriptor"]["Columns"] != columns or current["PartitionKeys"] != keys)
            if changed and behavior == "UPDATE_IN_DATABASE":
                catalog.update_table(DatabaseName=database, TableInput=wanted)
        if partition_keys:
            self._register_partitions(database, table_name, location, partition_keys, columns, classification)

    def _register_partitions(self, database, table_name, location, partition_keys, columns, classification):
        catalog = self._glue_context._local_catalog
        root = lake.to_local_path(self._glue_context._local_settings.lake_root, location)
        known = {tuple(p["Values"]) for p in catalog.get_partitions(DatabaseName=database,
                                                                    TableName=table_name)["Partitions"]}
        new = []
        for folder in sorted(root.glob("/".join(f"{k}=*" for k in partition_keys))):
            if not folder.is_dir():
                continue
            values = [unquote(part.split("=", 1)[1]) for part in folder.relative_to(root).parts]
            if tuple(values) in known:
                continue
            partition_location = location + "/".join(Path(folder).relative_to(root).parts) + "/"
            new.append({"Values": values,
                        "StorageDescriptor": storage_descriptor(partition_location, columns, classification)})
        if new:
            catalog.batch_create_partition(DatabaseName=database, TableName=table_name, PartitionInputList=new)
