"""`localglue.services.lake`: s3:// URIs as folders of the local lake, for Python code and for Spark itself."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from localglue.services import lake


def touch(path: Path, text: str = "x", mtime: int | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


# ------------------------------------------------------------------------- mapping
@pytest.mark.parametrize("uri, bucket, key", [
    ("s3://raw/flights/2013/01.csv", "raw", "flights/2013/01.csv"),
    ("s3a://raw/flights/", "raw", "flights/"),
    ("s3://raw", "raw", ""),
    ("s3://raw/", "raw", ""),
])
def test_split_uri(uri, bucket, key):
    assert lake.split_uri(uri) == (bucket, key)
    assert lake.is_s3_uri(uri)


@pytest.mark.parametrize("value", ["/tmp/x", "file:///tmp/x", "hdfs://nn/x", "s3:/raw/x", "raw/flights"])
def test_non_s3_values_are_not_uris(value):
    assert not lake.is_s3_uri(value)
    with pytest.raises(lake.LakePathError, match="not an S3 URI"):
        lake.split_uri(value)


def test_uri_to_path_and_back(tmp_path):
    root = tmp_path / "lake"

    path = lake.to_local_path(root, "s3://raw/flights/2013/01.csv")

    assert path == root / "raw" / "flights" / "2013" / "01.csv"
    touch(path)
    assert lake.to_uri(root, path) == "s3://raw/flights/2013/01.csv"
    assert lake.to_local_path(root, "s3a://raw/flights/") == root / "raw" / "flights"


def test_plain_paths_map_to_themselves(tmp_path):
    assert lake.to_local_path(tmp_path, "/data/in.csv") == Path("/data/in.csv")
    assert lake.to_local_path(tmp_path, "file:///data/in.csv") == Path("/data/in.csv")


def test_to_uri_refuses_a_path_outside_the_lake(tmp_path):
    with pytest.raises(ValueError):
        lake.to_uri(tmp_path / "lake", tmp_path / "elsewhere" / "file.csv")


def test_buckets_in_finds_buckets_in_arguments_and_comma_lists():
    values = ["script.py", "--raw_path", "s3://raw-bucket/data/", "--env", "dev",
              "--extra-py-files", "s3://scripts/lib.zip, s3a://more-scripts/x.py", "--TempDir", "s3://tmp"]

    assert lake.buckets_in(values) == {"raw-bucket", "scripts", "more-scripts", "tmp"}
    assert lake.buckets_in(["no", "uris", "/local/path"]) == set()


# ------------------------------------------------------------------------- listing
def test_list_files_skips_hidden_files_and_sorts_by_modification_time(tmp_path):
    root = tmp_path / "lake"
    folder = root / "raw" / "flights"
    touch(folder / "b.csv", mtime=1_700_000_300)
    touch(folder / "a.csv", mtime=1_700_000_200)
    touch(folder / "c.csv", mtime=1_700_000_100)
    touch(folder / "_SUCCESS")
    touch(folder / ".a.csv.crc")
    touch(folder / "_temporary" / "0" / "part-0.csv")
    touch(folder / ".hidden" / "part-1.csv")

    files = lake.list_files(root, ["s3://raw/flights/"])

    assert [f.uri for f in files] == ["s3://raw/flights/c.csv", "s3://raw/flights/a.csv", "s3://raw/flights/b.csv"]
    assert [f.modified_ms for f in files] == [1_700_000_100_000, 1_700_000_200_000, 1_700_000_300_000]
    assert files[0].path == folder / "c.csv"
    assert files[0].size == 1


def test_list_files_recurses_only_when_asked(tmp_path):
    root = tmp_path / "lake"
    touch(root / "raw" / "weather" / "top.json", mtime=1_700_000_000)
    touch(root / "raw" / "weather" / "year=2013" / "month=1" / "part.json", mtime=1_700_000_100)

    deep = lake.list_files(root, ["s3://raw/weather/"], recurse=True)
    flat = lake.list_files(root, ["s3://raw/weather/"], recurse=False)

    assert [f.uri for f in deep] == ["s3://raw/weather/top.json", "s3://raw/weather/year=2013/month=1/part.json"]
    assert [f.uri for f in flat] == ["s3://raw/weather/top.json"]


def test_list_files_takes_files_folders_and_missing_paths_without_duplicates(tmp_path):
    root = tmp_path / "lake"
    touch(root / "raw" / "a" / "1.csv", mtime=1_700_000_000)
    touch(root / "raw" / "b" / "2.csv", mtime=1_700_000_001)

    files = lake.list_files(root, ["s3://raw/a/1.csv", "s3://raw/a/", "s3://raw/b", "s3://raw/missing/"])

    assert [f.uri for f in files] == ["s3://raw/a/1.csv", "s3://raw/b/2.csv"]


def test_list_files_with_same_mtime_is_ordered_by_uri(tmp_path):
    root = tmp_path / "lake"
    for name in ("z.csv", "m.csv", "a.csv"):
        touch(root / "raw" / "t" / name, mtime=1_700_000_000)

    assert [f.uri.rsplit("/", 1)[1] for f in lake.list_files(root, ["s3://raw/t/"])] == ["a.csv", "m.csv", "z.csv"]


def test_list_files_under_a_local_folder_gives_file_uris(tmp_path):
    touch(tmp_path / "in" / "x.csv")

    files = lake.list_files(tmp_path / "lake", [str(tmp_path / "in")])

    assert [f.uri for f in files] == [(tmp_path / "in" / "x.csv").as_uri()]


# ------------------------------------------------------------- Spark over s3:// URIs
def test_spark_writes_and_reads_s3_uris_in_the_lake(spark, tmp_path):
    root = tmp_path / "lake"
    lake.mount_buckets(spark.sparkContext, root, ["lake-test-bucket"])
    rows = [(1, "JFK", 2013), (2, "LGA", 2013), (3, "EWR", 2014)]
    frame = spark.createDataFrame(rows, "id int, origin string, year int")

    frame.write.mode("overwrite").partitionBy("year").parquet("s3://lake-test-bucket/curated/flights/")

    written = sorted(p.relative_to(root).as_posix() for p in (root / "lake-test-bucket").rglob("*.parquet"))
    assert written and all(p.startswith("lake-test-bucket/curated/flights/year=") for p in written)
    assert {p.split("/")[3] for p in written} == {"year=2013", "year=2014"}
    assert (root / "lake-test-bucket" / "curated" / "flights" / "_SUCCESS").is_file()

    back = spark.read.parquet("s3://lake-test-bucket/curated/flights/")
    assert sorted(tuple(r) for r in back.select("id", "origin", "year").collect()) == rows
    # Spark reports the files under their s3:// names, as on Glue.
    names = {r[0] for r in back.select("_metadata.file_path").collect()}
    assert names and all(n.startswith("s3://lake-test-bucket/curated/flights/year=") for n in names)
    # What Spark wrote is what the Python side of the runtime lists.
    listed = lake.list_files(root, ["s3://lake-test-bucket/curated/flights/"])
    assert sorted(f.path.relative_to(root).as_posix() for f in listed) == written


def test_spark_reads_a_file_placed_in_the_lake_through_s3a(spark, tmp_path):
    root = tmp_path / "lake"
    touch(root / "lake-raw-bucket" / "in" / "data.csv", "a,b\n1,x\n2,y\n")
    lake.mount_buckets(spark.sparkContext, root, ["lake-raw-bucket"])

    rows = spark.read.option("header", True).csv("s3a://lake-raw-bucket/in/").collect()

    assert sorted((r.a, r.b) for r in rows) == [("1", "x"), ("2", "y")]


def test_mounting_a_bucket_again_points_it_at_the_new_lake(spark, tmp_path):
    first, second = tmp_path / "lake1", tmp_path / "lake2"
    touch(first / "lake-moving-bucket" / "t" / "d.csv", "v\nfirst\n")
    touch(second / "lake-moving-bucket" / "t" / "d.csv", "v\nsecond\n")

    lake.mount_buckets(spark.sparkContext, first, ["lake-moving-bucket"])
    one = spark.read.option("header", True).csv("s3://lake-moving-bucket/t/").collect()
    lake.mount_buckets(spark.sparkContext, second, ["lake-moving-bucket"])
    two = spark.read.option("header", True).csv("s3://lake-moving-bucket/t/").collect()

    assert [r.v for r in one] == ["first"]
    assert [r.v for r in two] == ["second"]
