"""The curated Apache Iceberg tables as the local Data Catalog shows them.

On AWS, Iceberg's GlueCatalog keeps each table in the Glue Data Catalog: a table with
`table_type = ICEBERG` and `metadata_location` pointing at the current metadata file, updated (as a
new table version) on every commit. Locally Spark uses Iceberg's JdbcCatalog over a SQLite file under
the catalog folder (the jobs' `--conf` says so); this module reads that file and the metadata files
it points at (no Spark, no JVM) and gives each table Glue's shape, so `get_table`, the Athena stand-in
and the tests see the Iceberg tables where they would see them on AWS.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

CATALOG_FILE = "iceberg-catalog.sqlite"

# Iceberg primitive types by their Hive/Glue names (what Glue's console shows for an Iceberg table).
_HIVE_TYPES = {"boolean": "boolean", "int": "int", "long": "bigint", "float": "float", "double": "double",
               "date": "date", "time": "string", "timestamp": "timestamp", "timestamptz": "timestamp",
               "string": "string", "uuid": "string", "binary": "binary"}


def local_path(uri: str) -> Path:
    """A `file:` URI (what the local JdbcCatalog writes) as a path."""
    parsed = urlparse(uri)
    return Path(unquote(parsed.path)) if parsed.scheme in ("file", "") else Path(uri)


def hive_type(iceberg_type: Any) -> str:
    if isinstance(iceberg_type, dict):
        kind = iceberg_type["type"]
        if kind == "list":
            return f"array<{hive_type(iceberg_type['element'])}>"
        if kind == "map":
            return f"map<{hive_type(iceberg_type['key'])},{hive_type(iceberg_type['value'])}>"
        return "struct<" + ",".join(f"{f['name']}:{hive_type(f['type'])}" for f in iceberg_type["fields"]) + ">"
    if iceberg_type.startswith("decimal"):
        return iceberg_type.replace(" ", "")
    return _HIVE_TYPES.get(iceberg_type, iceberg_type)


class IcebergTables:
    """The Iceberg tables of the local JdbcCatalog, by Glue database (Iceberg namespace)."""

    def __init__(self, catalog_root: Path):
        self.file = Path(catalog_root) / CATALOG_FILE

    def _pointers(self, database: str, name: str | None = None) -> list[tuple[str, str, str | None]]:
        if not self.file.exists():
            return []
        query = ("SELECT table_name, metadata_location, previous_metadata_location FROM iceberg_tables "
                 "WHERE table_namespace = ?" + (" AND table_name = ?" if name else "") + " ORDER BY table_name")
        with sqlite3.connect(f"file:{self.file}?mode=ro", uri=True) as connection:
            try:
                return connection.execute(query, (database, name) if name else (database,)).fetchall()
            except sqlite3.OperationalError:  # no Iceberg table created yet
                return []

    def table(self, database: str, name: str) -> dict[str, Any] | None:
        found = self._pointers(database, name)
        return self._glue_table(database, *found[0]) if found else None

    def tables(self, database: str) -> list[dict[str, Any]]:
        return [self._glue_table(database, *row) for row in self._pointers(database)]

    def versions(self, database: str, name: str) -> list[dict[str, Any]]:
        """The table as each of its metadata files shows it, oldest first: GlueCatalog's commits (a
        new column, a promoted type, a new snapshot) each leave a table version on AWS. Metadata
        files that snapshot expiry removed are no longer listed."""
        found = self._pointers(database, name)
        if not found:
            return []
        _, current_location, _ = found[0]
        log = self.metadata(current_location).get("metadata-log", [])
        locations = [entry["metadata-file"] for entry in log] + [current_location]
        versions = []
        for number, location in enumerate(locations, start=1):
            if location != current_location and not local_path(location).exists():
                continue
            previous = locations[number - 2] if number > 1 else None
            versions.append(self._glue_table(database, name, location, previous, version_id=str(number)))
        return versions

    @staticmethod
    def metadata(metadata_location: str) -> dict[str, Any]:
        return json.loads(local_path(metadata_location).read_text())

    @staticmethod
    def current_schema(metadata: dict[str, Any]) -> dict[str, Any]:
        """The schema a table's metadata makes current (Iceberg keeps every earlier one beside it)."""
        return next(s for s in metadata["schemas"] if s["schema-id"] == metadata["current-schema-id"])

    def _glue_table(self, database: str, name: str, metadata_location: str,
                    previous_location: str | None, version_id: str | None = None) -> dict[str, Any]:
        metadata = self.metadata(metadata_location)
        schema = self.current_schema(metadata)
        parameters = {"table_type": "ICEBERG", "metadata_location": metadata_location}
        if previous_location:
            parameters["previous_metadata_location"] = previous_location
        return {
            "Name": name,
            "DatabaseName": database,
            "TableType": "EXTERNAL_TABLE",
            "Parameters": parameters,
            "StorageDescriptor": {
                "Location": metadata["location"],
                "Columns": [{"Name": f["name"], "Type": hive_type(f["type"])} for f in schema["fields"]],
            },
            # Iceberg partitions are hidden (transforms of columns): Glue lists no partition keys.
            "PartitionKeys": [],
            # One version per commit, as GlueCatalog's UpdateTable calls leave them.
            "VersionId": version_id or str(len(metadata.get("metadata-log", [])) + 1),
        }


def current_snapshot(metadata: dict[str, Any]) -> dict[str, Any] | None:
    """The snapshot readers see (None before the first commit)."""
    current = metadata.get("current-snapshot-id")
    return next((s for s in metadata.get("snapshots", []) if s["snapshot-id"] == current), None)
