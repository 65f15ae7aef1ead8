"""`localglue.services.catalog.LocalDataCatalog`: a persistent, Glue-shaped Data Catalog in JSON files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from localglue.services.catalog import (AlreadyExistsException, EntityNotFoundException, LocalDataCatalog,
                               storage_descriptor, table_input)

DB = "curated_db"
COLUMNS = [{"Name": "id", "Type": "bigint"}, {"Name": "name", "Type": "string"}]
KEYS = [{"Name": "year", "Type": "int"}, {"Name": "month", "Type": "int"}]
LOCATION = "s3://curated/flights/"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "catalog"


@pytest.fixture
def catalog(root: Path) -> LocalDataCatalog:
    found = LocalDataCatalog(root)
    found.create_database({"Name": DB, "Description": "curated zone"})
    return found


def flights_input(columns=COLUMNS, keys=KEYS, **extra) -> dict:
    return table_input("flights", LOCATION, columns, "parquet", keys, **extra)


def partition_input(year: str, month: str) -> dict:
    return {"Values": [year, month],
            "StorageDescriptor": storage_descriptor(f"{LOCATION}year={year}/month={month}/", COLUMNS, "parquet")}


def all_files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


# ------------------------------------------------------------------------- databases
def test_databases_are_created_listed_and_fetched(catalog):
    catalog.create_database({"Name": "raw_db"})
    catalog.ensure_database("raw_db")            # exists: nothing happens
    catalog.ensure_database("quarantine_db", "rows that failed rules")

    names = [d["Name"] for d in catalog.get_databases()["DatabaseList"]]
    assert names == ["curated_db", "quarantine_db", "raw_db"]
    assert catalog.get_database(Name=DB)["Database"]["Description"] == "curated zone"
    assert catalog.get_database(Name="quarantine_db")["Database"]["Description"] == "rows that failed rules"
    assert "CreateTime" in catalog.get_database(Name="raw_db")["Database"]


def test_duplicate_database_raises_already_exists(catalog):
    with pytest.raises(AlreadyExistsException) as raised:
        catalog.create_database({"Name": DB})

    assert str(raised.value) == f"Database {DB} already exists."


def test_missing_database_raises_entity_not_found_naming_it(catalog, root):
    with pytest.raises(EntityNotFoundException) as raised:
        catalog.get_database(Name="nope_db")

    assert "Database nope_db not found" in str(raised.value)
    assert str(root) in str(raised.value)
    with pytest.raises(EntityNotFoundException, match="Database nope_db not found"):
        catalog.create_table(DatabaseName="nope_db", TableInput=flights_input())


# ---------------------------------------------------------------------------- tables
def test_table_is_created_with_glue_shape(catalog):
    catalog.create_table(DatabaseName=DB, TableInput=flights_input())

    table = catalog.get_table(DatabaseName=DB, Name="flights")["Table"]
    assert table["Name"] == "flights"
    assert table["DatabaseName"] == DB
    assert table["TableType"] == "EXTERNAL_TABLE"
    assert table["VersionId"] == "1"
    assert table["StorageDescriptor"]["Columns"] == COLUMNS
    assert table["StorageDescriptor"]["Location"] == LOCATION
    assert table["StorageDescriptor"]["SerdeInfo"]["SerializationLibrary"] == \
        "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
    assert table["PartitionKeys"] == KEYS
    assert table["Parameters"] == {"classification": "parquet"}
    assert [t["Name"] for t in catalog.get_tables(DatabaseName=DB)["TableList"]] == ["flights"]


def test_duplicate_table_raises_already_exists(catalog):
    catalog.create_table(DatabaseName=DB, TableInput=flights_input())

    with pytest.raises(AlreadyExistsException) as raised:
        catalog.create_table(DatabaseName=DB, TableInput=flights_input())

    assert str(raised.value) == f"Table flights already exists in {DB}."


def test_missing_table_raises_entity_not_found_naming_table_and_database(catalog):
    with pytest.raises(EntityNotFoundException) as raised:
        catalog.get_table(DatabaseName=DB, Name="ghost")

    assert f"Table ghost not found in database {DB}" in str(raised.value)
    # Glue raises the same for versions, partitions and updates of a missing table.
    for call in (lambda: catalog.get_table_versions(DatabaseName=DB, TableName="ghost"),
                 lambda: catalog.get_partitions(DatabaseName=DB, TableName="ghost"),
                 lambda: catalog.update_table(DatabaseName=DB, TableInput={**flights_input(), "Name": "ghost"})):
        with pytest.raises(EntityNotFoundException, match="Table ghost not found"):
            call()
    assert not catalog.table_exists(DB, "ghost")


def test_update_keeps_versions_newest_first(catalog):
    catalog.create_table(DatabaseName=DB, TableInput=flights_input())
    widened = COLUMNS + [{"Name": "delay", "Type": "double"}]
    catalog.update_table(DatabaseName=DB, TableInput=flights_input(columns=widened))
    catalog.update_table(DatabaseName=DB, TableInput=flights_input(columns=widened,
                                                                   parameters={"owner": "etl"}))

    table = catalog.get_table(DatabaseName=DB, Name="flights")["Table"]
    versions = catalog.get_table_versions(DatabaseName=DB, TableName="flights")["TableVersions"]

    assert table["VersionId"] == "3"
    assert table["StorageDescriptor"]["Columns"] == widened
    assert table["Parameters"] == {"classification": "parquet", "owner": "etl"}
    assert [v["VersionId"] for v in versions] == ["3", "2", "1"]
    assert [len(v["Table"]["StorageDescriptor"]["Columns"]) for v in versions] == [3, 3, 2]
    assert versions[-1]["Table"]["CreateTime"] == table["CreateTime"]


def test_get_table_returns_a_copy(catalog):
    catalog.create_table(DatabaseName=DB, TableInput=flights_input())
    table = catalog.get_table(DatabaseName=DB, Name="flights")["Table"]
    table["StorageDescriptor"]["Columns"].append({"Name": "mutated", "Type": "string"})

    again = catalog.get_table(DatabaseName=DB, Name="flights")["Table"]
    assert again["StorageDescriptor"]["Columns"] == COLUMNS


def test_delete_table(catalog):
    catalog.create_table(DatabaseName=DB, TableInput=flights_input())

    catalog.delete_table(DatabaseName=DB, Name="flights")

    assert not catalog.table_exists(DB, "flights")
    assert catalog.get_tables(DatabaseName=DB)["TableList"] == []
    with pytest.raises(EntityNotFoundException):
        catalog.delete_table(DatabaseName=DB, Name="flights")


def test_unknown_table_format_is_refused():
    with pytest.raises(ValueError, match="unknown table format 'avro'"):
        table_input("t", LOCATION, COLUMNS, "avro")


def test_csv_table_input_carries_its_delimiter():
    table = table_input("t", LOCATION, COLUMNS, "csv", serde_parameters={"field.delim": "|"},
                        parameters={"skip.header.line.count": "1"})

    assert table["StorageDescriptor"]["SerdeInfo"]["Parameters"] == {"field.delim": "|"}
    assert table["Parameters"] == {"classification": "csv", "skip.header.line.count": "1"}
    # The shared format template is not modified by one table's parameters.
    assert table_input("u", LOCATION, COLUMNS, "csv")["StorageDescriptor"]["SerdeInfo"]["Parameters"] == \
        {"field.delim": ","}


# ------------------------------------------------------------------------ partitions
def test_partitions_are_created_and_listed_sorted_with_locations(catalog):
    catalog.create_table(DatabaseName=DB, TableInput=flights_input())

    result = catalog.batch_create_partition(DatabaseName=DB, TableName="flights", PartitionInputList=[
        partition_input("2013", "2"), partition_input("2013", "1")])

    partitions = catalog.get_partitions(DatabaseName=DB, TableName="flights")["Partitions"]
    assert result == {"Errors": []}
    assert [p["Values"] for p in partitions] == [["2013", "1"], ["2013", "2"]]
    assert [p["StorageDescriptor"]["Location"] for p in partitions] == [
        f"{LOCATION}year=2013/month=1/", f"{LOCATION}year=2013/month=2/"]
    assert {(p["DatabaseName"], p["TableName"]) for p in partitions} == {(DB, "flights")}


def test_duplicate_partitions_are_reported_as_errors_and_not_replaced(catalog):
    catalog.create_table(DatabaseName=DB, TableInput=flights_input())
    catalog.batch_create_partition(DatabaseName=DB, TableName="flights",
                                   PartitionInputList=[partition_input("2013", "1")])
    moved = partition_input("2013", "1")
    moved["StorageDescriptor"]["Location"] = "s3://elsewhere/"

    result = catalog.batch_create_partition(DatabaseName=DB, TableName="flights",
                                            PartitionInputList=[moved, partition_input("2013", "3")])

    assert result["Errors"] == [{"PartitionValues": ["2013", "1"],
                                 "ErrorDetail": {"ErrorCode": "AlreadyExistsException"}}]
    partitions = {tuple(p["Values"]): p for p in
                  catalog.get_partitions(DatabaseName=DB, TableName="flights")["Partitions"]}
    assert sorted(partitions) == [("2013", "1"), ("2013", "3")]
    assert partitions[("2013", "1")]["StorageDescriptor"]["Location"] == f"{LOCATION}year=2013/month=1/"


def test_partitions_are_deleted_and_updated(catalog):
    catalog.create_table(DatabaseName=DB, TableInput=flights_input())
    catalog.batch_create_partition(DatabaseName=DB, TableName="flights", PartitionInputList=[
        partition_input("2013", "1"), partition_input("2013", "2"), partition_input("2013", "3")])

    catalog.batch_delete_partition(DatabaseName=DB, TableName="flights",
                                   PartitionsToDelete=[{"Values": ["2013", "2"]}, {"Values": ["1999", "1"]}])
    moved = partition_input("2013", "3")
    moved["StorageDescriptor"]["Location"] = "s3://curated/moved/"
    catalog.update_partition(DatabaseName=DB, TableName="flights", PartitionValueList=["2013", "3"],
                             PartitionInput=moved)

    partitions = catalog.get_partitions(DatabaseName=DB, TableName="flights")["Partitions"]
    assert [p["Values"] for p in partitions] == [["2013", "1"], ["2013", "3"]]
    assert partitions[1]["StorageDescriptor"]["Location"] == "s3://curated/moved/"
    with pytest.raises(EntityNotFoundException, match=r"Partition \['2013', '9'\]"):
        catalog.update_partition(DatabaseName=DB, TableName="flights", PartitionValueList=["2013", "9"],
                                 PartitionInput=partition_input("2013", "9"))


def test_partitions_survive_a_table_update(catalog):
    catalog.create_table(DatabaseName=DB, TableInput=flights_input())
    catalog.batch_create_partition(DatabaseName=DB, TableName="flights",
                                   PartitionInputList=[partition_input("2013", "1")])

    catalog.update_table(DatabaseName=DB, TableInput=flights_input(columns=COLUMNS + [
        {"Name": "extra", "Type": "string"}]))

    assert [p["Values"] for p in catalog.get_partitions(DatabaseName=DB, TableName="flights")["Partitions"]] \
        == [["2013", "1"]]


# ----------------------------------------------------------------------- connections
def test_connections_are_created_replaced_and_fetched(catalog):
    catalog.create_connection({"Name": "warehouse", "ConnectionType": "JDBC",
                               "ConnectionProperties": {"JDBC_CONNECTION_URL": "jdbc:postgresql://h:5432/a"}})
    catalog.create_connection({"Name": "warehouse", "ConnectionType": "JDBC",
                               "ConnectionProperties": {"JDBC_CONNECTION_URL": "jdbc:postgresql://h:5432/b"}})

    connection = catalog.get_connection(Name="warehouse")["Connection"]
    assert connection["ConnectionProperties"]["JDBC_CONNECTION_URL"] == "jdbc:postgresql://h:5432/b"
    assert connection["ConnectionType"] == "JDBC"


def test_missing_connection_raises_naming_it(catalog):
    with pytest.raises(EntityNotFoundException) as raised:
        catalog.get_connection(Name="rds-reference")

    assert "'rds-reference'" in str(raised.value)


# ------------------------------------------------------------------------ persistence
def test_a_new_instance_reads_what_another_wrote(catalog, root):
    catalog.create_table(DatabaseName=DB, TableInput=flights_input())
    catalog.batch_create_partition(DatabaseName=DB, TableName="flights",
                                   PartitionInputList=[partition_input("2013", "1")])
    catalog.update_table(DatabaseName=DB, TableInput=flights_input(columns=COLUMNS[:1]))
    catalog.create_connection({"Name": "warehouse", "ConnectionProperties": {}})

    reopened = LocalDataCatalog(root)

    assert reopened.get_database(Name=DB)["Database"]["Name"] == DB
    assert reopened.get_table(DatabaseName=DB, Name="flights")["Table"]["StorageDescriptor"]["Columns"] == \
        COLUMNS[:1]
    assert len(reopened.get_table_versions(DatabaseName=DB, TableName="flights")["TableVersions"]) == 2
    assert [p["Values"] for p in reopened.get_partitions(DatabaseName=DB, TableName="flights")["Partitions"]] \
        == [["2013", "1"]]
    assert reopened.get_connection(Name="warehouse")["Connection"]["Name"] == "warehouse"
    # One JSON file per database, table and connection, and no temporary files left behind.
    assert all_files(root) == ["connections/warehouse.json", f"databases/{DB}.json", f"tables/{DB}/flights.json"]
    document = json.loads((root / "tables" / DB / "flights.json").read_text())
    assert [v["VersionId"] for v in document["versions"]] == ["1", "2"]


def test_failed_write_keeps_the_previous_file_and_leaves_no_temporary_file(catalog, root, monkeypatch):
    catalog.create_table(DatabaseName=DB, TableInput=flights_input())
    table_file = root / "tables" / DB / "flights.json"
    before = table_file.read_text()

    def broken_dump(*args, **kwargs):
        args[1].write('{"half": ')
        raise OSError("disk full")

    monkeypatch.setattr("localglue.services.catalog.json.dump", broken_dump)
    with pytest.raises(OSError, match="disk full"):
        catalog.update_table(DatabaseName=DB, TableInput=flights_input(columns=COLUMNS[:1]))
    monkeypatch.undo()

    assert table_file.read_text() == before
    assert all_files(root) == [f"databases/{DB}.json", f"tables/{DB}/flights.json"]
    assert LocalDataCatalog(root).get_table(DatabaseName=DB, Name="flights")["Table"]["VersionId"] == "1"
