"""`awsglue.context.GlueContext` and `awsglue.job.Job` of the local runtime, on the suite's SparkSession.

Every test gets a fresh GLUE_LOCAL_HOME (`local_home`): its lake, catalog and bookmarks start empty.
A "run" below is what a Glue job run does: a GlueContext, `Job.init` with the arguments
`getResolvedOptions` resolved, reads and writes, and (when it succeeds) `job.commit()`.
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest

from awsglue.context import GlueContext
from awsglue.dynamicframe import DynamicFrame
from awsglue.job import Job
from awsglue.utils import getResolvedOptions
from localglue.services import jdbc
from localglue.services.catalog import EntityNotFoundException, LocalDataCatalog, table_input

BASE_MTIME = 1_700_000_000


# ----------------------------------------------------------------------------- helpers
def lake_path(home: Path, uri: str) -> Path:
    assert uri.startswith("s3://")
    return home / "lake" / uri[len("s3://"):]


def put(home: Path, uri: str, text: str, mtime: int) -> Path:
    """A file as a source system would drop it into the raw zone, with a known modification time."""
    path = lake_path(home, uri)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    os.utime(path, (mtime, mtime))
    return path


def catalog(home: Path) -> LocalDataCatalog:
    return LocalDataCatalog(home / "catalog")


def context(spark) -> GlueContext:
    return GlueContext(spark.sparkContext)


class Run:
    """One job run: GlueContext + Job initialised from Glue-style arguments."""

    def __init__(self, spark, job_name: str, option: str | None):
        argv = ["job.py", "--JOB_NAME", job_name, "--JOB_RUN_ID", f"jr_{job_name}"]
        if option:
            argv += ["--job-bookmark-option", option]
        self.args = getResolvedOptions(argv, ["JOB_NAME"])
        self.glue_context = context(spark)
        self.job = Job(self.glue_context)
        self.job.init(self.args["JOB_NAME"], self.args)

    def read_csv(self, uri: str, ctx: str = "read_source") -> DynamicFrame:
        return self.glue_context.create_dynamic_frame.from_options(
            connection_type="s3", connection_options={"paths": [uri], "recurse": True},
            format="csv", format_options={"withHeader": True}, transformation_ctx=ctx)

    def commit(self) -> None:
        self.job.commit()


def rows(frame, *columns: str) -> list[tuple]:
    df = frame.toDF() if isinstance(frame, DynamicFrame) else frame
    return sorted((tuple(r) for r in df.select(*columns).collect()), key=repr)


def ids(frame) -> list[str]:
    df = frame.toDF()
    if not df.columns:      # what a read with nothing new gives
        return []
    return sorted(str(r[0]) for r in df.select("id").collect())


def bookmark_file(home: Path, job_name: str) -> Path:
    return home / "bookmarks" / f"{job_name}.json"


# ====================================================================== S3 from_options
def test_csv_files_with_different_headers_map_columns_by_name(spark, local_home):
    put(local_home, "s3://raw/flights/a.csv", "id,origin,dest\n1,JFK,LAX\n2,EWR,SFO\n", BASE_MTIME)
    put(local_home, "s3://raw/flights/b.csv", "dest,id\nORD,3\n", BASE_MTIME + 10)
    put(local_home, "s3://raw/flights/c.csv", "origin,id,carrier\nLGA,4,UA\n", BASE_MTIME + 20)

    frame = context(spark).create_dynamic_frame.from_options(
        connection_type="s3", connection_options={"paths": ["s3://raw/flights/"]},
        format="csv", format_options={"withHeader": True})

    df = frame.toDF()
    assert set(df.columns) >= {"id", "origin", "dest", "carrier"}
    assert rows(df, "id", "origin", "dest", "carrier") == sorted([
        ("1", "JFK", "LAX", None), ("2", "EWR", "SFO", None), ("3", None, "ORD", None), ("4", "LGA", None, "UA"),
    ], key=repr)


def test_csv_row_with_too_many_fields_gets_corrupt_record(spark, local_home):
    put(local_home, "s3://raw/t/a.csv", "id,name\n1,ann\n2,bob,EXTRA\n3,cy\n", BASE_MTIME)

    df = context(spark).create_dynamic_frame.from_options(
        connection_type="s3", connection_options={"paths": ["s3://raw/t/"]},
        format="csv", format_options={"withHeader": True}).toDF().cache()

    by_id = {r["id"]: r["_corrupt_record"] for r in df.collect()}
    assert by_id == {"1": None, "2": "2,bob,EXTRA", "3": None}


def test_csv_separator_and_quote_options(spark, local_home):
    put(local_home, "s3://raw/t/a.csv", "id|note\n1|'a|b'\n2|plain\n", BASE_MTIME)

    df = context(spark).create_dynamic_frame.from_options(
        connection_type="s3", connection_options={"paths": ["s3://raw/t/"]}, format="csv",
        format_options={"withHeader": True, "separator": "|", "quoteChar": "'"}).toDF()

    assert rows(df, "id", "note") == [("1", "a|b"), ("2", "plain")]


def test_json_lines_with_a_malformed_line(spark, local_home):
    put(local_home, "s3://raw/weather/w.json",
        '{"origin": "JFK", "temp": 39.02}\n{"origin": "LGA", "temp": \n{"origin": "EWR", "temp": 40.1, "wind": 5}\n',
        BASE_MTIME)

    df = context(spark).create_dynamic_frame.from_options(
        connection_type="s3", connection_options={"paths": ["s3://raw/weather/"]}, format="json").toDF().cache()

    assert dict(df.dtypes)["temp"] == "double"
    assert rows(df.where("_corrupt_record IS NULL"), "origin", "temp", "wind") == [
        ("EWR", 40.1, 5), ("JFK", 39.02, None)]
    assert [r[0] for r in df.where("_corrupt_record IS NOT NULL").select("_corrupt_record").collect()] == \
        ['{"origin": "LGA", "temp": ']


def test_parquet_files_are_read_with_merged_schemas(spark, local_home):
    spark.createDataFrame([(1, "a")], "id long, name string").write.parquet(
        str(lake_path(local_home, "s3://processed/t/batch=1")))
    spark.createDataFrame([(2, "b", 2.5)], "id long, name string, score double").write.parquet(
        str(lake_path(local_home, "s3://processed/t/batch=2")))

    df = context(spark).create_dynamic_frame.from_options(
        connection_type="s3", connection_options={"paths": ["s3://processed/t/"], "recurse": True},
        format="parquet").toDF()

    assert dict(df.dtypes)["id"] == "bigint"
    assert rows(df, "id", "name", "score") == [(1, "a", None), (2, "b", 2.5)]


def test_attach_filename_and_timestamp_columns(spark, local_home):
    put(local_home, "s3://raw/flights/2013-01.csv", "id\n1\n2\n", BASE_MTIME)
    put(local_home, "s3://raw/flights/2013-02.csv", "id\n3\n", BASE_MTIME + 3600)

    df = context(spark).create_dynamic_frame.from_options(
        connection_type="s3",
        connection_options={"paths": ["s3://raw/flights/"], "attachFilename": "src_file",
                            "attachTimestamp": "src_ms"},
        format="csv", format_options={"withHeader": True}).toDF()

    assert "_metadata" not in df.columns
    assert dict(df.dtypes)["src_ms"] == "bigint"
    assert rows(df, "id", "src_file", "src_ms") == [
        ("1", "s3://raw/flights/2013-01.csv", BASE_MTIME * 1000),
        ("2", "s3://raw/flights/2013-01.csv", BASE_MTIME * 1000),
        ("3", "s3://raw/flights/2013-02.csv", (BASE_MTIME + 3600) * 1000),
    ]


def test_attach_filename_on_json_and_parquet(spark, local_home):
    put(local_home, "s3://raw/j/x.json", '{"id": 1}\n', BASE_MTIME)
    spark.createDataFrame([(7,)], "id int").coalesce(1).write.parquet(str(lake_path(local_home, "s3://raw/p")))
    options = {"attachFilename": "f", "recurse": True}

    json_rows = context(spark).create_dynamic_frame.from_options(
        connection_type="s3", connection_options={"paths": ["s3://raw/j/"], **options}, format="json").toDF()
    parquet_rows = context(spark).create_dynamic_frame.from_options(
        connection_type="s3", connection_options={"paths": ["s3://raw/p/"], **options}, format="parquet").toDF()

    assert rows(json_rows, "id", "f") == [(1, "s3://raw/j/x.json")]
    [(value, name)] = rows(parquet_rows, "id", "f")
    assert value == 7 and name.startswith("s3://raw/p/part-") and name.endswith(".parquet")


def test_recurse_false_reads_only_the_top_folder(spark, local_home):
    put(local_home, "s3://raw/r/top.csv", "id\n1\n", BASE_MTIME)
    put(local_home, "s3://raw/r/nested/deep.csv", "id\n2\n", BASE_MTIME + 1)
    glue_context = context(spark)

    def read(recurse):
        return ids(glue_context.create_dynamic_frame.from_options(
            connection_type="s3", connection_options={"paths": ["s3://raw/r/"], "recurse": recurse},
            format="csv", format_options={"withHeader": True}))

    assert read(True) == ["1", "2"]
    assert read("true") == ["1", "2"]
    assert read(False) == ["1"]
    assert read("false") == ["1"]
    default = glue_context.create_dynamic_frame.from_options(
        connection_type="s3", connection_options={"paths": ["s3://raw/r/"]}, format="csv",
        format_options={"withHeader": True})
    assert ids(default) == ["1"]  # Glue reads nested folders only with recurse


def test_hidden_and_marker_files_are_neither_read_nor_bookmarked(spark, local_home):
    put(local_home, "s3://raw/h/data.csv", "id\n1\n", BASE_MTIME)
    put(local_home, "s3://raw/h/_SUCCESS", "id\n8\n", BASE_MTIME)
    put(local_home, "s3://raw/h/.data.csv.crc", "id\n9\n", BASE_MTIME)
    put(local_home, "s3://raw/h/_temporary/0/part-0.csv", "id\n10\n", BASE_MTIME)
    run = Run(spark, "extract", "job-bookmark-enable")

    assert ids(run.read_csv("s3://raw/h/")) == ["1"]
    run.commit()
    state = json.loads(bookmark_file(local_home, "extract").read_text())["Contexts"]["read_source"]
    assert list(state["files"]) == ["s3://raw/h/data.csv"]


def test_exclusions_leave_out_the_files_their_globs_match_and_keep_them_out_of_the_bookmark(spark, local_home):
    put(local_home, "s3://raw/x/a.csv", "id\n1\n", BASE_MTIME)
    put(local_home, "s3://raw/x/b[1].csv", "id\n2\n", BASE_MTIME)
    put(local_home, "s3://raw/x/b1.csv", "id\n3\n", BASE_MTIME)
    put(local_home, "s3://raw/x/sub/c.pdf", "id\n4\n", BASE_MTIME)
    put(local_home, "s3://raw/x/sub/d.csv", "id\n5\n", BASE_MTIME)
    put(local_home, "s3://raw/x/e.csv", "id\n6\n", BASE_MTIME)
    run = Run(spark, "extract", "job-bookmark-enable")

    def read(exclusions: str) -> list[str]:
        return ids(run.glue_context.create_dynamic_frame.from_options(
            connection_type="s3", format="csv", format_options={"withHeader": True}, transformation_ctx="read_source",
            connection_options={"paths": ["s3://raw/x/"], "recurse": True, "exclusions": exclusions}))

    # An escaped glob names one object ([1] is no character class); ** crosses folders, * does not;
    # {..,..} is either subpattern.
    assert read(json.dumps(["s3://raw/x/b\\[1\\].csv", "**.pdf", "s3://raw/x/*/d.csv", "s3://raw/x/{e,z}.csv"])) \
        == ["1", "3"]
    assert read(json.dumps(["s3://raw/x/*.csv"])) == ["4", "5"]  # * stays within its folder
    assert read(json.dumps(["s3://raw/x/b[!1].csv", "s3://raw/x/[a-c]?.csv"])) == ["1", "2", "4", "5", "6"]
    run.commit()
    state = json.loads(bookmark_file(local_home, "extract").read_text())["Contexts"]["read_source"]
    assert "s3://raw/x/b1.csv" not in state["files"]  # the last read excluded it: the next run still reads it


def test_exclusions_must_be_a_json_list_in_a_string_as_glue_takes_them(spark, local_home):
    put(local_home, "s3://raw/x/a.csv", "id\n1\n", BASE_MTIME)
    for wrong in (["**.pdf"], "**.pdf", '{"a": 1}'):
        with pytest.raises(ValueError, match="exclusions' must be a string holding a JSON list"):
            context(spark).create_dynamic_frame.from_options(
                connection_type="s3", format="csv", connection_options={"paths": ["s3://raw/x/"], "exclusions": wrong})


def test_empty_path_gives_a_frame_without_columns(spark, local_home):
    (local_home / "lake" / "raw" / "empty").mkdir(parents=True)

    frame = context(spark).create_dynamic_frame.from_options(
        connection_type="s3", connection_options={"paths": ["s3://raw/empty/"]}, format="parquet",
        transformation_ctx="nothing")

    assert isinstance(frame, DynamicFrame)
    assert frame.toDF().columns == []
    assert frame.count() == 0
    missing = context(spark).create_dynamic_frame.from_options(
        connection_type="s3", connection_options={"paths": ["s3://raw/never-created/"]}, format="csv")
    assert missing.toDF().columns == []


def test_unsupported_source_types_and_formats_are_refused(spark, local_home):
    glue_context = context(spark)

    with pytest.raises(NotImplementedError, match="mongodb"):
        glue_context.create_dynamic_frame.from_options(connection_type="mongodb", connection_options={})
    with pytest.raises(NotImplementedError, match="avro"):
        glue_context.create_dynamic_frame.from_options(
            connection_type="s3", connection_options={"paths": ["s3://raw/x/"]}, format="avro")
    with pytest.raises(ValueError, match="paths"):
        glue_context.create_dynamic_frame.from_options(connection_type="s3", connection_options={}, format="csv")


# ===================================================================== bookmarks via Job
def test_enable_reads_each_file_once_after_commit(spark, local_home):
    put(local_home, "s3://raw/f/1.csv", "id\n1\n", BASE_MTIME)
    put(local_home, "s3://raw/f/2.csv", "id\n2\n", BASE_MTIME + 10)

    first = Run(spark, "extract", "job-bookmark-enable")
    assert ids(first.read_csv("s3://raw/f/")) == ["1", "2"]
    first.commit()

    second = Run(spark, "extract", "job-bookmark-enable")
    nothing = second.read_csv("s3://raw/f/")
    assert nothing.toDF().columns == [] and nothing.count() == 0
    second.commit()

    put(local_home, "s3://raw/f/3.csv", "id\n3\n", BASE_MTIME + 20)
    third = Run(spark, "extract", "job-bookmark-enable")
    assert ids(third.read_csv("s3://raw/f/")) == ["3"]
    third.commit()

    committed = json.loads(bookmark_file(local_home, "extract").read_text())
    assert committed["Version"] == 3
    assert committed["Contexts"]["read_source"]["files"] == {
        "s3://raw/f/1.csv": BASE_MTIME * 1000, "s3://raw/f/2.csv": (BASE_MTIME + 10) * 1000,
        "s3://raw/f/3.csv": (BASE_MTIME + 20) * 1000}


def test_enable_reads_a_resent_file_again(spark, local_home):
    put(local_home, "s3://raw/f/1.csv", "id\n1\n", BASE_MTIME)
    first = Run(spark, "extract", "job-bookmark-enable")
    ids(first.read_csv("s3://raw/f/"))
    first.commit()

    put(local_home, "s3://raw/f/1.csv", "id\n1\n11\n", BASE_MTIME + 100)
    second = Run(spark, "extract", "job-bookmark-enable")

    assert ids(second.read_csv("s3://raw/f/")) == ["1", "11"]


def test_failed_run_commits_nothing_and_the_rerun_reads_the_same_files(spark, local_home):
    put(local_home, "s3://raw/f/1.csv", "id\n1\n", BASE_MTIME)
    put(local_home, "s3://raw/f/2.csv", "id\n2\n", BASE_MTIME + 10)

    failed = Run(spark, "extract", "job-bookmark-enable")
    assert ids(failed.read_csv("s3://raw/f/")) == ["1", "2"]
    # ... the job fails here: job.commit() is never reached.
    assert not bookmark_file(local_home, "extract").exists()

    rerun = Run(spark, "extract", "job-bookmark-enable")
    assert ids(rerun.read_csv("s3://raw/f/")) == ["1", "2"]


def test_contexts_and_jobs_keep_separate_bookmarks(spark, local_home):
    put(local_home, "s3://raw/a/1.csv", "id\n1\n", BASE_MTIME)
    put(local_home, "s3://raw/b/1.csv", "id\n9\n", BASE_MTIME)
    first = Run(spark, "extract", "job-bookmark-enable")
    ids(first.read_csv("s3://raw/a/", ctx="read_a"))
    first.commit()

    second = Run(spark, "extract", "job-bookmark-enable")
    other_job = Run(spark, "other", "job-bookmark-enable")

    assert ids(second.read_csv("s3://raw/a/", ctx="read_a")) == []
    assert ids(second.read_csv("s3://raw/b/", ctx="read_b")) == ["9"]
    assert ids(other_job.read_csv("s3://raw/a/", ctx="read_a")) == ["1"]


def test_read_without_transformation_ctx_is_not_bookmarked(spark, local_home):
    put(local_home, "s3://raw/f/1.csv", "id\n1\n", BASE_MTIME)
    first = Run(spark, "extract", "job-bookmark-enable")
    ids(first.read_csv("s3://raw/f/", ctx=""))
    first.commit()

    second = Run(spark, "extract", "job-bookmark-enable")
    assert ids(second.read_csv("s3://raw/f/", ctx="")) == ["1"]


def test_pause_reads_new_files_but_commits_nothing(spark, local_home):
    put(local_home, "s3://raw/f/1.csv", "id\n1\n", BASE_MTIME)
    enabled = Run(spark, "extract", "job-bookmark-enable")
    ids(enabled.read_csv("s3://raw/f/"))
    enabled.commit()
    committed = bookmark_file(local_home, "extract").read_text()
    put(local_home, "s3://raw/f/2.csv", "id\n2\n", BASE_MTIME + 10)

    paused = Run(spark, "extract", "job-bookmark-pause")
    assert ids(paused.read_csv("s3://raw/f/")) == ["2"]
    paused.commit()
    assert bookmark_file(local_home, "extract").read_text() == committed

    paused_again = Run(spark, "extract", "job-bookmark-pause")
    assert ids(paused_again.read_csv("s3://raw/f/")) == ["2"]
    paused_again.commit()

    enabled_again = Run(spark, "extract", "job-bookmark-enable")
    assert ids(enabled_again.read_csv("s3://raw/f/")) == ["2"]


def test_disable_reads_everything_every_time_and_writes_no_bookmark(spark, local_home):
    put(local_home, "s3://raw/f/1.csv", "id\n1\n", BASE_MTIME)
    put(local_home, "s3://raw/f/2.csv", "id\n2\n", BASE_MTIME + 10)

    for _ in range(2):
        run = Run(spark, "extract", "job-bookmark-disable")
        assert ids(run.read_csv("s3://raw/f/")) == ["1", "2"]
        run.commit()

    default = Run(spark, "extract", None)     # no --job-bookmark-option: Glue's default is disable
    assert default.args["job_bookmark_option"] == "job-bookmark-disable"
    assert ids(default.read_csv("s3://raw/f/")) == ["1", "2"]
    default.commit()
    assert not bookmark_file(local_home, "extract").exists()
    assert not any((local_home / "bookmarks").glob("*")) if (local_home / "bookmarks").exists() else True


def test_disable_ignores_an_existing_bookmark(spark, local_home):
    put(local_home, "s3://raw/f/1.csv", "id\n1\n", BASE_MTIME)
    enabled = Run(spark, "extract", "job-bookmark-enable")
    ids(enabled.read_csv("s3://raw/f/"))
    enabled.commit()
    before = bookmark_file(local_home, "extract").read_text()

    disabled = Run(spark, "extract", "job-bookmark-disable")
    assert ids(disabled.read_csv("s3://raw/f/")) == ["1"]
    disabled.commit()
    assert bookmark_file(local_home, "extract").read_text() == before


def test_commit_before_init_raises(spark, local_home):
    with pytest.raises(RuntimeError, match="before Job.init"):
        Job(context(spark)).commit()


def test_job_accepts_a_spark_session_and_refuses_other_types(spark, local_home):
    job = Job(spark)
    assert not job.isInitialized()
    job.init("from_session", {"job_bookmark_option": "job-bookmark-disable"})
    assert job.isInitialized()
    with pytest.raises(Exception, match="cannot init Job instance"):
        Job("not a context")


# =============================================================== getSink + catalog updates
def flights_frame(spark, rows_, with_delay=False):
    schema = "id long, carrier string, year int, month int" + (", delay double" if with_delay else "")
    return spark.createDataFrame(rows_, schema)


def write_with_sink(glue_context, frame, behavior="UPDATE_IN_DATABASE", database="curated_db",
                    path="s3://curated/flights/", keys=("year", "month")):
    sink = glue_context.getSink(connection_type="s3", path=path, enableUpdateCatalog=True,
                                updateBehavior=behavior, partitionKeys=list(keys),
                                transformation_ctx="write_curated")
    sink.setFormat("glueparquet")
    sink.setCatalogInfo(catalogDatabase=database, catalogTableName="flights")
    return sink.writeFrame(DynamicFrame.fromDF(frame, glue_context, "curated"))


def partition_locations(home: Path, table: str = "flights", database: str = "curated_db") -> dict:
    return {tuple(p["Values"]): p["StorageDescriptor"]["Location"]
            for p in catalog(home).get_partitions(DatabaseName=database, TableName=table)["Partitions"]}


def test_sink_creates_the_catalog_table_and_registers_partitions(spark, local_home):
    catalog(local_home).ensure_database("curated_db")
    glue_context = context(spark)

    errors = write_with_sink(glue_context, flights_frame(spark, [(1, "UA", 2013, 1), (2, "AA", 2013, 2)]))

    table = catalog(local_home).get_table(DatabaseName="curated_db", Name="flights")["Table"]
    assert table["StorageDescriptor"]["Columns"] == [{"Name": "id", "Type": "bigint"},
                                                     {"Name": "carrier", "Type": "string"}]
    assert table["PartitionKeys"] == [{"Name": "year", "Type": "int"}, {"Name": "month", "Type": "int"}]
    assert table["StorageDescriptor"]["Location"] == "s3://curated/flights/"
    assert table["Parameters"]["classification"] == "parquet"
    assert table["VersionId"] == "1"
    assert partition_locations(local_home) == {
        ("2013", "1"): "s3://curated/flights/year=2013/month=1/",
        ("2013", "2"): "s3://curated/flights/year=2013/month=2/"}
    written = sorted(p.relative_to(local_home / "lake").as_posix()
                     for p in (local_home / "lake" / "curated").rglob("*.parquet"))
    assert {"/".join(p.split("/")[:4]) for p in written} == {"curated/flights/year=2013/month=1",
                                                              "curated/flights/year=2013/month=2"}
    assert isinstance(errors, DynamicFrame) and errors.count() == 0


def test_sink_records_a_new_column_as_a_new_table_version(spark, local_home):
    catalog(local_home).ensure_database("curated_db")
    write_with_sink(context(spark), flights_frame(spark, [(1, "UA", 2013, 1)]))

    write_with_sink(context(spark), flights_frame(spark, [(2, "AA", 2013, 1, 4.5), (3, "DL", 2013, 3, 0.0)],
                                                  with_delay=True))

    versions = catalog(local_home).get_table_versions(DatabaseName="curated_db", TableName="flights")["TableVersions"]
    assert [v["VersionId"] for v in versions] == ["2", "1"]
    assert versions[0]["Table"]["StorageDescriptor"]["Columns"] == [
        {"Name": "id", "Type": "bigint"}, {"Name": "carrier", "Type": "string"}, {"Name": "delay", "Type": "double"}]
    assert [c["Name"] for c in versions[1]["Table"]["StorageDescriptor"]["Columns"]] == ["id", "carrier"]
    assert sorted(partition_locations(local_home)) == [("2013", "1"), ("2013", "3")]

    # An unchanged schema does not add a version.
    write_with_sink(context(spark), flights_frame(spark, [(4, "B6", 2013, 3, 1.0)], with_delay=True))
    assert len(catalog(local_home).get_table_versions(
        DatabaseName="curated_db", TableName="flights")["TableVersions"]) == 2


def test_sink_with_log_behavior_keeps_the_table_but_adds_partitions(spark, local_home):
    catalog(local_home).ensure_database("curated_db")
    write_with_sink(context(spark), flights_frame(spark, [(1, "UA", 2013, 1)]))

    write_with_sink(context(spark), flights_frame(spark, [(2, "AA", 2013, 5, 4.5)], with_delay=True),
                    behavior="LOG")

    table = catalog(local_home).get_table(DatabaseName="curated_db", Name="flights")["Table"]
    assert table["VersionId"] == "1"
    assert [c["Name"] for c in table["StorageDescriptor"]["Columns"]] == ["id", "carrier"]
    assert partition_locations(local_home) == {
        ("2013", "1"): "s3://curated/flights/year=2013/month=1/",
        ("2013", "5"): "s3://curated/flights/year=2013/month=5/"}


def test_sink_with_invalid_update_behavior_is_refused(spark, local_home):
    catalog(local_home).ensure_database("curated_db")

    with pytest.raises(ValueError, match="updateBehavior"):
        write_with_sink(context(spark), flights_frame(spark, [(1, "UA", 2013, 1)]), behavior="MERGE")


def test_sink_into_a_missing_database_raises_naming_it_and_writes_nothing(spark, local_home):
    with pytest.raises(EntityNotFoundException) as raised:
        write_with_sink(context(spark), flights_frame(spark, [(1, "UA", 2013, 1)]), database="no_such_db")

    assert "no_such_db" in str(raised.value)
    assert not list((local_home / "lake").rglob("*.parquet"))


def test_sink_without_catalog_update_writes_files_only(spark, local_home):
    glue_context = context(spark)
    sink = glue_context.getSink(connection_type="s3", path="s3://curated/plain/", partitionKeys=["year"])
    sink.setFormat("glueparquet")
    sink.writeFrame(DynamicFrame.fromDF(flights_frame(spark, [(1, "UA", 2013, 1)]), glue_context, "plain"))

    assert list((local_home / "lake" / "curated" / "plain" / "year=2013").glob("*.parquet"))
    assert not (local_home / "catalog" / "tables").exists()


def test_sink_partition_values_needing_escapes_are_registered_unescaped(spark, local_home):
    catalog(local_home).ensure_database("curated_db")
    frame = spark.createDataFrame([(1, "a b/c"), (2, "x=y")], "id long, carrier string")

    write_with_sink(context(spark), frame, keys=("carrier",))

    assert sorted(partition_locations(local_home)) == [("a b/c",), ("x=y",)]
    back = context(spark).create_dynamic_frame.from_catalog(database="curated_db", table_name="flights")
    assert rows(back, "id", "carrier") == [(1, "a b/c"), (2, "x=y")]


# ==================================================================== from_catalog
@pytest.fixture
def curated_flights(spark, local_home):
    """A partitioned curated table written and registered through a Glue sink."""
    catalog(local_home).ensure_database("curated_db")
    write_with_sink(context(spark), flights_frame(spark, [
        (1, "UA", 2013, 1), (2, "AA", 2013, 1), (3, "DL", 2013, 2), (4, "B6", 2014, 1)]))
    return "s3://curated/flights/"


def test_from_catalog_reads_registered_partitions_typed_as_in_the_catalog(spark, local_home, curated_flights):
    frame = context(spark).create_dynamic_frame.from_catalog(database="curated_db", table_name="flights")

    df = frame.toDF()
    assert df.columns == ["id", "carrier", "year", "month"]
    assert dict(df.dtypes) == {"id": "bigint", "carrier": "string", "year": "int", "month": "int"}
    assert rows(df, "id", "carrier", "year", "month") == [
        (1, "UA", 2013, 1), (2, "AA", 2013, 1), (3, "DL", 2013, 2), (4, "B6", 2014, 1)]


def test_from_catalog_push_down_predicate_reads_only_matching_partitions(spark, local_home, curated_flights):
    glue_context = context(spark)

    january = glue_context.create_dynamic_frame.from_catalog(
        database="curated_db", table_name="flights", push_down_predicate="year = 2013 AND month = 1")
    later = glue_context.create_dynamic_frame.from_catalog(
        database="curated_db", table_name="flights", push_down_predicate="year > 2013 OR month >= 2")
    none = glue_context.create_dynamic_frame.from_catalog(
        database="curated_db", table_name="flights", push_down_predicate="year = 1999")

    assert rows(january, "id", "year", "month") == [(1, 2013, 1), (2, 2013, 1)]
    assert dict(january.toDF().dtypes)["month"] == "int"
    assert rows(later, "id") == [(3,), (4,)]
    assert none.count() == 0


def test_from_catalog_reads_a_column_added_by_a_later_write(spark, local_home):
    catalog(local_home).ensure_database("curated_db")
    write_with_sink(context(spark), flights_frame(spark, [(1, "UA", 2013, 1)]))
    write_with_sink(context(spark), flights_frame(spark, [(2, "AA", 2013, 2, 4.5)], with_delay=True))

    back = context(spark).create_dynamic_frame.from_catalog(database="curated_db", table_name="flights")

    assert back.toDF().columns == ["id", "carrier", "delay", "year", "month"]
    assert rows(back, "id", "delay", "month") == [(1, None, 1), (2, 4.5, 2)]


def test_from_catalog_ignores_unregistered_partition_folders(spark, local_home, curated_flights):
    stray = lake_path(local_home, "s3://curated/flights/year=2099/month=1")
    spark.createDataFrame([(99, "ZZ")], "id long, carrier string").write.parquet(str(stray))

    frame = context(spark).create_dynamic_frame.from_catalog(database="curated_db", table_name="flights")

    assert rows(frame, "id") == [(1,), (2,), (3,), (4,)]


def test_from_catalog_string_partition_values_keep_their_text(spark, local_home):
    catalog(local_home).ensure_database("curated_db")
    frame = spark.createDataFrame([(1, "01"), (2, "007")], "id long, day string")
    write_with_sink(context(spark), frame, keys=("day",))

    back = context(spark).create_dynamic_frame.from_catalog(database="curated_db", table_name="flights").toDF()

    assert dict(back.dtypes)["day"] == "string"
    assert rows(back, "id", "day") == [(1, "01"), (2, "007")]
    pruned = context(spark).create_dynamic_frame.from_catalog(database="curated_db", table_name="flights",
                                                              push_down_predicate="day = '007'")
    assert rows(pruned, "id", "day") == [(2, "007")]


def test_from_catalog_null_partition_values_read_back_as_null(spark, local_home):
    catalog(local_home).ensure_database("curated_db")
    write_with_sink(context(spark), flights_frame(spark, [(1, "UA", 2013, 1), (2, "AA", 2013, None)]))

    back = context(spark).create_dynamic_frame.from_catalog(database="curated_db", table_name="flights")

    assert sorted(partition_locations(local_home)) == [("2013", "1"), ("2013", "__HIVE_DEFAULT_PARTITION__")]
    assert rows(back, "id", "year", "month") == [(1, 2013, 1), (2, 2013, None)]


def test_from_catalog_unpartitioned_csv_table(spark, local_home):
    put(local_home, "s3://raw/airlines/airlines.csv", "carrier,name\nUA,United\nAA,American\n", BASE_MTIME)
    catalog(local_home).ensure_database("raw_db")
    catalog(local_home).create_table(DatabaseName="raw_db", TableInput=table_input(
        "airlines", "s3://raw/airlines/", [{"Name": "carrier", "Type": "string"}, {"Name": "name", "Type": "string"}],
        "csv", parameters={"skip.header.line.count": "1"}))

    frame = context(spark).create_dynamic_frame.from_catalog(database="raw_db", table_name="airlines")

    assert frame.toDF().columns == ["carrier", "name"]
    assert rows(frame, "carrier", "name") == [("AA", "American"), ("UA", "United")]


def test_from_catalog_partitioned_csv_table_with_its_delimiter(spark, local_home):
    put(local_home, "s3://raw/planes/year=2013/p.csv", "tailnum|seats\nN10156|55\n", BASE_MTIME)
    put(local_home, "s3://raw/planes/year=2014/p.csv", "tailnum|seats\nN102UW|182\n", BASE_MTIME)
    catalog(local_home).ensure_database("raw_db")
    catalog(local_home).create_table(DatabaseName="raw_db", TableInput=table_input(
        "planes", "s3://raw/planes/", [{"Name": "tailnum", "Type": "string"}, {"Name": "seats", "Type": "string"}],
        "csv", [{"Name": "year", "Type": "int"}], parameters={"skip.header.line.count": "1"},
        serde_parameters={"field.delim": "|"}))
    catalog(local_home).batch_create_partition(DatabaseName="raw_db", TableName="planes", PartitionInputList=[
        {"Values": [y], "StorageDescriptor": {"Location": f"s3://raw/planes/year={y}/"}} for y in ("2013", "2014")])

    frame = context(spark).create_dynamic_frame.from_catalog(database="raw_db", table_name="planes",
                                                             push_down_predicate="year = 2014")

    assert rows(frame, "tailnum", "seats", "year") == [("N102UW", "182", 2014)]


def test_from_catalog_missing_table_raises(spark, local_home):
    catalog(local_home).ensure_database("curated_db")

    with pytest.raises(EntityNotFoundException, match="Table nope not found in database curated_db"):
        context(spark).create_dynamic_frame.from_catalog(database="curated_db", table_name="nope")
    with pytest.raises(Exception, match="table_name is missing"):
        context(spark).create_dynamic_frame.from_catalog(database="curated_db")


def test_from_catalog_with_bookmarks_reads_new_partitions_only(spark, local_home, curated_flights):
    def read(run):
        return run.glue_context.create_dynamic_frame.from_catalog(
            database="curated_db", table_name="flights", transformation_ctx="read_curated")

    first = Run(spark, "report", "job-bookmark-enable")
    assert rows(read(first), "id") == [(1,), (2,), (3,), (4,)]
    first.commit()

    second = Run(spark, "report", "job-bookmark-enable")
    assert read(second).count() == 0
    second.commit()

    write_with_sink(context(spark), flights_frame(spark, [(5, "WN", 2014, 2)]))
    third = Run(spark, "report", "job-bookmark-enable")
    assert rows(read(third), "id", "year", "month") == [(5, 2014, 2)]


# ==================================================================== writes
def test_write_from_options_parquet_with_partition_keys(spark, local_home):
    glue_context = context(spark)
    frame = DynamicFrame.fromDF(flights_frame(spark, [(1, "UA", 2013, 1), (2, "AA", 2014, 2)]), glue_context, "f")

    glue_context.write_dynamic_frame.from_options(
        frame=frame, connection_type="s3",
        connection_options={"path": "s3://processed/out/", "partitionKeys": ["year", "month"]}, format="parquet")

    folder = local_home / "lake" / "processed" / "out"
    assert list((folder / "year=2013" / "month=1").glob("*.parquet"))
    assert list((folder / "year=2014" / "month=2").glob("*.parquet"))
    back = spark.read.parquet(str(folder))
    assert rows(back, "id", "carrier", "year", "month") == [(1, "UA", 2013, 1), (2, "AA", 2014, 2)]


def test_write_from_options_csv_writes_a_header_and_appends(spark, local_home):
    glue_context = context(spark)
    for batch in ([(1, "UA")], [(2, "AA")]):
        frame = DynamicFrame.fromDF(spark.createDataFrame(batch, "id int, carrier string").coalesce(1),
                                    glue_context, "f")
        glue_context.write_dynamic_frame.from_options(
            frame, "s3", {"path": "s3://processed/csv/"}, format="csv")

    files = sorted((local_home / "lake" / "processed" / "csv").glob("*.csv"))
    contents = [list(csv.reader(p.open())) for p in files]
    assert len(files) == 2
    assert all(rows_[0] == ["id", "carrier"] for rows_ in contents)
    assert sorted(tuple(r) for rows_ in contents for r in rows_[1:]) == [("1", "UA"), ("2", "AA")]


def test_write_from_options_to_an_unsupported_target_is_refused(spark, local_home):
    glue_context = context(spark)
    frame = DynamicFrame.fromDF(spark.createDataFrame([(1,)], "id int"), glue_context, "f")

    with pytest.raises(NotImplementedError, match="dynamodb"):
        glue_context.write_dynamic_frame.from_options(frame, "dynamodb", {})


def test_write_from_catalog_writes_to_the_table_location(spark, local_home):
    catalog(local_home).ensure_database("curated_db")
    catalog(local_home).create_table(DatabaseName="curated_db", TableInput=table_input(
        "flights", "s3://curated/by_catalog/", [{"Name": "id", "Type": "bigint"}, {"Name": "carrier", "Type": "string"}],
        "parquet", [{"Name": "year", "Type": "int"}]))
    glue_context = context(spark)
    frame = DynamicFrame.fromDF(spark.createDataFrame([(1, "UA", 2013), (2, "AA", 2014)],
                                                      "id long, carrier string, year int"), glue_context, "f")

    glue_context.write_dynamic_frame.from_catalog(frame=frame, database="curated_db", table_name="flights")

    folder = local_home / "lake" / "curated" / "by_catalog"
    assert list((folder / "year=2013").glob("*.parquet")) and list((folder / "year=2014").glob("*.parquet"))
    # Without enableUpdateCatalog the catalog is not touched: new partitions are not registered.
    assert partition_locations(local_home) == {}

    more = DynamicFrame.fromDF(spark.createDataFrame([(3, "DL", 2015)], "id long, carrier string, year int"),
                               glue_context, "g")
    glue_context.write_dynamic_frame.from_catalog(
        frame=more, database="curated_db", table_name="flights",
        additional_options={"enableUpdateCatalog": True, "updateBehavior": "LOG"})

    assert partition_locations(local_home) == {
        ("2013",): "s3://curated/by_catalog/year=2013/", ("2014",): "s3://curated/by_catalog/year=2014/",
        ("2015",): "s3://curated/by_catalog/year=2015/"}
    read_back = glue_context.create_dynamic_frame.from_catalog(database="curated_db", table_name="flights")
    assert rows(read_back, "id", "year") == [(1, 2013), (2, 2014), (3, 2015)]


# ======================================================================== JDBC
def register_connection(home: Path, name: str, url: str) -> jdbc.JdbcTarget:
    target = jdbc.parse_url(url)
    catalog(home).create_connection(jdbc.connection_input(name, target))
    return target


def sql(target: jdbc.JdbcTarget, statement: str, params=None) -> list[tuple]:
    with jdbc.connect(target) as connection:
        cursor = connection.execute(statement, params)
        return cursor.fetchall() if cursor.description else []


def jdbc_read(run: Run, connection_name: str, table: str = "public.airlines"):
    return run.glue_context.create_dynamic_frame.from_options(
        connection_type="postgresql",
        connection_options={"useConnectionProperties": "true", "connectionName": connection_name,
                            "dbtable": table, "jobBookmarkKeys": ["seq"], "jobBookmarkKeysSortOrder": "asc"},
        transformation_ctx="extract_airlines")


@pytest.mark.postgres
def test_jdbc_source_with_bookmark_keys_reads_only_new_rows(spark, local_home, postgres_url):
    target = register_connection(local_home, "reference-db", postgres_url)
    sql(target, "CREATE TABLE public.airlines (seq bigint PRIMARY KEY, carrier text, name text)")
    sql(target, "INSERT INTO public.airlines VALUES (1, 'UA', 'United'), (2, 'AA', 'American'), (3, 'DL', 'Delta')")

    first = Run(spark, "extract", "job-bookmark-enable")
    frame = jdbc_read(first, "reference-db")
    assert rows(frame, "seq", "carrier", "name") == [(1, "UA", "United"), (2, "AA", "American"), (3, "DL", "Delta")]
    first.commit()

    sql(target, "INSERT INTO public.airlines VALUES (4, 'B6', 'JetBlue'), (5, 'WN', 'Southwest')")
    second = Run(spark, "extract", "job-bookmark-enable")
    assert rows(jdbc_read(second, "reference-db"), "seq", "carrier") == [(4, "B6"), (5, "WN")]
    second.commit()

    third = Run(spark, "extract", "job-bookmark-enable")
    empty = jdbc_read(third, "reference-db")
    assert empty.toDF().columns == [] and empty.count() == 0
    third.commit()
    state = json.loads(bookmark_file(local_home, "extract").read_text())["Contexts"]["extract_airlines"]
    assert state == {"type": "jdbc", "keys": ["seq"], "last": [5]}


@pytest.mark.postgres
def test_jdbc_source_without_commit_rereads_and_disable_reads_all(spark, local_home, postgres_url):
    target = register_connection(local_home, "reference-db", postgres_url)
    sql(target, "CREATE TABLE public.airlines (seq int PRIMARY KEY, carrier text)")
    sql(target, "INSERT INTO public.airlines VALUES (1, 'UA'), (2, 'AA')")
    committed = Run(spark, "extract", "job-bookmark-enable")
    jdbc_read(committed, "reference-db").count()
    committed.commit()
    sql(target, "INSERT INTO public.airlines VALUES (3, 'DL')")

    failed = Run(spark, "extract", "job-bookmark-enable")
    assert rows(jdbc_read(failed, "reference-db"), "seq") == [(3,)]
    rerun = Run(spark, "extract", "job-bookmark-enable")
    assert rows(jdbc_read(rerun, "reference-db"), "seq") == [(3,)]
    disabled = Run(spark, "extract", "job-bookmark-disable")
    assert rows(jdbc_read(disabled, "reference-db"), "seq") == [(1,), (2,), (3,)]


@pytest.mark.postgres
def test_jdbc_bookmark_never_moves_back_when_the_newest_rows_are_deleted(spark, local_home, postgres_url):
    target = register_connection(local_home, "reference-db", postgres_url)
    sql(target, "CREATE TABLE public.airlines (seq int PRIMARY KEY, carrier text)")
    sql(target, "INSERT INTO public.airlines VALUES (1, 'UA'), (2, 'AA'), (3, 'DL')")
    first = Run(spark, "extract", "job-bookmark-enable")
    jdbc_read(first, "reference-db").count()
    first.commit()
    sql(target, "DELETE FROM public.airlines WHERE seq = 3")

    second = Run(spark, "extract", "job-bookmark-enable")
    assert jdbc_read(second, "reference-db").count() == 0
    second.commit()
    sql(target, "INSERT INTO public.airlines VALUES (4, 'B6')")

    third = Run(spark, "extract", "job-bookmark-enable")
    assert rows(jdbc_read(third, "reference-db"), "seq") == [(4,)]


@pytest.mark.postgres
def test_jdbc_source_on_an_empty_table_gives_an_empty_frame(spark, local_home, postgres_url):
    target = register_connection(local_home, "reference-db", postgres_url)
    sql(target, "CREATE TABLE public.airlines (seq int PRIMARY KEY, carrier text)")

    run = Run(spark, "extract", "job-bookmark-enable")

    assert jdbc_read(run, "reference-db").count() == 0


@pytest.mark.postgres
def test_jdbc_source_with_a_missing_connection_names_it(spark, local_home, postgres_url):
    run = Run(spark, "extract", "job-bookmark-enable")

    with pytest.raises(EntityNotFoundException) as raised:
        jdbc_read(run, "no-such-connection")

    assert "no-such-connection" in str(raised.value)


WAREHOUSE_PREACTIONS = (
    "CREATE TABLE IF NOT EXISTS public.airlines_wh (carrier text PRIMARY KEY, name text);"
    "DROP TABLE IF EXISTS public.airlines_wh_stage;"
    "CREATE TABLE public.airlines_wh_stage (LIKE public.airlines_wh);"
)
WAREHOUSE_POSTACTIONS = (
    "BEGIN;"
    "DELETE FROM public.airlines_wh USING public.airlines_wh_stage "
    "WHERE public.airlines_wh.carrier = public.airlines_wh_stage.carrier;"
    "INSERT INTO public.airlines_wh SELECT * FROM public.airlines_wh_stage;"
    "DROP TABLE public.airlines_wh_stage;"
    "END;"
)


def load_warehouse(spark, database: str, batch: list[tuple], postactions: str = WAREHOUSE_POSTACTIONS):
    glue_context = context(spark)
    frame = DynamicFrame.fromDF(spark.createDataFrame(batch, "carrier string, name string"), glue_context, "wh")
    return glue_context.write_dynamic_frame.from_jdbc_conf(
        frame=frame, catalog_connection="warehouse",
        connection_options={"dbtable": "public.airlines_wh_stage", "database": database,
                            "preactions": WAREHOUSE_PREACTIONS, "postactions": postactions},
        redshift_tmp_dir="s3://tmp/redshift/", transformation_ctx="load_airlines_warehouse")


@pytest.mark.postgres
def test_from_jdbc_conf_runs_preactions_load_and_postactions(spark, local_home, postgres_url):
    target = register_connection(local_home, "warehouse", postgres_url)

    load_warehouse(spark, target.database, [("UA", "United"), ("AA", "American")])

    assert sql(target, "SELECT carrier, name FROM public.airlines_wh ORDER BY carrier") == [
        ("AA", "American"), ("UA", "United")]
    assert sql(target, "SELECT to_regclass('public.airlines_wh_stage')") == [(None,)]


@pytest.mark.postgres
def test_from_jdbc_conf_twice_with_the_same_rows_leaves_no_duplicates(spark, local_home, postgres_url):
    target = register_connection(local_home, "warehouse", postgres_url)

    load_warehouse(spark, target.database, [("UA", "United"), ("AA", "American")])
    load_warehouse(spark, target.database, [("UA", "United Airlines"), ("AA", "American"), ("DL", "Delta")])

    assert sql(target, "SELECT carrier, name FROM public.airlines_wh ORDER BY carrier") == [
        ("AA", "American"), ("DL", "Delta"), ("UA", "United Airlines")]


@pytest.mark.postgres
def test_from_jdbc_conf_failing_postaction_raises_and_leaves_the_target_unchanged(spark, local_home,
                                                                                   postgres_url):
    target = register_connection(local_home, "warehouse", postgres_url)
    load_warehouse(spark, target.database, [("UA", "United")])
    broken = WAREHOUSE_POSTACTIONS.replace("SELECT * FROM public.airlines_wh_stage",
                                           "SELECT * FROM public.missing_stage")

    with pytest.raises(jdbc.JdbcError) as raised:
        load_warehouse(spark, target.database, [("UA", "Changed"), ("DL", "Delta")], postactions=broken)

    message = str(raised.value)
    assert "public.airlines_wh_stage" in message
    assert "postactions" in message
    assert "public.missing_stage" in message          # the SQL that failed
    assert sql(target, "SELECT carrier, name FROM public.airlines_wh ORDER BY carrier") == [("UA", "United")]


@pytest.mark.postgres
def test_from_jdbc_conf_with_a_missing_connection_names_it(spark, local_home, postgres_url):
    glue_context = context(spark)
    frame = DynamicFrame.fromDF(spark.createDataFrame([("UA", "United")], "carrier string, name string"),
                                glue_context, "wh")

    with pytest.raises(EntityNotFoundException, match="'warehouse'"):
        glue_context.write_dynamic_frame.from_jdbc_conf(
            frame=frame, catalog_connection="warehouse", connection_options={"dbtable": "public.t"})


# ====================================================================== Iceberg, as Glue's data lake formats
def iceberg_conf(home: Path, catalog_name: str = "glue_catalog") -> str:
    """The --conf of an Iceberg catalog over the test's local catalog folder (what LocalDeployment gives)."""
    prefix = f"spark.sql.catalog.{catalog_name}"
    settings = {
        "spark.sql.extensions": "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions",
        prefix: "org.apache.iceberg.spark.SparkCatalog",
        f"{prefix}.catalog-impl": "org.apache.iceberg.jdbc.JdbcCatalog",
        f"{prefix}.uri": f"jdbc:sqlite:{home / 'catalog' / 'iceberg-catalog.sqlite'}",
        f"{prefix}.jdbc.schema-version": "V1",
        f"{prefix}.warehouse": (home / "lake" / "curated").as_uri(),
        f"{prefix}.cache-enabled": "false",
    }
    return " --conf ".join(f"{key}={value}" for key, value in settings.items())


def glue_context_with(spark, monkeypatch, *arguments: str) -> GlueContext:
    monkeypatch.setattr("sys.argv", ["job.py", *arguments])
    return context(spark)


def test_the_jobs_iceberg_conf_gives_a_catalog_the_local_data_catalog_lists(spark, local_home, monkeypatch):
    catalog(local_home).ensure_database("curated_db")
    glue_context = glue_context_with(spark, monkeypatch, "--datalake-formats", "iceberg",
                                     "--conf", iceberg_conf(local_home))

    glue_context.spark_session.sql("CREATE NAMESPACE IF NOT EXISTS glue_catalog.curated_db")
    glue_context.spark_session.sql("CREATE TABLE glue_catalog.curated_db.trips (id bigint, carrier string) "
                                   "USING iceberg TBLPROPERTIES ('format-version' = '2')")
    glue_context.spark_session.sql("INSERT INTO glue_catalog.curated_db.trips VALUES (1, 'UA'), (2, 'AA')")

    table = catalog(local_home).get_table(DatabaseName="curated_db", Name="trips")["Table"]
    assert table["Parameters"]["table_type"] == "ICEBERG"
    assert table["Parameters"]["metadata_location"].endswith(".metadata.json")
    assert table["StorageDescriptor"]["Columns"] == [{"Name": "id", "Type": "bigint"},
                                                     {"Name": "carrier", "Type": "string"}]
    assert [t["Name"] for t in catalog(local_home).get_tables(DatabaseName="curated_db")["TableList"]] == ["trips"]
    assert catalog(local_home).table_exists("curated_db", "trips")


def test_dynamic_frame_catalog_reads_and_writes_refuse_iceberg_tables_as_glue_does(spark, local_home, monkeypatch):
    catalog(local_home).ensure_database("curated_db")
    glue_context = glue_context_with(spark, monkeypatch, "--datalake-formats", "iceberg",
                                     "--conf", iceberg_conf(local_home))
    glue_context.spark_session.sql("CREATE NAMESPACE IF NOT EXISTS glue_catalog.curated_db")
    glue_context.spark_session.sql("CREATE TABLE glue_catalog.curated_db.trips (id bigint) USING iceberg")
    frame = DynamicFrame.fromDF(spark.createDataFrame([(1,)], "id bigint"), glue_context, "trips")

    with pytest.raises(ValueError, match=r"create_dynamic_frame.from_catalog does not support ICEBERG tables .*"
                                         r"curated_db.trips is one; use Spark SQL or the DataFrame API"):
        glue_context.create_dynamic_frame.from_catalog(database="curated_db", table_name="trips")
    with pytest.raises(ValueError, match=r"write_dynamic_frame.from_catalog does not support ICEBERG tables"):
        glue_context.write_dynamic_frame.from_catalog(frame=frame, database="curated_db", table_name="trips")
    sink = glue_context.getSink(connection_type="s3", path="s3://curated/trips/", enableUpdateCatalog=True)
    sink.setFormat("glueparquet")
    sink.setCatalogInfo(catalogDatabase="curated_db", catalogTableName="trips")
    with pytest.raises(ValueError, match=r"a DynamicFrame sink with setCatalogInfo does not support ICEBERG tables"):
        sink.writeFrame(frame)


def test_an_iceberg_conf_without_datalake_formats_iceberg_is_refused(spark, local_home, monkeypatch):
    with pytest.raises(ValueError, match=r"--conf configures Apache Iceberg but --datalake-formats does not name "
                                         r"iceberg"):
        glue_context_with(spark, monkeypatch, "--conf", iceberg_conf(local_home))


def test_a_conf_spark_cannot_change_while_it_runs_is_refused_naming_it(spark, local_home, monkeypatch):
    with pytest.raises(ValueError, match=r"--conf spark.sql.shuffle.partitions=3: this Spark started with '8' and "
                                         r"the setting cannot change while it runs"):
        glue_context_with(spark, monkeypatch, "--conf", "spark.sql.shuffle.partitions=3")
