"""The local Glue crawler: catalogs lake folders as Glue tables, the way an AWS Glue crawler does.

The workflow starts with a crawler (the `workflow` list in config/pipeline.yaml), and the raw tables
it catalogs are what Athena and the jobs' catalog readers see, so the local runtime needs one. It reads the lake directly: CSV headers and
samples with `csv`, JSON Lines with `json`, Parquet footers with pyarrow. No Spark: a crawl takes
milliseconds and needs no JVM.

One table per target folder (`s3://bucket/prefix/<name>/` -> table `<table_prefix><name>`):
- every data file under the folder must have the same format (csv, json or parquet);
- Hive-style subfolders (`year=2013/month=1/`) become partition keys, each folder path a partition;
  other subfolders just hold more files of the table;
- columns are the union over a sample of files, in first-seen order, with conflicting types widened;
  CSV columns follow the layout most sampled files share.

Existing tables follow Glue's SchemaChangePolicy: `update_behavior` decides whether a changed schema
becomes a new table version or is only reported; `delete_behavior` decides what happens to tables and
partitions whose data is gone. New tables and partitions are always added, as Glue does.

A file the crawler cannot use is skipped, as a Glue crawler does, never the crawl: an unreadable or
ragged file, a file in another format than most of the target's, a CSV file whose delimiter, header
or column order differs from the layout most files share, or a file at another partition depth. Each
is one warning line naming the file and why (logger `localglue.crawler`, like Glue's CloudWatch
crawler log) and listed in its TableReport.skipped; the table is created or updated from the other
files, and the other targets are crawled as usual. A target none of whose files can be used keeps
its table as it is (action `unusable`). On AWS a crawler logs "skipped folder" for partitions that
do not match the table and goes on
(https://repost.aws/knowledge-center/glue-crawler-not-adding-new-partitions); files that do not fit
a table's format or schema are grouped apart, never a reason to fail the crawl
(https://repost.aws/knowledge-center/glue-crawler-detect-schema,
https://docs.aws.amazon.com/glue/latest/dg/crawler-grouping-policy.html). The stand-in catalogs the
one table per target the project uses and leaves the misfits out of it, saying so.
"""

from __future__ import annotations

import copy
import csv
import json
import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from itertools import islice
from pathlib import Path
from typing import Any, Callable, Union
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


LOG = logging.getLogger("localglue.crawler")


class _FileProblem(Exception):
    """Why the crawler cannot use one file; the file is skipped and the reason logged."""


# Called with a skipped file and why: logs it and lists it in the target's report.
Skip = Callable[[LakeFile, str], None]


@dataclass
class TableReport:
    """What one crawl did to one target's table.

    action: created | updated (new table version) | unchanged | schema_change_logged (LOG policy: the
    catalog keeps the old definition) | deleted | deprecated | deletion_logged (data gone, LOG policy)
    | no_data (no table, no files) | unusable (files, but none the crawler can use: the catalog is
    left as it was).
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
    # Files left out of the table: (URI, why), each also logged as a warning.
    skipped: list[tuple[str, str]] = field(default_factory=list)


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
        """One line for logs, e.g. `crawler raw -> raw_db: 1 created, 2 unchanged; partitions: 12 added`
        (then `; 1 file skipped (see the log)` when files were left out)."""
        actions = ("created", "updated", "unchanged", "schema_change_logged", "deleted", "deprecated",
                   "deletion_logged", "no_data", "unusable")
        tables = ", ".join(f"{len(self.names(a))} {a.replace('_', ' ')}" for a in actions if self.names(a))
        removed = {"LOG": "missing (logged)", "DELETE_FROM_DATABASE": "deleted",
                   "DEPRECATE_IN_DATABASE": "deprecated"}[self.delete_behavior]
        counts = {"added": sum(len(r.partitions_added) for r in self.tables),
                  removed: sum(len(r.partitions_removed) for r in self.tables),
                  "restored": sum(len(r.partitions_restored) for r in self.tables)}
        partitions = ", ".join(f"{count} {word}" for word, count in counts.items() if count)
        skipped = sum(len(r.skipped) for r in self.tables)
        files = f"; {skipped} file{'s' * (skipped != 1)} skipped (see the log)" if skipped else ""
        return (f"crawler {self.crawler} -> {self.database}: {tables}; "
                f"partitions: {partitions or 'no change'}{files}")


@dataclass
class _Crawled:
    """What the crawler found for one target, before it touches the catalog."""

    target: str
    table: str
    table_input: dict[str, Any] | None   # None: the target holds no data files it can use
    partitions: dict[tuple[str, ...], str] = field(default_factory=dict)   # values -> folder URI
    skipped: list[tuple[str, str]] = field(default_factory=list)           # (URI, why)
    has_files: bool = False   # files were found, usable or not


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
        crawled = [self._scan(target) for target in self.targets]   # reads only
        self.catalog.ensure_database(self.database)
        reports = [self._apply(found) for found in crawled]
        return CrawlResult(self.name, self.database, self.delete_behavior, reports)

    # ---------------------------------------------------------------- reading
    def _scan(self, target: str) -> _Crawled:
        table = self.table_name(target)
        files = sorted(list_files(self.lake_root, [target]), key=lambda f: f.uri)
        skipped: list[tuple[str, str]] = []

        def skip(lake_file: LakeFile, why: str) -> None:
            LOG.warning("crawler %s, table %s: skipped %s: %s", self.name, table, lake_file.uri, why)
            skipped.append((lake_file.uri, why))

        def unusable(why: str) -> _Crawled:
            LOG.warning("crawler %s, table %s: %s; the table is left as it was", self.name, table, why)
            return _Crawled(target, table, None, skipped=skipped, has_files=True)

        if not files:
            return _Crawled(target, table, None)
        folder = to_local_path(self.lake_root, target)
        files, classification = _majority_format(files, skip)
        files, key_names = _majority_partition_depth(files, folder, skip)
        sample = files if len(files) <= SAMPLE_FILES else files[:SAMPLE_FILES // 2] + files[-(SAMPLE_FILES // 2):]
        columns, parameters, serde_parameters = _read_schema(classification, sample, skip)
        if not columns:
            return unusable(f"no usable records in {len(files)} {classification} file(s) of {target}")
        clashes = [key for key in key_names if key in columns]
        if clashes:
            return unusable(f"{clashes} are both data columns and partition folder keys; "
                            f"drop them from the files or rename the folders")
        left_out = {uri for uri, _ in skipped}
        used = [f for f in files if f.uri not in left_out]
        partitions = {tuple(unquote(name.split("=", 1)[1]) for _, name in folders):
                      target + "".join(f"{name}/" for _, name in folders)
                      for folders in (_partition_folders(f.path.relative_to(folder)) for f in used)
                      } if key_names else {}

        current = (self.catalog.get_table(DatabaseName=self.database, Name=table)["Table"]
                   if self.catalog.table_exists(self.database, table) else None)
        definition = table_input(
            table, target, [{"Name": n, "Type": _render(t)} for n, t in columns.items()], classification,
            partition_keys=_partition_keys(key_names, list(partitions), current),
            parameters={**parameters, UPDATED_BY: self.name}, serde_parameters=serde_parameters)
        return _Crawled(target, table, definition, partitions, skipped, has_files=True)

    # ---------------------------------------------------------------- writing
    def _apply(self, found: _Crawled) -> TableReport:
        catalog, database, name = self.catalog, self.database, found.table
        if found.table_input is None and found.has_files:
            return TableReport(name, found.target, "unusable", skipped=found.skipped)
        if found.table_input is None:
            return self._apply_missing(found)
        if not catalog.table_exists(database, name):
            catalog.create_table(DatabaseName=database, TableInput=found.table_input)
            report = TableReport(name, found.target, "created", skipped=found.skipped)
            self._sync_partitions(found, found.table_input, report, refresh=False)
            return report

        current = catalog.get_table(DatabaseName=database, Name=name)["Table"]
        changes = _differences(current, found.table_input)
        if not changes:
            report, effective = TableReport(name, found.target, "unchanged", skipped=found.skipped), current
        elif self.update_behavior == "UPDATE_IN_DATABASE":
            kept = {k: v for k, v in current.get("Parameters", {}).items() if k not in CRAWLER_PARAMETERS}
            effective = {**_as_table_input(current), **found.table_input,
                         "Parameters": {**kept, **found.table_input["Parameters"]}}
            catalog.update_table(DatabaseName=database, TableInput=effective)
            report = TableReport(name, found.target, "updated", changes, skipped=found.skipped)
        else:
            report = TableReport(name, found.target, "schema_change_logged", changes, skipped=found.skipped)
            effective = current
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
def _majority_format(files: list[LakeFile], skip: Skip) -> tuple[list[LakeFile], str]:
    """The files in the format most of them have, and that format; a table has one format, so the
    others are skipped (ties go to the format of the first file by name)."""
    formats: dict[str, str] = _readable(_file_format, files, skip)
    if not formats:
        return [], "unknown"
    majority = Counter(formats.values()).most_common(1)[0][0]
    for lake_file in files:
        if formats.get(lake_file.uri, majority) != majority:
            skip(lake_file, f"a {formats[lake_file.uri]} file among {majority} files; a table has one format, "
                            f"so move it under a folder of its own")
    return [f for f in files if formats.get(f.uri) == majority], majority


def _majority_partition_depth(files: list[LakeFile], folder: Path,
                              skip: Skip) -> tuple[list[LakeFile], list[str]]:
    """The files under the key=value folder levels most of them share, and those keys; files at
    another depth are skipped, as Glue skips a folder whose partition keys do not match the table's."""
    keys = {f.uri: [key for key, _ in _partition_folders(f.path.relative_to(folder))] for f in files}
    if not keys:
        return [], []
    majority = list(Counter(tuple(k) for k in keys.values()).most_common(1)[0][0])
    for lake_file in files:
        if keys[lake_file.uri] != majority:
            skip(lake_file, f"partition keys {keys[lake_file.uri]} differ from the table's {majority}; "
                            f"keep every data file under the same key=value folder levels")
    return [f for f in files if keys[f.uri] == majority], majority


def _file_format(path: Path) -> str:
    fmt = SUFFIX_FORMATS.get(path.suffix.lower())
    if fmt:
        return fmt
    with path.open("rb") as stream:
        if stream.read(4) == b"PAR1":
            return "parquet"
    raise _FileProblem("cannot tell the format (expected a .csv, .json, .jsonl, .ndjson or .parquet "
                       "file, or Parquet content); rename it or move it out of the target folder")


def _partition_folders(relative: Path) -> list[tuple[str, str]]:
    """The leading `key=value` folders of a file's path: [(lower-cased key, folder name)]."""
    folders = []
    for part in relative.parts[:-1]:
        key, equals, _ = part.partition("=")
        if not equals or not key:
            break
        folders.append((key.lower(), part))
    return folders


def _readable(read: Callable[[Path], Any], files: list[LakeFile], skip: Skip) -> dict[str, Any]:
    """What `read` returns for each file it can read, by URI; the others are skipped."""
    found = {}
    for lake_file in files:
        try:
            found[lake_file.uri] = read(lake_file.path)
        except _FileProblem as problem:
            skip(lake_file, str(problem))
        except OSError as error:
            skip(lake_file, f"cannot read it ({error.strerror})")
    return found


def _read_schema(classification: str, files: list[LakeFile], skip: Skip
                 ) -> tuple[dict[str, HiveType], dict[str, str], dict[str, str]]:
    """Columns, table parameters and SerDe parameters of a table's sampled files, skipping the files
    that cannot be used."""
    if classification == "csv":
        return _csv_schema(files, skip)
    read = _json_schema if classification == "json" else _parquet_schema
    columns: dict[str, HiveType] = {}
    for file_columns in _readable(read, files, skip).values():
        for name, hive_type in file_columns.items():
            columns[name] = _merge(columns.get(name, "null"), hive_type)
    return columns, {}, {}


def _csv_schema(files: list[LakeFile], skip: Skip) -> tuple[dict[str, HiveType], dict[str, str], dict[str, str]]:
    """Columns and table/SerDe parameters of CSV files. The CSV SerDe reads columns by position, so
    the table takes the delimiter, header and column order most files share (ties: the first file by
    name); a file that starts with other columns or another order is skipped, one that only adds
    columns at the end adds them to the table."""
    read = _readable(_read_csv, files, skip)
    if not read:
        return {}, {}, {}
    by_uri = {f.uri: f for f in files}
    layouts = Counter((delimiter, header) for _, _, delimiter, header in read.values())
    delimiter, header = layouts.most_common(1)[0][0]
    same_layout = {}
    for uri, (names, types, file_delimiter, file_header) in read.items():
        if (file_delimiter, file_header) == (delimiter, header):
            same_layout[uri] = (names, types)
        else:
            skip(by_uri[uri], f"delimiter {file_delimiter!r} and header={file_header} differ from the table's "
                              f"({delimiter!r}, header={header}); give a table's files one layout")
    orders = Counter(tuple(names) for names, _ in same_layout.values())
    majority = list(orders.most_common(1)[0][0])
    columns: dict[str, HiveType] = {name: "null" for name in majority}
    # The majority's files first, so a file that adds columns cannot push the common order aside.
    for uri in sorted(same_layout, key=lambda u: same_layout[u][0] != majority):
        names, types = same_layout[uri]
        if names != list(columns)[:len(names)] and list(columns) != names[:len(columns)]:
            skip(by_uri[uri], f"columns {names} do not line up with the table's {list(columns)}; CSV is read "
                              f"by position, so keep the same leading columns in the same order and add new ones "
                              f"at the end")
            continue
        for name in names:
            columns[name] = _merge(columns.get(name, "null"), types[name])
    parameters = {"delimiter": delimiter, **({"skip.header.line.count": "1"} if header else {})}
    return columns, parameters, {"field.delim": delimiter}


def _read_csv(path: Path) -> tuple[list[str], dict[str, HiveType], str, bool]:
    try:
        with path.open(newline="", encoding="utf-8") as stream:
            first = stream.readline()
            if not first.strip():
                raise _FileProblem("the file is empty or starts with a blank line, so it has neither "
                                   "a header nor rows; remove it or write its header on the first line")
            delimiter = max(CSV_DELIMITERS, key=first.count)
            stream.seek(0)
            rows = list(islice(csv.reader(stream, delimiter=delimiter), SAMPLE_ROWS + 1))
    except (UnicodeDecodeError, csv.Error) as error:
        raise _FileProblem(f"not readable as UTF-8 CSV ({error})") from None
    head = [value.strip() for value in rows[0]]
    header = (all(head) and len({h.lower() for h in head}) == len(head)
              and all(_scalar_type(h) == "string" for h in head))
    data = rows[1:] if header else rows
    width = max(len(row) for row in rows)
    if header and width > len(head):
        raise _FileProblem(f"a row has {width} fields but the header names {len(head)} (a ragged file)")
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
                    raise _FileProblem(f"record {number} is not valid JSON ({error.msg} at column "
                                       f"{error.colno}); the crawler reads JSON Lines, one object per line") from None
                if not isinstance(record, dict):
                    raise _FileProblem(f"record {number} is a JSON {type(record).__name__}, not an "
                                       f"object; the crawler reads JSON Lines, one object per line")
                for key, value in record.items():
                    columns[key.lower()] = _merge(columns.get(key.lower(), "null"), _json_type(value))
    except UnicodeDecodeError as error:
        raise _FileProblem(f"not UTF-8 text ({error})") from None
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
        raise _FileProblem(f"not a readable Parquet file ({error})") from None
    return {f.name.lower(): _arrow_type(f.type, f"column {f.name}") for f in schema}


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
