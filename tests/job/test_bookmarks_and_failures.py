"""Job bookmarks as Glue keeps them (enable / pause / disable), and runs that fail half-way."""

from __future__ import annotations

import json
import shutil

import pytest

from etl_pipeline.jobs import DatasetsFailedError
from etl_pipeline.warehouse import WarehouseTable
from localglue.runner import demo_data, run_job
from localglue.runner.deployment import LocalDeployment
from localglue.services import jdbc
from localglue.services.bookmarks import DISABLE, PAUSE, BookmarkStore
from tests.job.support import (FLIGHTS_PER_MONTH, expected_flight_failures, flights_slice, lake_path, read_report,
                               run_all, run_stage, warehouse)


def extract_flights(pipeline: LocalDeployment, option: str | None = None) -> int:
    options = {"bookmark_option": option} if option else {}
    report = run_stage(pipeline, "extract", datasets="flights", **options)
    return report["datasets"]["flights"]["rows_read"]


def test_pause_reads_what_is_new_without_moving_the_bookmark_and_disable_reads_everything(pipeline):
    store = BookmarkStore(pipeline.settings.bookmarks_root)
    assert extract_flights(pipeline) == 2 * FLIGHTS_PER_MONTH
    committed = store.get(pipeline.job_name("extract"))
    demo_data.land_flights(pipeline, months=range(3, 4), rows_per_month=FLIGHTS_PER_MONTH)

    assert extract_flights(pipeline, PAUSE) == FLIGHTS_PER_MONTH
    assert store.get(pipeline.job_name("extract")) == committed
    assert extract_flights(pipeline, PAUSE) == FLIGHTS_PER_MONTH  # still new: pause committed nothing

    assert extract_flights(pipeline, DISABLE) == 3 * FLIGHTS_PER_MONTH
    assert store.get(pipeline.job_name("extract")) == committed

    assert extract_flights(pipeline) == FLIGHTS_PER_MONTH  # enable: the new month, once
    assert extract_flights(pipeline) == 0
    bookmark = store.get(pipeline.job_name("extract"))
    assert bookmark["Run"] == committed["Run"] + 2
    assert sorted(uri.rsplit("/", 1)[1] for uri in bookmark["Contexts"]["extract_flights"]["files"]) == \
        ["flights_2013_01.csv", "flights_2013_02.csv", "flights_2013_03.csv"]


def test_an_extract_that_fails_half_way_commits_nothing_and_its_rerun_lands_each_row_once(pipeline):
    broken = jdbc.parse_url(pipeline.settings.postgres_url)
    broken = jdbc.JdbcTarget(broken.engine, broken.host, 1, broken.database, broken.user, broken.password)
    pipeline.catalog.create_connection(jdbc.connection_input(pipeline.source_connection("reference-db"), broken))

    with pytest.raises(Exception, match="Connection to 127.0.0.1:1 refused|connection refused|Connection refused"):
        run_stage(pipeline, "extract", datasets="flights,airlines")  # flights lands, then airlines fails

    assert BookmarkStore(pipeline.settings.bookmarks_root).get(pipeline.job_name("extract"))["Run"] == 0
    reports = list(lake_path(pipeline, "processed", "_reports/extract").glob("*.json"))
    assert len(reports) == 1 and '"status": "FAILED"' in reports[0].read_text()

    pipeline.deploy(with_database=True)  # the connection is fixed
    rerun = run_stage(pipeline, "extract", datasets="flights,airlines")
    assert rerun["datasets"]["flights"]["rows_read"] == 2 * FLIGHTS_PER_MONTH
    assert len(list(lake_path(pipeline, "processed", "landing/flights").iterdir())) == 1  # one batch, replaced

    transform = run_stage(pipeline, "transform", datasets="flights,airlines")
    assert transform["datasets"]["flights"]["rows_read"] == 2 * FLIGHTS_PER_MONTH
    assert transform["datasets"]["flights"]["duplicates_removed"] == 0


def test_a_load_that_fails_keeps_its_files_for_a_rerun_that_neither_loses_nor_duplicates_rows(pipeline):
    run_stage(pipeline, "extract")
    run_stage(pipeline, "transform")
    valid = len(flights_slice()) - int(expected_flight_failures(flights_slice()).sum())
    # The warehouse refuses the flights: someone added a check to the table that no row passes.
    table = WarehouseTable(pipeline.warehouse_schema, pipeline.config.datasets["flights"])
    with jdbc.connect(pipeline.postgres()) as connection:
        connection.execute(f"CREATE SCHEMA analytics; {table.create_table()}; "
                           f"ALTER TABLE analytics.flights ADD CONSTRAINT no_rows CHECK (year < 0)")

    with pytest.raises(DatasetsFailedError, match=r"load: 1 dataset\(s\) failed \(flights: WarehouseLoadError: .*"
                                                  r"postactions for analytics.flights_staging failed.*violates check"):
        run_stage(pipeline, "load", datasets="flights")

    # The run committed (a job run commits every dataset's bookmark at once); flights' files are kept.
    assert BookmarkStore(pipeline.settings.bookmarks_root).get(pipeline.job_name("load"))["Run"] == 1
    retry = lake_path(pipeline, "processed", "_state/retry/load/load_flights.json")
    validated = sorted(lake_path(pipeline, "processed", "validated/flights").rglob("*.parquet"))
    assert sorted(f["uri"].rsplit("/", 1)[1] for f in json.loads(retry.read_text())["files"]) == \
        sorted(p.name for p in validated)
    # The curated zone already holds the batch: the rerun must replace it, not add to it.
    assert pipeline.athena().execute("SELECT count(*) FROM flights").fetchone() == (valid,)

    with jdbc.connect(pipeline.postgres()) as connection:
        connection.execute("ALTER TABLE analytics.flights DROP CONSTRAINT no_rows")
    rerun = run_stage(pipeline, "load", datasets="flights")

    flights = rerun["datasets"]["flights"]
    assert (flights["rows_read"], flights["rows_loaded"], flights["curated_updated"], flights["warehouse_rows"]) == \
        (valid, valid, valid, valid)
    assert pipeline.athena().execute(
        "SELECT count(*), count(DISTINCT (year, month, day, carrier, flight, origin)) FROM flights").fetchone() == \
        (valid, valid)
    assert warehouse(pipeline, "SELECT count(*) FROM analytics.flights") == [(valid,)]
    assert len(flights["retried_files"]) == len(validated)
    assert not retry.exists()
    assert run_stage(pipeline, "load", datasets="flights")["datasets"]["flights"]["rows_read"] == 0


def test_a_failed_fail_rule_stops_its_dataset_the_others_load_and_the_fixed_rerun_loads_it_once(pipeline, tmp_path):
    config = tmp_path / "config"
    shutil.copytree(pipeline.config_dir, config, ignore=shutil.ignore_patterns("*.json"))  # every dataset
    flights = (pipeline.config_dir / "datasets" / "flights.yaml").read_text()
    (config / "datasets" / "flights.yaml").write_text(
        flights.replace("{name: batch_not_empty, outcome: fail, dqdl: 'RowCount > 0'}",
                        "{name: batch_not_empty, outcome: fail, dqdl: 'RowCount > 1000000'}"))
    strict = LocalDeployment(config_dir=config)
    strict.deploy(with_database=True)  # uploads the changed config, as `make upload-scripts` would
    run_stage(strict, "extract")

    with pytest.raises(DatasetsFailedError, match=r"dataset flights: 1 rule\(s\) with outcome fail failed, the batch "
                                                  r"is not loaded: batch_not_empty \[RowCount > 1000000\] failed: "
                                                  r"observed Dataset\.\*\.RowCount=2000"):
        run_stage(strict, "transform")

    assert not lake_path(strict, "processed", "validated/flights").exists()
    retry = lake_path(strict, "processed", "_state/retry/transform/transform_flights.json")
    landed = sorted(lake_path(strict, "processed", "landing/flights").rglob("*.parquet"))
    assert sorted(f["uri"].rsplit("/", 1)[1] for f in json.loads(retry.read_text())["files"]) == \
        sorted(p.name for p in landed)
    load = run_stage(strict, "load")["datasets"]
    assert load["flights"]["rows_read"] == 0
    assert load["airlines"]["rows_loaded"] == 16  # the other datasets went on

    pipeline.deploy(with_database=True)  # the fix: the config as it was
    transform = run_stage(pipeline, "transform")["datasets"]
    valid = len(flights_slice()) - int(expected_flight_failures(flights_slice()).sum())
    assert (transform["flights"]["rows_read"], transform["flights"]["rows_valid"]) == (2 * FLIGHTS_PER_MONTH, valid)
    assert transform["airlines"] == {"rows_read": 0, "nothing_new": True}
    assert not retry.exists()
    assert run_stage(pipeline, "load")["datasets"]["flights"]["rows_loaded"] == valid
    assert warehouse(pipeline, "SELECT count(*), count(DISTINCT (year, month, day, carrier, flight, origin)) "
                               "FROM analytics.flights") == [(valid, valid)]


def test_a_corrections_file_updates_the_flights_it_resends_and_adds_the_new_ones(pipeline):
    run_all(pipeline)
    before = {(c, f): d for c, f, d in warehouse(pipeline, "SELECT carrier, flight, dep_delay FROM analytics.flights "
                                                           "WHERE month = 1 AND day = 1 AND origin = 'JFK'")}
    total_before = warehouse(pipeline, "SELECT count(*) FROM analytics.flights")[0][0]
    path = demo_data.land_corrections(pipeline, month=1, day=1)

    reports = run_all(pipeline)

    assert reports["extract"]["datasets"]["flights"]["rows_read"] == demo_data.CORRECTED_FLIGHTS + 3
    assert reports["extract"]["datasets"]["flights"]["files"] == [f"s3://{pipeline.bucket('raw')}/flights/{path.name}"]
    load = reports["load"]["datasets"]["flights"]
    assert (load["curated_updated"], load["curated_inserted"]) == (demo_data.CORRECTED_FLIGHTS, 3)
    assert warehouse(pipeline, "SELECT count(*) FROM analytics.flights")[0][0] == total_before + 3
    corrected = {(c, f): d for c, f, d in warehouse(
        pipeline, "SELECT carrier, flight, dep_delay FROM analytics.flights WHERE etl_source_file LIKE %s",
        f"%{path.name}")}
    assert len(corrected) == demo_data.CORRECTED_FLIGHTS + 3
    resent = {key: delay for key, delay in corrected.items() if key[1] not in demo_data.NEW_FLIGHT_NUMBERS}
    assert len(resent) == demo_data.CORRECTED_FLIGHTS
    assert resent == {key: before[key] + demo_data.CORRECTION_DELAY_MINUTES for key in resent}
    curated = {(c, f): d for c, f, d in pipeline.athena().execute(
        f"SELECT carrier, flight, dep_delay FROM flights WHERE etl_source_file LIKE '%{path.name}'").fetchall()}
    assert curated == corrected
    assert pipeline.athena().execute(
        "SELECT count(*) - count(DISTINCT (year, month, day, carrier, flight, origin)) FROM flights").fetchone() == (0,)


def _run_job_command(capsys, job: str, *options: str) -> str:
    """`python -m localglue.runner.run_job [options] <job> --datasets flights` (in this process); what it printed."""
    capsys.readouterr()
    assert run_job.main([*options, job, "--datasets", "flights"]) == 0
    return capsys.readouterr().out


def _run_id(printed: str) -> str:
    return printed.split("--JOB_RUN_ID ", 1)[1].split()[0]


def test_run_job_starts_no_spark_job_when_the_bookmarks_hold_every_file(local_home, postgres_url, capsys):
    pipeline = LocalDeployment()
    pipeline.deploy(with_database=True)
    demo_data.land_flights(pipeline, months=range(1, 2), rows_per_month=200)
    for job in ("extract", "transform", "load"):
        assert _run_job_command(capsys, job).startswith(f"running {job}_job.py ")
    store = BookmarkStore(pipeline.settings.bookmarks_root)
    committed = {job: store.get(pipeline.job_name(job)) for job in ("extract", "transform", "load")}
    reports = sorted(lake_path(pipeline, "processed", "_reports/").rglob("*.json"))

    for job in ("extract", "transform", "load"):
        printed = _run_job_command(capsys, job)
        assert printed.startswith(f"{job}: nothing new, Spark not started: flights: the bookmark of {job}_flights "
                                  f"holds all 1 file(s) under "), printed
        assert "running" not in printed
    assert {job: store.get(pipeline.job_name(job)) for job in committed} == committed
    assert sorted(lake_path(pipeline, "processed", "_reports/").rglob("*.json")) == reports

    # --always-start runs the job anyway (as a job run on AWS would), and it reads nothing.
    printed = _run_job_command(capsys, "extract", "--always-start")
    assert read_report(pipeline, "extract", _run_id(printed))["datasets"]["flights"]["nothing_new"] is True

    # Something new starts the job again, and it reads exactly that.
    demo_data.land_flights(pipeline, months=range(2, 3), rows_per_month=200)
    printed = _run_job_command(capsys, "extract")
    assert read_report(pipeline, "extract", _run_id(printed))["datasets"]["flights"]["rows_read"] == 200
