"""Schema evolution end to end: a changing source, and a changing config, through all three jobs.

A dataset added by config only (`orders`, CSV files): later files gain a column, lose one, the
config widens a type and declares a new column. Each test asserts the catalog's table versions, the
Iceberg schema, the warehouse's columns and every row's values, and each refusal is followed by its
documented fix and a run that completes without touching a bookmark by hand.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest
import yaml

from localglue.runner import demo_data
from localglue.runner.deployment import LocalDeployment
from localglue.runner.workflow import run_workflow
from localglue.services import jdbc
from localglue.services.environment import REPO_ROOT
from localglue.services.iceberg_tables import IcebergTables
from tests.job.support import (FLIGHTS_PER_MONTH, expected_flight_failures, flights_slice, lake_path, run_all,
                               run_stage, warehouse)

ORDERS = {
    "name": "orders",
    "source": {"type": "s3", "format": "csv", "prefix": "orders/", "options": {"header": True}},
    "primary_key": ["order_id"],
    "columns": [
        {"name": "order_id", "type": "bigint", "nullable": False},
        {"name": "qty", "type": "int", "nullable": False},
        {"name": "note", "type": "string"},
    ],
    "schema_evolution": {"new_columns": "add"},
    "targets": {"curated": {"table": "orders"}, "warehouse": {"table": "orders"}},
}


class Orders:
    """The orders dataset in a config folder of its own, its raw files, and its tables."""

    def __init__(self, tmp_path):
        self.config = tmp_path / "config"
        (self.config / "datasets").mkdir(parents=True)
        (self.config / "pipeline.yaml").write_text((REPO_ROOT / "config" / "pipeline.yaml").read_text())
        self.configure(ORDERS)
        self.pipeline = LocalDeployment(config_dir=self.config)
        self.pipeline.deploy(with_database=True)

    def configure(self, document: dict) -> None:
        """Write the dataset's YAML; a deployed pipeline gets the new config bundle (make upload-scripts)."""
        (self.config / "datasets" / "orders.yaml").write_text(yaml.safe_dump(document, sort_keys=False))
        if hasattr(self, "pipeline"):
            self.pipeline.deploy(with_database=True)

    def land(self, name: str, text: str):
        path = lake_path(self.pipeline, "raw", f"orders/{name}")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path

    def iceberg_schema(self) -> dict[str, str]:
        table = self.catalog_table()
        return {c["Name"]: c["Type"] for c in table["StorageDescriptor"]["Columns"]}

    def catalog_table(self) -> dict:
        return self.pipeline.catalog.get_table(DatabaseName=self.pipeline.database("curated"), Name="orders")["Table"]

    def versions(self) -> list[dict]:
        return self.pipeline.catalog.get_table_versions(DatabaseName=self.pipeline.database("curated"),
                                                        TableName="orders")["TableVersions"]

    def warehouse_columns(self) -> dict[str, str]:
        rows = warehouse(self.pipeline, "SELECT column_name, data_type, character_maximum_length, numeric_precision, "
                                        "numeric_scale FROM information_schema.columns WHERE table_schema = 'analytics' "
                                        "AND table_name = 'orders'")
        return {name: (f"varchar({length})" if kind == "character varying" else
                       f"numeric({precision},{scale})" if kind == "numeric" else kind)
                for name, kind, length, precision, scale in rows}

    def curated_rows(self, columns: str) -> list[tuple]:
        return self.pipeline.athena().execute(f"SELECT {columns} FROM orders ORDER BY order_id").fetchall()

    def warehouse_ddl(self, sql: str) -> None:
        with jdbc.connect(self.pipeline.postgres()) as connection:
            connection.execute(sql)

    def warehouse_rows(self, columns: str) -> list[tuple]:
        return warehouse(self.pipeline, f"SELECT {columns} FROM analytics.orders ORDER BY order_id")


@pytest.fixture
def orders(local_home, postgres_url, tmp_path) -> Orders:
    return Orders(tmp_path)


def test_a_new_column_and_a_widened_type_flow_to_catalog_curated_and_warehouse(orders):
    orders.land("orders_2014_01.csv", "order_id,qty,note\n1,5,first\n2,7,\n")
    first = run_all(orders.pipeline)
    assert first["load"]["datasets"]["orders"]["schema_changes"] == []
    versions_before = len(orders.versions())

    # A later file brings a column the config does not declare and a quantity beyond INTEGER; the
    # config widens qty to bigint and declares a new decimal column.
    orders.land("orders_2014_02.csv", "order_id,qty,note,channel,price\n2,3000000000,again,web,19.99\n3,4,x,app,0.5\n")
    orders.configure({**ORDERS, "columns": [ORDERS["columns"][0], {"name": "qty", "type": "bigint", "nullable": False},
                                            ORDERS["columns"][2], {"name": "price", "type": "decimal(10,2)"}]})
    second = run_all(orders.pipeline)

    transform = second["transform"]["datasets"]["orders"]
    assert (transform["rows_read"], transform["rows_valid"], transform["rows_quarantined"]) == (2, 2, 0)
    assert transform["schema_changes"] == [
        {"change": "new_column", "column": "channel", "files": [transform["schema_changes"][0]["files"][0]],
         "action": "added as channel string (new_columns: add)"},
        {"change": "widen", "column": "qty", "old_type": "int", "new_type": "bigint"},
        {"change": "declared_column", "column": "price", "new_type": "decimal(10,2)"}]
    assert transform["schema_changes"][0]["files"][0].endswith("orders/orders_2014_02.csv")
    load = second["load"]["datasets"]["orders"]
    curated_name = load["curated_table"]
    assert {(c["change"], c["column"], c.get("old_type"), c["new_type"]) for c in load["schema_changes"]} == {
        ("widen", "qty", "int", "bigint"), ("add_column", "price", None, "decimal(10,2)"),
        ("add_column", "channel", None, "string"),
        ("widen", "qty", "INTEGER", "BIGINT"), ("add_column", "price", None, "DECIMAL(10,2)"),
        ("add_column", "channel", None, "VARCHAR(1024)")}
    assert {c["table"] for c in load["schema_changes"]} == {curated_name, "analytics.orders"}
    assert load["schema_change_count"] == 6

    # Catalog: each Iceberg commit (two added columns, one promotion, the merge) is a new table version.
    assert len(orders.versions()) == versions_before + 4
    assert orders.iceberg_schema() == {"order_id": "bigint", "qty": "bigint", "note": "string",
                                       "etl_batch_id": "string", "etl_source_file": "string",
                                       "etl_extracted_at": "timestamp", "price": "decimal(10,2)", "channel": "string"}
    newest, oldest = orders.versions()[0]["Table"], orders.versions()[-1]["Table"]
    assert "channel" in {c["Name"] for c in newest["StorageDescriptor"]["Columns"]}
    assert "channel" not in {c["Name"] for c in oldest["StorageDescriptor"]["Columns"]}
    metadata = IcebergTables.metadata(orders.catalog_table()["Parameters"]["metadata_location"])
    assert len(metadata["schemas"]) == 4   # created, + price, + channel, qty promoted (ids kept)

    expected = [(1, 5, "first", None, None), (2, 3000000000, "again", Decimal("19.99"), "web"),
                (3, 4, "x", Decimal("0.50"), "app")]
    assert orders.curated_rows("order_id, qty, note, price, channel") == expected
    assert orders.warehouse_rows('order_id, qty, note, price, channel') == expected
    assert orders.warehouse_columns() == {"order_id": "bigint", "qty": "bigint", "note": "varchar(1024)",
                                          "etl_batch_id": "varchar(64)", "etl_source_file": "varchar(1024)",
                                          "etl_extracted_at": "timestamp without time zone",
                                          "price": "numeric(10,2)", "channel": "varchar(1024)"}

    # Nothing new: a rerun changes no schema.
    third = run_all(orders.pipeline)
    assert third["load"]["datasets"]["orders"]["nothing_new"]
    assert len(orders.versions()) == versions_before + 4


def test_missing_columns_per_file_and_a_refused_new_column_unblocked_by_the_config(orders):
    orders.land("orders_2014_01.csv", "order_id,qty,note\n1,5,first\n")
    run_all(orders.pipeline)
    # One file lacks the nullable note, another the required qty: decided per file, in one batch.
    orders.land("orders_2014_02.csv", "order_id,qty\n2,6\n")
    orders.land("orders_2014_03.csv", "order_id,note\n3,no quantity\n")
    reports = run_all(orders.pipeline)
    transform = reports["transform"]["datasets"]["orders"]
    assert (transform["rows_valid"], transform["rows_quarantined"]) == (1, 1)
    assert transform["rule_failures"] == {"qty_missing_in_source_file": 1, "qty_not_null": 1}
    missing = {(c["column"], c["files"][0].rsplit("/", 1)[1], c["action"]) for c in transform["schema_changes"]}
    assert missing == {("note", "orders_2014_02.csv", "loaded as NULL"),
                       ("qty", "orders_2014_03.csv", "rows quarantined (rule qty_missing_in_source_file)")}
    assert orders.warehouse_rows("order_id, qty, note") == [(1, 5, "first"), (2, 6, None)]

    # new_columns: fail refuses a file with an undeclared column, naming the file and the column ...
    orders.configure({**ORDERS, "schema_evolution": {"new_columns": "fail"}})
    orders.land("orders_2014_04.csv", "order_id,qty,note,coupon\n4,1,x,SAVE10\n")
    run_stage(orders.pipeline, "extract")
    with pytest.raises(Exception, match=r"orders_2014_04.csv has column 'coupon'.*new_columns is 'fail'"):
        run_stage(orders.pipeline, "transform")
    # ... and the documented fix (declare the column, or another policy) lets the next run complete.
    orders.configure({**ORDERS, "columns": [*ORDERS["columns"], {"name": "coupon", "type": "string", "max_length": 10}],
                      "schema_evolution": {"new_columns": "fail"}})
    assert run_stage(orders.pipeline, "transform")["datasets"]["orders"]["rows_valid"] == 1
    run_stage(orders.pipeline, "load")
    assert orders.warehouse_rows("order_id, coupon") == [(1, None), (2, None), (4, "SAVE10")]
    assert orders.warehouse_columns()["coupon"] == "varchar(40)"


def test_an_incompatible_type_change_is_refused_before_anything_is_written_and_restoring_the_config_unblocks_it(orders):
    orders.land("orders_2014_01.csv", "order_id,qty,note\n1,5,first\n")
    run_all(orders.pipeline)
    orders.configure({**ORDERS, "columns": [ORDERS["columns"][0], {"name": "qty", "type": "decimal(10,2)"},
                                            ORDERS["columns"][2]]})
    orders.land("orders_2014_02.csv", "order_id,qty,note\n2,3.50,second\n3,4,third\n")
    run_stage(orders.pipeline, "extract")
    with pytest.raises(Exception, match=r"orders_2014_02.csv\): column qty is int and the dataset now makes it "
                                        r"decimal\(10,2\), which Iceberg cannot promote"):
        run_stage(orders.pipeline, "transform")
    assert not lake_path(orders.pipeline, "processed", "validated/orders").exists() or \
        len(list(lake_path(orders.pipeline, "processed", "validated/orders").iterdir())) == 1

    # The fix: keep qty an int. The next run goes on with the same batch, and 3.50 is quarantined
    # by the int rule instead of being rounded.
    orders.configure(ORDERS)
    transform = run_stage(orders.pipeline, "transform")["datasets"]["orders"]
    assert (transform["rows_valid"], transform["rule_failures"]) == (1, {"qty_is_int": 1})
    run_stage(orders.pipeline, "load")
    assert orders.curated_rows("order_id, qty") == orders.warehouse_rows("order_id, qty") == [(1, 5), (3, 4)]


def test_a_warehouse_error_is_one_line_naming_the_table_and_the_load_reruns_after_the_fix(orders):
    orders.land("orders_2014_01.csv", "order_id,qty,note\n1,5,first\n")
    run_all(orders.pipeline)
    orders.warehouse_ddl("ALTER TABLE analytics.orders ADD CONSTRAINT small_qty CHECK (qty < 100)")
    orders.land("orders_2014_02.csv", "order_id,qty,note\n2,500,big\n")
    run_stage(orders.pipeline, "extract")
    run_stage(orders.pipeline, "transform")
    with pytest.raises(Exception) as refused:
        run_stage(orders.pipeline, "load")
    message = str(refused.value)
    assert "warehouse table analytics.orders" in message and "small_qty" in message
    assert "rerun the load job" in message and "\n" not in message and "Traceback" not in message

    orders.warehouse_ddl("ALTER TABLE analytics.orders DROP CONSTRAINT small_qty")
    run_stage(orders.pipeline, "load")
    assert orders.warehouse_rows("order_id, qty") == orders.curated_rows("order_id, qty") == [(1, 5), (2, 500)]


def test_batches_validated_before_and_after_a_widening_load_together(orders):
    orders.land("orders_2014_01.csv", "order_id,qty,note\n1,5,first\n")
    run_all(orders.pipeline)
    # A batch validated while qty is an int waits for the load ...
    orders.land("orders_2014_02.csv", "order_id,qty,note\n2,6,int batch\n3,7,int batch\n")
    run_stage(orders.pipeline, "extract")
    assert run_stage(orders.pipeline, "transform")["datasets"]["orders"]["rows_valid"] == 2
    # ... the config widens qty, and a batch of bigint values is validated after it.
    orders.configure({**ORDERS, "columns": [ORDERS["columns"][0], {"name": "qty", "type": "bigint", "nullable": False},
                                            ORDERS["columns"][2]]})
    orders.land("orders_2014_03.csv", "order_id,qty,note\n3,3000000000,bigint batch\n4,-4000000000,bigint batch\n")
    run_stage(orders.pipeline, "extract")
    transform = run_stage(orders.pipeline, "transform")["datasets"]["orders"]
    assert transform["rows_valid"] == 2
    assert {"change": "widen", "column": "qty", "old_type": "int", "new_type": "bigint"} in transform["schema_changes"]
    validated = lake_path(orders.pipeline, "processed", "validated/orders")
    assert len([p for p in validated.iterdir() if p.is_dir() and not p.name.startswith("_")]) == 3

    # One load takes both pending batches: the int one read as bigint, the newer version of key 3 wins.
    load = run_stage(orders.pipeline, "load")["datasets"]["orders"]
    assert (load["rows_read"], load["superseded"], load["rows_loaded"], load["warehouse_rows"]) == (4, 1, 3, 3)
    assert {(c["change"], c["column"], c["old_type"], c["new_type"]) for c in load["schema_changes"]} == {
        ("widen", "qty", "int", "bigint"), ("widen", "qty", "INTEGER", "BIGINT")}
    assert orders.iceberg_schema()["qty"] == "bigint"
    assert orders.warehouse_columns()["qty"] == "bigint"
    expected = [(1, 5, "first"), (2, 6, "int batch"), (3, 3000000000, "bigint batch"), (4, -4000000000, "bigint batch")]
    assert orders.curated_rows("order_id, qty, note") == expected
    assert orders.warehouse_rows("order_id, qty, note") == expected
    assert run_stage(orders.pipeline, "load")["datasets"]["orders"]["nothing_new"]


def test_a_column_removed_from_the_config_stays_in_both_tables(orders):
    orders.land("orders_2014_01.csv", "order_id,qty,note\n1,5,first\n2,6,second\n")
    run_all(orders.pipeline)
    orders.configure({**ORDERS, "columns": ORDERS["columns"][:2]})
    orders.land("orders_2014_02.csv", "order_id,qty\n2,7\n3,8\n")
    load = run_all(orders.pipeline)["load"]["datasets"]["orders"]
    assert (load["rows_loaded"], load["warehouse_rows"], load["schema_changes"]) == (2, 2, [])

    assert "note" in orders.iceberg_schema() and "note" in orders.warehouse_columns()
    assert orders.curated_rows("order_id, qty, note") == [(1, 5, "first"), (2, 7, "second"), (3, 8, None)]
    assert orders.warehouse_rows("order_id, qty, note") == [(1, 5, "first"), (2, 7, None), (3, 8, None)]


def test_demo_evolve_a_later_flights_file_with_a_new_column_and_distance_widened_reaches_every_table(pipeline):
    """`make demo`, `make demo-evolve`, `make demo` on the demo's slice: the raw catalog's new table
    version, seats added and distance promoted int -> long in the Iceberg schema and INTEGER -> BIGINT
    in the warehouse, every row's values, and every count reconciled."""
    first = run_workflow(pipeline)
    assert first.succeeded
    raw = pipeline.database("raw")
    raw_versions = len(pipeline.catalog.get_table_versions(DatabaseName=raw, TableName="flights")["TableVersions"])

    # make demo-evolve: the later file, and the widening in the deployment's copy of the config only.
    user_yaml = (pipeline.config_dir / "datasets" / "flights.yaml").read_text()
    demo_data.land_evolved_flights(pipeline, rows=FLIGHTS_PER_MONTH)
    assert pipeline.change_config(demo_data.EVOLVED_CONFIG).applied
    assert (pipeline.config_dir / "datasets" / "flights.yaml").read_text() == user_yaml
    pipeline.deploy(with_database=True)   # make demo: uploads the copy's config bundle, then runs the workflow
    second = run_workflow(pipeline)
    assert second.succeeded

    # Raw catalog: the crawler saw seats, and kept the earlier definition as a version.
    crawl = second.steps[0].crawl.table("flights")
    assert (crawl.action, crawl.changes) == ("updated", ["new column seats bigint"])
    versions = pipeline.catalog.get_table_versions(DatabaseName=raw, TableName="flights")["TableVersions"]
    assert len(versions) == raw_versions + 1
    assert "seats" in {c["Name"] for c in versions[0]["Table"]["StorageDescriptor"]["Columns"]}

    # Every count reconciled: read = loaded + quarantined + duplicates, in each job.
    extract, transform, load = (second.report(stage)["datasets"]["flights"] for stage in ("extract", "transform", "load"))
    evolved = pd.read_csv(lake_path(pipeline, "raw", demo_data.EVOLVED_FLIGHTS_FILE))
    rejected = int(expected_flight_failures(evolved).sum())
    assert extract["rows_read"] == len(evolved) == FLIGHTS_PER_MONTH
    assert (transform["rows_read"], transform["rows_valid"], transform["rows_quarantined"],
            transform["duplicates_removed"]) == (FLIGHTS_PER_MONTH, FLIGHTS_PER_MONTH - rejected, rejected, 0)
    assert (load["rows_read"], load["rows_loaded"], load["superseded"], load["warehouse_rows"]) == \
        (FLIGHTS_PER_MONTH - rejected,) * 2 + (0, FLIGHTS_PER_MONTH - rejected)
    assert transform["schema_changes"] == [
        {"change": "new_column", "column": "seats", "files": [transform["schema_changes"][0]["files"][0]],
         "action": "added as seats string (new_columns: add)"},
        {"change": "widen", "column": "distance", "old_type": "int", "new_type": "bigint"}]
    assert transform["schema_changes"][0]["files"][0].endswith(demo_data.EVOLVED_FLIGHTS_FILE)
    assert {(c["change"], c["column"], c.get("old_type"), c["new_type"]) for c in load["schema_changes"]} == {
        ("add_column", "seats", None, "string"), ("widen", "distance", "int", "bigint"),
        ("add_column", "seats", None, "VARCHAR(1024)"), ("widen", "distance", "INTEGER", "BIGINT")}

    # Curated: the Iceberg schema has seats (string, the undeclared column's type) and distance as long.
    table = pipeline.catalog.get_table(DatabaseName=pipeline.database("curated"), Name="flights")["Table"]
    metadata = IcebergTables.metadata(table["Parameters"]["metadata_location"])
    fields = {f["name"]: f["type"] for f in next(s for s in metadata["schemas"]
                                                 if s["schema-id"] == metadata["current-schema-id"])["fields"]}
    assert (fields["distance"], fields["seats"]) == ("long", "string")
    # Warehouse: BIGINT in place of INTEGER, seats as VARCHAR.
    columns = dict(warehouse(pipeline, "SELECT column_name, data_type FROM information_schema.columns "
                                       "WHERE table_schema = 'analytics' AND table_name = 'flights'"))
    assert (columns["distance"], columns["seats"]) == ("bigint", "character varying")

    # Every row's values, in both tables: 2013's rows keep their distance and read seats NULL.
    def expected(frame: pd.DataFrame, seats: bool) -> list[tuple]:
        kept = frame[~expected_flight_failures(frame)]
        return sorted((int(r.year), int(r.month), int(r.day), r.carrier, int(r.flight), r.origin, int(r.distance),
                       str(int(r.seats)) if seats and not pd.isna(r.seats) else None)
                      for r in kept.itertuples())
    wanted = sorted(expected(flights_slice(), seats=False) + expected(evolved, seats=True))
    query = "SELECT year, month, day, carrier, flight, origin, distance, seats FROM {} ORDER BY 1, 2, 3, 4, 5, 6"
    assert warehouse(pipeline, query.format("analytics.flights")) == wanted
    assert pipeline.athena().execute(query.format("flights")).fetchall() == wanted
    assert sum(seats is not None for *_, seats in wanted) > 0
