"""Reading the batches a job has not processed yet, and writing outputs while counting their rows.

Counts come from Spark observed metrics on the writes the stages make anyway, never from an extra
`count()`: the write is the pass that counts.
"""

from __future__ import annotations

import math
import re
from typing import Any

from awsglue.dynamicframe import DynamicFrame
from pyspark.sql import DataFrame, Observation
from pyspark.sql import functions as F

from etl_pipeline.retries import RunReads

# A pessimistic size of one value in Parquet, to turn a row count into a file count.
ESTIMATED_BYTES_PER_VALUE = 8
# The folder of one batch (extract's and transform's outputs): `.../batch_id=<id>/<file>`.
BATCH_FOLDER = re.compile(r"/batch_id=([^/]+)/[^/]+$")


def read_new_parquet(glue_context, uri: str, transformation_ctx: str, casts: dict[str, str] | None = None,
                     reads: RunReads | None = None) -> DataFrame:
    """The Parquet files under uri that the job's bookmark has not seen (no columns when none), and,
    in a job run (`reads`), the files a failed earlier run left in the retry list.

    `casts` (column -> Spark SQL type) gives columns the config's type with Glue's `resolveChoice`
    cast action, before the frame becomes a DataFrame: a column the files hold as different types (a
    batch written before a type widening and one after make it a choice type in Glue's frame) is
    resolved to it, and a column every file holds as the narrower type is cast to it ("cast:type –
    Attempts to cast all values to the specified type",
    https://docs.aws.amazon.com/glue/latest/dg/aws-glue-api-crawler-pyspark-extensions-dynamic-frame.html).
    This is the only cast of a widened type on the way to the tables."""
    def as_data_frame(dynamic_frame: DynamicFrame) -> DataFrame:
        if casts:
            dynamic_frame = dynamic_frame.resolveChoice(
                specs=[(name, f"cast:{glue_type_name(kind)}") for name, kind in casts.items()])
        return dynamic_frame.toDF()

    connection = {"paths": [uri], "recurse": True}
    if reads is not None:
        return reads.read_s3(glue_context, transformation_ctx, connection, "parquet", prepare=as_data_frame)
    return as_data_frame(glue_context.create_dynamic_frame.from_options(
        connection_type="s3", connection_options=connection, format="parquet", transformation_ctx=transformation_ctx))


def glue_type_name(spark_type: str) -> str:
    """A Spark SQL type as Glue's `cast:` action names it (bigint is `long`)."""
    return {"bigint": "long", "smallint": "short", "tinyint": "byte"}.get(spark_type, spark_type)


def batch_folders(frame: DataFrame) -> set[str]:
    """The batch ids of the `batch_id=<id>` folders the frame's files are in, known from its plan
    before any pass (Spark's `inputFiles`); none for a frame its plan does not read from files."""
    return {match.group(1) for path in frame.inputFiles() if (match := BATCH_FOLDER.search(path))}


def file_count(rows: int, columns: int, target_file_size_mb: int) -> int:
    """How many files of about target_file_size_mb the rows make."""
    estimated_bytes = rows * columns * ESTIMATED_BYTES_PER_VALUE
    return max(1, math.ceil(estimated_bytes / (target_file_size_mb * 1024 * 1024)))


def counted(frame: DataFrame, name: str) -> tuple[DataFrame, Observation]:
    """The frame, counting the rows an action passes through it, and the Observation that holds the count."""
    observation = Observation(name)
    return frame.observe(observation, F.count(F.lit(1)).alias("rows")), observation


def write_counted(frame: DataFrame, uri: str, files: int, name: str) -> int:
    """Write a frame as the whole content of uri and return the rows written."""
    frame, observation = counted(frame, name)
    frame.coalesce(files).write.mode("overwrite").parquet(uri)
    return observation.get["rows"]


def observed(observation: Observation) -> dict[str, Any]:
    """An Observation's metrics with collected arrays as Python lists (PySpark leaves them as Scala seqs)."""
    metrics = {}
    for name, value in observation.get.items():
        if hasattr(value, "iterator") and hasattr(value, "mkString"):
            values, iterator = [], value.iterator()
            while iterator.hasNext():
                values.append(iterator.next())
            value = values
        metrics[name] = value
    return metrics
