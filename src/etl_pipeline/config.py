"""Dataset definitions: `config/pipeline.yaml` and one `config/datasets/<name>.yaml` per dataset.

The one place a user describes sources, columns, rules and targets, in YAML. Terraform reads the
YAML files; the jobs read the same documents as one JSON bundle (`pipeline-config.json`, built by
`etl_deploy.config_bundle`) from `--config_path`, because Glue 5.1 has no YAML parser. Everything is
validated when loaded, and every problem is reported with the file and the key it is in, so a bad
config fails the first job at once rather than half-way through a run.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Callable

from etl_pipeline import storage
from etl_pipeline.types import DEFAULT_VARCHAR_BYTES, MAX_VARCHAR_BYTES, SIMPLE_TYPES, is_supported_type

SOURCE_FORMATS = ("csv", "json", "parquet")
# Glue's JDBC connection types the pipeline reads (docs/sources.md): RDS PostgreSQL, RDS MySQL (and
# Aurora/MariaDB through the MySQL driver), Redshift.
JDBC_ENGINES = ("postgresql", "mysql", "redshift")
# Glue's default number of parallel JDBC queries when hashfield/hashexpression is set without hashpartitions.
DEFAULT_HASH_PARTITIONS = 7
# What a failing data quality rule does: its failing rows go to quarantine, the batch stops before
# the load, or the failure is reported and nothing stops.
RULE_OUTCOMES = ("quarantine", "fail", "warn")
# DQDL rule types (AWS Glue Data Quality Definition Language,
# https://docs.aws.amazon.com/glue/latest/dg/dqdl.html) the pipeline accepts.
DQDL_RULE_TYPES = ("AggregateMatch", "ColumnCorrelation", "ColumnCount", "ColumnDataType", "ColumnExists",
                   "ColumnLength", "ColumnNamesMatchPattern", "ColumnValues", "Completeness", "CustomSql",
                   "DataFreshness", "DatasetMatch", "DistinctValuesCount", "Entropy", "IsComplete",
                   "IsPrimaryKey", "IsUnique", "Mean", "ReferentialIntegrity", "RowCount", "RowCountMatch",
                   "StandardDeviation", "Sum", "Uniqueness", "UniqueValueRatio")
# The rule types whose outcome the evaluator gives per row (DataQualityRulesPass/Fail); the others
# (RowCount, CustomSql, DataFreshness, Mean ...) measure the batch as a whole and appear in every
# row's DataQualityRulesSkip, so they can only `fail` or `warn`, never `quarantine`.
ROW_LEVEL_RULE_TYPES = ("ColumnLength", "ColumnValues", "Completeness", "IsComplete", "IsPrimaryKey",
                        "IsUnique", "Uniqueness")
IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")


# What `make package` (and the local deployment) build from config/*.yaml: AWS Glue 5.1 has no
# PyYAML (it is not in AWS's list of Glue 5.1's Python modules), so the jobs read the config as JSON.
CONFIG_BUNDLE = "pipeline-config.json"


class ConfigError(ValueError):
    """The configuration is invalid; the message names the file, the key and what is expected."""


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    type: str
    source: str
    nullable: bool = True
    trim: bool = False
    case: str | None = None          # "upper" | "lower"
    max_length: int | None = None    # strings: longer values fail the row; the warehouse VARCHAR size
    format: str | None = None        # date/timestamp: the Spark datetime pattern of the source text
    mask: str | None = None          # "sha256" | "redact": PII masked before anything is written
    round: bool = False              # decimals: round values with more scale (reported), not quarantine


@dataclass(frozen=True)
class DerivedColumn:
    name: str
    type: str
    expr: str


@dataclass(frozen=True)
class OrderKey:
    """One `deduplicate.order_by` entry: of the versions of a key, the first in this order wins."""
    column: str
    descending: bool


@dataclass(frozen=True)
class QualityRule:
    name: str      # how the run report, the metrics and quarantined rows name the rule
    dqdl: str      # one DQDL rule, e.g. `ColumnValues "month" in [1,2,3]`
    outcome: str   # one of RULE_OUTCOMES

    @property
    def rule_type(self) -> str:
        return self.dqdl.split(None, 1)[0]


@dataclass(frozen=True)
class FileSource:
    format: str
    prefix: str
    options: dict[str, Any]


@dataclass(frozen=True)
class ParallelRead:
    """Glue's parallel JDBC read: `hashfield` (any column; Glue hashes it) or `hashexpression` (an SQL
    expression returning a whole number), split into `partitions` non-overlapping queries."""
    hashfield: str | None
    hashexpression: str | None
    partitions: int


@dataclass(frozen=True)
class JdbcSource:
    engine: str
    connection: str
    table: str
    bookmark_keys: tuple[str, ...]
    parallel: ParallelRead | None = None
    filter: str | None = None   # an SQL predicate the database evaluates (Glue's sampleQuery)


@dataclass(frozen=True)
class DynamoDbSource:
    """A DynamoDB table, read the way Glue 5.1 reads one (docs/sources.md):
    - read `scan`: Glue's scan reader, `splits` parallel segments, using `read_percent` of the table's
      read capacity (dynamodb.splits, dynamodb.throughput.read.percent);
    - read `export`: Glue's export connector (dynamodb.export ddb): a point-in-time export to S3 that
      uses no read capacity, for large tables.
    Job bookmarks do not cover DynamoDB (https://docs.aws.amazon.com/glue/latest/dg/monitor-continuations.html):
    `incremental_key` names an attribute the writers set to the time of each write (ISO-8601 UTC
    text); each run reads the items written from the last run's start until its own start (the
    watermark the extract keeps). `flatten` turns nested maps into
    columns named parent_child."""
    table: str
    read: str
    splits: int
    read_percent: float
    incremental_key: str | None
    flatten: bool


# What a dataset's source may do to its schema (`schema_evolution:` in the dataset's YAML), and the
# defaults a dataset gets without the block. docs/schema-evolution.md explains each choice.
NEW_COLUMN_POLICIES = ("add", "ignore", "fail")
TYPE_CHANGE_POLICIES = ("widen", "fail")
# How the load's MERGE changes rows of the curated Iceberg table (`targets.curated.merge_mode`):
# copy-on-write rewrites every data file holding an updated key; merge-on-read writes the new
# versions to new data files and position-delete files that readers apply, so an increment costs
# in proportion to its size until a compaction folds the deletes back in.
# https://iceberg.apache.org/docs/1.10.0/configuration/#write-properties
MERGE_MODES = ("copy-on-write", "merge-on-read")


@dataclass(frozen=True)
class SchemaEvolutionPolicy:
    new_columns: str = "ignore"   # add: to curated and warehouse | ignore: reported, kept in landing | fail
    type_changes: str = "widen"   # widen: the promotions Iceberg allows | fail: any type change stops the load


@dataclass(frozen=True)
class DatasetConfig:
    name: str
    description: str
    source: FileSource | JdbcSource | DynamoDbSource
    fallback: FileSource | None
    primary_key: tuple[str, ...]
    columns: tuple[ColumnSpec, ...]
    derived: tuple[DerivedColumn, ...]
    quality_rules: tuple[QualityRule, ...]
    partition_by: tuple[str, ...]
    curated_table: str
    # None: the dataset has no warehouse target (no `targets.warehouse`); the load only merges into
    # the curated Iceberg table.
    warehouse_table: str | None
    schema_evolution: SchemaEvolutionPolicy = SchemaEvolutionPolicy()
    # Redshift VARCHAR size, in bytes, of string columns without max_length; longer values are
    # quarantined by the transform (rule `<column>_fits_warehouse`) instead of failing the load.
    warehouse_varchar_bytes: int = DEFAULT_VARCHAR_BYTES
    # `deduplicate.order_by`: which version of a key wins, before the default order (newest source
    # file, then latest extract, then later row); empty: the default order alone.
    dedupe_order: tuple[OrderKey, ...] = ()
    # `targets.curated.merge_mode`, one of MERGE_MODES: Iceberg's default, copy-on-write, unless set.
    curated_merge_mode: str = MERGE_MODES[0]

    @property
    def ruleset(self) -> str:
        """The dataset's DQDL ruleset: what the jobs evaluate and Terraform registers with Glue.

        terraform/modules/data_quality writes the same text from the same config (keep them in step).
        """
        return dqdl_ruleset([rule.dqdl for rule in self.quality_rules])

    def column_type(self, name: str) -> str:
        for column in [*self.columns, *self.derived]:
            if column.name == name:
                return column.type
        raise KeyError(name)


@dataclass(frozen=True)
class WorkflowStep:
    name: str
    kind: str


@dataclass(frozen=True)
class PipelineConfig:
    project: str
    workflow: tuple[WorkflowStep, ...]
    landing_prefix: str
    validated_prefix: str
    reports_prefix: str
    target_file_size_mb: int
    iceberg_catalog: str
    datasets: dict[str, DatasetConfig] = field(default_factory=dict)

    def connection_name(self, env: str, logical_name: str) -> str:
        """The Glue connection Terraform creates for a logical connection name of the config."""
        return f"{self.project}-{env}-{logical_name}"

    def select(self, names: str) -> list[DatasetConfig]:
        """The datasets a `--datasets` argument names: `all`, or a comma-separated list."""
        if names.strip() == "all":
            return list(self.datasets.values())
        wanted = [n.strip() for n in names.split(",") if n.strip()]
        unknown = [n for n in wanted if n not in self.datasets]
        if unknown or not wanted:
            raise ConfigError(
                f"--datasets {names!r}: unknown dataset(s) {unknown or '(none given)'}; "
                f"configured: {', '.join(self.datasets)} (or 'all')"
            )
        return [self.datasets[n] for n in wanted]


class _Reader:
    """Typed access to one YAML document, with errors that name the file and the key."""

    def __init__(self, document: Any, where: str):
        if not isinstance(document, dict):
            raise ConfigError(f"{where}: expected a mapping at the top level")
        self.document = document
        self.where = where

    def fail(self, key: str, message: str) -> ConfigError:
        return ConfigError(f"{self.where}: {key}: {message}")

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = ..., within: dict | None = None,
            path: str | None = None) -> Any:
        container = self.document if within is None else within
        label = path or key
        if key not in container or container[key] is None:
            if default is ...:
                raise self.fail(label, "is required")
            return default
        value = container[key]
        if not isinstance(value, kind):
            names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
            raise self.fail(label, f"must be a {names}, got {type(value).__name__} {value!r}")
        return value


def _identifier(reader: _Reader, value: str, key: str) -> str:
    if not IDENTIFIER.match(value):
        raise reader.fail(key, f"{value!r} is not a valid name (lower case letters, digits, underscores)")
    return value


def _file_source(reader: _Reader, block: dict, key: str) -> FileSource:
    fmt = reader.get("format", str, within=block, path=f"{key}.format")
    if fmt not in SOURCE_FORMATS:
        raise reader.fail(f"{key}.format", f"{fmt!r} is not one of {', '.join(SOURCE_FORMATS)}")
    prefix = reader.get("prefix", str, within=block, path=f"{key}.prefix")
    if prefix.startswith("/") or "://" in prefix:
        raise reader.fail(f"{key}.prefix", "is a key prefix inside the raw bucket, e.g. 'flights/'")
    options = reader.get("options", dict, {}, within=block, path=f"{key}.options")
    return FileSource(fmt, prefix if prefix.endswith("/") else prefix + "/", dict(options))


JDBC_SOURCE_KEYS = ("type", "engine", "connection", "table", "bookmark_keys", "parallel", "filter", "fallback")
SQL_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*)?$")


def _jdbc_source(reader: _Reader, block: dict) -> JdbcSource:
    unknown = sorted(set(block) - set(JDBC_SOURCE_KEYS))
    if unknown:
        raise reader.fail(f"source.{unknown[0]}", f"is not a setting of a jdbc source ({', '.join(JDBC_SOURCE_KEYS)})")
    engine = reader.get("engine", str, "postgresql", within=block, path="source.engine")
    if engine not in JDBC_ENGINES:
        raise reader.fail("source.engine", f"{engine!r} is not one of {', '.join(JDBC_ENGINES)} "
                                           f"(MariaDB and Aurora MySQL are read as mysql)")
    table = reader.get("table", str, within=block, path="source.table")
    if not SQL_NAME.match(table):
        raise reader.fail("source.table", f"{table!r} is not a table name (table or schema.table)")
    keys = reader.get("bookmark_keys", list, [], within=block, path="source.bookmark_keys")
    for index, key in enumerate(keys):
        if not isinstance(key, str) or not SQL_NAME.match(key) or "." in key:
            raise reader.fail(f"source.bookmark_keys[{index}]", f"{key!r} is not a column name")
    filter_sql = reader.get("filter", str, None, within=block, path="source.filter")
    if filter_sql is not None and (not filter_sql.strip() or ";" in filter_sql):
        raise reader.fail("source.filter", "is one SQL predicate for the WHERE clause, e.g. \"status <> 'draft'\"")
    parallel = None
    if "parallel" in block:
        parallel = _parallel_read(reader, reader.get("parallel", dict, within=block, path="source.parallel"))
        if engine == "redshift":
            # Glue ignores hashfield/hashexpression for Redshift (it unloads through S3 in parallel itself).
            raise reader.fail("source.parallel", "does not apply to redshift: Glue reads Redshift through an "
                                                 "UNLOAD to the temp dir, in parallel already")
    return JdbcSource(engine=engine,
                      connection=reader.get("connection", str, within=block, path="source.connection"),
                      table=table, bookmark_keys=tuple(keys), parallel=parallel,
                      filter=filter_sql.strip() if filter_sql else None)


DYNAMODB_SOURCE_KEYS = ("type", "table", "read", "splits", "read_percent", "incremental_key", "flatten", "fallback")
DYNAMODB_TABLE = re.compile(r"^[A-Za-z0-9_.-]{3,255}$")


def _dynamodb_source(reader: _Reader, block: dict) -> DynamoDbSource:
    unknown = sorted(set(block) - set(DYNAMODB_SOURCE_KEYS))
    if unknown:
        raise reader.fail(f"source.{unknown[0]}", f"is not a setting of a dynamodb source ({', '.join(DYNAMODB_SOURCE_KEYS)})")
    table = reader.get("table", str, within=block, path="source.table")
    if not DYNAMODB_TABLE.match(table):
        raise reader.fail("source.table", f"{table!r} is not a DynamoDB table name (3-255 of A-Z a-z 0-9 _ - .)")
    read = reader.get("read", str, "scan", within=block, path="source.read")
    if read not in ("scan", "export"):
        raise reader.fail("source.read", f"{read!r} is not 'scan' (Glue's scan reader) or 'export' "
                                         f"(Glue's export connector, for large tables)")
    if read == "export":
        scan_only = [key for key in ("splits", "read_percent") if key in block]
        if scan_only:
            raise reader.fail(f"source.{scan_only[0]}", "applies to read: scan only (the export uses no read capacity)")
    splits = reader.get("splits", int, 1, within=block, path="source.splits")
    if not 1 <= splits <= 1_000_000:
        raise reader.fail("source.splits", f"must be between 1 and 1000000 (DynamoDB's parallel scan segments), got {splits}")
    read_percent = reader.get("read_percent", (int, float), 0.5, within=block, path="source.read_percent")
    if not 0.1 <= read_percent <= 1.5:
        # Glue's range for dynamodb.throughput.read.percent.
        raise reader.fail("source.read_percent", f"must be between 0.1 and 1.5 (share of the table's read capacity), "
                                                 f"got {read_percent}")
    key = reader.get("incremental_key", str, None, within=block, path="source.incremental_key")
    if key is not None and not IDENTIFIER.match(key):
        raise reader.fail("source.incremental_key", f"{key!r} is not an attribute name (lower case, digits, _)")
    return DynamoDbSource(table=table, read=read, splits=splits, read_percent=float(read_percent),
                          incremental_key=key,
                          flatten=reader.get("flatten", bool, True, within=block, path="source.flatten"))


def _parallel_read(reader: _Reader, block: dict) -> ParallelRead:
    field_name = reader.get("hashfield", str, None, within=block, path="source.parallel.hashfield")
    expression = reader.get("hashexpression", str, None, within=block, path="source.parallel.hashexpression")
    if (field_name is None) == (expression is None):
        raise reader.fail("source.parallel", "needs exactly one of hashfield (a column) or hashexpression "
                                             "(an SQL expression returning a whole number)")
    if field_name is not None and (not SQL_NAME.match(field_name) or "." in field_name):
        raise reader.fail("source.parallel.hashfield", f"{field_name!r} is not a column name")
    partitions = reader.get("partitions", int, DEFAULT_HASH_PARTITIONS, within=block,
                            path="source.parallel.partitions")
    if not 1 <= partitions <= 256:
        raise reader.fail("source.parallel.partitions", f"must be between 1 and 256, got {partitions}")
    return ParallelRead(field_name, expression, partitions)


def _name_and_type(reader: _Reader, item: Any, key: str, settings: str) -> tuple[str, str]:
    """A column's or derived column's `name` and `type`, checked."""
    if not isinstance(item, dict):
        raise reader.fail(key, f"must be a mapping with {settings}")
    name = _identifier(reader, reader.get("name", str, within=item, path=f"{key}.name"), f"{key}.name")
    type_name = reader.get("type", str, within=item, path=f"{key}.type")
    if not is_supported_type(type_name):
        raise reader.fail(f"{key}.type", f"{type_name!r} is not supported ({', '.join(SIMPLE_TYPES)}, decimal(p,s))")
    return name, type_name


def _columns(reader: _Reader) -> tuple[ColumnSpec, ...]:
    raw_columns = reader.get("columns", list)
    if not raw_columns:
        raise reader.fail("columns", "lists no columns")
    columns = []
    for index, item in enumerate(raw_columns):
        key = f"columns[{index}]"
        name, type_name = _name_and_type(reader, item, key, "at least name and type")
        case = reader.get("case", str, None, within=item, path=f"{key}.case")
        if case not in (None, "upper", "lower"):
            raise reader.fail(f"{key}.case", "must be 'upper' or 'lower'")
        mask = reader.get("mask", str, None, within=item, path=f"{key}.mask")
        if mask not in (None, "sha256", "redact"):
            raise reader.fail(f"{key}.mask", "must be 'sha256' or 'redact'")
        if mask and type_name != "string":
            raise reader.fail(f"{key}.mask", "masking applies to string columns only")
        max_length = reader.get("max_length", int, None, within=item, path=f"{key}.max_length")
        if max_length is not None and (type_name != "string" or max_length < 1):
            raise reader.fail(f"{key}.max_length", "is a positive length for string columns")
        round_values = reader.get("round", bool, False, within=item, path=f"{key}.round")
        if round_values and not type_name.startswith("decimal"):
            raise reader.fail(f"{key}.round", "applies to decimal columns only")
        columns.append(ColumnSpec(
            name=name, type=type_name, round=round_values,
            source=reader.get("source", str, name, within=item, path=f"{key}.source"),
            nullable=reader.get("nullable", bool, True, within=item, path=f"{key}.nullable"),
            trim=reader.get("trim", bool, False, within=item, path=f"{key}.trim"),
            case=case, max_length=max_length,
            format=reader.get("format", str, None, within=item, path=f"{key}.format"),
            mask=mask,
        ))
    names = [c.name for c in columns]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise reader.fail("columns", f"names appear more than once: {duplicates}")
    return tuple(columns)


def parse_dataset(document: Any, where: str) -> DatasetConfig:
    reader = _Reader(document, where)
    name = _identifier(reader, reader.get("name", str), "name")
    source_block = reader.get("source", dict)
    source_type = reader.get("type", str, within=source_block, path="source.type")
    fallback = None
    if source_type == "s3":
        source: FileSource | JdbcSource | DynamoDbSource = _file_source(reader, source_block, "source")
    elif source_type == "dynamodb":
        source = _dynamodb_source(reader, source_block)
    elif source_type == "jdbc":
        source = _jdbc_source(reader, source_block)
    else:
        raise reader.fail("source.type", f"{source_type!r} is not 's3', 'jdbc' or 'dynamodb'")
    if source_type != "s3" and "fallback" in source_block:
        # Files read instead when the database or the table is not there (--source_fallback).
        fallback = _file_source(reader, reader.get("fallback", dict, within=source_block,
                                                   path="source.fallback"), "source.fallback")

    columns = _columns(reader)
    column_names = [c.name for c in columns]
    primary_key = tuple(reader.get("primary_key", list))
    if not primary_key:
        raise reader.fail("primary_key", "needs at least one column (rows are de-duplicated and merged on it)")
    missing = [k for k in primary_key if k not in column_names]
    if missing:
        raise reader.fail("primary_key", f"names columns that are not in columns: {missing}")

    derived = _derived_columns(reader, column_names)
    quality_rules = _quality_rules(reader, [*column_names, *(d.name for d in derived)])

    all_columns = {c.name: c.type for c in columns} | {d.name: d.type for d in derived}
    partition_by = tuple(_partition_field(reader, f"partition_by[{index}]", item, all_columns)
                         for index, item in enumerate(reader.get("partition_by", list, [])))

    targets = reader.get("targets", dict)
    unknown_targets = sorted(set(targets) - {"curated", "warehouse"})
    if unknown_targets:
        raise reader.fail(f"targets.{unknown_targets[0]}", "is not a target (curated, and optionally warehouse)")
    curated_table, merge_mode = _curated_target(reader, targets)
    warehouse_table, varchar_bytes = _warehouse_target(reader, targets)
    return DatasetConfig(
        name=name,
        description=reader.get("description", str, ""),
        source=source,
        fallback=fallback,
        primary_key=primary_key,
        columns=columns,
        derived=tuple(derived),
        quality_rules=quality_rules,
        partition_by=partition_by,
        curated_table=curated_table,
        warehouse_table=warehouse_table,
        schema_evolution=_schema_evolution(reader),
        warehouse_varchar_bytes=varchar_bytes,
        dedupe_order=_dedupe_order(reader, [*column_names, *(d.name for d in derived)]),
        curated_merge_mode=merge_mode,
    )


def _derived_columns(reader: _Reader, column_names: list[str]) -> list[DerivedColumn]:
    """`derived`: each a Spark SQL expression over the columns and the derived columns before it."""
    items = reader.get("derived", list, [])
    names = [item.get("name") if isinstance(item, dict) else None for item in items]
    derived: list[DerivedColumn] = []
    for index, item in enumerate(items):
        key = f"derived[{index}]"
        derived_name, derived_type = _name_and_type(reader, item, key, "name, type and expr")
        if derived_name in column_names:
            raise reader.fail(f"{key}.name", f"{derived_name!r} is already a column")
        if derived_name in names[:index]:
            raise reader.fail(f"{key}.name", f"{derived_name!r} is already derived[{names.index(derived_name)}]")
        expr = reader.get("expr", str, within=item, path=f"{key}.expr")
        available = {*column_names, *LANDING_METADATA_NAMES, *(d.name for d in derived)}
        for name in sql_column_references(expr, {*available, *names}):
            if name in available:
                continue
            if name in names:
                raise reader.fail(f"{key}.expr", f"uses {name!r}, which is derived later (derived[{names.index(name)}]): "
                                                 f"a derived column may use the columns and the derived columns before it; "
                                                 f"move it below derived[{names.index(name)}]")
            raise reader.fail(f"{key}.expr", f"uses {name!r}, which is not a column or a derived column before it")
        derived.append(DerivedColumn(derived_name, derived_type, expr))
    return derived


# What extract adds to every landed row (etl_pipeline.columns.LANDING_METADATA): a derived column may use it.
LANDING_METADATA_NAMES = ("etl_batch_id", "etl_source_file", "etl_source_modified_at", "etl_extracted_at",
                          "etl_row_number", "etl_inexact_numbers")
# Words of Spark SQL expressions that are not column names: operators, literals, CAST's types,
# interval units. A function name is told by the `(` after it.
SQL_WORDS = frozenset("""
and or not is null true false case when then else end in between like ilike rlike regexp as cast distinct
interval div escape any some all exists nulls first last asc desc
string varchar char boolean tinyint smallint int integer bigint long float double real decimal numeric date
timestamp timestamp_ntz timestamp_ltz binary
year years month months week weeks day days hour hours minute minutes second seconds millisecond
milliseconds microsecond microseconds to current_date current_timestamp current_user current_timezone
""".split())
SQL_TOKENS = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`(?P<quoted>[^`]+)`"
                        r"|[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?[A-Za-z]*"  # a number: 1.5, 1e5, 10L
                        r"|(?P<word>[A-Za-z_][A-Za-z0-9_]*)(?P<call>\s*\()?|(?P<dot>\.)|(?P<arrow>->)|[^\s]")


def sql_column_references(expr: str, known: set[str] = frozenset()) -> list[str]:
    """The column names a Spark SQL expression uses, lower case, in order: its identifiers that are
    not in quotes, not functions, not struct fields (after `.`), not lambda parameters (before `->`),
    and not SQL words unless `known` names them (a column may be called `year`)."""
    tokens = [match for match in SQL_TOKENS.finditer(expr)]
    lambda_parameters: set[str] = set()
    for index, match in enumerate(tokens):
        if match.group("arrow"):
            before = tokens[max(0, index - 8):index]
            if before and before[-1].group("word"):
                lambda_parameters.add(before[-1].group("word").lower())
            elif before and before[-1].group() == ")":  # (a, b) -> ...
                for token in reversed(before[:-1]):
                    if token.group() == "(":
                        break
                    if token.group("word"):
                        lambda_parameters.add(token.group("word").lower())
    names: list[str] = []
    for index, match in enumerate(tokens):
        name = (match.group("quoted") or match.group("word") or "").lower()
        if not name or match.group("call") or index and tokens[index - 1].group("dot"):
            continue
        if (match.group("word") and name in SQL_WORDS and name not in known) or name in lambda_parameters \
                or name in names:
            continue
        names.append(name)
    return names


def _curated_target(reader: _Reader, targets: dict) -> tuple[str, str]:
    """`targets.curated`: the Iceberg table's name and how the load's MERGE writes it (MERGE_MODES)."""
    curated = reader.get("curated", dict, within=targets, path="targets.curated")
    unknown = sorted(set(curated) - {"table", "merge_mode"})
    if unknown:
        raise reader.fail(f"targets.curated.{unknown[0]}", "is not a setting of the curated target (table, merge_mode)")
    table = _identifier(reader, reader.get("table", str, within=curated, path="targets.curated.table"),
                        "targets.curated.table")
    mode = reader.get("merge_mode", str, MERGE_MODES[0], within=curated, path="targets.curated.merge_mode")
    if mode not in MERGE_MODES:
        raise reader.fail("targets.curated.merge_mode", f"{mode!r} is not one of {', '.join(MERGE_MODES)}")
    return table, mode


def _warehouse_target(reader: _Reader, targets: dict) -> tuple[str | None, int]:
    """`targets.warehouse`: the table and its VARCHAR size; (None, the default size) when the
    dataset has no warehouse target."""
    if targets.get("warehouse") is None:
        return None, DEFAULT_VARCHAR_BYTES
    warehouse = reader.get("warehouse", dict, within=targets, path="targets.warehouse")
    unknown = sorted(set(warehouse) - {"table", "varchar_bytes"})
    if unknown:
        raise reader.fail(f"targets.warehouse.{unknown[0]}", "is not a setting of the warehouse target "
                                                             "(table, varchar_bytes)")
    table = _identifier(reader, reader.get("table", str, within=warehouse, path="targets.warehouse.table"),
                        "targets.warehouse.table")
    varchar_bytes = reader.get("varchar_bytes", int, DEFAULT_VARCHAR_BYTES, within=warehouse,
                               path="targets.warehouse.varchar_bytes")
    if not 1 <= varchar_bytes <= MAX_VARCHAR_BYTES:
        raise reader.fail("targets.warehouse.varchar_bytes", f"must be between 1 and {MAX_VARCHAR_BYTES} "
                                                             f"(Redshift's largest VARCHAR), got {varchar_bytes}")
    return table, varchar_bytes


def _dedupe_order(reader: _Reader, columns: list[str]) -> tuple[OrderKey, ...]:
    """`deduplicate.order_by`: a column, "column desc" or "column asc", a mapping {column, direction},
    or a list of them; the first version in this order wins, NULL loses."""
    block = reader.get("deduplicate", dict, {})
    unknown = sorted(set(block) - {"order_by"})
    if unknown:
        raise reader.fail(f"deduplicate.{unknown[0]}", "is not a setting of deduplicate (order_by)")
    order_by = block.get("order_by")
    if order_by is None:
        return ()
    entries = order_by if isinstance(order_by, list) else [order_by]
    if not entries:
        raise reader.fail("deduplicate.order_by", "lists no column; leave it out for the default order")
    keys = []
    for index, entry in enumerate(entries):
        key = f"deduplicate.order_by[{index}]" if isinstance(order_by, list) else "deduplicate.order_by"
        if isinstance(entry, str) and len(entry.split()) in (1, 2):
            column, direction = (entry.split() + ["asc"])[:2]
        elif isinstance(entry, dict) and set(entry) <= {"column", "direction"}:
            column = reader.get("column", str, within=entry, path=f"{key}.column")
            direction = reader.get("direction", str, "asc", within=entry, path=f"{key}.direction")
        else:
            raise reader.fail(key, f"{entry!r} is not a column, \"column desc\", \"column asc\" or "
                                   f"{{column: name, direction: desc}}")
        if direction.lower() not in ("asc", "desc"):
            raise reader.fail(key, f"direction {direction!r} is not asc or desc")
        if column not in columns:
            raise reader.fail(key, f"{column!r} is not one of the dataset's columns or derived columns")
        if column in (k.column for k in keys):
            raise reader.fail(key, f"{column!r} is listed twice")
        keys.append(OrderKey(column, direction.lower() == "desc"))
    return tuple(keys)


def _schema_evolution(reader: _Reader) -> SchemaEvolutionPolicy:
    block = reader.get("schema_evolution", dict, {})
    unknown = sorted(set(block) - {"new_columns", "type_changes"})
    if unknown:
        raise reader.fail("schema_evolution", f"unknown setting(s) {unknown}; expected new_columns, type_changes")
    default = SchemaEvolutionPolicy()
    choices = {}
    for key, allowed in (("new_columns", NEW_COLUMN_POLICIES), ("type_changes", TYPE_CHANGE_POLICIES)):
        value = reader.get(key, str, getattr(default, key), within=block, path=f"schema_evolution.{key}")
        if value not in allowed:
            raise reader.fail(f"schema_evolution.{key}", f"{value!r} is not one of {', '.join(allowed)}")
        choices[key] = value
    return SchemaEvolutionPolicy(**choices)


# Iceberg's partition transforms, as Spark SQL writes them in PARTITIONED BY: `col`, `months(col)`,
# `bucket(16, col)` ... Partitions are hidden: a row may move to another partition on update.
PARTITION_FIELD = re.compile(r"^(?:(?P<time>years|months|days|hours)\((?P<time_column>\w+)\)"
                             r"|(?P<width>bucket|truncate)\((?P<n>\d+),\s*(?P<width_column>\w+)\)"
                             r"|(?P<column>\w+))$")


def _partition_field(reader: _Reader, key: str, value: Any, columns: dict[str, str]) -> str:
    match = PARTITION_FIELD.match(value.strip()) if isinstance(value, str) else None
    if not match:
        raise reader.fail(key, f"{value!r} is not a column or a partition transform "
                               f"(years|months|days|hours(col), bucket(n, col), truncate(n, col))")
    column = match.group("time_column") or match.group("width_column") or match.group("column")
    if column not in columns:
        raise reader.fail(key, f"{column!r} is not one of the dataset's columns or derived columns")
    transform = match.group("time")
    if transform and columns[column] not in ("date", "timestamp") or transform == "hours" and columns[column] != "timestamp":
        raise reader.fail(key, f"{transform}({column}) needs a {'timestamp' if transform == 'hours' else 'date or timestamp'} "
                               f"column; {column} is {columns[column]}")
    return value.strip()


def dqdl_ruleset(rules: list[str]) -> str:
    return "Rules = [\n" + ",\n".join(f"  {rule}" for rule in rules) + "\n]\n"


QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')


def _quality_rules(reader: _Reader, columns: list[str]) -> tuple[QualityRule, ...]:
    """`quality.rules`: each a name, one DQDL rule and its outcome; checked here, parsed by the evaluator."""
    quality = reader.get("quality", dict, {})
    rules: list[QualityRule] = []
    for index, item in enumerate(reader.get("rules", list, [], within=quality, path="quality.rules")):
        key = f"quality.rules[{index}]"
        name = _identifier(reader, reader.get("name", str, within=item, path=f"{key}.name"), f"{key}.name")
        dqdl = " ".join(reader.get("dqdl", str, within=item, path=f"{key}.dqdl").split())
        outcome = reader.get("outcome", str, within=item, path=f"{key}.outcome")
        if outcome not in RULE_OUTCOMES:
            raise reader.fail(f"{key}.outcome", f"{outcome!r} is not one of {', '.join(RULE_OUTCOMES)}")
        rule = QualityRule(name, dqdl, outcome)
        unquoted = QUOTED.sub('""', dqdl)
        if re.search(r"\b(AND|OR)\b", unquoted):
            raise reader.fail(f"{key}.dqdl", "write one condition per rule (no AND/OR composite rules): "
                                             "each gets its own name and outcome in the report")
        if rule.rule_type not in DQDL_RULE_TYPES:
            raise reader.fail(f"{key}.dqdl", f"{rule.rule_type!r} is not a DQDL rule type "
                                             f"({', '.join(DQDL_RULE_TYPES)})")
        if outcome == "quarantine" and rule.rule_type not in ROW_LEVEL_RULE_TYPES:
            raise reader.fail(f"{key}.outcome", f"{rule.rule_type} measures the whole batch, so it has no failing "
                                                f"rows to quarantine: use fail or warn (row-level rule types: "
                                                f"{', '.join(ROW_LEVEL_RULE_TYPES)})")
        quoted = QUOTED.findall(dqdl)
        if rule.rule_type != "CustomSql" and rule.rule_type in ROW_LEVEL_RULE_TYPES + ("DataFreshness",) \
                and quoted and quoted[0][1:-1] not in columns:
            raise reader.fail(f"{key}.dqdl", f"column {quoted[0]} is not one of the dataset's columns or derived columns")
        if name in {r.name for r in rules}:
            raise reader.fail(f"{key}.name", f"{name!r} names another rule already")
        if dqdl in {r.dqdl for r in rules}:
            raise reader.fail(f"{key}.dqdl", "the same rule is listed twice")
        rules.append(rule)
    return tuple(rules)


def parse_pipeline(document: Any, where: str) -> PipelineConfig:
    reader = _Reader(document, where)
    steps = []
    for index, item in enumerate(reader.get("workflow", list)):
        kind = reader.get("kind", str, within=item, path=f"workflow[{index}].kind")
        if kind not in ("job", "crawler"):
            raise reader.fail(f"workflow[{index}].kind", "must be 'job' or 'crawler'")
        steps.append(WorkflowStep(reader.get("name", str, within=item, path=f"workflow[{index}].name"), kind))
    layout = reader.get("processed_layout", dict)
    size = reader.get("target_file_size_mb", int, 128)
    if size < 1:
        raise reader.fail("target_file_size_mb", "must be at least 1")
    return PipelineConfig(
        project=reader.get("project", str),
        workflow=tuple(steps),
        landing_prefix=reader.get("landing", str, within=layout, path="processed_layout.landing"),
        validated_prefix=reader.get("validated", str, within=layout, path="processed_layout.validated"),
        reports_prefix=reader.get("reports", str, within=layout, path="processed_layout.reports"),
        target_file_size_mb=size,
        iceberg_catalog=_identifier(reader, reader.get("iceberg_catalog", str, "glue_catalog"), "iceberg_catalog"),
    )


def parse_config(bundle: Any) -> PipelineConfig:
    """The pipeline config from its bundle: `{"pipeline": {"file", "document"}, "datasets": [{"file",
    "document"}, ...]}`, each document one YAML file of config/ as data, named by its file in errors."""
    if not isinstance(bundle, dict) or not isinstance(bundle.get("pipeline"), dict) \
            or not isinstance(bundle.get("datasets"), list):
        raise ConfigError(f"{CONFIG_BUNDLE}: not a config bundle (rebuild it with `make package`)")
    pipeline_file = bundle["pipeline"].get("file", "config/pipeline.yaml")
    pipeline = parse_pipeline(bundle["pipeline"].get("document"), pipeline_file)
    if not bundle["datasets"]:
        raise ConfigError(f"{pipeline_file}: no dataset definitions found beside it (config/datasets/*.yaml)")
    for entry in bundle["datasets"]:
        dataset = parse_dataset(entry.get("document"), entry.get("file", "config/datasets/?"))
        if dataset.name in pipeline.datasets:
            raise ConfigError(f"{entry.get('file')}: dataset name {dataset.name!r} is already defined in another file")
        pipeline.datasets[dataset.name] = dataset
    return pipeline


def load_config(read_text: Callable[[str], str], config_path: str) -> PipelineConfig:
    """Read the config bundle under config_path (the folder `make package` and the upload fill)."""
    uri = storage.join_uri(config_path, CONFIG_BUNDLE)
    try:
        text = read_text(uri)
    except FileNotFoundError as error:
        raise ConfigError(f"{uri}: not found; --config_path must be the folder holding {CONFIG_BUNDLE} "
                          f"(`make package` builds it from config/, `make upload-scripts` uploads it)") from error
    try:
        bundle = json.loads(text)
    except json.JSONDecodeError as error:
        raise ConfigError(f"{uri}: not valid JSON ({error}); rebuild it with `make package`") from error
    return parse_config(bundle)


def load_from_spark(spark, config_path: str) -> PipelineConfig:
    """Load the config through Spark's file system (s3:// on Glue, the local lake or a folder locally)."""
    return load_config(lambda uri: storage.read_text(spark, uri), config_path)
