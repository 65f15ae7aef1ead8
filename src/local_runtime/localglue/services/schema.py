"""Spark types as the Glue Data Catalog (Hive) names them."""

from __future__ import annotations

from pyspark.sql import types as T

_SIMPLE = {
    T.StringType: "string", T.IntegerType: "int", T.LongType: "bigint", T.ShortType: "smallint",
    T.ByteType: "tinyint", T.DoubleType: "double", T.FloatType: "float", T.BooleanType: "boolean",
    T.DateType: "date", T.TimestampType: "timestamp", T.TimestampNTZType: "timestamp", T.BinaryType: "binary",
}


def hive_type(data_type: T.DataType) -> str:
    if isinstance(data_type, T.DecimalType):
        return f"decimal({data_type.precision},{data_type.scale})"
    if isinstance(data_type, T.ArrayType):
        return f"array<{hive_type(data_type.elementType)}>"
    if isinstance(data_type, T.MapType):
        return f"map<{hive_type(data_type.keyType)},{hive_type(data_type.valueType)}>"
    if isinstance(data_type, T.StructType):
        return "struct<" + ",".join(f"{f.name}:{hive_type(f.dataType)}" for f in data_type.fields) + ">"
    for spark_type, name in _SIMPLE.items():
        if isinstance(data_type, spark_type):
            return name
    raise ValueError(f"no Data Catalog type for Spark type {data_type.simpleString()}")
