"""The pipeline's CloudWatch metrics, against moto's CloudWatch."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import boto3
import pytest
from moto import mock_aws

from etl_pipeline.metrics import publish


@pytest.fixture
def cloudwatch(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        yield boto3.client("cloudwatch")


def total(client, metric: str, dataset: str) -> float:
    now = datetime.now(timezone.utc)
    points = client.get_metric_statistics(
        Namespace="etl-glue-pipeline", MetricName=metric, Statistics=["Sum"], Period=3600,
        StartTime=now - timedelta(hours=1), EndTime=now + timedelta(hours=1),
        Dimensions=[{"Name": "Env", "Value": "dev"}, {"Name": "Dataset", "Value": dataset}])["Datapoints"]
    return sum(p["Sum"] for p in points)


def test_each_stage_publishes_its_numbers_per_env_and_dataset(cloudwatch):
    assert publish("etl-glue-pipeline", "extract", "dev", "flights", {"rows_read": 2000}) == 1
    assert publish("etl-glue-pipeline", "transform", "dev", "flights",
                   {"rows_read": 2000, "rows_quarantined": 2, "duplicates_removed": 0}) == 2
    assert publish("etl-glue-pipeline", "load", "dev", "flights", {"rows_read": 1998, "rows_loaded": 1998}) == 1
    assert publish("etl-glue-pipeline", "load", "dev", "flights",
                   {"rows_read": 10, "rows_loaded": 10, "schema_change_count": 3}) == 2

    assert total(cloudwatch, "RowsRead", "flights") == 2000
    assert total(cloudwatch, "RowsQuarantined", "flights") == 2
    assert total(cloudwatch, "RowsLoaded", "flights") == 2008
    assert total(cloudwatch, "SchemaChanges", "flights") == 3
    assert total(cloudwatch, "RowsLoaded", "weather") == 0


def test_none_publishes_nothing_and_an_outage_does_not_fail_the_run(cloudwatch, capsys):
    assert publish("none", "extract", "dev", "flights", {"rows_read": 5}) == 0
    assert cloudwatch.list_metrics()["Metrics"] == []

    class Unreachable:
        def put_metric_data(self, **_):
            raise ConnectionError("endpoint down")

    assert publish("etl-glue-pipeline", "extract", "dev", "flights", {"rows_read": 5}, client=Unreachable()) == 0
    assert "metrics for flights not published to CloudWatch etl-glue-pipeline: endpoint down" in capsys.readouterr().out
