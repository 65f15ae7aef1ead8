"""The config's column types in Spark and in Redshift."""

from __future__ import annotations

from pyspark.sql import types as T

from etl_pipeline.config import DECIMAL_TYPE, ColumnSpec

SPARK_TYPES = {
    "string": T.StringType(), "int": T.IntegerType(), "bigint": T.LongType(), "double": T.DoubleType(),
    "boolean": T.BooleanType(), "date": T.DateType(), "timestamp": T.TimestampType(),
}
REDSHIFT_TYPES = {
    "int": "INTEGER", "bigint": "BIGINT", "double": "DOUBLE PRECISION", "boolean": "BOOLEAN",
    "date": "DATE", "timestamp": "TIMESTAMP",
}
# Redshift's VARCHAR is sized in bytes; without a max_length in the config, strings get this size.
DEFAULT_VARCHAR_BYTES = 256


def spark_type(type_name: str) -> T.DataType:
    match = DECIMAL_TYPE.match(type_name)
    if match:
        return T.DecimalType(int(match.group(1)), int(match.group(2)))
    return SPARK_TYPES[type_name]


def redshift_type(type_name: str, column: ColumnSpec | None = None) -> str:
    match = DECIMAL_TYPE.match(type_name)
    if match:
        return f"DECIMAL({match.group(1)},{match.group(2)})"
    if type_name == "string":
        length = column.max_length if column and column.max_length else DEFAULT_VARCHAR_BYTES
        # UTF-8 needs up to 4 bytes per character; 65535 is Redshift's largest VARCHAR.
        return f"VARCHAR({min(length * 4, 65535)})"
    return REDSHIFT_TYPES[type_name]


INTEGRAL_TYPES = ("int", "bigint")
