"""Source blocks of a dataset: each JDBC setting validated with a message naming it, and the Glue
connection options the extract builds from them."""

from __future__ import annotations

import pytest

from etl_pipeline.config import ConfigError, DynamoDbSource, JdbcSource, ParallelRead, parse_dataset
from etl_pipeline.stages.extract import dynamodb_connection_options, jdbc_connection_options


def document(**source) -> dict:
    return {"name": "planes",
            "source": {"type": "jdbc", "engine": "mysql", "connection": "fleet-db", "table": "planes", **source},
            "primary_key": ["tailnum"], "columns": [{"name": "tailnum", "type": "string"}],
            "targets": {"curated": {"table": "planes"}, "warehouse": {"table": "planes"}}}


def test_a_full_jdbc_block_is_read_as_written():
    source = parse_dataset(document(bookmark_keys=["updated_at", "tailnum"], filter="seats > 0",
                                    parallel={"hashfield": "tailnum", "partitions": 4}), "planes.yaml").source
    assert source == JdbcSource("mysql", "fleet-db", "planes", ("updated_at", "tailnum"),
                                ParallelRead("tailnum", None, 4), "seats > 0")


@pytest.mark.parametrize("setting, message", [
    ({"engine": "oracle"}, "source.engine: 'oracle' is not one of postgresql, mysql, redshift"),
    ({"table": "planes; drop table x"}, "source.table: 'planes; drop table x' is not a table name"),
    ({"bookmark_keys": ["updated at"]}, r"source.bookmark_keys\[0\]: 'updated at' is not a column name"),
    ({"filter": "seats > 0; DELETE FROM planes"}, "source.filter: is one SQL predicate"),
    ({"parallel": {"partitions": 4}}, "source.parallel: needs exactly one of hashfield"),
    ({"parallel": {"hashfield": "a", "hashexpression": "b"}}, "source.parallel: needs exactly one of hashfield"),
    ({"parallel": {"hashfield": "tailnum", "partitions": 0}}, "source.parallel.partitions: must be between 1 and 256"),
    ({"parallel": {"hashfield": "tailnum", "partitions": "4"}}, "source.parallel.partitions: must be a int"),
    ({"engine": "redshift", "parallel": {"hashfield": "tailnum"}}, "source.parallel: does not apply to redshift"),
    ({"hashpartitions": 4}, "source.hashpartitions: is not a setting of a jdbc source"),
])
def test_each_jdbc_setting_is_validated_naming_it(setting, message):
    with pytest.raises(ConfigError, match=f"^planes.yaml: {message}"):
        parse_dataset(document(**setting), "planes.yaml")


def test_glue_options_carry_the_filter_partitions_and_temp_dir():
    source = JdbcSource("mysql", "fleet-db", "planes", ("updated_at", "tailnum"),
                        ParallelRead(None, "id", 8), "seats > 0")
    assert jdbc_connection_options(source, "etl-dev-fleet-db", "") == {
        "useConnectionProperties": "true", "connectionName": "etl-dev-fleet-db", "dbtable": "planes",
        "jobBookmarkKeys": ["updated_at", "tailnum"], "jobBookmarkKeysSortOrder": "asc",
        "sampleQuery": "SELECT * FROM planes WHERE (seats > 0) AND", "enablePartitioningForSampleQuery": "true",
        "hashexpression": "id", "hashpartitions": "8"}
    redshift = JdbcSource("redshift", "redshift", "reference.airports", ("change_seq",))
    assert jdbc_connection_options(redshift, "etl-dev-redshift", "s3://temp/glue/redshift-unload/airports")[
        "redshiftTmpDir"] == "s3://temp/glue/redshift-unload/airports"


def test_dynamodb_options_for_the_scan_reader_and_the_export_connector():
    scan = DynamoDbSource("weather_observations", "scan", 4, 0.25, "updated_at", True)
    assert dynamodb_connection_options(scan, None, "") == {
        "dynamodb.input.tableName": "weather_observations", "dynamodb.splits": "4",
        "dynamodb.throughput.read.percent": "0.25"}
    export = DynamoDbSource("weather_observations", "export", 1, 0.5, None, True)
    arn = "arn:aws:dynamodb:us-east-1:123456789012:table/weather_observations"
    assert dynamodb_connection_options(export, arn, "s3://temp-bucket/glue/dynamodb-export/weather") == {
        "dynamodb.export": "ddb", "dynamodb.tableArn": arn, "dynamodb.unnestDDBJson": True,
        "dynamodb.s3.bucket": "temp-bucket", "dynamodb.s3.prefix": "glue/dynamodb-export/weather"}


def test_source_fallback_argument_names_all_or_some_datasets():
    from etl_pipeline.jobs import fallback_datasets

    assert fallback_datasets(None) is False and fallback_datasets("files") is True
    assert fallback_datasets("files:planes, airlines") == frozenset({"planes", "airlines"})
    with pytest.raises(ConfigError, match="--source_fallback 'csv': expected files or files:<dataset>"):
        fallback_datasets("csv")
