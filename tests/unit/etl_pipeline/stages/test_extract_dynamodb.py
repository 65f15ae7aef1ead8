"""DynamoDB sources against moto's DynamoDB server: the stand-in's parallel-segment scan and its export
connector (a point-in-time export moto writes to its S3), nested maps flattened by config, and the
incremental watermark the extract keeps (bookmarks do not cover DynamoDB)."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

import pytest

from etl_pipeline.config import ConfigError, parse_dataset
from etl_pipeline.stages.extract import ExtractContext, extract_dataset, save_watermarks
from localglue.services import dynamodb

STATIONS = ("EWR", "JFK", "LGA")


def weather_item(n: int, written: str) -> dict:
    return {"station": {"S": STATIONS[n % 3]}, "observed": {"N": str(n)},
            "reading": {"M": {"temp": {"N": f"{30 + n % 40}.5"}, "wind": {"M": {"speed": {"N": str(n % 25)}}}}},
            "tags": {"SS": ["hourly", f"t{n % 4}"]}, "updated_at": {"S": written}}


def dataset_document(table: str, **source) -> dict:
    return {"name": "observations", "source": {"type": "dynamodb", "table": table, **source},
            "primary_key": ["station", "observed"],
            "columns": [{"name": "station", "type": "string"}, {"name": "observed", "type": "int"},
                        {"name": "temp", "source": "reading_temp", "type": "double"},
                        {"name": "wind_speed", "source": "reading_wind_speed", "type": "int"}],
            "targets": {"curated": {"table": "observations"}, "warehouse": {"table": "observations"}}}


@pytest.fixture
def table(dynamodb_url) -> str:
    """A provisioned table of 200 weather observations, all written at 2026-01-01T00:00:00Z."""
    name = f"observations-{uuid.uuid4().hex[:8]}"
    client = dynamodb.client()
    client.create_table(TableName=name, AttributeDefinitions=[{"AttributeName": "station", "AttributeType": "S"},
                                                              {"AttributeName": "observed", "AttributeType": "N"}],
                        KeySchema=[{"AttributeName": "station", "KeyType": "HASH"},
                                   {"AttributeName": "observed", "KeyType": "RANGE"}],
                        ProvisionedThroughput={"ReadCapacityUnits": 1000, "WriteCapacityUnits": 1000})
    for n in range(200):
        client.put_item(TableName=name, Item=weather_item(n, "2026-01-01T00:00:00Z"))
    return name


def context(glue_context, config, zones, at: str, batch: str = "b1", use_fallback=False) -> ExtractContext:
    return ExtractContext(glue_context=glue_context, config=config, env="test", zones=zones, batch_id=batch,
                          extracted_at=datetime.fromisoformat(at).replace(tzinfo=timezone.utc),
                          use_fallback=use_fallback)


def landed(spark, numbers: dict) -> list[tuple]:
    frame = spark.read.parquet(numbers["landing"])
    return sorted((r["station"], int(r["observed"]), r["reading_temp"], r["reading_wind_speed"], r["tags"])
                  for r in frame.collect())


def test_parallel_segment_scan_reads_every_item_once_with_nested_maps_flattened(spark, glue_context, config, zones,
                                                                               table):
    single = extract_dataset(context(glue_context, config, zones, "2026-02-01T00:00:00", "b1"),
                             parse_dataset(dataset_document(table, splits=1), "observations.yaml"))
    parallel = extract_dataset(context(glue_context, config, zones, "2026-02-01T00:00:00", "b2"),
                               parse_dataset(dataset_document(table, splits=4, read_percent=0.25), "observations.yaml"))
    assert single["rows_read"] == parallel["rows_read"] == 200
    assert landed(spark, parallel) == landed(spark, single)
    assert ("JFK", 7, "37.5", "7", '["hourly","t3"]') in landed(spark, parallel)   # maps -> parent_child columns
    assert single["source"] == f"dynamodb://{table}"


def test_the_watermark_reads_items_written_since_the_last_run_and_moves_only_when_kept(spark, glue_context, config,
                                                                                      zones, table):
    observations = parse_dataset(dataset_document(table, splits=3, incremental_key="updated_at"), "observations.yaml")
    first = extract_dataset(context(glue_context, config, zones, "2026-02-01T00:00:00", "b1"), observations)
    assert first["rows_read"] == 200 and first["watermark"]["value"] == "2026-02-01T00:00:00Z"
    save_watermarks(spark, {"observations": first})

    client = dynamodb.client()
    client.put_item(TableName=table, Item=weather_item(7, "2026-02-03T10:00:00Z"))    # an update
    client.put_item(TableName=table, Item=weather_item(500, "2026-02-03T11:00:00Z"))  # a new item
    client.put_item(TableName=table, Item=weather_item(501, "2026-02-09T00:00:00Z"))  # after the run starts
    second = extract_dataset(context(glue_context, config, zones, "2026-02-05T00:00:00", "b2"), observations)
    assert [(s, o) for s, o, *_ in landed(spark, second)] == [("JFK", 7), ("LGA", 500)]

    # Not kept (the run failed): the next run reads the same window again, and the later item too.
    third = extract_dataset(context(glue_context, config, zones, "2026-02-10T00:00:00", "b3"), observations)
    assert [(s, o) for s, o, *_ in landed(spark, third)] == [("EWR", 501), ("JFK", 7), ("LGA", 500)]
    save_watermarks(spark, {"observations": third})
    fourth = extract_dataset(context(glue_context, config, zones, "2026-02-11T00:00:00", "b4"), observations)
    assert fourth["rows_read"] == 0 and fourth["nothing_new"]


def test_a_missing_table_and_a_silent_endpoint_fail_in_one_line(spark, glue_context, config, zones, dynamodb_url,
                                                               monkeypatch):
    missing = parse_dataset(dataset_document("no-such-table"), "observations.yaml")
    with pytest.raises(dynamodb.DynamoDbError, match=r"^cannot read DynamoDB table no-such-table at .*Check source.table"):
        extract_dataset(context(glue_context, config, zones, "2026-02-01T00:00:00"), missing)
    monkeypatch.setenv("GLUE_LOCAL_DYNAMODB_URL", "http://127.0.0.1:1")
    with pytest.raises(dynamodb.DynamoDbError, match=r"no DynamoDB answers at http://127.0.0.1:1") as raised:
        extract_dataset(context(glue_context, config, zones, "2026-02-01T00:00:00"), missing)
    assert "\n" not in str(raised.value)


def with_point_in_time_recovery(table: str) -> str:
    """The export connector needs point-in-time recovery on the table, on AWS and in moto."""
    dynamodb.client().update_continuous_backups(
        TableName=table, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    return table


def test_the_export_connector_gives_the_rows_of_the_scan(table, spark, glue_context, config, zones):
    # `table` first: the GlueContext routes the job's boto3 DynamoDB clients to the endpoint set by then.
    scanned = extract_dataset(context(glue_context, config, zones, "2026-02-01T00:00:00", "b1"),
                              parse_dataset(dataset_document(table, read="scan", splits=2), "observations.yaml"))
    exported = extract_dataset(context(glue_context, config, zones, "2026-02-01T00:00:00", "b2"),
                               parse_dataset(dataset_document(with_point_in_time_recovery(table), read="export"),
                                             "observations.yaml"))
    assert exported["rows_read"] == scanned["rows_read"] == 200
    assert landed(spark, exported) == landed(spark, scanned)
    assert ("JFK", 7, "37.5", "7", '["hourly","t3"]') in landed(spark, exported)
    # The export went where the connector options say: the temp dir's dynamodb-export/<dataset> in S3.
    bucket, _, prefix = zones.temp("dynamodb-export", "observations").removeprefix("s3://").partition("/")
    keys = [o["Key"] for o in dynamodb.client(service="s3").list_objects_v2(Bucket=bucket, Prefix=prefix)["Contents"]]
    assert keys and all(k.startswith(f"{prefix}/AWSDynamoDB/") and "/data/" in k for k in keys)


def test_the_stand_in_reads_a_new_export_and_a_past_one_as_glue_does(table, glue_context):
    arn = dynamodb.client().describe_table(TableName=with_point_in_time_recovery(table))["Table"]["TableArn"]
    export = {"dynamodb.tableArn": arn, "dynamodb.s3.bucket": "exports", "dynamodb.s3.prefix": f"ddb/{table}"}

    def rows(**options) -> list:
        return glue_context.create_dynamic_frame.from_options(connection_type="dynamodb",
                                                              connection_options=options).toDF().collect()

    def plain(frame_rows) -> list:
        return sorted((r["station"], r["observed"], r["reading"]["wind"]["speed"], r["updated_at"]) for r in frame_rows)

    scanned = plain(rows(**{"dynamodb.input.tableName": table, "dynamodb.splits": "3"}))
    fresh = plain(rows(**export, **{"dynamodb.export": "ddb", "dynamodb.unnestDDBJson": True}))
    assert len(scanned) == 200 and fresh == scanned
    dynamodb.client().put_item(TableName=table, Item=weather_item(900, "2026-03-01T00:00:00Z"))
    # `s3` reads the newest export already there, without asking for another: the item added since is not in it.
    assert plain(rows(**export, **{"dynamodb.export": "s3", "dynamodb.unnestDDBJson": "true"})) == scanned
    # Without unnestDDBJson (Glue's default) each row is one Item in DynamoDB JSON.
    nested = rows(**export, **{"dynamodb.export": "s3"})
    assert len(nested) == 200 and {r["Item"]["station"]["S"] for r in nested} == set(STATIONS)


def test_an_export_without_point_in_time_recovery_fails_in_one_line(table, glue_context):
    arn = dynamodb.client().describe_table(TableName=table)["Table"]["TableArn"]
    with pytest.raises(dynamodb.DynamoDbError, match=f"^cannot export DynamoDB table {table} to s3://exports/x: .*"
                                                     f"enable point-in-time recovery on DynamoDB table {table}") as raised:
        glue_context.create_dynamic_frame.from_options(connection_type="dynamodb", connection_options={
            "dynamodb.export": "ddb", "dynamodb.tableArn": arn, "dynamodb.s3.bucket": "exports",
            "dynamodb.s3.prefix": "x"})
    assert "\n" not in str(raised.value)


def test_without_dynamodb_the_dataset_reads_its_fallback_files_and_keeps_no_watermark(glue_context, config, zones,
                                                                                       lake, spark, monkeypatch):
    monkeypatch.setenv("GLUE_LOCAL_DYNAMODB_URL", "http://127.0.0.1:1")   # nothing answers; never asked
    lake.put("s3://raw/observations/jfk.jsonl", '{"station": "JFK", "observed": 1, "reading_temp": 30.5}\n'
                                                 '{"station": "JFK", "observed": 2, "reading_temp": 31.5}\n')
    observations = parse_dataset(dataset_document("observations", incremental_key="updated_at",
                                                  fallback={"format": "json", "prefix": "observations/"}),
                                 "observations.yaml")
    numbers = extract_dataset(context(glue_context, config, zones, "2026-02-01T00:00:00",
                                      use_fallback=frozenset({"observations"})), observations)
    assert numbers["rows_read"] == 2 and numbers["source"] == "s3://raw/observations/" and "watermark" not in numbers
    assert sorted(r["reading_temp"] for r in spark.read.parquet(numbers["landing"]).collect()) == ["30.5", "31.5"]


def test_scan_settings_are_refused_for_an_export_read_naming_the_setting():
    with pytest.raises(ConfigError, match="^observations.yaml: source.splits: applies to read: scan only"):
        parse_dataset(dataset_document("observations", read="export", splits=4), "observations.yaml")


@pytest.mark.parametrize("setting, value, message", [
    ("read", "query", "source.read: 'query' is not 'scan'"),
    ("splits", 0, "source.splits: must be between 1 and 1000000"),
    ("read_percent", 2, "source.read_percent: must be between 0.1 and 1.5"),
    ("incremental_key", "Updated-At", "source.incremental_key: 'Updated-At' is not an attribute name"),
    ("segments", 4, "source.segments: is not a setting of a dynamodb source"),
    ("fallback", {"format": "xml", "prefix": "w/"}, "source.fallback.format: 'xml' is not one of csv, json, parquet"),
    ("flatten", "yes", "source.flatten: must be a bool"),
])
def test_dynamodb_settings_are_validated_naming_the_setting(setting, value, message):
    with pytest.raises(ConfigError, match=f"^observations.yaml: {message}"):
        parse_dataset(dataset_document("observations", **{setting: value}), "observations.yaml")
