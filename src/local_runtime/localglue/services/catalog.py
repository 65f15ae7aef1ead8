"""A persistent local AWS Glue Data Catalog.

Shaped like Glue's: databases; tables with a StorageDescriptor (columns, location, formats, SerDe),
partition keys, parameters (`classification`), and every schema change kept as a table version;
partitions with their own location; connections. The method names and the dictionaries they take
and return follow boto3's Glue client (`get_table(DatabaseName=..., Name=...)["Table"]`), so code
and people who know Glue find their way, and a test can compare the two shapes.

Storage: one JSON file per database, table and connection under the catalog root, each replaced
atomically, so an interrupted run never leaves a half-written catalog. Apache Iceberg tables are kept
by Iceberg's own catalog beside them (`iceberg_tables.py`) and listed with the others.
"""

from __future__ import annotations

import copy
import json
import os
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from localglue.services.iceberg_tables import IcebergTables

FORMATS = {
    "parquet": {
        "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
        "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
        "SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
                      "Parameters": {"serialization.format": "1"}},
    },
    "csv": {
        "InputFormat": "org.apache.hadoop.mapred.TextInputFormat",
        "OutputFormat": "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
        "SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
                      "Parameters": {"field.delim": ","}},
    },
    "json": {
        "InputFormat": "org.apache.hadoop.mapred.TextInputFormat",
        "OutputFormat": "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
        "SerdeInfo": {"SerializationLibrary": "org.openx.data.jsonserde.JsonSerDe", "Parameters": {}},
    },
}


class EntityNotFoundException(KeyError):
    """Raised like Glue's EntityNotFoundException."""

    def __str__(self) -> str:
        return str(self.args[0])


class AlreadyExistsException(ValueError):
    """Raised like Glue's AlreadyExistsException."""


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def storage_descriptor(location: str, columns: list[dict[str, str]], classification: str,
                       serde_parameters: dict[str, str] | None = None) -> dict[str, Any]:
    """A Glue StorageDescriptor for a table or partition in one of the lake's formats."""
    if classification not in FORMATS:
        raise ValueError(f"unknown table format {classification!r}; expected one of {sorted(FORMATS)}")
    descriptor = copy.deepcopy(FORMATS[classification])
    if serde_parameters:
        descriptor["SerdeInfo"]["Parameters"].update(serde_parameters)
    return {"Columns": [dict(c) for c in columns], "Location": location, **descriptor,
            "Compressed": classification == "parquet", "StoredAsSubDirectories": False}


def table_input(name: str, location: str, columns: list[dict[str, str]], classification: str,
                partition_keys: list[dict[str, str]] | None = None,
                parameters: dict[str, str] | None = None,
                serde_parameters: dict[str, str] | None = None) -> dict[str, Any]:
    """A Glue TableInput (what create_table/update_table take)."""
    return {
        "Name": name,
        "TableType": "EXTERNAL_TABLE",
        "StorageDescriptor": storage_descriptor(location, columns, classification, serde_parameters),
        "PartitionKeys": [dict(k) for k in partition_keys or []],
        "Parameters": {"classification": classification, **(parameters or {})},
    }


class LocalDataCatalog:
    def __init__(self, root: Path):
        self.root = Path(root)
        self.iceberg = IcebergTables(self.root)

    # ----------------------------------------------------------------- storage
    def _database_file(self, name: str) -> Path:
        return self.root / "databases" / f"{name}.json"

    def _table_file(self, database: str, name: str) -> Path:
        return self.root / "tables" / database / f"{name}.json"

    def _connection_file(self, name: str) -> Path:
        return self.root / "connections" / f"{name}.json"

    @staticmethod
    def _read(path: Path) -> dict[str, Any]:
        return json.loads(path.read_text())

    @staticmethod
    def _write(path: Path, document: dict[str, Any]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            with os.fdopen(handle, "w") as stream:
                json.dump(document, stream, indent=2, sort_keys=True)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    # --------------------------------------------------------------- databases
    def create_database(self, DatabaseInput: dict[str, Any]) -> None:
        path = self._database_file(DatabaseInput["Name"])
        if path.exists():
            raise AlreadyExistsException(f"Database {DatabaseInput['Name']} already exists.")
        self._write(path, {**DatabaseInput, "CreateTime": _now()})

    def ensure_database(self, name: str, description: str = "") -> None:
        if not self._database_file(name).exists():
            self.create_database({"Name": name, "Description": description})

    def get_database(self, Name: str) -> dict[str, Any]:
        path = self._database_file(Name)
        if not path.exists():
            raise EntityNotFoundException(f"Database {Name} not found in the local Data Catalog ({self.root}).")
        return {"Database": self._read(path)}

    def get_databases(self) -> dict[str, Any]:
        folder = self.root / "databases"
        files = sorted(folder.glob("*.json")) if folder.exists() else []
        return {"DatabaseList": [self._read(path) for path in files]}

    # ------------------------------------------------------------------ tables
    def _table_document(self, database: str, name: str) -> dict[str, Any]:
        self.get_database(database)
        path = self._table_file(database, name)
        iceberg = None if path.exists() else self.iceberg.table(database, name)
        if iceberg:
            return {"versions": [iceberg], "partitions": {}}
        if not path.exists():
            raise EntityNotFoundException(
                f"Table {name} not found in database {database} of the local Data Catalog "
                f"(run the crawler, or the job that registers it, first)."
            )
        return self._read(path)

    def create_table(self, DatabaseName: str, TableInput: dict[str, Any]) -> None:
        self.get_database(DatabaseName)
        path = self._table_file(DatabaseName, TableInput["Name"])
        if path.exists():
            raise AlreadyExistsException(f"Table {TableInput['Name']} already exists in {DatabaseName}.")
        now = _now()
        version = {**copy.deepcopy(TableInput), "DatabaseName": DatabaseName, "CreateTime": now,
                   "UpdateTime": now, "VersionId": "1"}
        self._write(path, {"versions": [version], "partitions": {}})

    def update_table(self, DatabaseName: str, TableInput: dict[str, Any]) -> None:
        """Replace the table definition; the previous one stays as an older version."""
        document = self._table_document(DatabaseName, TableInput["Name"])
        current = document["versions"][-1]
        version = {**copy.deepcopy(TableInput), "DatabaseName": DatabaseName,
                   "CreateTime": current["CreateTime"], "UpdateTime": _now(),
                   "VersionId": str(int(current["VersionId"]) + 1)}
        document["versions"].append(version)
        self._write(self._table_file(DatabaseName, TableInput["Name"]), document)

    def get_table(self, DatabaseName: str, Name: str) -> dict[str, Any]:
        return {"Table": copy.deepcopy(self._table_document(DatabaseName, Name)["versions"][-1])}

    def get_tables(self, DatabaseName: str) -> dict[str, Any]:
        self.get_database(DatabaseName)
        folder = self.root / "tables" / DatabaseName
        files = sorted(folder.glob("*.json")) if folder.exists() else []
        tables = [self._read(path)["versions"][-1] for path in files] + self.iceberg.tables(DatabaseName)
        return {"TableList": sorted(tables, key=lambda table: table["Name"])}

    def get_table_versions(self, DatabaseName: str, TableName: str) -> dict[str, Any]:
        iceberg = [] if self._table_file(DatabaseName, TableName).exists() else \
            self.iceberg.versions(DatabaseName, TableName)
        versions = iceberg or self._table_document(DatabaseName, TableName)["versions"]
        # Newest first, as Glue lists them.
        return {"TableVersions": [{"Table": v, "VersionId": v["VersionId"]} for v in reversed(versions)]}

    def delete_table(self, DatabaseName: str, Name: str) -> None:
        self._table_document(DatabaseName, Name)
        self._table_file(DatabaseName, Name).unlink()

    def table_exists(self, database: str, name: str) -> bool:
        return self._table_file(database, name).exists() or self.iceberg.table(database, name) is not None

    # -------------------------------------------------------------- partitions
    @staticmethod
    def _partition_id(values: list[str]) -> str:
        return "/".join(values)

    def batch_create_partition(self, DatabaseName: str, TableName: str,
                               PartitionInputList: list[dict[str, Any]]) -> dict[str, Any]:
        """Add partitions; ones that exist already are reported as errors, as Glue does."""
        document = self._table_document(DatabaseName, TableName)
        errors = []
        for partition in PartitionInputList:
            key = self._partition_id(partition["Values"])
            if key in document["partitions"]:
                errors.append({"PartitionValues": partition["Values"],
                               "ErrorDetail": {"ErrorCode": "AlreadyExistsException"}})
                continue
            document["partitions"][key] = {**copy.deepcopy(partition), "DatabaseName": DatabaseName,
                                           "TableName": TableName, "CreationTime": _now()}
        self._write(self._table_file(DatabaseName, TableName), document)
        return {"Errors": errors}

    def batch_delete_partition(self, DatabaseName: str, TableName: str,
                               PartitionsToDelete: list[dict[str, list[str]]]) -> dict[str, Any]:
        document = self._table_document(DatabaseName, TableName)
        for partition in PartitionsToDelete:
            document["partitions"].pop(self._partition_id(partition["Values"]), None)
        self._write(self._table_file(DatabaseName, TableName), document)
        return {"Errors": []}

    def update_partition(self, DatabaseName: str, TableName: str, PartitionValueList: list[str],
                         PartitionInput: dict[str, Any]) -> None:
        document = self._table_document(DatabaseName, TableName)
        key = self._partition_id(PartitionValueList)
        if key not in document["partitions"]:
            raise EntityNotFoundException(f"Partition {PartitionValueList} of {DatabaseName}.{TableName} not found.")
        document["partitions"][key].update(copy.deepcopy(PartitionInput))
        self._write(self._table_file(DatabaseName, TableName), document)

    def get_partitions(self, DatabaseName: str, TableName: str) -> dict[str, Any]:
        document = self._table_document(DatabaseName, TableName)
        return {"Partitions": [copy.deepcopy(document["partitions"][k]) for k in sorted(document["partitions"])]}

    # ------------------------------------------------------------- connections
    def create_connection(self, ConnectionInput: dict[str, Any]) -> None:
        """Create or replace a connection (locally the runner re-registers them on every run)."""
        self._write(self._connection_file(ConnectionInput["Name"]), {**ConnectionInput, "CreationTime": _now()})

    def get_connection(self, Name: str) -> dict[str, Any]:
        path = self._connection_file(Name)
        if not path.exists():
            raise EntityNotFoundException(
                f"Glue connection {Name!r} is not defined in the local Data Catalog ({self.root}); "
                f"the local runner defines connections from GLUE_LOCAL_POSTGRES_URL "
                f"(see docs/local-development.md)."
            )
        return {"Connection": self._read(path)}
