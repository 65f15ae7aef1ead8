"""batches: how many files a batch is written as, counting the rows a write actually writes,
observed metrics as Python values, and reading only the Parquet batches a job has not read yet."""

from __future__ import annotations

import pytest
from pyspark.sql import Observation
from pyspark.sql import functions as F

from etl_pipeline.batches import batch_folders, counted, file_count, observed, read_new_parquet, write_counted

MB = 1024 * 1024


def test_file_count_makes_files_of_about_the_target_size_and_at_least_one():
    assert file_count(0, 10, 128) == 1
    assert file_count(MB // 8, 1, 1) == 1      # 8 bytes a value: exactly 1 MB
    assert file_count(MB // 8 + 1, 1, 1) == 2
    assert file_count(1_000_000, 20, 128) == 2  # 160 MB


def test_counted_counts_the_rows_an_action_passes_through_it(spark):
    frame, observation = counted(spark.range(10), "counted_test")

    assert frame.where("id % 2 = 0").count() == 5

    assert observation.get == {"rows": 10}


def test_write_counted_returns_the_rows_written_in_the_files_asked_for(spark, tmp_path):
    uri = str(tmp_path / "out")
    frame = spark.range(0, 100, numPartitions=4)

    written = write_counted(frame.where("id % 3 = 0"), uri, 2, "write_counted_test")

    assert written == 34
    assert spark.read.parquet(uri).count() == 34
    assert len(list((tmp_path / "out").glob("*.parquet"))) == 2


def test_batch_folders_come_from_the_files_the_plan_reads_before_any_pass(spark, tmp_path):
    for batch in ("b1", "b2"):
        spark.range(3).write.parquet(str(tmp_path / "landing" / f"batch_id={batch}"))
    frame = spark.read.parquet(str(tmp_path / "landing" / "batch_id=b1"), str(tmp_path / "landing" / "batch_id=b2"))

    assert batch_folders(frame) == {"b1", "b2"}
    assert batch_folders(frame.where("id > 1").select("id")) == {"b1", "b2"}
    assert batch_folders(spark.range(3)) == set()


def test_write_counted_replaces_what_the_folder_held(spark, tmp_path):
    uri = str(tmp_path / "out")
    write_counted(spark.range(50), uri, 1, "first_write")

    assert write_counted(spark.range(3), uri, 1, "second_write") == 3
    assert sorted(r.id for r in spark.read.parquet(uri).collect()) == [0, 1, 2]


def test_observed_turns_collected_arrays_into_lists_and_keeps_numbers(spark):
    observation = Observation("observed_test")
    frame = spark.createDataFrame([("b1",), ("b2",), ("b1",)], "batch string")
    frame.observe(observation, F.count(F.lit(1)).alias("rows"), F.collect_set("batch").alias("batches"),
                  F.collect_list("batch").alias("all")).collect()

    metrics = observed(observation)

    assert metrics["rows"] == 3
    assert sorted(metrics["batches"]) == ["b1", "b2"] and isinstance(metrics["batches"], list)
    assert sorted(metrics["all"]) == ["b1", "b1", "b2"]


def test_read_new_parquet_reads_only_batches_the_job_has_not_committed(spark, glue_context, start_job):
    folder = "s3://processed/landing/trips/"
    spark.createDataFrame([(1,), (2,)], "id long").write.parquet(folder + "batch_id=b1")
    job = start_job("transform")
    assert sorted(r.id for r in read_new_parquet(glue_context, folder, "read_test").collect()) == [1, 2]
    job.commit()
    spark.createDataFrame([(3,)], "id long").write.parquet(folder + "batch_id=b2")

    start_job("transform")

    assert [r.id for r in read_new_parquet(glue_context, folder, "read_test").collect()] == [3]


def test_read_new_parquet_gives_a_frame_without_columns_when_nothing_is_new(glue_context):
    assert read_new_parquet(glue_context, "s3://processed/landing/none/", "read_test").columns == []


def test_read_new_parquet_gives_widened_columns_the_configs_type_whether_batches_agree_or_not(spark, glue_context):
    """One batch of ints alone, and int and bigint batches together (a choice in Glue's frame): both
    read as bigint with every value, through resolveChoice's cast only."""
    alone = "s3://processed/validated/alone/"
    spark.createDataFrame([(1, 5)], "id long, qty int").write.parquet(alone + "batch_id=b1")
    mixed = "s3://processed/validated/mixed/"
    spark.createDataFrame([(1, 5)], "id long, qty int").write.parquet(mixed + "batch_id=b1")
    spark.createDataFrame([(2, 3_000_000_000)], "id long, qty bigint").write.parquet(mixed + "batch_id=b2")

    for uri, expected in ((alone, [(1, 5)]), (mixed, [(1, 5), (2, 3_000_000_000)])):
        frame = read_new_parquet(glue_context, uri, "widened_test", casts={"qty": "bigint"})
        assert dict(frame.dtypes)["qty"] == "bigint"
        assert sorted((r.id, r.qty) for r in frame.collect()) == expected


def test_the_load_refuses_batches_whose_column_still_holds_several_types(spark, glue_context):
    """The config went back to int while int and bigint batches wait: nothing is cut, the load stops."""
    from etl_pipeline.config import parse_dataset
    from etl_pipeline.schema_evolution import SchemaEvolutionError, refuse_several_types, widened_types

    dataset = parse_dataset({"name": "orders", "source": {"type": "s3", "format": "csv", "prefix": "orders/"},
                             "primary_key": ["id"], "columns": [{"name": "id", "type": "bigint", "nullable": False},
                                                                {"name": "qty", "type": "int"}],
                             "targets": {"curated": {"table": "orders"}, "warehouse": {"table": "orders"}}},
                            "config/datasets/orders.yaml")
    uri = "s3://processed/validated/narrowed/"
    spark.createDataFrame([(1, 5)], "id long, qty int").write.parquet(uri + "batch_id=b1")
    spark.createDataFrame([(2, 3_000_000_000)], "id long, qty bigint").write.parquet(uri + "batch_id=b2")
    frame = read_new_parquet(glue_context, uri, "narrowed_test", casts=widened_types(dataset))

    with pytest.raises(SchemaEvolutionError, match=r"hold column qty as several types \(.*int.*bigint.*\) "
                                                   r"and config/datasets/orders.yaml makes it int"):
        refuse_several_types(frame, dataset)
