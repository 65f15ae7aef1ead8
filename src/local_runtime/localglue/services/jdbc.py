"""JDBC for the local runtime: Glue connections defined from GLUE_LOCAL_POSTGRES_URL and
GLUE_LOCAL_MYSQL_URL, and SQL actions.

PostgreSQL stands in for RDS PostgreSQL and for Redshift; MariaDB for RDS MySQL. Spark reads and
writes rows through Glue 5.1's JDBC drivers (PostgreSQL 42.7.3, MySQL Connector/J 8.0.33, from Maven
Central: see src/local_runtime/jvm/pom.xml); the SQL that Glue's Redshift writer runs around a load
(`preactions`, `postactions`) runs through psycopg here, and the demo fills MariaDB through PyMySQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote, urlparse

import psycopg
import pymysql

from localglue.services.catalog import LocalDataCatalog

# Glue 5.1's drivers; MariaDB speaks MySQL's protocol, so it is read with the MySQL driver too.
DRIVER_CLASSES = {"postgresql": "org.postgresql.Driver", "mysql": "com.mysql.cj.jdbc.Driver",
                  "mariadb": "com.mysql.cj.jdbc.Driver"}


class JdbcError(RuntimeError):
    """A JDBC source or target cannot be reached or used; the message says which and what to do."""


@dataclass(frozen=True)
class JdbcTarget:
    engine: str      # postgresql | mysql | mariadb
    host: str
    port: int
    database: str
    user: str
    password: str

    @property
    def jdbc_url(self) -> str:
        scheme = "mysql" if self.engine in ("mysql", "mariadb") else self.engine
        return f"jdbc:{scheme}://{self.host}:{self.port}/{self.database}"

    @property
    def driver(self) -> str:
        return DRIVER_CLASSES[self.engine]

    def with_database(self, database: str | None) -> "JdbcTarget":
        if not database:
            return self
        return JdbcTarget(self.engine, self.host, self.port, database, self.user, self.password)

    def spark_options(self) -> dict[str, str]:
        url = self.jdbc_url + ("?reWriteBatchedInserts=true" if self.engine == "postgresql" else "")
        return {"url": url, "user": self.user, "password": self.password, "driver": self.driver}

    def describe(self) -> str:
        return f"{self.engine}://{self.user}@{self.host}:{self.port}/{self.database}"


def parse_url(url: str) -> JdbcTarget:
    """`postgresql://user:password@host:port/db` or `jdbc:postgresql://host:port/db` (no credentials)."""
    parsed = urlparse(url.removeprefix("jdbc:"))
    engine = {"postgres": "postgresql", "postgresql": "postgresql", "mysql": "mysql",
              "mariadb": "mariadb"}.get(parsed.scheme)
    if engine is None or not parsed.hostname:
        raise JdbcError(f"not a database URL: {url!r} (expected postgresql://user@host:5432/database)")
    default_port = 5432 if engine == "postgresql" else 3306
    return JdbcTarget(engine, parsed.hostname, parsed.port or default_port, parsed.path.lstrip("/"),
                      unquote(parsed.username or ""), unquote(parsed.password or ""))


def connection_input(name: str, target: JdbcTarget, description: str = "") -> dict:
    """A Glue ConnectionInput for a JDBC connection, as Terraform's aws_glue_connection defines one."""
    return {
        "Name": name,
        "Description": description,
        "ConnectionType": "JDBC",
        "ConnectionProperties": {
            "JDBC_CONNECTION_URL": target.jdbc_url,
            "USERNAME": target.user,
            "PASSWORD": target.password,
        },
    }


def resolve_connection(catalog: LocalDataCatalog, name: str) -> JdbcTarget:
    properties = catalog.get_connection(name)["Connection"]["ConnectionProperties"]
    target = parse_url(properties["JDBC_CONNECTION_URL"])
    return JdbcTarget(target.engine, target.host, target.port, target.database,
                      properties.get("USERNAME", ""), properties.get("PASSWORD", ""))


def connect(target: JdbcTarget, autocommit: bool = True, timeout_s: int = 5) -> psycopg.Connection:
    if target.engine != "postgresql":
        raise JdbcError(f"SQL actions run on PostgreSQL only locally, not on {target.engine}")
    try:
        return psycopg.connect(host=target.host, port=target.port, dbname=target.database,
                               user=target.user or None, password=target.password or None,
                               autocommit=autocommit, connect_timeout=timeout_s)
    except psycopg.OperationalError as error:
        raise JdbcError(
            f"cannot connect to PostgreSQL at {target.describe()}: {str(error).strip()}. Start PostgreSQL or "
            f"point GLUE_LOCAL_POSTGRES_URL at a server (see docs/local-development.md)"
        ) from error


def run_sql(target: JdbcTarget, sql: str, what: str) -> None:
    """Run a script of ;-separated statements, as Glue runs `preactions`/`postactions`."""
    if not sql.strip():
        return
    with connect(target) as connection:
        try:
            connection.execute(sql)
        except psycopg.Error as error:
            raise JdbcError(f"{what} failed on {target.describe()}: {str(error).strip()}\nSQL: {sql}") from error


def ensure_database(target: JdbcTarget) -> None:
    """Create the target's database when the server has no such database yet."""
    maintenance = target.with_database("postgres")
    with connect(maintenance) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (target.database,)).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{target.database}"')


def connect_mysql(target: JdbcTarget, timeout_s: int = 5) -> pymysql.connections.Connection:
    """A MySQL/MariaDB session (autocommit) for setting up source tables; Spark reads them over JDBC."""
    try:
        return pymysql.connect(host=target.host, port=target.port, user=target.user, password=target.password,
                               database=target.database or None, autocommit=True, connect_timeout=timeout_s,
                               local_infile=False)
    except pymysql.err.OperationalError as error:
        raise JdbcError(
            f"cannot connect to MySQL/MariaDB at {target.describe()}: {error.args[-1]}. Start it with "
            f".ci/start-mariadb or point GLUE_LOCAL_MYSQL_URL at a server (see docs/sources.md)"
        ) from error


def is_reachable(target: JdbcTarget) -> bool:
    try:
        if target.engine in ("mysql", "mariadb"):
            connect_mysql(target, timeout_s=3).close()
            return True
        with connect(target.with_database("postgres"), timeout_s=3):
            return True
    except JdbcError:
        return False


# What a driver says when it cannot reach or log in to its server (PostgreSQL's and Connector/J's words).
_UNREACHABLE = ("connection refused", "communications link failure", "unknownhost", "timed out",
                "password authentication failed", "access denied", "no pg_hba.conf entry", "connection attempt failed")


def read_failed(connection_name: str, target: JdbcTarget, table: str, text: str) -> JdbcError:
    """One line for a JDBC read that failed: which connection, which server, what to check. The
    driver's first line only (the whole Java stack goes to the job's log); never a password."""
    reason = next((line.strip() for line in text.splitlines() if line.strip()), "unknown error")
    if target.password:
        reason = reason.replace(target.password, "***")
    if any(marker in text.lower() for marker in _UNREACHABLE):
        hint = (f"Check that the database runs and accepts connections on {target.host}:{target.port}, the "
                f"connection's JDBC URL, user and secret, and on AWS the jobs' security group rule to that port")
    else:
        hint = "Check source.table, source.bookmark_keys, source.parallel and source.filter in the dataset's config"
    return JdbcError(f"cannot read {table} through Glue connection {connection_name} ({target.describe()}): "
                     f"{reason[:300]}. {hint}")
