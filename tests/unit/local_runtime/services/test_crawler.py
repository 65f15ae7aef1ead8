"""The local crawler against real small CSV, JSON Lines and Parquet files in a temporary lake."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from localglue.services.catalog import LocalDataCatalog, table_input
from localglue.services.crawler import LocalCrawler

DB = "raw_db"


@pytest.fixture
def lake(tmp_path: Path) -> Path:
    return tmp_path / "lake"


@pytest.fixture
def catalog(tmp_path: Path) -> LocalDataCatalog:
    return LocalDataCatalog(tmp_path / "catalog")


def crawler(catalog: LocalDataCatalog, lake: Path, *targets: str, **policy: str) -> LocalCrawler:
    return LocalCrawler(catalog, lake, "raw-crawler", DB, list(targets), **policy)


def write_csv(path: Path, rows: list[list[object]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as stream:
        csv.writer(stream).writerows(rows)


def write_jsonl(path: Path, records: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(record) + "\n" for record in records))


def write_parquet(path: Path, table: pa.Table) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path)


def columns(catalog: LocalDataCatalog, table: str) -> list[tuple[str, str]]:
    found = catalog.get_table(DatabaseName=DB, Name=table)["Table"]
    return [(c["Name"], c["Type"]) for c in found["StorageDescriptor"]["Columns"]]


def version_ids(catalog: LocalDataCatalog, table: str) -> list[str]:
    return [v["VersionId"] for v in catalog.get_table_versions(DatabaseName=DB, TableName=table)["TableVersions"]]


def partitions(catalog: LocalDataCatalog, table: str) -> dict[tuple[str, ...], dict]:
    return {tuple(p["Values"]): p for p in catalog.get_partitions(DatabaseName=DB, TableName=table)["Partitions"]}


FLIGHTS = [["Year", "Carrier", "Dep_Delay", "Distance", "Cancelled", "Note"],
           [2013, "UA", 2, 1400.5, "false", ""],
           [2013, "AA", "", 1089, "TRUE", ""]]


def flight_partitions(lake: Path, months: list[int]) -> None:
    for month in months:
        write_parquet(lake / f"curated/flights/year=2013/month={month}/part-00000.snappy.parquet", pa.table({
            "flight": pa.array([month, 10 + month], pa.int32()),
            "distance": pa.array([100.0, 250.5], pa.float64()),
        }))


# ------------------------------------------------------------------ new tables
def test_csv_target_becomes_a_table_with_header_and_inferred_types(catalog, lake):
    write_csv(lake / "raw/flights/flights_2013_01.csv", FLIGHTS)

    result = crawler(catalog, lake, "s3://raw/flights").crawl()

    table = catalog.get_table(DatabaseName=DB, Name="flights")["Table"]
    assert columns(catalog, "flights") == [("year", "bigint"), ("carrier", "string"), ("dep_delay", "bigint"),
                                          ("distance", "double"), ("cancelled", "boolean"), ("note", "string")]
    assert table["StorageDescriptor"]["Location"] == "s3://raw/flights/"
    assert table["StorageDescriptor"]["SerdeInfo"]["Parameters"] == {"field.delim": ","}
    assert table["Parameters"] == {"classification": "csv", "delimiter": ",", "skip.header.line.count": "1",
                                   "UPDATED_BY_CRAWLER": "raw-crawler"}
    assert table["PartitionKeys"] == []
    assert version_ids(catalog, "flights") == ["1"]
    assert result.names("created") == ["flights"]
    assert result.summary() == "crawler raw-crawler -> raw_db: 1 created; partitions: no change"


def test_headerless_csv_gets_positional_column_names_and_no_header_skip(catalog, lake):
    write_csv(lake / "raw/codes/codes.csv", [["AA", 1], ["UA", 2]])

    crawler(catalog, lake, "s3://raw/codes/").crawl()

    table = catalog.get_table(DatabaseName=DB, Name="codes")["Table"]
    assert columns(catalog, "codes") == [("col0", "string"), ("col1", "bigint")]
    assert "skip.header.line.count" not in table["Parameters"]


def test_tab_delimited_csv_and_table_prefix_and_name_cleanup(catalog, lake):
    path = lake / "raw/Daily-Stats/stats.csv"
    path.parent.mkdir(parents=True)
    path.write_text("day\tcount\n2013-01-01\t5\n")

    crawler(catalog, lake, "s3://raw/Daily-Stats/", table_prefix="src_").crawl()

    table = catalog.get_table(DatabaseName=DB, Name="src_daily_stats")["Table"]
    assert columns(catalog, "src_daily_stats") == [("day", "string"), ("count", "bigint")]
    assert table["StorageDescriptor"]["SerdeInfo"]["Parameters"] == {"field.delim": "\t"}
    assert table["Parameters"]["delimiter"] == "\t"


def test_json_lines_types_structs_arrays_and_int_float_widening(catalog, lake):
    write_jsonl(lake / "raw/weather/2013-01.jsonl", [
        {"Origin": "EWR", "temp": 39, "wind": {"dir": 270, "speed": 10.4}, "tags": ["cold"], "rain": None},
        {"Origin": "JFK", "temp": 40.5, "wind": {"dir": 250, "gust": 20}, "tags": [], "ok": True},
    ])

    result = crawler(catalog, lake, "s3://raw/weather/").crawl()

    table = catalog.get_table(DatabaseName=DB, Name="weather")["Table"]
    assert columns(catalog, "weather") == [
        ("origin", "string"), ("temp", "double"), ("wind", "struct<dir:bigint,speed:double,gust:bigint>"),
        ("tags", "array<string>"), ("rain", "string"), ("ok", "boolean")]
    assert table["Parameters"] == {"classification": "json", "UPDATED_BY_CRAWLER": "raw-crawler"}
    assert table["StorageDescriptor"]["SerdeInfo"]["SerializationLibrary"] == "org.openx.data.jsonserde.JsonSerDe"
    assert result.table("weather").action == "created"


def test_hive_partitioned_parquet_becomes_a_partitioned_table(catalog, lake):
    for month in (1, 2):
        write_parquet(lake / f"curated/flights/year=2013/month={month}/part-0.parquet", pa.table({
            "flight": pa.array([1], pa.int32()), "seats": pa.array([200], pa.int64()),
            "ratio": pa.array([0.5], pa.float32()), "distance": pa.array([1.5], pa.float64()),
            "carrier": pa.array(["UA"]), "cancelled": pa.array([False]),
            "day": pa.array([None], pa.date32()), "sched": pa.array([None], pa.timestamp("us")),
            "fare": pa.array([None], pa.decimal128(10, 2)), "legs": pa.array([[1]], pa.list_(pa.int64())),
            "plane": pa.array([{"tail": "N1", "year": 2004}]),
        }))
    (lake / "curated/flights/_SUCCESS").touch()

    result = crawler(catalog, lake, "s3://curated/flights/").crawl()

    table = catalog.get_table(DatabaseName=DB, Name="flights")["Table"]
    assert columns(catalog, "flights") == [
        ("flight", "int"), ("seats", "bigint"), ("ratio", "float"), ("distance", "double"),
        ("carrier", "string"), ("cancelled", "boolean"), ("day", "date"), ("sched", "timestamp"),
        ("fare", "decimal(10,2)"), ("legs", "array<bigint>"), ("plane", "struct<tail:string,year:bigint>")]
    assert table["PartitionKeys"] == [{"Name": "year", "Type": "bigint"}, {"Name": "month", "Type": "bigint"}]
    assert table["Parameters"]["classification"] == "parquet"
    found = partitions(catalog, "flights")
    assert sorted(found) == [("2013", "1"), ("2013", "2")]
    assert found[("2013", "2")]["StorageDescriptor"]["Location"] == "s3://curated/flights/year=2013/month=2/"
    assert found[("2013", "2")]["StorageDescriptor"]["Columns"] == table["StorageDescriptor"]["Columns"]
    assert result.table("flights").partitions_added == [("2013", "1"), ("2013", "2")]
    assert result.summary() == "crawler raw-crawler -> raw_db: 1 created; partitions: 2 added"


def test_files_in_plain_subfolders_belong_to_the_table_without_partitions(catalog, lake):
    write_jsonl(lake / "raw/events/batch-1/a.json", [{"id": 1}])
    write_jsonl(lake / "raw/events/batch-2/b.json", [{"id": 2, "kind": "x"}])

    crawler(catalog, lake, "s3://raw/events/").crawl()

    assert columns(catalog, "events") == [("id", "bigint"), ("kind", "string")]
    assert catalog.get_table(DatabaseName=DB, Name="events")["Table"]["PartitionKeys"] == []
    assert partitions(catalog, "events") == {}


# --------------------------------------------------------------- later crawls
def test_unchanged_rerun_creates_no_version(catalog, lake):
    write_csv(lake / "raw/flights/flights_2013_01.csv", FLIGHTS)
    write_jsonl(lake / "raw/weather/a.json", [{"temp": 1, "wind": {"dir": 270}}])
    flight_partitions(lake, [1, 2])
    raw = crawler(catalog, lake, "s3://raw/flights/", "s3://raw/weather/")
    curated = LocalCrawler(catalog, lake, "curated-crawler", DB, ["s3://curated/flights/"], table_prefix="curated_")
    raw.crawl(), curated.crawl()
    before = {name: catalog.get_table(DatabaseName=DB, Name=name)["Table"]
              for name in ("flights", "weather", "curated_flights")}
    partitions_before = partitions(catalog, "curated_flights")

    result, curated_result = raw.crawl(), curated.crawl()

    assert {name: version_ids(catalog, name) for name in before} == {name: ["1"] for name in before}
    assert {name: catalog.get_table(DatabaseName=DB, Name=name)["Table"] for name in before} == before
    assert partitions(catalog, "curated_flights") == partitions_before
    assert result.names("unchanged") == ["flights", "weather"]
    assert curated_result.table("curated_flights").partitions_added == []
    assert result.summary() == "crawler raw-crawler -> raw_db: 2 unchanged; partitions: no change"


def test_new_column_in_new_csv_file_makes_a_new_version(catalog, lake):
    write_csv(lake / "raw/flights/flights_2013_01.csv", [["year", "carrier"], [2013, "UA"]])
    crawl = crawler(catalog, lake, "s3://raw/flights/")
    crawl.crawl()
    write_csv(lake / "raw/flights/flights_2013_02.csv", [["year", "carrier", "tailnum"], [2013, "AA", "N14228"]])

    result = crawl.crawl()

    assert columns(catalog, "flights") == [("year", "bigint"), ("carrier", "string"), ("tailnum", "string")]
    assert version_ids(catalog, "flights") == ["2", "1"]
    oldest = catalog.get_table_versions(DatabaseName=DB, TableName="flights")["TableVersions"][-1]["Table"]
    assert [c["Name"] for c in oldest["StorageDescriptor"]["Columns"]] == ["year", "carrier"]
    assert result.names("updated") == ["flights"]
    assert result.table("flights").changes == ["new column tailnum string"]


def test_new_column_under_log_policy_is_reported_not_applied(catalog, lake):
    write_csv(lake / "raw/flights/flights_2013_01.csv", [["year", "carrier"], [2013, "UA"]])
    crawler(catalog, lake, "s3://raw/flights/").crawl()
    write_csv(lake / "raw/flights/flights_2013_02.csv", [["year", "carrier", "tailnum"], [2013, "AA", "N14228"]])

    result = crawler(catalog, lake, "s3://raw/flights/", update_behavior="LOG").crawl()

    assert columns(catalog, "flights") == [("year", "bigint"), ("carrier", "string")]
    assert version_ids(catalog, "flights") == ["1"]
    assert result.names("schema_change_logged") == ["flights"]
    assert result.table("flights").changes == ["new column tailnum string"]
    assert result.summary() == "crawler raw-crawler -> raw_db: 1 schema change logged; partitions: no change"


def test_integer_column_with_decimals_in_a_new_file_widens_to_double(catalog, lake):
    write_csv(lake / "raw/flights/a.csv", [["carrier", "dep_delay"], ["UA", 2]])
    crawl = crawler(catalog, lake, "s3://raw/flights/")
    crawl.crawl()
    assert columns(catalog, "flights") == [("carrier", "string"), ("dep_delay", "bigint")]
    write_csv(lake / "raw/flights/b.csv", [["carrier", "dep_delay"], ["AA", 2.5]])

    result = crawl.crawl()

    assert columns(catalog, "flights") == [("carrier", "string"), ("dep_delay", "double")]
    assert result.table("flights").changes == ["column dep_delay: bigint -> double"]
    assert version_ids(catalog, "flights") == ["2", "1"]


def test_schema_update_gives_existing_partitions_the_new_columns(catalog, lake):
    flight_partitions(lake, [1])
    crawl = crawler(catalog, lake, "s3://curated/flights/")
    crawl.crawl()
    write_parquet(lake / "curated/flights/year=2013/month=2/part-0.parquet", pa.table({
        "flight": pa.array([3], pa.int32()), "distance": pa.array([1.0]), "origin": pa.array(["EWR"])}))

    result = crawl.crawl()

    expected = [{"Name": "flight", "Type": "int"}, {"Name": "distance", "Type": "double"},
                {"Name": "origin", "Type": "string"}]
    found = partitions(catalog, "flights")
    assert [found[v]["StorageDescriptor"]["Columns"] for v in sorted(found)] == [expected, expected]
    assert found[("2013", "1")]["StorageDescriptor"]["Location"] == "s3://curated/flights/year=2013/month=1/"
    assert result.table("flights").action == "updated"
    assert result.table("flights").partitions_added == [("2013", "2")]


def test_new_partition_is_added_without_a_table_version(catalog, lake):
    flight_partitions(lake, [1, 2])
    crawl = crawler(catalog, lake, "s3://curated/flights/", update_behavior="LOG")
    crawl.crawl()
    flight_partitions(lake, [3])

    result = crawl.crawl()

    assert sorted(partitions(catalog, "flights")) == [("2013", "1"), ("2013", "2"), ("2013", "3")]
    assert partitions(catalog, "flights")[("2013", "3")]["StorageDescriptor"]["Location"] == \
        "s3://curated/flights/year=2013/month=3/"
    assert result.table("flights").action == "unchanged"
    assert result.table("flights").partitions_added == [("2013", "3")]
    assert version_ids(catalog, "flights") == ["1"]


def remove_partition(lake: Path, month: int) -> None:
    folder = lake / f"curated/flights/year=2013/month={month}"
    for path in folder.iterdir():
        path.unlink()
    folder.rmdir()


def test_removed_partition_is_deleted_under_delete_from_database(catalog, lake):
    flight_partitions(lake, [1, 2])
    crawl = crawler(catalog, lake, "s3://curated/flights/", delete_behavior="DELETE_FROM_DATABASE")
    crawl.crawl()
    remove_partition(lake, 2)

    result = crawl.crawl()

    assert sorted(partitions(catalog, "flights")) == [("2013", "1")]
    assert result.table("flights").partitions_removed == [("2013", "2")]
    assert result.summary() == "crawler raw-crawler -> raw_db: 1 unchanged; partitions: 1 deleted"


def test_removed_partition_is_marked_under_deprecate_in_database(catalog, lake):
    flight_partitions(lake, [1, 2])
    crawl = crawler(catalog, lake, "s3://curated/flights/", delete_behavior="DEPRECATE_IN_DATABASE")
    crawl.crawl()
    remove_partition(lake, 2)

    result = crawl.crawl()
    again = crawl.crawl()

    found = partitions(catalog, "flights")
    assert sorted(found) == [("2013", "1"), ("2013", "2")]
    assert list(found[("2013", "2")]["Parameters"]) == ["DEPRECATED_BY_CRAWLER"]
    assert found[("2013", "2")]["Parameters"]["DEPRECATED_BY_CRAWLER"].startswith("20")
    assert found[("2013", "1")]["Parameters"] == {}
    assert result.table("flights").partitions_removed == [("2013", "2")]
    assert result.summary() == "crawler raw-crawler -> raw_db: 1 unchanged; partitions: 1 deprecated"
    assert again.table("flights").partitions_removed == []   # marked once, not on every crawl


def test_deprecated_partition_whose_folder_returns_is_restored(catalog, lake):
    flight_partitions(lake, [1, 2])
    crawl = crawler(catalog, lake, "s3://curated/flights/")
    crawl.crawl()
    remove_partition(lake, 2)
    crawl.crawl()
    flight_partitions(lake, [2])

    result = crawl.crawl()

    assert partitions(catalog, "flights")[("2013", "2")]["Parameters"] == {}
    assert result.table("flights").partitions_restored == [("2013", "2")]
    assert result.table("flights").partitions_added == []


def test_removed_partition_is_only_reported_under_log(catalog, lake):
    flight_partitions(lake, [1, 2])
    crawl = crawler(catalog, lake, "s3://curated/flights/", delete_behavior="LOG")
    crawl.crawl()
    remove_partition(lake, 2)

    result = crawl.crawl()

    found = partitions(catalog, "flights")
    assert sorted(found) == [("2013", "1"), ("2013", "2")]
    assert found[("2013", "2")]["Parameters"] == {}
    assert result.table("flights").partitions_removed == [("2013", "2")]
    assert result.summary() == "crawler raw-crawler -> raw_db: 1 unchanged; partitions: 1 missing (logged)"


def test_partition_key_types_registered_by_a_job_are_kept(catalog, lake):
    flight_partitions(lake, [1])
    catalog.ensure_database(DB)
    catalog.create_table(DatabaseName=DB, TableInput=table_input(
        "flights", "s3://curated/flights/", [{"Name": "flight", "Type": "int"}, {"Name": "distance", "Type": "double"}],
        "parquet", partition_keys=[{"Name": "year", "Type": "int"}, {"Name": "month", "Type": "int"}],
        parameters={"owner_job": "load"}))

    result = crawler(catalog, lake, "s3://curated/flights/").crawl()

    table = catalog.get_table(DatabaseName=DB, Name="flights")["Table"]
    assert table["PartitionKeys"] == [{"Name": "year", "Type": "int"}, {"Name": "month", "Type": "int"}]
    assert table["Parameters"] == {"classification": "parquet", "owner_job": "load"}
    assert version_ids(catalog, "flights") == ["1"]
    assert result.table("flights").action == "unchanged"
    assert result.table("flights").partitions_added == [("2013", "1")]

    write_parquet(lake / "curated/flights/year=2013/month=2/part-0.parquet", pa.table({
        "flight": pa.array([3], pa.int32()), "distance": pa.array([1.0]), "origin": pa.array(["EWR"])}))
    updated = crawler(catalog, lake, "s3://curated/flights/").crawl()

    table = catalog.get_table(DatabaseName=DB, Name="flights")["Table"]
    assert updated.table("flights").changes == ["new column origin string"]
    assert table["PartitionKeys"] == [{"Name": "year", "Type": "int"}, {"Name": "month", "Type": "int"}]
    assert table["Parameters"] == {"classification": "parquet", "owner_job": "load",
                                   "UPDATED_BY_CRAWLER": "raw-crawler"}


def test_partition_key_type_changes_when_values_no_longer_parse(catalog, lake):
    flight_partitions(lake, [1])
    crawl = crawler(catalog, lake, "s3://curated/flights/")
    crawl.crawl()
    write_parquet(lake / "curated/flights/year=2013/month=unknown/part-0.parquet",
                  pa.table({"flight": pa.array([1], pa.int32()), "distance": pa.array([1.0])}))

    result = crawl.crawl()

    table = catalog.get_table(DatabaseName=DB, Name="flights")["Table"]
    assert table["PartitionKeys"] == [{"Name": "year", "Type": "bigint"}, {"Name": "month", "Type": "string"}]
    assert result.table("flights").changes == [
        "partition keys [('year', 'bigint'), ('month', 'bigint')] -> [('year', 'bigint'), ('month', 'string')]"]


def test_log_policy_leaves_partitions_alone_when_partition_keys_changed(catalog, lake):
    write_jsonl(lake / "raw/events/a.json", [{"id": 1}])
    crawler(catalog, lake, "s3://raw/events/").crawl()
    (lake / "raw/events/a.json").unlink()
    write_jsonl(lake / "raw/events/day=1/a.json", [{"id": 1}])

    result = crawler(catalog, lake, "s3://raw/events/", update_behavior="LOG").crawl()

    assert catalog.get_table(DatabaseName=DB, Name="events")["Table"]["PartitionKeys"] == []
    assert partitions(catalog, "events") == {}
    assert result.table("events").action == "schema_change_logged"
    assert result.table("events").changes == [
        "partition keys [] -> [('day', 'bigint')]",
        "partitions left as they are: the table keeps its old partition keys"]


# ------------------------------------------------------------ targets emptied
@pytest.mark.parametrize("behavior, action, versions, parameters", [
    ("LOG", "deletion_logged", ["1"], {"classification": "json", "UPDATED_BY_CRAWLER": "raw-crawler"}),
    ("DEPRECATE_IN_DATABASE", "deprecated", ["2", "1"],
     {"classification": "json", "UPDATED_BY_CRAWLER": "raw-crawler", "DEPRECATED_BY_CRAWLER": "<time>"}),
])
def test_table_whose_data_is_gone_is_kept_per_delete_behavior(catalog, lake, behavior, action, versions, parameters):
    write_jsonl(lake / "raw/weather/a.json", [{"temp": 1}])
    crawl = crawler(catalog, lake, "s3://raw/weather/", delete_behavior=behavior)
    crawl.crawl()
    (lake / "raw/weather/a.json").unlink()

    result = crawl.crawl()

    table = catalog.get_table(DatabaseName=DB, Name="weather")["Table"]
    if "DEPRECATED_BY_CRAWLER" in table["Parameters"]:
        table["Parameters"]["DEPRECATED_BY_CRAWLER"] = "<time>"
    assert table["Parameters"] == parameters
    assert version_ids(catalog, "weather") == versions
    assert result.table("weather").action == action


def test_table_whose_data_is_gone_is_deleted_under_delete_from_database(catalog, lake):
    write_jsonl(lake / "raw/weather/a.json", [{"temp": 1}])
    crawl = crawler(catalog, lake, "s3://raw/weather/", delete_behavior="DELETE_FROM_DATABASE")
    crawl.crawl()
    (lake / "raw/weather/a.json").unlink()

    result = crawl.crawl()

    assert not catalog.table_exists(DB, "weather")
    assert result.names("deleted") == ["weather"]


def test_deprecated_table_with_data_again_is_updated_without_the_mark(catalog, lake):
    write_jsonl(lake / "raw/weather/a.json", [{"temp": 1}])
    crawl = crawler(catalog, lake, "s3://raw/weather/")
    crawl.crawl()
    (lake / "raw/weather/a.json").unlink()
    assert crawl.crawl().names("deprecated") == ["weather"]
    assert crawl.crawl().names("unchanged") == ["weather"]   # already marked: no new version
    write_jsonl(lake / "raw/weather/b.json", [{"temp": 2}])

    result = crawl.crawl()

    assert "DEPRECATED_BY_CRAWLER" not in catalog.get_table(DatabaseName=DB, Name="weather")["Table"]["Parameters"]
    assert version_ids(catalog, "weather") == ["3", "2", "1"]
    assert result.table("weather").changes == ["the table was deprecated by a crawler and has data again"]


def test_target_without_files_creates_no_table(catalog, lake):
    (lake / "raw/empty").mkdir(parents=True)

    result = crawler(catalog, lake, "s3://raw/empty/").crawl()

    assert not catalog.table_exists(DB, "empty")
    assert result.names("no_data") == ["empty"]
    assert catalog.get_database(Name=DB)["Database"]["Name"] == DB


# ------------------------------------------------------- files it cannot use
SKIPPED = "localglue.crawler"


def skipped_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == SKIPPED and r.levelname == "WARNING"]


def test_malformed_json_file_is_skipped_and_logged_and_other_targets_crawled(catalog, lake, caplog):
    write_csv(lake / "raw/flights/a.csv", FLIGHTS)
    write_jsonl(lake / "raw/weather/a.json", [{"temp": 1}])
    with (lake / "raw/weather/b.json").open("a") as stream:
        stream.write('{"temp": 2, "wind": 3.5}\n{"temp": 3,\n')

    result = crawler(catalog, lake, "s3://raw/flights/", "s3://raw/weather/").crawl()

    assert result.names("created") == ["flights", "weather"]
    assert columns(catalog, "weather") == [("temp", "bigint")]
    assert len(columns(catalog, "flights")) == 6
    reason = ("record 2 is not valid JSON (Expecting property name enclosed in double quotes at column 1); "
              "the crawler reads JSON Lines, one object per line")
    assert result.table("weather").skipped == [("s3://raw/weather/b.json", reason)]
    assert skipped_lines(caplog) == [f"crawler raw-crawler, table weather: skipped s3://raw/weather/b.json: {reason}"]
    assert result.summary().endswith("; 1 file skipped (see the log)")


def test_malformed_file_in_existing_table_keeps_its_definition(catalog, lake, caplog):
    write_jsonl(lake / "raw/weather/a.json", [{"temp": 1}])
    crawl = crawler(catalog, lake, "s3://raw/weather/")
    crawl.crawl()
    (lake / "raw/weather/b.json").write_text('{"temp": 2.5, "wind": 3}\n[1, 2]\n')

    result = crawl.crawl()

    assert result.table("weather").action == "unchanged"
    assert columns(catalog, "weather") == [("temp", "bigint")]
    assert version_ids(catalog, "weather") == ["1"]
    assert skipped_lines(caplog) == ["crawler raw-crawler, table weather: skipped s3://raw/weather/b.json: "
                                     "record 2 is a JSON list, not an object; the crawler reads JSON Lines, "
                                     "one object per line"]


def test_empty_csv_file_is_skipped_beside_good_ones(catalog, lake, caplog):
    write_csv(lake / "raw/flights/a.csv", FLIGHTS)
    (lake / "raw/flights/empty.csv").write_text("")

    result = crawler(catalog, lake, "s3://raw/flights/").crawl()

    assert result.table("flights").action == "created"
    assert [c for c, _ in columns(catalog, "flights")] == ["year", "carrier", "dep_delay", "distance", "cancelled",
                                                           "note"]
    assert [uri for uri, _ in result.table("flights").skipped] == ["s3://raw/flights/empty.csv"]
    assert "skipped s3://raw/flights/empty.csv: the file is empty" in skipped_lines(caplog)[0]


def test_target_whose_only_file_is_unusable_leaves_the_catalog_alone(catalog, lake, caplog):
    (lake / "raw/flights").mkdir(parents=True)
    (lake / "raw/flights/empty.csv").write_text("")
    write_jsonl(lake / "raw/weather/a.json", [{"temp": 1}])

    result = crawler(catalog, lake, "s3://raw/flights/", "s3://raw/weather/").crawl()

    assert result.table("flights").action == "unusable"
    assert result.names("created") == ["weather"]
    assert not catalog.table_exists(DB, "flights")
    assert skipped_lines(caplog)[-1] == ("crawler raw-crawler, table flights: no usable records in 1 csv file(s) "
                                         "of s3://raw/flights/; the table is left as it was")
    assert "1 unusable" in result.summary()


def test_file_in_a_minority_format_is_skipped(catalog, lake, caplog):
    write_csv(lake / "raw/mixed/a.csv", FLIGHTS)
    write_csv(lake / "raw/mixed/c.csv", FLIGHTS)
    write_jsonl(lake / "raw/mixed/b.json", [{"temp": 1}])

    result = crawler(catalog, lake, "s3://raw/mixed/").crawl()

    table = catalog.get_table(DatabaseName=DB, Name="mixed")["Table"]
    assert table["Parameters"]["classification"] == "csv"
    assert "temp" not in [c for c, _ in columns(catalog, "mixed")]
    assert result.table("mixed").skipped == [("s3://raw/mixed/b.json", "a json file among csv files; a table has "
                                              "one format, so move it under a folder of its own")]


def test_file_of_unknown_format_is_skipped(catalog, lake, caplog):
    write_csv(lake / "raw/flights/a.csv", FLIGHTS)
    (lake / "raw/flights/README.txt").write_text("notes")

    result = crawler(catalog, lake, "s3://raw/flights/").crawl()

    assert result.table("flights").action == "created"
    assert "skipped s3://raw/flights/README.txt: cannot tell the format" in skipped_lines(caplog)[0]


def test_parquet_magic_bytes_identify_a_file_without_suffix(catalog, lake):
    write_parquet(lake / "raw/planes/part-0", pa.table({"tailnum": ["N10156"]}))

    crawler(catalog, lake, "s3://raw/planes/").crawl()

    assert columns(catalog, "planes") == [("tailnum", "string")]


def test_corrupt_parquet_file_is_skipped_and_its_partition_still_added(catalog, lake, caplog):
    flight_partitions(lake, [1, 2])
    (lake / "curated/flights/year=2013/month=1/part-00001.snappy.parquet").write_bytes(b"PAR1 truncated")

    result = crawler(catalog, lake, "s3://curated/flights/").crawl()

    assert columns(catalog, "flights") == [("flight", "int"), ("distance", "double")]
    assert sorted(partitions(catalog, "flights")) == [("2013", "1"), ("2013", "2")]
    [(uri, why)] = result.table("flights").skipped
    assert uri.endswith("month=1/part-00001.snappy.parquet") and why.startswith("not a readable Parquet file")


def test_reordered_csv_file_is_skipped_and_the_majority_sets_the_column_order(catalog, lake, caplog):
    write_csv(lake / "raw/flights/a.csv", [["carrier", "year"], ["UA", 2013]])
    write_csv(lake / "raw/flights/b.csv", [["year", "carrier"], [2013, "AA"]])
    write_csv(lake / "raw/flights/c.csv", [["year", "carrier"], [2014, "DL"]])

    result = crawler(catalog, lake, "s3://raw/flights/").crawl()

    assert columns(catalog, "flights") == [("year", "bigint"), ("carrier", "string")]
    assert skipped_lines(caplog) == [
        "crawler raw-crawler, table flights: skipped s3://raw/flights/a.csv: columns ['carrier', 'year'] do not "
        "line up with the table's ['year', 'carrier']; CSV is read by position, so keep the same leading columns "
        "in the same order and add new ones at the end"]
    assert result.table("flights").action == "created"


def test_csv_file_with_an_extra_column_at_the_end_adds_it_and_one_in_the_middle_is_skipped(catalog, lake, caplog):
    write_csv(lake / "raw/flights/a.csv", [["year", "carrier"], [2013, "UA"]])
    write_csv(lake / "raw/flights/b.csv", [["year", "carrier"], [2013, "AA"]])
    write_csv(lake / "raw/flights/c.csv", [["year", "carrier", "delay"], [2014, "DL", 1.5]])
    write_csv(lake / "raw/flights/d.csv", [["year", "origin", "carrier"], [2014, "JFK", "DL"]])

    result = crawler(catalog, lake, "s3://raw/flights/").crawl()

    assert columns(catalog, "flights") == [("year", "bigint"), ("carrier", "string"), ("delay", "double")]
    assert [uri for uri, _ in result.table("flights").skipped] == ["s3://raw/flights/d.csv"]


def test_ragged_csv_file_is_skipped(catalog, lake, caplog):
    write_csv(lake / "raw/flights/a.csv", [["year", "carrier"], [2013, "UA"]])
    write_csv(lake / "raw/flights/b.csv", [["year", "carrier"], [2013, "AA", "extra"]])

    result = crawler(catalog, lake, "s3://raw/flights/").crawl()

    assert columns(catalog, "flights") == [("year", "bigint"), ("carrier", "string")]
    assert result.table("flights").skipped == [
        ("s3://raw/flights/b.csv", "a row has 3 fields but the header names 2 (a ragged file)")]


def test_csv_file_with_another_delimiter_is_skipped(catalog, lake, caplog):
    write_csv(lake / "raw/flights/a.csv", [["year", "carrier"], [2013, "UA"]])
    write_csv(lake / "raw/flights/b.csv", [["year", "carrier"], [2014, "AA"]])
    (lake / "raw/flights/c.csv").write_text("year;carrier\n2015;DL\n")

    result = crawler(catalog, lake, "s3://raw/flights/").crawl()

    assert catalog.get_table(DatabaseName=DB, Name="flights")["Table"]["Parameters"]["delimiter"] == ","
    assert result.table("flights").skipped == [
        ("s3://raw/flights/c.csv", "delimiter ';' and header=True differ from the table's (',', header=True); "
                                   "give a table's files one layout")]


def test_file_at_another_partition_depth_is_skipped(catalog, lake, caplog):
    flight_partitions(lake, [1, 2])
    write_parquet(lake / "curated/flights/loose.parquet", pa.table({"flight": pa.array([1], pa.int32())}))

    result = crawler(catalog, lake, "s3://curated/flights/").crawl()

    assert sorted(partitions(catalog, "flights")) == [("2013", "1"), ("2013", "2")]
    assert result.table("flights").skipped == [
        ("s3://curated/flights/loose.parquet", "partition keys [] differ from the table's ['year', 'month']; "
                                               "keep every data file under the same key=value folder levels")]


@pytest.mark.parametrize("setting, value", [("update_behavior", "DELETE_FROM_DATABASE"),
                                            ("delete_behavior", "REMOVE")])
def test_invalid_policy_value_is_a_value_error_naming_the_setting(catalog, lake, setting, value):
    with pytest.raises(ValueError, match=rf"{setting} must be one of .*got '{value}'"):
        crawler(catalog, lake, "s3://raw/flights/", **{setting: value})


def test_targets_that_map_to_one_table_are_refused(catalog, lake):
    with pytest.raises(ValueError, match=r"several targets map to the same table \['flights'\]"):
        crawler(catalog, lake, "s3://raw/flights/", "s3://other/flights")
