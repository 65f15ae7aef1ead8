"""The local workflow (crawl -> extract -> transform -> load -> crawl), the demo without a database,
and the job scripts as separate processes, exactly as `python extract_job.py --JOB_NAME ...`."""

from __future__ import annotations

import os
import subprocess
import sys

from localglue.runner import demo_data
from localglue.runner.deployment import LocalDeployment, script_for
from localglue.runner.workflow import run_workflow
from localglue.services.environment import REPO_ROOT
from tests.job.support import FLIGHTS_PER_MONTH, lake_path, read_report


def test_the_workflow_runs_the_configured_steps_in_order_and_catalogs_both_zones(pipeline):
    """The raw crawler catalogs the raw zone; the load's Iceberg commits register the curated tables."""
    started = []

    run = run_workflow(pipeline, on_start=lambda step: started.append((step.kind, step.name)))

    assert run.succeeded
    assert started == [(s.kind, s.name) for s in pipeline.config.workflow] == [
        ("crawler", "raw"), ("job", "extract"), ("job", "transform"), ("job", "load")]
    raw = pipeline.catalog.get_table(DatabaseName=pipeline.database("raw"), Name="flights")["Table"]
    assert raw["Parameters"]["classification"] == "csv"
    assert [c["Name"] for c in raw["StorageDescriptor"]["Columns"]][:3] == ["year", "month", "day"]
    # Weather comes from DynamoDB: its fallback prefix in the raw zone holds no files, so no raw table.
    assert "weather" not in {t["Name"] for t in pipeline.catalog.get_tables(DatabaseName=pipeline.database("raw"))["TableList"]}
    curated = pipeline.catalog.get_tables(DatabaseName=pipeline.database("curated"))["TableList"]
    assert {(t["Name"], t["Parameters"]["table_type"]) for t in curated} == {
        (name, "ICEBERG") for name in ("airlines", "airports", "flights", "planes", "weather")}
    assert run.report("load")["datasets"]["weather"]["rows_loaded"] == 300


def test_a_raw_file_the_crawler_cannot_use_is_logged_and_the_workflow_goes_on(pipeline, caplog):
    """A file whose CSV columns come in another order: the crawler leaves it out of the raw table (its
    columns follow the other files), says so, and the jobs still read it by its header."""
    january = lake_path(pipeline, "raw", "flights/flights_2013_01.csv").read_text().splitlines()
    header = january[0].split(",")
    reordered = [",".join(reversed(line.split(","))) for line in january[:6]]
    lake_path(pipeline, "raw", "flights/flights_reordered.csv").write_text("\n".join(reordered) + "\n")

    run = run_workflow(pipeline, datasets="flights")

    assert run.succeeded, [s.error for s in run.steps]
    crawl = run.steps[0]
    assert crawl.summary.endswith("; 1 file skipped (see the log)")
    uri = f"s3://{pipeline.bucket('raw')}/flights/flights_reordered.csv"
    assert [r.getMessage() for r in caplog.records if r.name == "localglue.crawler"] == [
        f"crawler {pipeline.crawler_name('raw')}, table flights: skipped {uri}: columns "
        f"{[name.lower() for name in reversed(header)]} do not line up with the table's "
        f"{[name.lower() for name in header]}; CSV is read by position, so keep the same leading columns in the "
        f"same order and add new ones at the end"]
    raw = pipeline.catalog.get_table(DatabaseName=pipeline.database("raw"), Name="flights")["Table"]
    assert [c["Name"] for c in raw["StorageDescriptor"]["Columns"]] == [name.lower() for name in header]
    assert run.report("extract")["datasets"]["flights"]["rows_read"] == 2 * FLIGHTS_PER_MONTH + 5
    transform = run.report("transform")["datasets"]["flights"]
    assert (transform["rows_read"], transform["duplicates_removed"]) == (2 * FLIGHTS_PER_MONTH + 5, 5)


def test_without_a_database_reference_data_comes_from_files_and_the_warehouse_is_skipped(local_home):
    offline = LocalDeployment()
    offline.deploy(with_database=False)
    demo_data.land_flights(offline, months=range(1, 2), rows_per_month=200)
    demo_data.land_reference_files(offline)

    run = run_workflow(offline, datasets="flights,airlines,airports", warehouse=False, source_fallback=True)

    assert run.succeeded, [s.error for s in run.steps]
    extract = run.report("extract")["datasets"]
    assert extract["airlines"]["source"] == f"s3://{offline.bucket('raw')}/reference/airlines/"
    assert extract["airlines"]["rows_read"] == 16
    assert run.report("load")["datasets"]["flights"]["warehouse"] == "disabled (--warehouse_connection none)"
    assert offline.athena().execute(
        "SELECT count(*) FROM flights f JOIN airlines a USING (carrier)").fetchone()[0] == \
        run.report("load")["datasets"]["flights"]["rows_loaded"]


def _script_process(arguments: list[str], home) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(script_for("extract")), *arguments], cwd=REPO_ROOT,
                          env={**os.environ, "GLUE_LOCAL_HOME": str(home)}, capture_output=True, text=True,
                          timeout=600)


def test_a_job_script_runs_as_its_own_process_with_glue_arguments(pipeline):
    arguments = pipeline.job_arguments("extract", datasets="flights")

    finished = _script_process(arguments, pipeline.settings.home)

    assert finished.returncode == 0, finished.stderr[-3000:]
    report = read_report(pipeline, "extract", arguments[arguments.index("--JOB_RUN_ID") + 1])
    assert report["status"] == "SUCCEEDED"
    assert report["datasets"]["flights"]["rows_read"] == 2 * FLIGHTS_PER_MONTH


def test_a_missing_job_argument_fails_the_script_naming_the_argument(pipeline):
    arguments = pipeline.job_arguments("extract")
    index = arguments.index("--raw_path")
    del arguments[index:index + 2]

    finished = _script_process(arguments, pipeline.settings.home)

    assert finished.returncode != 0
    assert "GlueArgumentError: the following arguments are required: --raw_path" in finished.stderr
