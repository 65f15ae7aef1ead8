"""Schema evolution: a source file's columns against the dataset's config and policy, and what the
curated table and the warehouse must change to take a batch.

The transform asks `plan_source_schema` what each landed file brought:
- a configured source column missing from a file: NULL when the column is nullable (reported); when
  it is required, that file's rows are quarantined with the rule `<column>_missing_in_source_file`.
- a column the config does not know: `schema_evolution.new_columns` decides: `add` (a new string
  column, to curated and warehouse), `ignore` (reported; it stays in the landing zone) or `fail`
  (the run stops naming the file and the column).
Everything is decided per `etl_source_file`: what else is in the batch changes nothing. Landing holds
the union of the batch's columns (NULL where a file lacks one), so a column counts as present in a
file when at least one of the file's rows has a value in it; a column that a file carries empty
everywhere is treated as missing from it, which for a nullable column gives the same NULLs.

The load asks `curated_changes` and `warehouse_changes` what DDL makes the table take the batch:
ADD COLUMN for a column the table lacks (old rows read NULL), and the widenings each side can do
without losing a digit; anything narrower or incompatible stops the load with one line naming the
table, the column, the old and the new type, and the fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from etl_pipeline.columns import (CORRUPT_RECORD, ETL_FAILED_RULES, ETL_SOURCE_FILE, LANDING_METADATA,
                                  LINEAGE_COLUMNS, VERSION_COLUMNS, names_given)
from etl_pipeline.columns import column as _col
from etl_pipeline.config import ColumnSpec, DatasetConfig
from etl_pipeline.types import DECIMAL_TYPE, varchar_bytes

# How an undeclared source column flows on under `new_columns: add`: as text, as it was landed.
UNDECLARED_TYPE = "string"


class SchemaEvolutionError(ValueError):
    """A schema change the dataset's policy refuses; the message names what and how to fix it."""


def missing_rule(column: ColumnSpec) -> str:
    return f"{column.name}_missing_in_source_file"


def warehouse_rule(column: ColumnSpec) -> str:
    return f"{column.name}_fits_warehouse"


def column_name_for(source: str) -> str:
    """The curated and warehouse name of an undeclared source column: lower case, `_` for the rest."""
    name = re.sub(r"[^a-z0-9_]+", "_", source.strip().lower()).strip("_")
    return name if re.match(r"^[a-z]", name) else f"col_{name}"


@dataclass(frozen=True)
class SourceSchemaPlan:
    dataset: DatasetConfig          # the config, plus the columns `add` brings in
    landed: DataFrame               # the landed rows with every configured source column
    missing_required: dict[str, tuple[str, ...]]   # column name -> files that lack it
    changes: tuple[dict[str, Any], ...]            # what the run report lists
    files: list[str]                               # the batch's source files

    def failures(self) -> list[Column]:
        """Row rules this plan adds: a required column missing from the row's file, a value too long
        for its warehouse column. They are checked on the standardised (cleaned) values."""
        rules = []
        for column in self.dataset.columns:
            files = self.missing_required.get(column.name)
            if files:
                rules.append(F.when(F.col(ETL_SOURCE_FILE).isin(list(files)), F.lit(missing_rule(column))))
            if self.dataset.warehouse_table is None:
                continue  # no warehouse column to fit (targets.warehouse is not configured)
            limit = varchar_bytes(column.max_length, self.dataset.warehouse_varchar_bytes)
            # A value within max_length always fits its 4-bytes-a-character column: `<col>_max_length`
            # already names what is wrong, unless Redshift's largest VARCHAR caps the column.
            fits_by_length = column.max_length and column.max_length * 4 <= limit
            if column.type == "string" and not column.mask and not fits_by_length:
                rules.append(F.when(F.octet_length(_col(column.name)) > limit, F.lit(warehouse_rule(column))))
        return rules

    def with_failures(self, standardised: DataFrame) -> DataFrame:
        """`etl_failed_rules` of the standardised rows, with this plan's rules added."""
        rules = self.failures()
        if not rules:
            return standardised
        return standardised.withColumn(
            ETL_FAILED_RULES, F.array_union(F.col(ETL_FAILED_RULES), names_given(rules)))


def _present_by_file(landed: DataFrame, columns: list[str]) -> dict[str, set[str]]:
    """For each source file, which of `columns` hold a value in at least one of its rows (one pass)."""
    if not columns:
        return {row[0]: set() for row in landed.select(ETL_SOURCE_FILE).distinct().collect()}
    flags = [F.max(_col(c).isNotNull().cast("int")).alias(f"c{i}") for i, c in enumerate(columns)]
    rows = landed.groupBy(ETL_SOURCE_FILE).agg(*flags).collect()
    return {row[ETL_SOURCE_FILE]: {c for i, c in enumerate(columns) if row[f"c{i}"]} for row in rows}


def plan_source_schema(landed: DataFrame, dataset: DatasetConfig) -> SourceSchemaPlan:
    configured = {c.source for c in dataset.columns}
    # A JDBC source's bookmark keys and a DynamoDB source's incremental key are how extract reads it
    # incrementally, not a schema change (unless the config also declares them as columns, as planes
    # does with tailnum).
    keys = (*getattr(dataset.source, "bookmark_keys", ()), getattr(dataset.source, "incremental_key", None))
    bookmark_keys = [k for k in keys if k and k not in configured]
    bookkeeping = {*LANDING_METADATA, CORRUPT_RECORD, *bookmark_keys}
    source_columns = [c for c in landed.columns if c not in bookkeeping]
    undeclared = [c for c in source_columns if c not in configured]
    present = _present_by_file(landed, [c for c in (*configured, *undeclared) if c in source_columns])
    files = sorted(present)

    changes: list[dict[str, Any]] = []
    missing_required: dict[str, tuple[str, ...]] = {}
    for column in dataset.columns:
        lacking = tuple(f for f in files if column.source not in present[f])
        if not lacking:
            continue
        required = not column.nullable or column.name in dataset.primary_key
        if required:
            missing_required[column.name] = lacking
        changes.append({"change": "missing_column", "column": column.name, "source": column.source,
                        "files": list(lacking),
                        "action": f"rows quarantined (rule {missing_rule(column)})" if required else "loaded as NULL"})

    policy = dataset.schema_evolution.new_columns
    added: list[ColumnSpec] = []
    taken = {c.name for c in dataset.columns} | {d.name for d in dataset.derived} | \
        set(LINEAGE_COLUMNS) | set(VERSION_COLUMNS) | set(LANDING_METADATA)
    for source in undeclared:
        bringing = [f for f in files if source in present[f]]
        if not bringing:
            continue  # a column only some other file had, and this batch's files hold no value in it
        if policy == "fail":
            raise SchemaEvolutionError(
                f"dataset {dataset.name}: source file {bringing[0]} has column {source!r}, which "
                f"config/datasets/{dataset.name}.yaml does not declare and schema_evolution.new_columns is 'fail'"
                f"{f' (also in {len(bringing) - 1} more file(s))' if len(bringing) > 1 else ''}. Declare the "
                f"column, set new_columns to 'add' or 'ignore', or remove the file, then rerun the transform")
        action = "kept in the landing zone only (new_columns: ignore)"
        if policy == "add":
            name = column_name_for(source)
            if name in taken:
                raise SchemaEvolutionError(
                    f"dataset {dataset.name}: new source column {source!r} in {bringing[0]} would be named "
                    f"{name!r}, which is already taken; declare it in config/datasets/{dataset.name}.yaml "
                    f"with another name (columns: - {{name: ..., source: {source!r}}}) and rerun the transform")
            taken.add(name)
            added.append(ColumnSpec(name=name, type=UNDECLARED_TYPE, source=source))
            action = f"added as {name} {UNDECLARED_TYPE} (new_columns: add)"
        changes.append({"change": "new_column", "column": source, "files": bringing, "action": action})

    padded = landed.select("*", *[F.lit(None).cast("string").alias(c.source)
                                  for c in dataset.columns if c.source not in landed.columns])
    evolved = replace(dataset, columns=dataset.columns + tuple(added)) if added else dataset
    return SourceSchemaPlan(evolved, padded, missing_required, tuple(changes), files)


def with_undeclared_columns(dataset: DatasetConfig, batch_columns: list[str]) -> DatasetConfig:
    """The dataset as a validated batch shows it: columns `add` brought in are strings beside the config's."""
    known = {c.name for c in dataset.columns} | {d.name for d in dataset.derived} | set(LINEAGE_COLUMNS) | \
        set(VERSION_COLUMNS)
    extra = tuple(ColumnSpec(name=c, type=UNDECLARED_TYPE, source=c) for c in batch_columns if c not in known)
    return replace(dataset, columns=dataset.columns + extra) if extra else dataset


# ------------------------------------------------------------------ the curated Iceberg table

def iceberg_promotes(old: str, new: str) -> bool:
    """Iceberg's type promotions (its spec's schema evolution: int -> long, float -> double,
    decimal(P,S) -> decimal(P2,S) with P2 > P), in Spark SQL type names."""
    if (old, new) in (("int", "bigint"), ("float", "double")):
        return True
    old_decimal, new_decimal = DECIMAL_TYPE.match(old), DECIMAL_TYPE.match(new)
    return bool(old_decimal and new_decimal and old_decimal.group(2) == new_decimal.group(2)
                and int(new_decimal.group(1)) > int(old_decimal.group(1)))


@dataclass(frozen=True)
class TableChange:
    table: str
    column: str
    change: str          # add_column | widen
    new_type: str
    old_type: str | None = None

    def report(self) -> dict[str, Any]:
        return {key: value for key, value in self.__dict__.items() if value is not None}


def curated_changes(table: str, existing: dict[str, str], wanted: dict[str, str], type_policy: str,
                    where: str | None = None, rerun: str = "load") -> list[TableChange]:
    """What the Iceberg table (columns -> Spark SQL types) must change to take the batch's columns."""
    changes = []
    for name, new_type in wanted.items():
        old_type = existing.get(name)
        if old_type is None:
            changes.append(TableChange(table, name, "add_column", new_type))
        elif old_type != new_type:
            if type_policy == "widen" and iceberg_promotes(old_type, new_type):
                changes.append(TableChange(table, name, "widen", new_type, old_type))
            elif not _narrower(new_type, old_type):
                raise SchemaEvolutionError(
                    f"{where or 'curated table ' + table}: column {name} is {old_type} and the dataset now makes it {new_type}, which "
                    + ("schema_evolution.type_changes 'fail' refuses" if type_policy == "fail"
                       else "Iceberg cannot promote (it widens int->bigint, float->double, decimal(p,s)->decimal(p2,s) with p2>p)")
                    + f". Restore the column's type in the config, or declare a new column for the new type; "
                      f"then rerun the {rerun}")
    return changes


def validated_type_changes(dataset: DatasetConfig, previous: dict[str, str] | None, files: list[str]) -> list[dict[str, Any]]:
    """The config's type changes since the last validated batch (`previous`: its column types), as
    report entries. A change the curated table could not take stops the transform here, before a
    batch of the new type is written, so restoring the config is all it takes to go on."""
    if previous is None:
        return []
    current = _config_types(dataset)
    where = f"dataset {dataset.name} (batch of {', '.join(files[:3])}{' ...' if len(files) > 3 else ''})"
    changes = curated_changes(dataset.curated_table, previous, current, dataset.schema_evolution.type_changes,
                              where=where, rerun="transform")
    return [{"change": "widen" if c.change == "widen" else "declared_column", "column": c.column,
             **({"old_type": c.old_type} if c.old_type else {}), "new_type": c.new_type} for c in changes]


def _config_types(dataset: DatasetConfig) -> dict[str, str]:
    return {c.name: c.type for c in dataset.columns} | {d.name: d.type for d in dataset.derived}


def widened_types(dataset: DatasetConfig) -> dict[str, str]:
    """The config's types that are the wider side of a promotion (bigint, decimal): the types
    validated batches written before a widening are read as, so that they load with later ones."""
    return {name: kind for name, kind in _config_types(dataset).items() if kind == "bigint" or DECIMAL_TYPE.match(kind)}


def refuse_several_types(validated: DataFrame, dataset: DatasetConfig) -> None:
    """Stop the load when a column of the validated batches still holds several types: the config
    went back to a narrower type while batches of the wider one wait for the load, which must not
    cut them. (The widened types themselves are resolved where the batches are read: `read_new_parquet`
    casts them to the config's type with Glue's `resolveChoice`.)"""
    wanted = _config_types(dataset)
    for field in validated.schema.fields:
        kind, target = field.dataType.simpleString(), wanted.get(field.name)
        if target is not None and kind != target and kind.startswith("struct<"):
            raise SchemaEvolutionError(
                f"dataset {dataset.name}: the validated batches waiting for the load hold column {field.name} "
                f"as several types ({kind[len('struct<'):-1]}) and config/datasets/{dataset.name}.yaml makes it "
                f"{target}; set the column's type back to the widest of them, then rerun the load")


def _narrower(new: str, old: str) -> bool:
    """A batch type the table's wider type already holds exactly (the table keeps its type)."""
    return iceberg_promotes(new, old)


def curated_ddl(table_sql_name: str, change: TableChange) -> str:
    if change.change == "add_column":
        return f"ALTER TABLE {table_sql_name} ADD COLUMN `{change.column}` {change.new_type}"
    return f"ALTER TABLE {table_sql_name} ALTER COLUMN `{change.column}` TYPE {change.new_type}"


# ------------------------------------------------------------------ the warehouse (Redshift) table

REDSHIFT_WIDENINGS = {("INTEGER", "BIGINT"), ("SMALLINT", "INTEGER"), ("SMALLINT", "BIGINT"), ("REAL", "DOUBLE PRECISION")}


def redshift_column_type(data_type: str, length: int | None, precision: int | None, scale: int | None) -> str:
    """A column's type as information_schema.columns describes it, in the spelling warehouse.py writes."""
    kind = data_type.lower()
    if kind in ("character varying", "varchar"):
        return f"VARCHAR({length})"
    if kind in ("numeric", "decimal"):
        return f"DECIMAL({precision},{scale})"
    return {"integer": "INTEGER", "bigint": "BIGINT", "smallint": "SMALLINT", "double precision": "DOUBLE PRECISION",
            "real": "REAL", "boolean": "BOOLEAN", "date": "DATE",
            "timestamp without time zone": "TIMESTAMP"}.get(kind, data_type.upper())


def _varchar(sql_type: str) -> int | None:
    match = re.match(r"^VARCHAR\((\d+)\)$", sql_type)
    return int(match.group(1)) if match else None


def _decimal(sql_type: str) -> tuple[int, int] | None:
    match = re.match(r"^DECIMAL\((\d+),(\d+)\)$", sql_type)
    return (int(match.group(1)), int(match.group(2))) if match else None


def warehouse_changes(table: str, existing: dict[str, str], wanted: list[tuple[str, str]], key: tuple[str, ...],
                      type_policy: str) -> list[TableChange]:
    """What the warehouse table (columns -> Redshift types) must change to take the wanted columns."""
    changes = []
    for name, new_type in wanted:
        old_type = existing.get(name)
        if old_type is None:
            changes.append(TableChange(table, name, "add_column", new_type))
            continue
        if old_type == new_type or _holds(old_type, new_type):
            continue
        widening = _varchar(old_type) is not None and _varchar(new_type) is not None or \
            (old_type, new_type) in REDSHIFT_WIDENINGS or _decimal_widens(old_type, new_type)
        if type_policy == "widen" and widening and (name not in key or _varchar(new_type) is not None):
            changes.append(TableChange(table, name, "widen", new_type, old_type))
            continue
        reason = ("it is part of the primary key, which the warehouse cannot retype in place" if name in key and widening
                  else "schema_evolution.type_changes 'fail' refuses it" if type_policy == "fail" and widening
                  else "that is not a widening")
        raise SchemaEvolutionError(
            f"warehouse table {table}: column {name} is {old_type} and the dataset now makes it {new_type}; "
            f"{reason}. Restore the column's type in the config, or declare a new column for the new type; "
            f"then rerun the load")
    return changes


def _holds(old: str, new: str) -> bool:
    """The existing column already holds every value of the wanted type exactly."""
    old_length, new_length = _varchar(old), _varchar(new)
    if old_length is not None and new_length is not None:
        return old_length >= new_length
    return (new, old) in REDSHIFT_WIDENINGS or _decimal_widens(new, old)


def _decimal_widens(old: str, new: str) -> bool:
    old_decimal, new_decimal = _decimal(old), _decimal(new)
    if not (old_decimal and new_decimal):
        return False
    (old_precision, old_scale), (new_precision, new_scale) = old_decimal, new_decimal
    # Every digit before and after the point still fits.
    return new_scale >= old_scale and new_precision - new_scale >= old_precision - old_scale and new_decimal != old_decimal


def warehouse_ddl(qualified: str, quote, change: TableChange) -> list[str]:
    """Redshift SQL for one change (https://docs.aws.amazon.com/redshift/latest/dg/r_ALTER_TABLE.html):
    ADD COLUMN adds one column per statement; ALTER COLUMN ... TYPE changes only a VARCHAR's size and
    cannot run inside a transaction block; any other type is changed by adding a column of the new
    type, copying, dropping the old one and renaming, in one transaction, so readers see either the
    old column or the new one with every value."""
    column = quote(change.column)
    if change.change == "add_column":
        return [f"ALTER TABLE {qualified} ADD COLUMN {column} {change.new_type}"]
    if _varchar(change.new_type) is not None:
        return [f"ALTER TABLE {qualified} ALTER COLUMN {column} TYPE {change.new_type}"]
    staging = quote(f"{change.column}__etl_widened")
    return ["BEGIN",
            f"ALTER TABLE {qualified} ADD COLUMN {staging} {change.new_type}",
            f"UPDATE {qualified} SET {staging} = {column}",
            f"ALTER TABLE {qualified} DROP COLUMN {column}",
            f"ALTER TABLE {qualified} RENAME COLUMN {staging} TO {column}",
            "END"]
