"""The config's column types: which exist, and what each is in Spark and in Redshift.

A config type name is also its Spark SQL type name (`int`, `decimal(10,2)`, ...), so Spark casts take
it as it is. Pure Python: packaging and config checks need no Spark.
"""

from __future__ import annotations

import re

SIMPLE_TYPES = ("string", "int", "bigint", "double", "boolean", "date", "timestamp")
DECIMAL_TYPE = re.compile(r"^decimal\((\d{1,2}),(\d{1,2})\)$")
INTEGRAL_TYPES = ("int", "bigint")

REDSHIFT_TYPES = {
    "int": "INTEGER", "bigint": "BIGINT", "double": "DOUBLE PRECISION", "boolean": "BOOLEAN",
    "date": "DATE", "timestamp": "TIMESTAMP",
}
# Redshift's VARCHAR is sized in bytes (UTF-8 needs up to 4 per character); strings without a
# max_length get the dataset's targets.warehouse.varchar_bytes, by default this many.
DEFAULT_VARCHAR_BYTES = 1024
MAX_VARCHAR_BYTES = 65535


def is_supported_type(type_name: str) -> bool:
    """A simple type, or decimal(p,s) as Spark, Iceberg and Redshift take it: 1 <= p <= 38, s <= p."""
    match = DECIMAL_TYPE.match(type_name)
    if match:
        precision, scale = int(match.group(1)), int(match.group(2))
        return 1 <= precision <= 38 and scale <= precision
    return type_name in SIMPLE_TYPES


def varchar_bytes(max_length: int | None, default_bytes: int = DEFAULT_VARCHAR_BYTES) -> int:
    """The warehouse size of a string column: 4 bytes per allowed character, or the default."""
    return min(max_length * 4, MAX_VARCHAR_BYTES) if max_length else default_bytes


def redshift_type(type_name: str, max_length: int | None = None, default_bytes: int = DEFAULT_VARCHAR_BYTES) -> str:
    match = DECIMAL_TYPE.match(type_name)
    if match:
        return f"DECIMAL({match.group(1)},{match.group(2)})"
    if type_name == "string":
        return f"VARCHAR({varchar_bytes(max_length, default_bytes)})"
    return REDSHIFT_TYPES[type_name]
