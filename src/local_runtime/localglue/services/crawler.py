"""The local Glue crawler: catalogs lake folders as Glue tables, the way an AWS Glue crawler does.

The workflow starts with a crawler (the `workflow` list in config/pipeline.yaml), and the raw tables
it catalogs are what Athena and the jobs' catalog readers see, so the local runtime needs one. It reads the lake directly: CSV headers and
samples with `csv`, JSON Lines with `json`, Parquet footers with pyarrow. No Spark: a crawl takes
milliseconds and needs no JVM.

One table per target folder (`s3://bucket/prefix/<name>/` -> table `<table_prefix><name>`):
- every data file under the folder must have the same format (csv, json or parquet);
- Hive-style subfolders (`year=2013/month=1/`) become partition keys, each folder path a partition;
  other subfolders just hold more files of the table;
- columns are the union over a sample of files, in first-seen order, with conflicting types widened.

Existing tables follow Glue's SchemaChangePolicy: `update_behavior` decides whether a changed schema
becomes a new table version or is only reported; `delete_behavior` decides what happens to tables and
partitions whose data is gone. New tables and partitions are always added, as Glue does.

A crawl reads every target before it writes anything: a file it cannot read stops the crawl with a
`CrawlerError` and leaves the Data Catalog as it was.
"""

from __future__ import annotations

import copy
import csv
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from itertools import islice
from pathlib import Path
from typing import Any, Union
from urllib.parse import unquote

import pyarrow as pa
import pyarrow.parquet as pq

from localglue.services.catalog import LocalDataCatalog, table_input
from localglue.services.lake import LakeFile, list_files, split_uri, to_local_path

UPDATE_BEHAVIORS = ("UPDATE_IN_DATABASE", "LOG")
DELETE_BEHAVIORS = ("LOG", "DELETE_FROM_DATABASE", "DEPRECATE_IN_DATABASE")

SAMPLE_ROWS = 1000   # rows read per CSV/JSON file
SAMPLE_FILES = 20    # files read per table: the first and the last half by name

DEPRECATED = "DEPRECATED_BY_CRAWLER"
UPDATED_BY = "UPDATED_BY_CRAWLER"
# Table parameters the crawler owns; a table's other parameters (set by a job or a person) survive an update.
CRAWLER_PARAMETERS = {"classification", UPDATED_BY, DEPRECATED, "delimiter", "skip.header.line.count"}

SUFFIX_FORMATS = {".csv": "csv", ".json": "json", ".jsonl": "json", ".ndjson": "json", ".parquet": "parquet"}
CSV_DELIMITERS = (",", "\t", "|", ";")
# Spark writes a null partition value as this folder value.
HIVE_DEFAULT_PARTITION = "__HIVE_DEFAULT_PARTITION__"

INTEGER = re.compile(r"^[+-]?\d+$")
NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
INTEGRAL = ("tinyint", "smallint", "int", "bigint")   # narrowest first
INTEGRAL_BOUNDS = {"tinyint": 2**7, "smallint": 2**15, "int": 2**31, "bigint": 2**63}
ARROW_TYPES = {
    "int8": "tinyint", "int16": "smallint", "int32": "int", "int64": "bigint", "float": "float",
    "double": "double", "bool": "boolean", "string": "string", "large_string": "string",
    "binary": "binary", "large_binary": "binary", "date32[day]": "date", "date64[ms]": "date",
}

# An inferred type: a Hive type name ("null" while no value has been seen), a struct as an ordered
# {field: type} dict, or an array as a one-element list holding the element type.
HiveType = Union[str, dict[str, "HiveType"], list["HiveType"]]


class CrawlerError(Exception):
    """The crawl stopped on data it cannot catalog; the message names the file and what to do."""


class _FileProblem(Exception):
    """A problem with one file; the crawler turns it into a CrawlerError naming the file."""


@dataclass
class TableReport:
    """What one crawl did to one target's table.

    action: created | updated (new table version) | unchanged | schema_change_logged (LOG policy: the
    catalog keeps the old definition) | deleted | deprecated | deletion_logged (data gone, LOG policy)
    | no_data (no table, no files).
    """

    table: str
    target: str
    action: str
    changes: list[str] = field(default_factory=list)
    partitions_added: list[tuple[str, ...]] = field(default_factory=list)
    # Partitions whose folders are gone, handled as delete_behavior says (deleted, deprecated, logged).
    partitions_removed: list[tuple[str, ...]] = field(default_factory=list)
    # Deprecated partitions whose folders came back: the deprecation mark is removed.
    partitions_restored: list[tuple[str, ...]] = field(default_factory=list)


@dataclass
class CrawlResult:
    crawler: str
    database: str
    delete_behavior: str
    tables: list[TableReport]

    def table(self, name: str) -> TableReport:
        return next(report for report in self.tables if report.table == name)

    def names(self, action: str) -> list[str]:
        """Tables the crawl left with this action (see TableReport)."""
        return [report.table for report in self.tables if report.action == action]

    def summary(self) -> str:
        """One line for logs, e.g. `crawler raw -> raw_db: 1 created, 2 unchanged; partitions: 12 added`."""
        actions = ("created", "updated", "unchanged", "schema_change_logged", "deleted", "deprecated",
                   "deletion_logged", "no_data")
        tables = ", ".join(f"{len(self.names(a))} {a.replace('_', ' ')}" for a in actions if self.names(a))
        removed = {"LOG": "missing (logged)", "DELETE_FROM_DATABASE": "deleted",
                   "DEPRECATE_IN_DATABASE": "deprecated"}[self.delete_behavior]
        counts = {"added": sum(len(r.partitions_added) for r in self.tables),
                  removed: sum(len(r.partitions_removed) for r in self.tables),
                  "restored": sum(len(r.partitions_restored) for r in self.tables)}
        partitions = ", ".join(f"{count} {word}" for word, count in counts.items() if count)
        return f"crawler {self.crawler} -> {self.database}: {tables}; partitions: {partitions or 'no change'}"


@dataclass
class _Crawled:
    """What the crawler found for one target, before it touches the catalog."""

    target: str
    table: str
    table_input: dict[str, Any] | None   # None: the target holds no data files
    partitions: dict[tuple[str, ...], str] = field(default_factory=dict)   # values -> folder URI


class LocalCrawler:
    """A Glue crawler over S3 targets in the local lake, writing to the local Data Catalog."""

    def __init__(self, catalog: LocalDataCatalog, lake_root: Path, name: str, database: str,
                 targets: list[str], update_behavior: str = "UPDATE_IN_DATABASE",
                 delete_behavior: str = "DEPRECATE_IN_DATABASE", table_prefix: str = ""):
        if update_behavior not in UPDATE_BEHAVIORS:
            raise ValueError(f"crawler {name}: update_behavior must be one of {', '.join(UPDATE_BEHAVIORS)}, "
                             f"got {update_behavior!r}")
        if delete_behavior not in DELETE_BEHAVIORS:
            raise ValueError(f"crawler {name}: delete_behavior must be one of {', '.join(DELETE_BEHAVIORS)}, "
                             f"got {delete_behavior!r}")
        if not targets:
            raise ValueError(f"crawler {name}: no targets; give at least one s3://bucket/prefix/ folder")
        for target in targets:
            split_uri(target)   # raises LakePathError (a ValueError) for anything but s3://bucket/key
        self.catalog = catalog
        self.lake_root = Path(lake_root)
        self.name = name
        self.database = database
        self.targets = [target.rstrip("/") + "/" for target in targets]
        self.update_behavior = update_behavior
        self.delete_behavior = delete_behavior
        self.table_prefix = table_prefix
        tables = [self.table_name(target) for target in self.targets]
        duplicates = sorted({t for t in tables if tables.count(t) > 1})
        if duplicates:
            raise ValueError(f"crawler {name}: several targets map to the same table {duplicates}; "
                             f"use targets whose last folder names differ")

    def table_name(self, target: str) -> str:
        """The table for a target: its last folder name, lower-cased, as a Hive identifier."""
        bucket, key = split_uri(target)
        folder = key.rstrip("/").rsplit("/", 1)[-1] or bucket
        return re.sub(r"[^a-z0-9_]", "_", (self.table_prefix + folder).lower())

    def crawl(self) -> CrawlResult:
        crawled = [self._scan(target) for target in self.targets]   # reads only: may raise CrawlerError
        self.catalog.ensure_database(self.database)
        reports = [self._apply(found) for found in crawled]
        return CrawlResult(self.name, self.database, self.delete_behavior, reports)

    # ---------------------------------------------------------------- reading
    def _fail(self, target: str, problem: str) -> CrawlerError:
        return CrawlerError(f"crawler {self.name}, target {target}: {problem}. "
                            f"The Data Catalog was not changed; fix the data, then run the crawler again.")

    def _scan(self, target: str) -> _Crawled:
        table = self.table_name(target)
        files = sorted(list_files(self.lake_root, [target]), key=lambda f: f.uri)
        if not files:
            return _Crawled(target, table, None)
        folder = to_local_path(self.lake_root, target)
        try:
            classification = self._format(target, files)
            paths = [f.path for f in files]
            sample = paths if len(paths) <= SAMPLE_FILES else paths[:SAMPLE_FILES // 2] + paths[-(SAMPLE_FILES // 2):]
            columns, parameters, serde_parameters = _read_schema(classification, sample)
        except _FileProblem as problem:
            raise self._fail(target, str(problem)) from None
        except OSError as error:
            raise self._fail(target, f"cannot read {error.filename}: {error.strerror}") from None
        if not columns:
            raise self._fail(target, "no columns found (the files hold no records)")

        layout = {f.uri: _partition_folders(f.path.relative_to(folder)) for f in files}
        first_uri, first_folders = next(iter(layout.items()))
        key_names = [key for key, _ in first_folders]
        for uri, folders in layout.items():
            if [key for key, _ in folders] != key_names:
                raise self._fail(target, f"files sit at different partition depths ({first_uri} has partition "
                                         f"keys {key_names}, {uri} has {[key for key, _ in folders]}); keep every "
                                         f"data file under the same key=value folder levels")
        clashes = [key for key in key_names if key in columns]
        if clashes:
            raise self._fail(target, f"{clashes} are both data columns and partition folder keys; "
                                     f"drop them from the files or rename the folders")
        partitions = {tuple(unquote(name.split("=", 1)[1]) for _, name in folders):
                      target + "".join(f"{name}/" for _, name in folders)
                      for folders in layout.values()} if key_names else {}

        current = (self.catalog.get_table(DatabaseName=self.database, Name=table)["Table"]
                   if self.catalog.table_exists(self.database, table) else None)
        definition = table_input(
            table, target, [{"Name": n, "Type": _render(t)} for n, t in columns.items()], classification,
            partition_keys=_partition_keys(key_names, list(partitions), current),
            parameters={**parameters, UPDATED_BY: self.name}, serde_parameters=serde_parameters)
        return _Crawled(target, table, definition, partitions)

    def _format(self, target: str, files: list[LakeFile]) -> str:
        """The target's one format; Glue tables have a single format, so mixing them is an error."""
        found: dict[str, str] = {}
        for f in files:
            found.setdefault(_file_format(f.path), f.uri)
        if len(found) > 1:
            listed = ", ".join(f"{fmt} (e.g. {uri})" for fmt, uri in sorted(found.items()))
            raise self._fail(target, f"the folder mixes formats: {listed}; a table has one format, so move "
                                     f"each format under its own folder and crawl those as separate targets")
        return next(iter(found))

    # ---------------------------------------------------------------- writing
    def _apply(self, found: _Crawled) -> TableReport:
        catalog, database, name = self.catalog, self.database, found.table
        if found.table_input is None:
            return self._apply_missing(found)
        if not catalog.table_exists(database, name):
            catalog.create_table(DatabaseName=database, TableInput=found.table_input)
            report = TableReport(name, found.target, "created")
            self._sync_partitions(found, found.table_input, report, refresh=False)
            return report

        current = catalog.get_table(DatabaseName=database, Name=name)["Table"]
        changes = _differences(current, found.table_input)
        if not changes:
            report, effective = TableReport(name, found.target, "unchanged"), current
        elif self.update_behavior == "UPDATE_IN_DATABASE":
            kept = {k: v for k, v in current.get("Parameters", {}).items() if k not in CRAWLER_PARAMETERS}
            effective = {**_as_table_input(current), **found.table_input,
                         "Parameters": {**kept, **found.table_input["Parameters"]}}
            catalog.update_table(DatabaseName=database, TableInput=effective)
            report = TableReport(name, found.target, "updated", changes)
        else:
            report, effective = TableReport(name, found.target, "schema_change_logged", changes), current
        if [k["Name"] for k in effective["PartitionKeys"]] == [k["Name"] for k in found.table_input["PartitionKeys"]]:
            self._sync_partitions(found, effective, report, refresh=report.action == "updated")
        else:
            report.changes.append("partitions left as they are: the table keeps its old partition keys")
        return report

    def _apply_missing(self, found: _Crawled) -> TableReport:
        """A target without data files. DEPRECATE marks the table with a new version whose Parameters
        carry DEPRECATED_BY_CRAWLER (once: a table already marked is left alone), so the version
        history shows when the data went away and a later crawl that finds data again restores it."""
        catalog, database, name = self.catalog, self.database, found.table
        if not catalog.table_exists(database, name):
            return TableReport(name, found.target, "no_data")
        if self.delete_behavior == "LOG":
            return TableReport(name, found.target, "deletion_logged")
        if self.delete_behavior == "DELETE_FROM_DATABASE":
            catalog.delete_table(DatabaseName=database, Name=name)
            return TableReport(name, found.target, "deleted")
        current = catalog.get_table(DatabaseName=database, Name=name)["Table"]
        if DEPRECATED in current.get("Parameters", {}):
            return TableReport(name, found.target, "unchanged")
        catalog.update_table(DatabaseName=database, TableInput={
            **_as_table_input(current), "Parameters": {**current.get("Parameters", {}), DEPRECATED: _now()}})
        return TableReport(name, found.target, "deprecated")

    def _sync_partitions(self, found: _Crawled, table: dict[str, Any], report: TableReport,
                         refresh: bool) -> None:
        """Add new partitions, handle vanished ones per delete_behavior, restore deprecated ones that came
        back. Partitions get the table's StorageDescriptor with their own location; `refresh` (after a
        schema update) gives existing partitions the new one too, so they keep matching their table."""
        catalog, database, name = self.catalog, self.database, found.table

        def descriptor(location: str) -> dict[str, Any]:
            return {**copy.deepcopy(table["StorageDescriptor"]), "Location": location}

        listed = catalog.get_partitions(DatabaseName=database, TableName=name)["Partitions"]
        existing = {tuple(p["Values"]): p for p in listed}
        new = sorted(values for values in found.partitions if values not in existing)
        if new:
            catalog.batch_create_partition(DatabaseName=database, TableName=name, PartitionInputList=[
                {"Values": list(values), "StorageDescriptor": descriptor(found.partitions[values]), "Parameters": {}}
                for values in new])
        report.partitions_added = new

        for values in sorted(set(found.partitions) & set(existing)):
            parameters = existing[values].get("Parameters", {})
            update: dict[str, Any] = {}
            if DEPRECATED in parameters:
                update["Parameters"] = {k: v for k, v in parameters.items() if k != DEPRECATED}
                report.partitions_restored.append(values)
            if refresh:
                update["StorageDescriptor"] = descriptor(found.partitions[values])
            if update:
                catalog.update_partition(DatabaseName=database, TableName=name, PartitionValueList=list(values),
                                         PartitionInput=update)

        gone = sorted(values for values in existing if values not in found.partitions)
        if self.delete_behavior == "DELETE_FROM_DATABASE" and gone:
            catalog.batch_delete_partition(DatabaseName=database, TableName=name,
                                           PartitionsToDelete=[{"Values": list(v)} for v in gone])
        elif self.delete_behavior == "DEPRECATE_IN_DATABASE":
            gone = [v for v in gone if DEPRECATED not in existing[v].get("Parameters", {})]
            for values in gone:
                catalog.update_partition(DatabaseName=database, TableName=name, PartitionValueList=list(values),
                                         PartitionInput={"Parameters": {**existing[values].get("Parameters", {}),
                                                                        DEPRECATED: _now()}})
        report.partitions_removed = gone


# -------------------------------------------------------------------- files
def _file_format(path: Path) -> str:
    fmt = SUFFIX_FORMATS.get(path.suffix.lower())
    if fmt:
        return fmt
    with path.open("rb") as stream:
        if stream.read(4) == b"PAR1":
            return "parquet"
    raise _FileProblem(f"{path}: cannot tell the format (expected a .csv, .json, .jsonl, .ndjson or .parquet "
                       f"file, or Parquet content); rename it or move it out of the target folder")


def _partition_folders(relative: Path) -> list[tuple[str, str]]:
    """The leading `key=value` folders of a file's path: [(lower-cased key, folder name)]."""
    folders = []
    for part in relative.parts[:-1]:
        key, equals, _ = part.partition("=")
        if not equals or not key:
            break
        folders.append((key.lower(), part))
    return folders


def _read_schema(classification: str, paths: list[Path]
                 ) -> tuple[dict[str, HiveType], dict[str, str], dict[str, str]]:
    """Columns, table parameters and SerDe parameters of a table's sampled files."""
    if classification == "csv":
        return _csv_schema(paths)
    read = _json_schema if classification == "json" else _parquet_schema
    columns: dict[str, HiveType] = {}
    for path in paths:
        for name, hive_type in read(path).items():
            columns[name] = _merge(columns.get(name, "null"), hive_type)
    return columns, {}, {}


def _csv_schema(paths: list[Path]) -> tuple[dict[str, HiveType], dict[str, str], dict[str, str]]:
    """Columns and table/SerDe parameters of CSV files. The CSV SerDe reads columns by position, so
    every file must start with the same columns in the same order (new columns go at the end)."""
    columns: dict[str, HiveType] = {}
    layout: tuple[str, bool] | None = None
    for path in paths:
        names, types, delimiter, header = _read_csv(path)
        if layout is None:
            layout = (delimiter, header)
        elif layout != (delimiter, header):
            raise _FileProblem(f"{path}: delimiter {delimiter!r} and header={header} differ from the other "
                               f"files' ({layout[0]!r}, header={layout[1]}); give a table's files one layout")
        if names != list(columns)[:len(names)] and list(columns) != names[:len(columns)]:
            raise _FileProblem(f"{path}: columns {names} do not line up with {list(columns)} from the other files; "
                               f"CSV is read by position, so keep the same leading columns and add new ones at the end")
        for name in names:
            columns[name] = _merge(columns.get(name, "null"), types[name])
    assert layout is not None
    delimiter, header = layout
    parameters = {"delimiter": delimiter, **({"skip.header.line.count": "1"} if header else {})}
    return columns, parameters, {"field.delim": delimiter}


def _read_csv(path: Path) -> tuple[list[str], dict[str, HiveType], str, bool]:
    try:
        with path.open(newline="", encoding="utf-8") as stream:
            first = stream.readline()
            if not first.strip():
                raise _FileProblem(f"{path}: the file is empty or starts with a blank line, so it has neither "
                                   f"a header nor rows; remove it or write its header on the first line")
            delimiter = max(CSV_DELIMITERS, key=first.count)
            stream.seek(0)
            rows = list(islice(csv.reader(stream, delimiter=delimiter), SAMPLE_ROWS + 1))
    except (UnicodeDecodeError, csv.Error) as error:
        raise _FileProblem(f"{path}: not readable as UTF-8 CSV ({error})") from None
    head = [value.strip() for value in rows[0]]
    header = (all(head) and len({h.lower() for h in head}) == len(head)
              and all(_scalar_type(h) == "string" for h in head))
    data = rows[1:] if header else rows
    width = max(len(row) for row in rows)
    if header and width > len(head):
        raise _FileProblem(f"{path}: a row has {width} fields but the header names {len(head)}")
    names = [h.lower() for h in head] if header else [f"col{i}" for i in range(width)]
    types: dict[str, HiveType] = {}
    for index, name in enumerate(names):
        types[name] = "null"
        for row in data:
            if index < len(row):
                types[name] = _merge(types[name], _scalar_type(row[index]))
    return names, types, delimiter, header


def _scalar_type(text: str) -> str:
    """The Hive type of one CSV field; an empty field is a null."""
    text = text.strip()
    if not text:
        return "null"
    if INTEGER.match(text):
        return "bigint" if -2**63 <= int(text) < 2**63 else "double"
    if NUMBER.match(text):
        return "double"
    return "boolean" if text.lower() in ("true", "false") else "string"


def _json_schema(path: Path) -> dict[str, HiveType]:
    columns: dict[str, HiveType] = {}
    try:
        with path.open(encoding="utf-8") as stream:
            records = (line for line in stream if line.strip())
            for number, line in enumerate(islice(records, SAMPLE_ROWS), 1):
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as error:
                    raise _FileProblem(f"{path}: record {number} is not valid JSON ({error.msg} at column "
                                       f"{error.colno}); the crawler reads JSON Lines, one object per line") from None
                if not isinstance(record, dict):
                    raise _FileProblem(f"{path}: record {number} is a JSON {type(record).__name__}, not an "
                                       f"object; the crawler reads JSON Lines, one object per line")
                for key, value in record.items():
                    columns[key.lower()] = _merge(columns.get(key.lower(), "null"), _json_type(value))
    except UnicodeDecodeError as error:
        raise _FileProblem(f"{path}: not UTF-8 text ({error})") from None
    return columns


def _json_type(value: Any) -> HiveType:
    if value is None:
        return "null"
    if isinstance(value, bool):   # before int: bool is an int in Python
        return "boolean"
    if isinstance(value, int):
        return "bigint"
    if isinstance(value, float):
        return "double"
    if isinstance(value, dict):
        struct: dict[str, HiveType] = {}
        for key, item in value.items():
            struct[key] = _merge(struct.get(key, "null"), _json_type(item))
        return struct
    if isinstance(value, list):
        element: HiveType = "null"
        for item in value:
            element = _merge(element, _json_type(item))
        return [element]
    return "string"


def _parquet_schema(path: Path) -> dict[str, HiveType]:
    try:
        schema = pq.read_schema(path)
    except pa.ArrowException as error:
        raise _FileProblem(f"{path}: not a readable Parquet file ({error})") from None
    return {f.name.lower(): _arrow_type(f.type, f"{path}: column {f.name}") for f in schema}


def _arrow_type(data_type: pa.DataType, where: str) -> HiveType:
    if pa.types.is_dictionary(data_type):
        return _arrow_type(data_type.value_type, where)
    if pa.types.is_struct(data_type):
        return {f.name: _arrow_type(f.type, where) for f in data_type}
    if pa.types.is_map(data_type):
        key, value = (_render(_arrow_type(t, where)) for t in (data_type.key_type, data_type.item_type))
        return f"map<{key},{value}>"
    if pa.types.is_list(data_type) or pa.types.is_large_list(data_type) or pa.types.is_fixed_size_list(data_type):
        return [_arrow_type(data_type.value_type, where)]
    if pa.types.is_decimal(data_type):
        return f"decimal({data_type.precision},{data_type.scale})"
    if pa.types.is_timestamp(data_type):
        return "timestamp"
    if pa.types.is_null(data_type):
        return "null"
    if str(data_type) in ARROW_TYPES:
        return ARROW_TYPES[str(data_type)]
    raise _FileProblem(f"{where} has Arrow type {data_type}, which has no Data Catalog type here; "
                       f"write it as one of {sorted(set(ARROW_TYPES.values()))}, decimal, timestamp, list or struct")


# -------------------------------------------------------------------- types
def _merge(a: HiveType, b: HiveType) -> HiveType:
    """The narrowest type holding both: int -> bigint -> double -> string; structs and arrays merge
    field by field; anything else that conflicts becomes string."""
    if a == b or b == "null":
        return a
    if a == "null":
        return b
    if isinstance(a, dict) and isinstance(b, dict):
        merged = dict(a)
        for key, value in b.items():
            merged[key] = _merge(merged.get(key, "null"), value)
        return merged
    if isinstance(a, list) and isinstance(b, list):
        return [_merge(a[0], b[0])]
    numeric = INTEGRAL + ("float", "double")
    if isinstance(a, str) and isinstance(b, str) and a in numeric and b in numeric:
        if a in INTEGRAL and b in INTEGRAL:
            return max(a, b, key=INTEGRAL.index)
        return "double"
    return "string"


def _render(hive_type: HiveType) -> str:
    """The Data Catalog's spelling; a column that only ever held nulls is a string, as in Glue."""
    if isinstance(hive_type, dict):
        return "struct<" + ",".join(f"{k}:{_render(v)}" for k, v in hive_type.items()) + ">"
    if isinstance(hive_type, list):
        return f"array<{_render(hive_type[0])}>"
    return "string" if hive_type == "null" else hive_type


def _partition_keys(names: list[str], partitions: list[tuple[str, ...]],
                    current: dict[str, Any] | None) -> list[dict[str, str]]:
    """bigint for whole-number keys, else string; but an existing table's key types stay while the
    folder values still parse as them, so a table registered by a job with `int` keys is not changed."""
    existing = {}
    if current and [k["Name"] for k in current["PartitionKeys"]] == names:
        existing = {k["Name"]: k["Type"] for k in current["PartitionKeys"]}
    keys = []
    for index, name in enumerate(names):
        values = [p[index] for p in partitions if p[index] != HIVE_DEFAULT_PARTITION]
        if name in existing and all(_parses_as(v, existing[name]) for v in values):
            keys.append({"Name": name, "Type": existing[name]})
        else:
            whole = values and all(_parses_as(v, "bigint") for v in values)
            keys.append({"Name": name, "Type": "bigint" if whole else "string"})
    return keys


def _parses_as(value: str, hive_type: str) -> bool:
    if hive_type == "string" or hive_type.startswith(("varchar", "char")):
        return True
    if hive_type in INTEGRAL_BOUNDS:
        bound = INTEGRAL_BOUNDS[hive_type]
        return bool(INTEGER.match(value)) and -bound <= int(value) < bound
    if hive_type in ("float", "double") or hive_type.startswith("decimal"):
        return bool(NUMBER.match(value))
    if hive_type == "date":
        try:
            date.fromisoformat(value)
            return True
        except ValueError:
            return False
    return hive_type == "boolean" and value.lower() in ("true", "false")


# -------------------------------------------------------------------- catalog
def _differences(current: dict[str, Any], crawled: dict[str, Any]) -> list[str]:
    """What a crawl would change in a table: columns, partition keys, format; and a deprecation mark."""
    old = {c["Name"]: c["Type"] for c in current["StorageDescriptor"]["Columns"]}
    new = {c["Name"]: c["Type"] for c in crawled["StorageDescriptor"]["Columns"]}
    changes = [f"new column {n} {t}" for n, t in new.items() if n not in old]
    changes += [f"column {n}: {old[n]} -> {t}" for n, t in new.items() if n in old and old[n] != t]
    changes += [f"column {n} no longer found" for n in old if n not in new]
    if not changes and list(old) != list(new):
        changes.append(f"columns reordered: {list(old)} -> {list(new)}")
    old_keys = [(k["Name"], k["Type"]) for k in current["PartitionKeys"]]
    new_keys = [(k["Name"], k["Type"]) for k in crawled["PartitionKeys"]]
    if old_keys != new_keys:
        changes.append(f"partition keys {old_keys} -> {new_keys}")
    old_format = current.get("Parameters", {}).get("classification")
    if old_format != crawled["Parameters"]["classification"]:
        changes.append(f"classification {old_format} -> {crawled['Parameters']['classification']}")
    if DEPRECATED in current.get("Parameters", {}):
        changes.append("the table was deprecated by a crawler and has data again")
    return changes


def _as_table_input(table: dict[str, Any]) -> dict[str, Any]:
    """A table as get_table returns it, less the fields the catalog sets itself."""
    return {k: v for k, v in table.items() if k not in ("DatabaseName", "CreateTime", "UpdateTime", "VersionId")}


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
