"""Fixtures shared by the whole suite: one local Spark for all tests, a fresh local Glue state and a
fresh PostgreSQL database per test that asks for them."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import uuid
from pathlib import Path

import pytest

# One state folder for the session's Spark (scratch, conf); tests get their own lake and catalog.
_SESSION_HOME = Path(tempfile.mkdtemp(prefix="glue-local-tests-"))
atexit.register(shutil.rmtree, _SESSION_HOME, ignore_errors=True)
os.environ["GLUE_LOCAL_HOME"] = str(_SESSION_HOME)
os.environ.setdefault("GLUE_LOCAL_SPARK_MASTER", "local[2]")

# The longest test (the benchmark's three engines end to end, several minutes). It runs first: with
# `make test`'s two processes (pytest-xdist), one starts on it while the other takes the rest,
# instead of one process starting it when the rest is nearly done and the other waiting idle.
LONGEST_TEST = "tests/bench/test_bench.py::test_bench_runs_the_three_engines_and_they_agree"


def pytest_collection_modifyitems(items):
    items.sort(key=lambda item: item.nodeid != LONGEST_TEST)


@pytest.fixture(scope="session")
def spark():
    """The suite's one SparkSession, configured as the local Glue runtime configures a job's."""
    import awsglue  # noqa: F401  (prepares Java, SPARK_CONF_DIR and the lake mapping)
    from pyspark.sql import SparkSession

    session = SparkSession.builder.getOrCreate()
    yield session
    session.stop()


@pytest.fixture(autouse=True)
def job_environment_ends_with_the_test():
    """A GlueContext routes boto3's DynamoDB clients to the local endpoint for its job's run
    (localglue.services.dynamodb.route_job_clients); a script run by run_script ends that itself, a
    GlueContext a test makes ends it here, so no test sees another's job environment."""
    yield
    from localglue.services import dynamodb

    dynamodb.end_job_routing()


@pytest.fixture
def local_home(tmp_path, monkeypatch, spark) -> Path:
    """A fresh local lake, catalog and bookmark store for one test."""
    home = tmp_path / "glue-local"
    monkeypatch.setenv("GLUE_LOCAL_HOME", str(home))
    return home


def _server_url() -> str:
    from localglue.services.environment import DEFAULT_POSTGRES_URL

    return os.environ.get("GLUE_LOCAL_POSTGRES_URL", DEFAULT_POSTGRES_URL)


@pytest.fixture
def postgres_url(monkeypatch) -> str:
    """A new, empty PostgreSQL database for one test, dropped afterwards."""
    from localglue.services import jdbc

    server = jdbc.parse_url(_server_url())
    if not jdbc.is_reachable(server):
        pytest.fail(f"these tests need PostgreSQL at {server.describe()} (set GLUE_LOCAL_POSTGRES_URL; "
                    f".ci/run starts one)")
    database = f"etl_test_{uuid.uuid4().hex[:12]}"
    test_target = server.with_database(database)
    jdbc.ensure_database(test_target)
    url = f"postgresql://{server.user}{':' + server.password if server.password else ''}@" \
          f"{server.host}:{server.port}/{database}"
    monkeypatch.setenv("GLUE_LOCAL_POSTGRES_URL", url)
    yield url
    with jdbc.connect(server.with_database("postgres")) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


@pytest.fixture(scope="session")
def moto_endpoint() -> str:
    """A moto server on 127.0.0.1 (ThreadedMotoServer), for tests that reach AWS through AWS_ENDPOINT_URL."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def mysql_url(monkeypatch) -> str:
    """A new, empty MariaDB database for one test (the RDS MySQL stand-in), dropped afterwards."""
    from localglue.services import jdbc
    from localglue.services.environment import DEFAULT_MYSQL_URL

    server = jdbc.parse_url(os.environ.get("GLUE_LOCAL_MYSQL_URL", DEFAULT_MYSQL_URL))
    if not jdbc.is_reachable(server):
        pytest.fail(f"these tests need MariaDB at {server.describe()} (set GLUE_LOCAL_MYSQL_URL; "
                    f".ci/start-mariadb starts one)")
    database = f"etl_test_{uuid.uuid4().hex[:12]}"
    with jdbc.connect_mysql(server) as connection, connection.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE `{database}`")
    url = f"mysql://{server.user}:{server.password}@{server.host}:{server.port}/{database}"
    monkeypatch.setenv("GLUE_LOCAL_MYSQL_URL", url)
    yield url
    with jdbc.connect_mysql(server) as connection, connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS `{database}`")


@pytest.fixture(scope="session")
def dynamodb_server() -> str:
    """moto's DynamoDB server on a free 127.0.0.1 port for the session (a real DynamoDB API endpoint)."""
    import socket

    from localglue.services import dynamodb

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = dynamodb.ensure_server(f"http://127.0.0.1:{port}")
    yield url
    dynamodb.stop_servers()


@pytest.fixture
def dynamodb_url(dynamodb_server, monkeypatch) -> str:
    monkeypatch.setenv("GLUE_LOCAL_DYNAMODB_URL", dynamodb_server)
    return dynamodb_server
