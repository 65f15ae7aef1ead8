"""The stand-in's JDBC sources against real servers: RDS PostgreSQL (PostgreSQL), RDS MySQL (MariaDB
through Glue 5.1's MySQL driver) and Redshift (the PostgreSQL stand-in): full and incremental reads,
updated rows, parallel reads (hashfield / hashexpression + hashpartitions) giving the same rows as a
single read, filters run by the database (sampleQuery), and a server that does not answer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from awsglue.context import GlueContext
from awsglue.job import Job
from awsglue.utils import getResolvedOptions
from localglue.services import jdbc
from localglue.services.catalog import LocalDataCatalog

PLANES = [(f"N{n:03d}{'AB'[n % 2]}", 1990 + n % 30, None if n % 11 == 0 else 100 + n % 250) for n in range(1, 301)]


class Run:
    """One job run with bookmarks enabled: GlueContext + Job, committed by commit()."""

    def __init__(self, spark, job_name: str = "extract"):
        argv = ["job.py", "--JOB_NAME", job_name, "--JOB_RUN_ID", f"jr_{job_name}",
                "--job-bookmark-option", "job-bookmark-enable"]
        self.glue_context = GlueContext(spark.sparkContext)
        self.job = Job(self.glue_context)
        self.job.init(job_name, getResolvedOptions(argv, ["JOB_NAME"]))

    def read(self, engine: str, connection: str, table: str, ctx: str = "extract_planes", **options):
        return self.glue_context.create_dynamic_frame.from_options(
            connection_type=engine,
            connection_options={"useConnectionProperties": "true", "connectionName": connection, "dbtable": table,
                                "jobBookmarkKeysSortOrder": "asc", **options},
            transformation_ctx=ctx).toDF()

    def commit(self) -> None:
        self.job.commit()


def sorted_rows(frame, *columns) -> list[tuple]:
    if not frame.columns:
        return []
    return sorted((tuple(r) for r in frame.select(*columns).collect()), key=repr)


def register(home: Path, name: str, url: str) -> jdbc.JdbcTarget:
    target = jdbc.parse_url(url)
    LocalDataCatalog(home / "catalog").create_connection(jdbc.connection_input(name, target))
    return target


def mysql(target: jdbc.JdbcTarget, *statements: str, rows=None) -> list[tuple]:
    with jdbc.connect_mysql(target) as connection, connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
        if rows:
            cursor.executemany(rows[0], rows[1])
        return list(cursor.fetchall()) if cursor.description else []


def postgres(target: jdbc.JdbcTarget, *statements: str, rows=None) -> None:
    with jdbc.connect(target) as connection:
        for statement in statements:
            connection.execute(statement)
        if rows:
            connection.cursor().executemany(rows[0], rows[1])


@pytest.fixture
def fleet(local_home, mysql_url) -> jdbc.JdbcTarget:
    """MariaDB table planes(tailnum, year, seats, updated_at) with 300 rows, as the fleet-db connection."""
    target = register(local_home, "fleet-db", mysql_url)
    mysql(target, "CREATE TABLE planes (tailnum VARCHAR(16) PRIMARY KEY, year INT, seats INT, "
                  "updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6))",
          rows=("INSERT INTO planes (tailnum, year, seats) VALUES (%s, %s, %s)", PLANES))
    return target


@pytest.fixture
def reference(local_home, postgres_url) -> jdbc.JdbcTarget:
    """PostgreSQL table reference.planes(tailnum, year, seats, change_seq) with the same 300 rows."""
    target = register(local_home, "reference-db", postgres_url)
    postgres(target, "CREATE SCHEMA reference",
             "CREATE TABLE reference.planes (tailnum text PRIMARY KEY, year int, seats int, "
             "change_seq bigserial NOT NULL)",
             rows=("INSERT INTO reference.planes (tailnum, year, seats) VALUES (%s, %s, %s)", PLANES))
    return target


@pytest.mark.mysql
def test_mysql_full_then_incremental_reads_follow_updated_at(spark, local_home, fleet):
    keys = {"jobBookmarkKeys": ["updated_at", "tailnum"]}
    first = Run(spark)
    assert sorted_rows(first.read("mysql", "fleet-db", "planes", **keys), "tailnum", "year", "seats") == sorted(PLANES, key=repr)
    first.commit()

    mysql(fleet, "UPDATE planes SET seats = 999 WHERE tailnum = 'N010A'",
          "INSERT INTO planes (tailnum, year, seats) VALUES ('N999Z', 2013, 50)")
    second = Run(spark)
    assert sorted_rows(second.read("mysql", "fleet-db", "planes", **keys), "tailnum", "seats") == \
        [("N010A", 999), ("N999Z", 50)]
    second.commit()

    mysql(fleet, "DELETE FROM planes WHERE tailnum = 'N999Z'")  # deletes are not seen: nothing new
    third = Run(spark)
    assert third.read("mysql", "fleet-db", "planes", **keys).count() == 0
    third.commit()
    bookmark = json.loads((local_home / "bookmarks" / "extract.json").read_text())["Contexts"]["extract_planes"]
    assert bookmark["keys"] == ["updated_at", "tailnum"] and bookmark["last"][1] == "N999Z"


@pytest.mark.mysql
@pytest.mark.parametrize("partitioning", [{"hashfield": "tailnum", "hashpartitions": "4"},
                                         {"hashfield": "seats", "hashpartitions": "3"},
                                         {"hashexpression": "year", "hashpartitions": "5"}])
def test_mysql_parallel_reads_give_the_rows_of_a_single_read(spark, local_home, fleet, partitioning):
    single = Run(spark).read("mysql", "fleet-db", "planes", ctx="")
    parallel = Run(spark).read("mysql", "fleet-db", "planes", ctx="", **partitioning)
    assert parallel.rdd.getNumPartitions() == int(partitioning["hashpartitions"])
    assert parallel.count() == single.count() == len(PLANES)   # NULL seats included once
    assert sorted_rows(parallel, "tailnum", "year", "seats") == sorted_rows(single, "tailnum", "year", "seats")


@pytest.mark.postgres
@pytest.mark.parametrize("partitioning", [{"hashfield": "tailnum", "hashpartitions": "4"},
                                         {"hashexpression": "seats", "hashpartitions": "7"}])
def test_postgresql_parallel_incremental_reads_give_the_rows_of_a_single_read(spark, local_home, reference,
                                                                             partitioning):
    keys = {"jobBookmarkKeys": ["change_seq"]}
    single = Run(spark, "single")
    expected = sorted_rows(single.read("postgresql", "reference-db", "reference.planes", **keys), "tailnum", "seats")
    parallel = Run(spark, "parallel")
    got = parallel.read("postgresql", "reference-db", "reference.planes", **keys, **partitioning)
    assert got.rdd.getNumPartitions() == int(partitioning["hashpartitions"])
    assert sorted_rows(got, "tailnum", "seats") == expected and len(expected) == len(PLANES)
    parallel.commit()

    postgres(reference, "UPDATE reference.planes SET seats = 7, change_seq = nextval('reference.planes_change_seq_seq') "
                        "WHERE tailnum IN ('N001B', 'N002A')")
    again = Run(spark, "parallel").read("postgresql", "reference-db", "reference.planes", **keys, **partitioning)
    assert sorted_rows(again, "tailnum", "seats") == [("N001B", 7), ("N002A", 7)]


@pytest.mark.mysql
def test_a_filter_runs_in_the_database_together_with_bookmarks_and_partitions(spark, local_home, fleet):
    options = {"jobBookmarkKeys": ["updated_at", "tailnum"], "hashfield": "tailnum", "hashpartitions": "3",
               "sampleQuery": "SELECT * FROM planes WHERE (seats >= 300) AND",
               "enablePartitioningForSampleQuery": "true"}
    run = Run(spark)
    got = run.read("mysql", "fleet-db", "planes", **options)
    assert sorted_rows(got, "tailnum") == sorted((t,) for t, _, seats in PLANES if seats is not None and seats >= 300)
    run.commit()
    mysql(fleet, "UPDATE planes SET seats = 301 WHERE tailnum = 'N001B'", "UPDATE planes SET seats = 5 WHERE tailnum = 'N002A'")
    assert sorted_rows(Run(spark).read("mysql", "fleet-db", "planes", **options), "tailnum", "seats") == [("N001B", 301)]


@pytest.mark.mysql
def test_a_sample_query_glue_cannot_extend_is_refused(spark, local_home, fleet):
    with pytest.raises(ValueError, match="must end with WHERE or AND"):
        Run(spark).read("mysql", "fleet-db", "planes", sampleQuery="SELECT * FROM planes WHERE seats > 1",
                        enablePartitioningForSampleQuery="true")
    with pytest.raises(ValueError, match="needs enablePartitioningForSampleQuery"):
        Run(spark).read("mysql", "fleet-db", "planes", sampleQuery="SELECT * FROM planes",
                        jobBookmarkKeys=["tailnum"])


@pytest.mark.postgres
def test_redshift_source_reads_the_stand_in_incrementally_and_needs_a_temp_dir(spark, local_home, reference,
                                                                                postgres_url):
    register(local_home, "warehouse", postgres_url)
    options = {"jobBookmarkKeys": ["change_seq"], "redshiftTmpDir": "s3://temp/redshift/planes/"}
    with pytest.raises(ValueError, match="redshiftTmpDir"):
        Run(spark).read("redshift", "warehouse", "reference.planes", jobBookmarkKeys=["change_seq"])
    first = Run(spark)
    assert first.read("redshift", "warehouse", "reference.planes", **options).count() == len(PLANES)
    first.commit()
    postgres(reference, "INSERT INTO reference.planes (tailnum, year, seats) VALUES ('N777R', 2013, 9)")
    assert sorted_rows(Run(spark).read("redshift", "warehouse", "reference.planes", **options), "tailnum") == [("N777R",)]


@pytest.mark.mysql
def test_an_unreachable_server_fails_in_one_line_naming_the_connection_without_the_password(spark, local_home):
    LocalDataCatalog(local_home / "catalog").create_connection(jdbc.connection_input(
        "fleet-db", jdbc.JdbcTarget("mysql", "127.0.0.1", 1, "fleet", "loader", "Sup3r-s3cret")))
    run = Run(spark)
    with pytest.raises(jdbc.JdbcError) as raised:
        run.read("mysql", "fleet-db", "planes", jobBookmarkKeys=["updated_at", "tailnum"])
    message = str(raised.value)
    assert "\n" not in message and "Sup3r-s3cret" not in message
    assert message.startswith("cannot read planes through Glue connection fleet-db (mysql://loader@127.0.0.1:1/fleet)")
    assert "Communications link failure" in message    # the driver's own words, its first line
    assert "Check that the database runs and accepts connections on 127.0.0.1:1" in message
    assert not (local_home / "bookmarks" / "extract.json").exists()   # nothing was committed
