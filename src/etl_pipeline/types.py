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
# Redshift's VARCHAR is sized in bytes; without a max_length in the config, strings get this size.
DEFAULT_VARCHAR_BYTES = 256


def is_supported_type(type_name: str) -> bool:
    """A simple type, or decimal(p,s) as Spark, Iceberg and Redshift take it: 1 <= p <= 38, s <= p."""
    match = DECIMAL_TYPE.match(type_name)
    if match:
        precision, scale = int(match.group(1)), int(match.group(2))
        return 1 <= precision <= 38 and scale <= precision
    return type_name in SIMPLE_TYPES


def redshift_type(type_name: str, max_length: int | None = None) -> str:
    match = DECIMAL_TYPE.match(type_name)
    if match:
        return f"DECIMAL({match.group(1)},{match.group(2)})"
    if type_name == "string":
        length = max_length or DEFAULT_VARCHAR_BYTES
        # UTF-8 needs up to 4 bytes per character; 65535 is Redshift's largest VARCHAR.
        return f"VARCHAR({min(length * 4, 65535)})"
    return REDSHIFT_TYPES[type_name]
