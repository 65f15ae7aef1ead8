"""Athena, locally: DuckDB over a catalog database, one view per table.

The views are built from the Data Catalog, as Athena builds its tables, so a query sees what Athena
would see: registered tables, typed partitions, and for an Apache Iceberg table its current snapshot
(read by pyiceberg from the table's `metadata_location`, as Athena reads Iceberg tables from Glue;
DuckDB cannot fetch its own iceberg extension here).
"""

from __future__ import annotations

import duckdb

from pathlib import Path

from pyiceberg.table import StaticTable

from localglue.services.catalog import LocalDataCatalog
from localglue.services.lake import to_local_path

DUCKDB_TYPES = {"int": "INTEGER", "bigint": "BIGINT", "smallint": "SMALLINT", "string": "VARCHAR",
                "date": "DATE", "double": "DOUBLE", "boolean": "BOOLEAN"}


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def curated_views(catalog: LocalDataCatalog, lake_root: Path, database: str) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with one view per table of the catalog database."""
    connection = duckdb.connect()
    for table in catalog.get_tables(DatabaseName=database)["TableList"]:
        if table["Parameters"].get("table_type") == "ICEBERG":
            snapshot = StaticTable.from_metadata(table["Parameters"]["metadata_location"]).scan().to_arrow()
            connection.register(table["Name"], snapshot)
            continue
        folder = to_local_path(lake_root, table["StorageDescriptor"]["Location"])
        keys = table.get("PartitionKeys", [])
        # Spark's marker files (_SUCCESS, .crc) are not Parquet: match data files only.
        pattern = str(folder / ("**/*.parquet" if keys else "*.parquet"))
        options = ""
        if keys:
            types = ", ".join(f"{_quote(k['Name'])}: {DUCKDB_TYPES.get(k['Type'], 'VARCHAR')}" for k in keys)
            options = f", hive_partitioning = true, hive_types = {{{types}}}"
        connection.execute(f'CREATE VIEW "{table["Name"]}" AS SELECT * FROM read_parquet({_quote(pattern)}{options})')
    return connection


AVERAGE_DELAY_BY_CARRIER_AND_MONTH = """
SELECT f.carrier, coalesce(a.name, f.carrier) AS airline, f.month,
       round(avg(f.dep_delay), 1) AS avg_dep_delay_min, count(*) AS departed
FROM flights f LEFT JOIN airlines a ON a.carrier = f.carrier
WHERE NOT f.is_cancelled
GROUP BY ALL
ORDER BY f.carrier, f.month
"""

BUSIEST_DESTINATIONS = """
SELECT f.dest, coalesce(ap.name, '(not in airports)') AS airport, count(*) AS flights
FROM flights f LEFT JOIN airports ap ON ap.airport_code = f.dest
GROUP BY ALL
ORDER BY flights DESC, f.dest
LIMIT 10
"""
