"""The SQL around a warehouse load: a staging table, then DELETE USING + INSERT on the primary key.

Glue's Redshift writer runs `preactions` before it loads the frame into `dbtable` and `postactions`
after. Loading into a staging table and replacing the target's rows by key in one transaction makes
a rerun of the same batch leave the target as it was after the first run: no duplicates. With
`deduplicate.order_by`, a staged row replaces the target's row only when it wins by that order
(`columns.wins_sql`, the order the curated table's ranking uses), and only keys left without a row
are inserted.

Every statement is written for Amazon Redshift (checked against the Redshift SQL reference:
CREATE SCHEMA IF NOT EXISTS, CREATE TABLE IF NOT EXISTS with PRIMARY KEY, CREATE TABLE (LIKE ...),
DROP TABLE IF EXISTS, DELETE ... USING, INSERT INTO ... SELECT, BEGIN/END) and runs unchanged on
PostgreSQL, the local stand-in. Identifiers are always quoted: column names such as `type` or
`name` are keywords in some dialects.

An existing table is never recreated: the load reads its columns first and the preactions evolve
it (`schema_evolution.warehouse_changes`/`warehouse_ddl`: ADD COLUMN, a VARCHAR made longer in
place, any other widening by add-copy-swap in one transaction) before the staging table is made
LIKE it.
"""

from __future__ import annotations

from dataclasses import dataclass

from etl_pipeline.columns import ETL_BATCH_ID, ETL_EXTRACTED_AT, ETL_SOURCE_FILE, wins_sql
from etl_pipeline.config import DatasetConfig
from etl_pipeline.schema_evolution import TableChange, redshift_column_type, warehouse_changes, warehouse_ddl
from etl_pipeline.types import redshift_type, varchar_bytes

# What a masked value is (rows.curated_columns): a sha256 digest in 64 hex characters, or "REDACTED".
MASKED_BYTES = {"sha256": 64, "redact": len("REDACTED")}
LINEAGE_TYPES = {ETL_BATCH_ID: "VARCHAR(64)", ETL_SOURCE_FILE: "VARCHAR(1024)", ETL_EXTRACTED_AT: "TIMESTAMP"}


def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


@dataclass(frozen=True)
class WarehouseTable:
    schema: str
    dataset: DatasetConfig

    @property
    def name(self) -> str:
        return self.dataset.warehouse_table

    @property
    def staging_name(self) -> str:
        return f"{self.dataset.warehouse_table}_staging"

    @property
    def qualified(self) -> str:
        return f"{quote(self.schema)}.{quote(self.name)}"

    @property
    def qualified_staging(self) -> str:
        return f"{quote(self.schema)}.{quote(self.staging_name)}"

    @property
    def dbtable(self) -> str:
        """The `dbtable` Glue loads the frame into (unquoted, as connection options take it)."""
        return f"{self.schema}.{self.staging_name}"

    def columns(self) -> list[tuple[str, str]]:
        columns = [(c.name, self._column_type(c)) for c in self.dataset.columns]
        columns += [(d.name, redshift_type(d.type)) for d in self.dataset.derived]
        columns += list(LINEAGE_TYPES.items())
        return columns

    def _column_type(self, column) -> str:
        """A masked column holds its mask, not the source value: never smaller than the mask's text."""
        sql_type = redshift_type(column.type, column.max_length, self.dataset.warehouse_varchar_bytes)
        if column.mask in MASKED_BYTES and varchar_bytes(column.max_length, self.dataset.warehouse_varchar_bytes) \
                < MASKED_BYTES[column.mask]:
            return f"VARCHAR({MASKED_BYTES[column.mask]})"
        return sql_type

    def create_table(self) -> str:
        key_columns = set(self.dataset.primary_key)
        definitions = [f"{quote(name)} {sql_type}{' NOT NULL' if name in key_columns else ''}"
                       for name, sql_type in self.columns()]
        definitions.append(f"PRIMARY KEY ({', '.join(quote(k) for k in self.dataset.primary_key)})")
        return f"CREATE TABLE IF NOT EXISTS {self.qualified} (\n  " + ",\n  ".join(definitions) + "\n)"

    @staticmethod
    def sql_type_of(column: dict) -> str:
        """A column's type from its information_schema.columns row."""
        return redshift_column_type(column["data_type"], column["character_maximum_length"],
                                    column["numeric_precision"], column["numeric_scale"])

    def changes(self, existing: dict[str, str]) -> list[TableChange]:
        """What the existing table (its columns and types; empty when there is none) must change."""
        if not existing:
            return []
        return warehouse_changes(f"{self.schema}.{self.name}", existing, self.columns(), self.dataset.primary_key,
                                 self.dataset.schema_evolution.type_changes)

    def preactions(self, changes: list[TableChange] = ()) -> str:
        return ";\n".join([
            f"CREATE SCHEMA IF NOT EXISTS {quote(self.schema)}",
            self.create_table(),
            *[statement for change in changes for statement in warehouse_ddl(self.qualified, quote, change)],
            f"DROP TABLE IF EXISTS {self.qualified_staging}",
            f"CREATE TABLE {self.qualified_staging} (LIKE {self.qualified})",
        ]) + ";"

    def postactions(self) -> str:
        target, staging = quote(self.name), quote(self.staging_name)
        match = " AND ".join(f"{target}.{quote(k)} = {staging}.{quote(k)}" for k in self.dataset.primary_key)
        column_list = ", ".join(quote(name) for name, _ in self.columns())
        if not self.dataset.dedupe_order:
            delete = f"DELETE FROM {self.qualified} USING {self.qualified_staging} WHERE {match}"
            insert = f"INSERT INTO {self.qualified} ({column_list}) SELECT {column_list} FROM {self.qualified_staging}"
        else:
            # deduplicate.order_by: a staged row replaces the table's row only when it wins (or ties:
            # it is the newer), as in the curated table; the rows whose key is left are the new ones.
            wins = wins_sql(self.dataset.dedupe_order, staging, target, quote)
            delete = f"DELETE FROM {self.qualified} USING {self.qualified_staging} WHERE {match} AND {wins}"
            left = " AND ".join(f"{target}.{quote(k)} = {staging}.{quote(k)}" for k in self.dataset.primary_key)
            insert = (f"INSERT INTO {self.qualified} ({column_list}) SELECT {column_list} FROM {self.qualified_staging} "
                      f"WHERE NOT EXISTS (SELECT 1 FROM {self.qualified} WHERE {left})")
        return ";\n".join([
            "BEGIN",
            delete,
            insert,
            f"DROP TABLE {self.qualified_staging}",
            "END",
        ]) + ";"
