"""Operate the curated Iceberg tables locally: history, time travel, rollback, compaction, expiry.

    python -m localglue.runner.tables history flights              # every snapshot, newest last
    python -m localglue.runner.tables at flights SNAPSHOT_ID        # the table as that snapshot saw it
    python -m localglue.runner.tables rollback flights SNAPSHOT_ID  # make an earlier snapshot current
    python -m localglue.runner.tables compact flights               # rewrite small files and files with deletes
    python -m localglue.runner.tables expire flights [--keep N]     # drop old snapshots and unreferenced files

The same Spark SQL and Iceberg procedures run on AWS in a Glue job or notebook against
`glue_catalog` (docs/operations.md lists them, with Athena's OPTIMIZE and VACUUM); only the
catalog's settings differ (LocalDeployment.iceberg_conf).
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timedelta, timezone

from etl_pipeline.stages.load import live_rows_sql
from localglue.runner.deployment import LocalDeployment
from localglue.services.environment import PrerequisiteMissing, configure

# What `compact` rewrites besides small files (https://iceberg.apache.org/docs/1.10.0/spark-procedures/#rewrite_data_files):
# every data file with at least one row deleted by a merge-on-read write (delete-file-threshold),
# so that no position delete applies any more.
COMPACTION_OPTIONS = {"min-input-files": "2", "delete-file-threshold": "1"}
# Then every position delete file is rewritten without its entries for data files no longer in the
# table: after the rewrite above none is left (an empty one is dropped), so the snapshot's
# `total-position-deletes` counts only rows still deleted (load.live_rows_sql). The rewrite's own
# `remove-dangling-deletes` leaves them: it goes by sequence numbers, and the rewritten data files
# keep the rewrite's starting one, the delete files' own.
# https://iceberg.apache.org/docs/1.10.0/spark-procedures/#rewrite_position_delete_files
DELETE_COMPACTION_OPTIONS = {"rewrite-all": "true"}

# Files younger than this are never removed as orphans: a running write may still commit them.
ORPHAN_MIN_AGE = timedelta(hours=24)


def _session(pipeline: LocalDeployment):
    from pyspark.sql import SparkSession

    spark = SparkSession.builder.getOrCreate()
    for key, value in pipeline.iceberg_conf().items():
        if key.startswith("spark.sql.catalog."):
            spark.conf.set(key, value)
    return spark


def _print_rows(rows, columns: list[str]) -> None:
    widths = [max(len(c), *(len(str(r[c])) for r in rows)) if rows else len(c) for c in columns]
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths)))
    for row in rows:
        print("  ".join(str(row[c]).ljust(w) for c, w in zip(columns, widths)))


def _options(options: dict[str, str]) -> str:
    return "map(" + ", ".join(f"'{key}', '{value}'" for key, value in options.items()) + ")"


def run(command: str, table: str, snapshot: int | None = None, keep: int = 5) -> int:
    pipeline = LocalDeployment()
    spark = _session(pipeline)
    catalog, database = pipeline.config.iceberg_catalog, pipeline.database("curated")
    name = f"{catalog}.{database}.{table}"
    if not pipeline.catalog.table_exists(database, table):
        print(f"error: no curated table {table!r} in {catalog}.{database} (run `make demo` first)", file=sys.stderr)
        return 1
    if command == "history":
        rows = spark.sql(
            f"SELECT h.made_current_at, h.snapshot_id, h.is_current_ancestor AS current_line, s.operation, "
            f"s.summary['added-records'] AS added, s.summary['deleted-records'] AS deleted, "
            f"s.summary['total-delete-files'] AS delete_files, {live_rows_sql('s')} AS total_rows FROM {name}.history h "
            f"LEFT JOIN {name}.snapshots s ON s.snapshot_id = h.snapshot_id ORDER BY h.made_current_at").collect()
        _print_rows(rows, ["made_current_at", "snapshot_id", "current_line", "operation", "added", "deleted",
                           "delete_files", "total_rows"])
    elif command == "at":
        (row,) = spark.sql(f"SELECT count(*) AS n FROM {name} VERSION AS OF {snapshot}").collect()
        print(f"{name} as of snapshot {snapshot}: {row['n']:,} rows "
              f"(query it: SELECT ... FROM {name} VERSION AS OF {snapshot})")
    elif command == "rollback":
        spark.sql(f"CALL {catalog}.system.rollback_to_snapshot('{database}.{table}', {snapshot})").collect()
        (row,) = spark.sql(f"SELECT count(*) AS n FROM {name}").collect()
        print(f"{name} now reads snapshot {snapshot}: {row['n']:,} rows")
    elif command == "compact":
        (row,) = spark.sql(f"CALL {catalog}.system.rewrite_data_files(table => '{database}.{table}', "
                           f"options => {_options(COMPACTION_OPTIONS)})").collect()
        (deletes,) = spark.sql(f"CALL {catalog}.system.rewrite_position_delete_files(table => '{database}.{table}', "
                               f"options => {_options(DELETE_COMPACTION_OPTIONS)})").collect()
        print(f"{name}: {row['rewritten_data_files_count']} files rewritten into {row['added_data_files_count']}, "
              f"{deletes['rewritten_delete_files_count']} delete files into {deletes['added_delete_files_count']}")
    elif command == "expire":
        # To the microsecond: a snapshot made a moment ago (a compaction, say) is older than now.
        now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")
        (row,) = spark.sql(f"CALL {catalog}.system.expire_snapshots(table => '{database}.{table}', "
                           f"older_than => TIMESTAMP '{now}', retain_last => {keep})").collect()
        orphans_before = (datetime.now(timezone.utc) - ORPHAN_MIN_AGE).strftime("%Y-%m-%d %H:%M:%S")
        orphans = spark.sql(f"CALL {catalog}.system.remove_orphan_files(table => '{database}.{table}', "
                            f"older_than => TIMESTAMP '{orphans_before}')").collect()
        print(f"{name}: kept the last {keep} snapshots, removed {row['deleted_data_files_count']} data files "
              f"and {row['deleted_manifest_files_count']} manifests of expired snapshots, "
              f"{len(orphans)} orphan files older than {ORPHAN_MIN_AGE.total_seconds() / 3600:.0f} h")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m localglue.runner.tables", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["history", "at", "rollback", "compact", "expire"])
    parser.add_argument("table", help="curated table name, e.g. flights")
    parser.add_argument("snapshot", nargs="?", type=int, help="snapshot id (at, rollback)")
    parser.add_argument("--keep", type=int, default=5, help="snapshots to keep (expire; default 5)")
    options = parser.parse_args(argv)
    if options.command in ("at", "rollback") and options.snapshot is None:
        parser.error(f"{options.command} needs a snapshot id (see `history`)")
    try:
        configure()
    except PrerequisiteMissing as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return run(options.command, options.table, options.snapshot, options.keep)


if __name__ == "__main__":
    sys.exit(main())
