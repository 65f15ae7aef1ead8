"""The warehouse SQL: the DDL it generates, and the staging + DELETE USING + INSERT cycle run on
PostgreSQL (the local Redshift stand-in) twice, as a rerun would."""

from __future__ import annotations

import psycopg

from etl_pipeline.warehouse import WarehouseTable


def test_the_table_definition_follows_the_config_with_redshift_types(project_config):
    table = WarehouseTable("analytics", project_config.datasets["planes"])

    assert table.create_table() == (
        'CREATE TABLE IF NOT EXISTS "analytics"."planes" (\n'
        '  "tailnum" VARCHAR(32) NOT NULL,\n  "year_built" INTEGER,\n  "type" VARCHAR(256),\n'
        '  "manufacturer" VARCHAR(256),\n  "model" VARCHAR(256),\n  "engines" INTEGER,\n  "seats" INTEGER,\n'
        '  "speed" INTEGER,\n  "engine" VARCHAR(128),\n  "etl_batch_id" VARCHAR(64),\n'
        '  "etl_source_file" VARCHAR(1024),\n  "etl_extracted_at" TIMESTAMP,\n  PRIMARY KEY ("tailnum")\n)')
    assert table.dbtable == "analytics.planes_staging"
    assert table.postactions().splitlines()[1] == (
        'DELETE FROM "analytics"."planes" USING "analytics"."planes_staging" '
        'WHERE "planes"."tailnum" = "planes_staging"."tailnum";')


def _load(postgres_url: str, table: WarehouseTable, rows: list[tuple]) -> None:
    """What from_jdbc_conf does: preactions, rows into the staging table, postactions."""
    with psycopg.connect(postgres_url, autocommit=True) as connection:
        connection.execute(table.preactions())
        connection.cursor().executemany(
            f"INSERT INTO {table.qualified_staging} (tailnum, year_built, seats, etl_batch_id) VALUES (%s, %s, %s, %s)",
            rows)
        connection.execute(table.postactions())


def test_loading_the_same_keys_again_replaces_rows_instead_of_adding_them(postgres_url, project_config):
    table = WarehouseTable("analytics", project_config.datasets["planes"])

    _load(postgres_url, table, [("N1", 2001, 100, "b1"), ("N2", 2002, 200, "b1")])
    _load(postgres_url, table, [("N2", 2002, 210, "b2"), ("N3", 2003, 300, "b2")])

    with psycopg.connect(postgres_url) as connection:
        rows = connection.execute("SELECT tailnum, seats, etl_batch_id FROM analytics.planes ORDER BY 1").fetchall()
        staging_left = connection.execute("SELECT to_regclass('analytics.planes_staging')").fetchone()[0]
    assert rows == [("N1", 100, "b1"), ("N2", 210, "b2"), ("N3", 300, "b2")]
    assert staging_left is None


def test_a_masked_column_is_sized_by_its_mask_not_its_max_length(project_config):
    from dataclasses import replace

    planes = project_config.datasets["planes"]
    columns = tuple(replace(c, mask="sha256", max_length=5) if c.name == "model" else
                    replace(c, mask="redact", max_length=2) if c.name == "engine" else
                    replace(c, mask="sha256") if c.name == "manufacturer" else c for c in planes.columns)
    types = dict(WarehouseTable("analytics", replace(planes, columns=columns)).columns())

    # 64 hex characters of a sha256 digest; "REDACTED"; a column already larger keeps its size.
    assert (types["model"], types["engine"], types["manufacturer"]) == ("VARCHAR(64)", "VARCHAR(8)", "VARCHAR(256)")


def test_with_order_by_a_staged_row_replaces_only_a_row_it_wins_over_and_null_loses(postgres_url, project_config):
    from dataclasses import replace

    from etl_pipeline.config import OrderKey

    # The plane with the most seats wins, then the later year; NULL loses; a full tie goes to the staged row.
    planes = replace(project_config.datasets["planes"],
                     dedupe_order=(OrderKey("seats", True), OrderKey("year_built", False)))
    table = WarehouseTable("analytics", planes)

    _load(postgres_url, table, [("N1", 2001, 100, "b1"), ("N2", 2002, 200, "b1"), ("N3", 2003, None, "b1"),
                                ("N4", 2004, 400, "b1"), ("N5", 2005, 500, "b1")])
    _load(postgres_url, table, [("N1", 2001, 90, "b2"),     # fewer seats: the table's row stays
                                ("N2", 2002, 210, "b2"),    # more seats: replaces
                                ("N3", 2003, 1, "b2"),      # the table's NULL loses
                                ("N4", 2003, 400, "b2"),    # same seats, earlier year (asc): replaces
                                ("N5", 2005, None, "b2"),   # the staged NULL loses
                                ("N6", 2006, 600, "b2")])   # a new key: inserted
    _load(postgres_url, table, [("N4", 2003, 400, "b3")])    # a full tie: the staged (newer) row wins

    with psycopg.connect(postgres_url) as connection:
        rows = connection.execute("SELECT tailnum, year_built, seats, etl_batch_id FROM analytics.planes "
                                  "ORDER BY 1").fetchall()
    assert rows == [("N1", 2001, 100, "b1"), ("N2", 2002, 210, "b2"), ("N3", 2003, 1, "b2"),
                    ("N4", 2003, 400, "b3"), ("N5", 2005, 500, "b1"), ("N6", 2006, 600, "b2")]
