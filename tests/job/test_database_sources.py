"""The extract, transform and load scripts over the real source servers: planes from MariaDB (RDS
MySQL, four parallel hash queries, bookmark keys updated_at + tailnum), airports from the Redshift
stand-in. Updated rows flow through, a value the target type cannot hold is quarantined with its raw
text, and a server that does not answer fails the run in one line that names the connection, commits
nothing and never shows the password."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest

from etl_pipeline.columns import ETL_FAILED_RULES
from etl_pipeline.jobs import DatasetsFailedError
from localglue.runner import demo_data
from localglue.runner.deployment import LocalDeployment
from localglue.services import jdbc
from localglue.services.bookmarks import BookmarkStore
from tests.job.support import lake_path, run_stage, warehouse


def fleet(pipeline, *statements: str) -> None:
    with jdbc.connect_mysql(pipeline.mysql()) as connection, connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def test_updated_planes_and_a_seat_count_no_int_can_hold_flow_from_mariadb(pipeline):
    first = {stage: run_stage(pipeline, stage, datasets="planes,airports") for stage in ("extract", "transform", "load")}
    assert first["extract"]["datasets"]["planes"]["rows_read"] == 3322
    assert first["extract"]["datasets"]["airports"]["rows_read"] == 1458
    assert first["load"]["datasets"]["planes"]["rows_loaded"] == 3322

    # The fleet team widens seats and records an impossible value, and corrects a manufacturer.
    fleet(pipeline, "ALTER TABLE planes MODIFY seats BIGINT",
          "UPDATE planes SET seats = 5000000000 WHERE tailnum = 'N10156'",
          "UPDATE planes SET manufacturer = 'AIRBUS' WHERE tailnum = 'N102UW'")
    second = {stage: run_stage(pipeline, stage, datasets="planes") for stage in ("extract", "transform", "load")}

    assert second["extract"]["datasets"]["planes"]["rows_read"] == 2          # only the changed rows
    transform = second["transform"]["datasets"]["planes"]
    assert (transform["rows_valid"], transform["rows_quarantined"]) == (1, 1)
    assert transform["rule_failures"] == {"seats_is_int": 1}
    # Quarantined, not lost: the row as MariaDB gave it (as text), with the rule it failed.
    rejected = pq.read_table(lake_path(pipeline, "quarantine", "planes/rejected")).to_pylist()
    assert [(r["tailnum"], r["seats"], list(r[ETL_FAILED_RULES])) for r in rejected] == \
        [("N10156", "5000000000", ["seats_is_int"])]
    assert pipeline.athena().execute("SELECT manufacturer FROM planes WHERE tailnum = 'N102UW'").fetchall() == \
        [("AIRBUS",)]
    # The curated and warehouse rows of the quarantined plane keep their last good version.
    assert warehouse(pipeline, "SELECT seats FROM analytics.planes WHERE tailnum = 'N10156'") == [(55,)]


def test_an_unreachable_mariadb_fails_the_extract_in_one_line_and_commits_nothing(pipeline, capsys):
    broken = jdbc.JdbcTarget("mysql", "127.0.0.1", 1, "fleet", "loader", "Fl33t-s3cret")
    pipeline.catalog.create_connection(jdbc.connection_input(pipeline.source_connection("fleet-db"), broken))

    with pytest.raises(DatasetsFailedError) as raised:
        run_stage(pipeline, "extract", datasets="planes")

    # A database table's bookmark is a key value, not files: its rows cannot wait in a retry list, so
    # the run commits nothing and says so, naming the dataset, the connection and what to check.
    message = str(raised.value)
    assert isinstance(raised.value.__cause__, jdbc.JdbcError)
    assert "\n" not in message
    assert message.startswith("extract: 1 dataset(s) failed (planes: JdbcError: cannot read planes through Glue "
                              "connection etl-glue-pipeline-local-fleet-db (mysql://loader@127.0.0.1:1/fleet): ")
    assert "Check that the database runs and accepts connections on 127.0.0.1:1" in message
    assert "Nothing was committed" in message
    assert BookmarkStore(pipeline.settings.bookmarks_root).get(pipeline.job_name("extract"))["Run"] == 0
    assert not lake_path(pipeline, "processed", "landing/planes").exists()
    reports = [p.read_text() for p in lake_path(pipeline, "processed", "_reports/extract").glob("*.json")]
    printed = capsys.readouterr()
    assert len(reports) == 1 and '"status": "FAILED"' in reports[0]
    assert all("Fl33t-s3cret" not in text for text in (message, reports[0], printed.out, printed.err))


def test_a_dataset_whose_server_is_absent_is_read_from_its_files_and_the_others_from_their_databases(
        pipeline, monkeypatch):
    monkeypatch.setenv("GLUE_LOCAL_MYSQL_URL", "mysql://glue:glue@127.0.0.1:1/absent")
    absent = LocalDeployment()
    assert absent.unreachable_sources() == ["planes"]
    demo_data.land_reference_files(absent, tables=("planes",))

    extract = run_stage(absent, "extract", datasets="planes,airlines", source_fallback=absent.unreachable_sources())

    planes, airlines = extract["datasets"]["planes"], extract["datasets"]["airlines"]
    assert planes["rows_read"] == 3322 and planes["source"].endswith("reference/planes/")
    assert airlines["rows_read"] == 16 and airlines["source"].startswith("jdbc://")
