"""A corpus of bad input, each class as a user meets it, through extract and transform in one job run
per source format: for every input row, where it went (valid, quarantined with which rules and its
source text, or duplicate), for every file what the run reported, and read = valid + quarantined +
duplicates. Nothing is lost, silently changed, or blocks the rest of the batch."""

from __future__ import annotations

import bz2
import gzip
import io
import json
import os
from decimal import Decimal

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from etl_deploy.config_bundle import read_config, write_bundle
from etl_pipeline.config import PipelineConfig
from etl_pipeline.stages.extract import ExtractContext, extract_dataset
from etl_pipeline.stages.transform import TransformContext, transform_dataset
from etl_pipeline.zones import Zones

from ..conftest import BASE_MTIME, EXTRACTED_AT, PIPELINE_DOCUMENT, ZONE_ARGUMENTS

HEADER = b"trip_id,carrier,fare\n"

# file name -> (bytes, {trip_id text: expected outcome}); outcome = "valid", "duplicate" or the
# sorted failed rules of a quarantined row. One class per file unless said otherwise.
CSV_CORPUS = {
    "plain.csv": (HEADER + b"1,UA,10\n", {"1": "valid"}),
    # 1. a UTF-8 byte order mark before the header
    "bom.csv": (b"\xef\xbb\xbf" + HEADER + b"2,UA,3\n", {"2": "valid"}),
    # 2. bytes that are not UTF-8 in a value (Latin-1 e-acute): quarantined, never loaded as U+FFFD
    "latin1.csv": (HEADER + b"3,UA,5\n4,\xe9A,5\n", {"3": "valid", "4": ["carrier_invalid_utf8"]}),
    # 3. a quoted field with a line break: one record, not two fragments
    "multiline.csv": (HEADER + b'5,"U\nA",5\n6,AA,6\n', {"5": ["carrier_max_length"], "6": "valid"}),
    # 4. a 0-byte file: no rows, reported as empty, does not block the batch
    "zero.csv": (b"", {}),
    # 5. a header-only file
    "header_only.csv": (HEADER, {}),
    # 6. gzip and 7. bzip2 compressed files, read through their codec
    "compressed.csv.gz": (gzip.compress(HEADER + b"7,UA,7\n"), {"7": "valid"}),
    "compressed.csv.bz2": (bz2.compress(HEADER + b"8,UA,8\n"), {"8": "valid"}),
    # 8. glob characters in the file name
    "trips[2024]{a}.csv": (HEADER + b"9,UA,9\n", {"9": "valid"}),
    # 9. CRLF line endings
    "crlf.csv": (HEADER.replace(b"\n", b"\r\n") + b"10,UA,10\r\n", {"10": "valid"}),
    # 10. more scale than the column: 12.345 is no decimal(6,2), never rounded to 12.35
    "scale.csv": (HEADER + b"11,UA,12.345\n12,UA,12.340\n", {"11": ["fare_is_decimal"], "12": "valid"}),
    # 11. a value too large for the column's precision
    "precision.csv": (HEADER + b"13,UA,123456.7\n", {"13": ["fare_is_decimal"]}),
    # 12. a record with an extra field, 13. one with a missing field
    "ragged.csv": (HEADER + b"14,UA,1,surplus\n15,UA\n", {"14": ["malformed_record"], "15": ["malformed_record"]}),
    # 14. empty values where NULL is allowed load as NULL; whitespace-only is NULL in a trimmed text
    # column, but in a number column it is no number: quarantined, not silently made NULL
    "empty_values.csv": (HEADER + b"16,,\n17,  ,  \n", {"16": "valid", "17": ["fare_is_decimal"]}),
    # 15. a huge field
    "huge.csv": (HEADER + b"18," + b"X" * 100_000 + b",1\n", {"18": ["carrier_max_length"]}),
    # 16. an embedded, escaped quote
    "quotes.csv": (HEADER + b'19,"U""A",1\n', {"19": ["carrier_max_length"]}),
    # keys: 17. missing, 18. not a number, 19. beyond bigint, 20. a fraction
    "keys.csv": (HEADER + b",UA,1\nabc,UA,1\n99999999999999999999,UA,1\n20.5,UA,1\n",
                 {"": ["trip_id_not_null"], "abc": ["trip_id_is_bigint"],
                  "99999999999999999999": ["trip_id_is_bigint"], "20.5": ["trip_id_is_bigint"]}),
    # 21. a DQDL quarantine rule (fare > 0) and 22. a warn rule (fare <= 100): warned rows load
    "rules.csv": (HEADER + b"21,UA,-1\n22,UA,250\n", {"21": ["fare_positive"], "22": "valid"}),
    # 23. the same key twice in a file: the later row wins, the earlier is a duplicate
    "dupes.csv": (HEADER + b"23,UA,1\n23,DL,2\n", {"23": ["duplicate", "valid"]}),
    # 24. a value in scientific notation
    "exponent.csv": (HEADER + b"24,UA,1e2\n", {"24": "valid"}),
    # 25. a header with surrounding spaces and a value with a leading/trailing space
    "spaces.csv": (b" trip_id , carrier , fare \n25, ua ,3\n", {"25": "valid"}),
}
# 26. hidden files Glue never reads: reported, not silently ignored
HIDDEN = {"_partial.csv": HEADER + b"90,UA,1\n", ".tmp.csv": HEADER + b"91,UA,1\n"}


def put_bytes(lake, uri: str, data: bytes) -> str:
    path = lake.path(uri)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    os.utime(path, (BASE_MTIME, BASE_MTIME))
    return uri


@pytest.fixture
def transform_context(glue_context, zones, config) -> TransformContext:
    return TransformContext(glue_context=glue_context, zones=zones, target_file_size_mb=config.target_file_size_mb)


def test_every_csv_row_lands_somewhere_and_every_file_is_reported(spark, lake, zones, trips, extract_context,
                                                                   start_job, transform_context):
    uris = {name: put_bytes(lake, f"s3://raw/trips/{name}", data) for name, (data, _) in CSV_CORPUS.items()}
    for name, data in HIDDEN.items():
        put_bytes(lake, f"s3://raw/trips/{name}", data)

    job = start_job("extract")
    extracted = extract_dataset(extract_context("b1"), trips)
    job.commit()
    transformed = transform_dataset(transform_context, trips)

    expected = {key: outcome for _, rows in CSV_CORPUS.values() for key, outcome in rows.items()}
    expected_rows = sum(len(o) if o == ["duplicate", "valid"] else 1 for o in expected.values())
    assert extracted["rows_read"] == transformed["rows_read"] == expected_rows
    assert sorted(extracted["empty_files"]) == sorted([uris["zero.csv"], uris["header_only.csv"]])
    assert extracted["hidden_files"] == ["s3://raw/trips/.tmp.csv", "s3://raw/trips/_partial.csv"]
    assert "never read" in extracted["warning"]
    assert extracted["file_count"] == len(CSV_CORPUS) - 2
    assert [entry["file"] for entry in extracted["not_utf8"]] == [uris["latin1.csv"]]  # the BOM is UTF-8

    valid = {r["trip_id"] for r in spark.read.parquet(zones.validated(trips, "b1")).collect()}
    rejected = spark.read.parquet(zones.rejected(trips, "b1")).collect()
    duplicates = {r["trip_id"] for r in spark.read.parquet(zones.duplicates(trips, "b1")).collect()}
    got = {str(v): "valid" for v in valid}
    for row in rejected:
        got[row["trip_id"] or ""] = sorted(row["etl_failed_rules"])
        assert row["etl_source_file"] in uris.values()  # the file it came from
    for key in duplicates:
        got[str(key)] = ["duplicate", "valid"]
    assert got == expected
    assert (transformed["rows_valid"], transformed["rows_quarantined"], transformed["duplicates_removed"]) == (
        len(valid), len(rejected), len(duplicates))
    assert transformed["rule_warnings"] == {"fare_at_most_100": 1}

    # Quarantined rows keep their source text as it arrived.
    by_key = {r["trip_id"]: r for r in rejected}
    assert by_key["5"]["carrier"] == "U\nA"
    assert by_key["11"]["fare"] == "12.345"
    assert by_key["4"]["carrier"] == "\ufffdA"
    assert len(by_key["18"]["carrier"]) == 100_000
    assert by_key["14"]["_corrupt_record"] == "14,UA,1,surplus"


JSON_CORPUS = (
    '{"sensor": "s1", "value": 1.5}\n'
    '{"sensor": "s2", "value": \n'                           # 1. a truncated line
    '{"sensor": "s3", "value": "high"}\n'                    # 2. text where a number belongs
    '{"sensor": null, "value": 1}\n'                         # 3. a missing key
    '{"sensor": "s5", "value": 1, "extra": {"a": [1]}}\n'    # 4. an unknown nested field (kept as text)
    '\n'                                                     # 5. a blank line
    '{"sensor": "s6"}\n'                                     # 6. a field absent
)


def test_every_json_line_lands_somewhere(spark, lake, zones, readings, extract_context, start_job, transform_context):
    lake.put("s3://raw/readings/r.json", JSON_CORPUS)

    job = start_job("extract")
    extracted = extract_dataset(extract_context("b1"), readings)
    job.commit()
    transformed = transform_dataset(transform_context, readings)

    assert extracted["rows_read"] == transformed["rows_read"] == 6
    valid = sorted(r["sensor"] for r in spark.read.parquet(zones.validated(readings, "b1")).collect())
    rejected = sorted((r["sensor"] or "", sorted(r["etl_failed_rules"]))
                      for r in spark.read.parquet(zones.rejected(readings, "b1")).collect())
    assert valid == ["s1", "s5", "s6"]
    assert rejected == [("", ["malformed_record", "sensor_not_null"]), ("", ["sensor_not_null"]),
                        ("s3", ["value_is_double"])]


# Files no reader can decode: a gzip cut short, bytes that are no bzip2 stream.
UNREADABLE = {
    "truncated.csv.gz": gzip.compress(HEADER + b"".join(b"%d,UA,1\n" % i for i in range(100, 200)))[:40],
    "garbage.csv.bz2": b"BZh91AY&SY" + b"\x00\x01not bzip2" * 8,
}


def test_an_unreadable_file_is_set_aside_with_its_reason_and_the_rest_of_the_batch_goes_on(
        spark, lake, zones, trips, extract_context, start_job):
    good = put_bytes(lake, "s3://raw/trips/good.csv", HEADER + b"1,UA,10\n2,DL,20\n")
    bad = {name: put_bytes(lake, f"s3://raw/trips/{name}", data) for name, data in UNREADABLE.items()}

    job = start_job("extract")
    extracted = extract_dataset(extract_context("b1"), trips)
    job.commit()

    assert (extracted["rows_read"], extracted.get("files"), extracted["files_set_aside"]) == (2, [good], 2), extracted
    assert "2 source file(s) could not be read and are set aside" in extracted["warning"]
    by_file = {entry["file"]: entry for entry in extracted["set_aside"]}
    assert sorted(by_file) == sorted(bad.values())
    for name, uri in bad.items():
        copy = f"s3://quarantine/trips/unreadable/batch_id=b1/{name}"
        assert by_file[uri]["copy"] == copy
        assert lake.path(copy).read_bytes() == UNREADABLE[name]  # the file as it arrived
        record = json.loads(lake.path(copy + ".reason.json").read_text())
        assert record == {"file": uri, "size": len(UNREADABLE[name]), "reason": by_file[uri]["reason"],
                          "batch_id": "b1", "set_aside_at": record["set_aside_at"], "copy": copy}
        assert "\n" not in record["reason"] and record["reason"]
    assert "Unexpected end of input stream" in by_file[bad["truncated.csv.gz"]]["reason"]
    assert lake.path(bad["truncated.csv.gz"]).exists()  # the raw zone keeps the original
    rows = {r["trip_id"]: r["etl_source_file"] for r in spark.read.parquet(zones.landing(trips, "b1")).collect()}
    assert rows == {"1": good, "2": good}

    # The next run does not read the set-aside files again (Glue's `exclusions` keep them out).
    job = start_job("extract")
    rerun = extract_dataset(extract_context("b2"), trips)
    job.commit()
    assert rerun == {"rows_read": 0, "nothing_new": True, "source": "s3://raw/trips/"}

    # The sender's fixed file, under a new name, loads.
    fixed = put_bytes(lake, "s3://raw/trips/truncated-resent.csv.gz", gzip.compress(HEADER + b"100,UA,1\n101,UA,2\n"))
    job = start_job("extract")
    replayed = extract_dataset(extract_context("b3"), trips)
    job.commit()
    assert (replayed["rows_read"], replayed["files"]) == (2, [fixed])
    assert "files_set_aside" not in replayed


def test_a_rerun_of_a_failed_batch_reports_the_files_that_batch_set_aside(lake, trips, extract_context, start_job):
    put_bytes(lake, "s3://raw/trips/good.csv", HEADER + b"1,UA,10\n")
    bad = put_bytes(lake, "s3://raw/trips/truncated.csv.gz", UNREADABLE["truncated.csv.gz"])
    start_job("extract")
    extract_dataset(extract_context("b1"), trips)  # the job fails later: no commit

    job = start_job("extract")
    rerun = extract_dataset(extract_context("b1"), trips)
    job.commit()

    assert (rerun["rows_read"], rerun["files_set_aside"]) == (1, 1)
    assert [entry["file"] for entry in rerun["set_aside"]] == [bad]


def test_a_failure_that_names_no_unreadable_file_still_fails_the_extract(lake, trips, extract_context, monkeypatch):
    from etl_pipeline.stages import extract

    put_bytes(lake, "s3://raw/trips/good.csv", HEADER + b"1,UA,10\n")
    monkeypatch.setattr(extract, "as_landing_rows", lambda frame, context, source_format: (_ for _ in ()).throw(
        OSError("connection reset while reading s3://raw/trips/good.csv")))

    with pytest.raises(OSError, match="connection reset"):
        extract_dataset(extract_context("b1"), trips)
    assert not lake.path("s3://quarantine/trips/unreadable").exists()  # good.csv reads fine alone


# Meter readings arrive as Parquet files, typed by whoever wrote them.
METERS_DOCUMENT = {
    "name": "meters",
    "source": {"type": "s3", "format": "parquet", "prefix": "meters/"},
    "primary_key": ["meter_id"],
    "columns": [{"name": "meter_id", "type": "bigint", "nullable": False}, {"name": "site", "type": "string"},
                {"name": "reading", "type": "decimal(10,2)"}, {"name": "note", "type": "string"}],
    "targets": {"curated": {"table": "meters"}, "warehouse": {"table": "meters"}},
}


def config_with(tmp_path, document: dict) -> tuple[PipelineConfig, Zones]:
    """A config of the one dataset `document`, checked as `make package` checks it, and its zones."""
    folder = tmp_path / f"{document['name']}-config"
    (folder / "datasets").mkdir(parents=True)
    (folder / "pipeline.yaml").write_text(yaml.safe_dump(PIPELINE_DOCUMENT))
    (folder / "datasets" / f"{document['name']}.yaml").write_text(yaml.safe_dump(document))
    write_bundle(folder, folder)
    config = read_config(folder)
    return config, Zones.from_arguments(config, ZONE_ARGUMENTS)


def parquet_bytes(columns: dict) -> bytes:
    """A Parquet file of the given pyarrow arrays, as a source system writes it."""
    sink = io.BytesIO()
    pq.write_table(pa.table(columns), sink)
    return sink.getvalue()


def test_every_parquet_row_lands_somewhere_and_an_unreadable_parquet_file_is_set_aside(
        spark, lake, glue_context, start_job, tmp_path):
    config, zones = config_with(tmp_path, METERS_DOCUMENT)
    meters = config.datasets["meters"]

    money = pa.decimal128(10, 2)
    files = {
        # 1. as configured
        "plain.parquet": parquet_bytes({"meter_id": pa.array([1], pa.int64()), "site": ["a"],
                                        "reading": pa.array([Decimal("1.50")], money), "note": ["ok"]}),
        # 2. the reading written as text: a number is loaded, a word quarantined
        "text_reading.parquet": parquet_bytes({"meter_id": pa.array([2, 3], pa.int64()), "site": ["a", "b"],
                                               "reading": ["2.25", "high"], "note": ["x", "y"]}),
        # 3. a nullable column missing: loaded as NULL
        "no_note.parquet": parquet_bytes({"meter_id": pa.array([4], pa.int64()), "site": ["c"],
                                          "reading": pa.array([Decimal("4.00")], money)}),
        # 4. a column the config does not know: kept in landing, reported
        "extra.parquet": parquet_bytes({"meter_id": pa.array([5], pa.int64()), "site": ["d"],
                                        "reading": pa.array([Decimal("5.00")], money), "note": ["z"],
                                        "voltage": pa.array([0.1 + 0.2])}),  # a double of 17 digits
        # 5. more scale than the column: 6.125 is no decimal(10,2), 7.1000 is 7.10
        "scale.parquet": parquet_bytes({"meter_id": pa.array([6, 7], pa.int64()), "site": ["e", "e"],
                                        "reading": pa.array([Decimal("6.1250"), Decimal("7.1000")], pa.decimal128(10, 4)),
                                        "note": [None, None]}),
        # 6. a NULL key, 7. the key as a 32-bit int
        "keys.parquet": parquet_bytes({"meter_id": pa.array([None, 8], pa.int32()), "site": ["f", "g"],
                                       "reading": pa.array([Decimal("1.00"), Decimal("8.00")], money),
                                       "note": [None, None]}),
        # 8. cut short: no reader can decode it
        "truncated.parquet": parquet_bytes({"meter_id": pa.array([9], pa.int64()), "site": ["h"],
                                            "reading": pa.array([Decimal("9.00")], money), "note": ["n"]})[:60],
        # 9. not Parquet at all
        "not_parquet.parquet": b"meter_id,site\n10,i\n",
    }
    uris = {name: put_bytes(lake, f"s3://raw/meters/{name}", data) for name, data in files.items()}

    job = start_job("extract")
    extracted = extract_dataset(ExtractContext(glue_context=glue_context, config=config, env="test", zones=zones,
                                               batch_id="b1", extracted_at=EXTRACTED_AT, use_fallback=False), meters)
    job.commit()
    transformed = transform_dataset(
        TransformContext(glue_context=glue_context, zones=zones, target_file_size_mb=1), meters)

    assert extracted["files_set_aside"] == 2
    assert sorted(e["file"] for e in extracted["set_aside"]) == [uris["not_parquet.parquet"], uris["truncated.parquet"]]
    assert lake.path("s3://quarantine/meters/unreadable/batch_id=b1/truncated.parquet").read_bytes() \
        == files["truncated.parquet"]
    assert extracted["rows_read"] == transformed["rows_read"] == 9
    # A Parquet double is the source's own value: nothing is flagged as rounded on the way in.
    landed = spark.read.parquet(zones.landing(meters, "b1")).collect()
    assert {r["voltage"] for r in landed} == {None, "0.30000000000000004"}
    assert all(r["etl_inexact_numbers"] == [] for r in landed)
    valid = {r["meter_id"]: (r["site"], r["reading"], r["note"])
             for r in spark.read.parquet(zones.validated(meters, "b1")).collect()}
    assert valid == {1: ("a", Decimal("1.50"), "ok"), 2: ("a", Decimal("2.25"), "x"), 4: ("c", Decimal("4.00"), None),
                     5: ("d", Decimal("5.00"), "z"), 7: ("e", Decimal("7.10"), None), 8: ("g", Decimal("8.00"), None)}
    rejected = {(r["meter_id"], r["reading"], tuple(sorted(r["etl_failed_rules"])), r["etl_source_file"])
                for r in spark.read.parquet(zones.rejected(meters, "b1")).collect()}
    assert rejected == {("3", "high", ("reading_is_decimal",), uris["text_reading.parquet"]),
                        ("6", "6.1250", ("reading_is_decimal",), uris["scale.parquet"]),
                        (None, "1.00", ("meter_id_not_null",), uris["keys.parquet"])}
    assert (transformed["rows_valid"], transformed["rows_quarantined"], transformed["duplicates_removed"]) == (6, 3, 0)
    changes = {(c["change"], c["column"]) for c in transformed["schema_changes"]}
    assert ("missing_column", "note") in changes
    assert any(column == "voltage" for _, column in changes)

    # The next run reads nothing: the set-aside files stay out, the others are bookmarked.
    job = start_job("extract")
    rerun = extract_dataset(ExtractContext(glue_context=glue_context, config=config, env="test", zones=zones,
                                           batch_id="b2", extracted_at=EXTRACTED_AT, use_fallback=False), meters)
    job.commit()
    assert rerun["rows_read"] == 0 and "files_set_aside" not in rerun


def test_a_file_with_bytes_that_are_not_utf8_is_kept_byte_for_byte_beside_its_quarantined_rows(
        spark, lake, zones, trips, extract_context, start_job, transform_context):
    data = HEADER + b"1,UA,5\n2,\xe9A,5\n3,D\xfc,6\n4,AA,7\n"  # Latin-1 bytes in two rows
    good = put_bytes(lake, "s3://raw/trips/good.csv", HEADER + b"5,UA,1\n")
    bad = put_bytes(lake, "s3://raw/trips/2024/latin1.csv", data)

    start_job("extract")
    extract_dataset(extract_context("b1"), trips)  # the job fails later: no commit
    job = start_job("extract")
    extracted = extract_dataset(extract_context("b1"), trips)  # its rerun, same batch
    job.commit()
    transformed = transform_dataset(transform_context, trips)

    copy = "s3://quarantine/trips/not_utf8/batch_id=b1/2024/latin1.csv"
    assert (extracted["rows_read"], extracted["files"]) == (5, [bad, good])
    assert (extracted["files_not_utf8"], extracted["rows_not_utf8"]) == (1, 2)
    assert extracted["not_utf8"] == [{"file": bad, "size": len(data), "rules": ["carrier_invalid_utf8"], "copy": copy}]
    assert "1 source file(s) hold bytes that are not UTF-8 (latin1.csv)" in extracted["warning"]
    assert lake.path(copy).read_bytes() == data  # the bytes the source sent
    record = json.loads(lake.path(copy + ".reason.json").read_text())
    assert record == {"file": bad, "size": len(data), "batch_id": "b1", "copy": copy, "copied_at": record["copied_at"],
                      "columns": ["carrier"], "rules": ["carrier_invalid_utf8"],
                      "reason": "bytes that are not UTF-8 in column(s) carrier, read as U+FFFD: 2 row(s) of this "
                                "file quarantined as carrier_invalid_utf8; this copy keeps the bytes as they arrived"}
    # The rerun replaced its own copy: one file and one record (beside the local file system's .crc files).
    assert sorted(p.name for p in lake.path("s3://quarantine/trips/not_utf8").rglob("[!.]*") if p.is_file()) == [
        "latin1.csv", "latin1.csv.reason.json"]
    assert lake.path(bad).read_bytes() == data  # the raw zone keeps the original

    # The file's other rows load; the rows with the bytes are quarantined as before.
    valid = sorted(r["trip_id"] for r in spark.read.parquet(zones.validated(trips, "b1")).collect())
    rejected = sorted((r["trip_id"], r["carrier"], r["etl_failed_rules"])
                      for r in spark.read.parquet(zones.rejected(trips, "b1")).collect())
    assert valid == [1, 4, 5]
    assert rejected == [("2", "\ufffdA", ["carrier_invalid_utf8"]), ("3", "D\ufffd", ["carrier_invalid_utf8"])]
    assert transformed["rule_failures"] == {"carrier_invalid_utf8": 2}

    # Not excluded from later reads, unlike an unreadable file: a new file loads beside it.
    put_bytes(lake, "s3://raw/trips/next.csv", HEADER + b"6,UA,1\n")
    job = start_job("extract")
    after = extract_dataset(extract_context("b2"), trips)
    job.commit()
    assert after["rows_read"] == 1 and "files_not_utf8" not in after


# Payments arrive as JSON lines; amounts are money, to the cent.
PAYMENTS_DOCUMENT = {
    "name": "payments",
    "source": {"type": "s3", "format": "json", "prefix": "payments/"},
    "primary_key": ["payment_id"],
    "columns": [{"name": "payment_id", "type": "bigint", "nullable": False},
                {"name": "amount", "type": "decimal(20,2)"}, {"name": "memo", "type": "string"},
                {"name": "reading", "type": "double"}, {"name": "details", "type": "string"}],
    "targets": {"curated": {"table": "payments"}, "warehouse": {"table": "payments"}},
}


def test_a_json_number_the_reader_rounded_through_a_double_is_quarantined_never_loaded_changed(
        spark, lake, glue_context, start_job, tmp_path):
    config, zones = config_with(tmp_path, PAYMENTS_DOCUMENT)
    payments = config.datasets["payments"]

    def run(batch_id: str) -> tuple[dict, dict]:
        job = start_job("extract")
        extracted = extract_dataset(ExtractContext(glue_context=glue_context, config=config, env="test", zones=zones,
                                                   batch_id=batch_id, extracted_at=EXTRACTED_AT, use_fallback=False),
                                    payments)
        job.commit()
        job = start_job("transform")  # each run transforms its own batch
        transformed = transform_dataset(TransformContext(glue_context=glue_context, zones=zones,
                                                         target_file_size_mb=1), payments)
        job.commit()
        return extracted, transformed

    lake.put("s3://raw/payments/b1.json",
             # 1. an 18-digit decimal with a fraction: read as 1.2345678901234568E17
             '{"payment_id": 1, "amount": 123456789012345678.12}\n'
             # 2. a 15-digit one: a double keeps it exactly
             '{"payment_id": 2, "amount": 1234567890123.45}\n'
             # 3. a field holding a whole 18-digit number and a fraction: the whole one is read
             # through the double too, and the text column is no exception
             '{"payment_id": 3, "amount": 10, "memo": 123456789012345678}\n'
             '{"payment_id": 4, "memo": 0.5}\n'
             # a double column takes a double: nothing is changed by reading it as one
             '{"payment_id": 5, "reading": 0.30000000000000004}\n'
             # and inside an object, kept as its JSON text
             '{"payment_id": 8, "details": {"fee": 123456789012345678.12, "count": 1}}\n')
    extracted, transformed = run("b1")

    assert extracted["rows_read"] == transformed["rows_read"] == 6
    landed = {r["payment_id"]: (r["amount"], r["memo"], r["etl_inexact_numbers"])
              for r in spark.read.parquet(zones.landing(payments, "b1")).collect()}
    assert landed["1"] == ("1.2345678901234568E17", None, ["amount"])
    assert landed["3"] == ("10.0", "1.2345678901234568E17", ["memo"])
    assert landed["5"][2] == ["reading"]
    valid = {r["payment_id"]: (r["amount"], r["memo"], r["reading"])
             for r in spark.read.parquet(zones.validated(payments, "b1")).collect()}
    assert valid == {2: (Decimal("1234567890123.45"), None, None), 4: (None, "0.5", None),
                     5: (None, None, 0.30000000000000004)}
    rejected = {r["payment_id"]: (r["amount"], r["memo"], r["etl_failed_rules"])
                for r in spark.read.parquet(zones.rejected(payments, "b1")).collect()}
    assert rejected == {"1": ("1.2345678901234568E17", None, ["amount_inexact_number"]),
                        "3": ("10.0", "1.2345678901234568E17", ["memo_inexact_number"]),
                        "8": (None, None, ["details_inexact_number"])}
    assert transformed["rule_failures"] == {"amount_inexact_number": 1, "memo_inexact_number": 1,
                                            "details_inexact_number": 1}
    assert (transformed["rows_valid"], transformed["rows_quarantined"], transformed["duplicates_removed"]) == (3, 3, 0)

    # 4. a batch whose JSON has only short fractions, and a whole 18-digit number read exactly (as a
    # number without a fraction in its field): nothing is flagged, everything loads as sent.
    lake.put("s3://raw/payments/b2.json",
             '{"payment_id": 6, "amount": 12.5, "memo": 123456789012345678}\n'
             '{"payment_id": 7, "amount": 99999999999.99, "reading": -0.001}\n'
             '{"payment_id": 9, "details": {"fee": 1.5, "ids": [123456789012345678]}}\n')
    extracted, transformed = run("b2")

    assert all(r["etl_inexact_numbers"] == [] for r in spark.read.parquet(zones.landing(payments, "b2")).collect())
    valid = {r["payment_id"]: (r["amount"], r["memo"], r["reading"], r["details"])
             for r in spark.read.parquet(zones.validated(payments, "b2")).collect()}
    assert valid == {6: (Decimal("12.50"), "123456789012345678", None, None),
                     7: (Decimal("99999999999.99"), None, -0.001, None),
                     9: (None, None, None, '{"fee":1.5,"ids":[123456789012345678]}')}
    assert (transformed["rows_read"], transformed["rows_quarantined"]) == (3, 0)
