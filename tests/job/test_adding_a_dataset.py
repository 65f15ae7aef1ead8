"""Adding a dataset takes config only: the example in docs/local-development.md, run end to end."""

from __future__ import annotations

import hashlib
import re
from datetime import date
from decimal import Decimal

import pyarrow as pa
import pyarrow.parquet as pq

from localglue.runner.deployment import LocalDeployment
from localglue.services.iceberg_tables import IcebergTables
from localglue.services.environment import REPO_ROOT
from tests.job.support import lake_path, run_all, warehouse


def documented_dataset() -> str:
    text = (REPO_ROOT / "docs" / "local-development.md").read_text()
    (block,) = re.findall(r"```yaml\n(# config/datasets/tickets.yaml\n.*?)```", text, flags=re.S)
    return block


def test_the_documented_tickets_dataset_runs_through_all_three_jobs(local_home, postgres_url, tmp_path):
    config = tmp_path / "config"
    (config / "datasets").mkdir(parents=True)
    (config / "pipeline.yaml").write_text((REPO_ROOT / "config" / "pipeline.yaml").read_text())
    (config / "datasets" / "tickets.yaml").write_text(documented_dataset())
    pipeline = LocalDeployment(config_dir=config)
    pipeline.deploy(with_database=True)
    export = lake_path(pipeline, "raw", "tickets/tickets_2013_01_01T10.parquet")
    export.parent.mkdir(parents=True)
    pq.write_table(pa.table({
        "ticket_id": pa.array([1, 2, 3, 4], pa.int64()),
        "carrier": [" ua", "AA", "dl ", "B6"],
        "flight": pa.array([1545, 1141, 461, 725], pa.int32()),
        "flight_date": [date(2013, 1, 1), date(2013, 1, 1), date(2013, 1, 2), date(2013, 1, 2)],
        "fare": [Decimal("89.50"), Decimal("420.00"), Decimal("-5.00"), None],
        "passenger_email": ["ann@example.com", "bob@example.com", "cy@example.com", None],
    }), export)

    reports = run_all(pipeline)

    transform = reports["transform"]["datasets"]["tickets"]
    assert (transform["rows_read"], transform["rows_valid"], transform["rows_quarantined"]) == (4, 3, 1)
    assert transform["rule_failures"] == {"fare_not_negative": 1}
    rows = pipeline.athena().execute(
        "SELECT ticket_id, carrier, fare_usd, fare_band, passenger_email, flight_date FROM tickets ORDER BY 1"
    ).fetchall()
    assert rows == [
        (1, "UA", Decimal("89.50"), "low", hashlib.sha256(b"ann@example.com").hexdigest(), date(2013, 1, 1)),
        (2, "AA", Decimal("420.00"), "high", hashlib.sha256(b"bob@example.com").hexdigest(), date(2013, 1, 1)),
        (4, "B6", None, None, None, date(2013, 1, 2)),
    ]
    assert warehouse(pipeline, "SELECT ticket_id, fare_band FROM analytics.tickets ORDER BY 1") == \
        [(1, "low"), (2, "high"), (4, None)]
    table = pipeline.catalog.get_table(DatabaseName=pipeline.database("curated"), Name="tickets")["Table"]
    assert table["Parameters"]["table_type"] == "ICEBERG"
    metadata = IcebergTables.metadata(table["Parameters"]["metadata_location"])
    assert metadata["format-version"] == 2
    (spec,) = metadata["partition-specs"]
    assert [(f["name"], f["transform"]) for f in spec["fields"]] == [("flight_date_month", "month")]
