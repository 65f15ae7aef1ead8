"""The pipeline's own column names and row outcomes, shared by every stage.

Extract adds the batch metadata to each landed row; transform adds the failed rules and the outcome;
curated and warehouse rows keep the lineage. Which version of a primary key is the newest is decided
here, once, for the transform's de-duplication and the load's merge of several batches.
"""

from __future__ import annotations

from typing import Iterable

from pyspark.sql import Column, Window, WindowSpec
from pyspark.sql import functions as F

ETL_BATCH_ID = "etl_batch_id"
ETL_SOURCE_FILE = "etl_source_file"
ETL_SOURCE_MODIFIED_AT = "etl_source_modified_at"
ETL_EXTRACTED_AT = "etl_extracted_at"
ETL_ROW_NUMBER = "etl_row_number"
ETL_FAILED_RULES = "etl_failed_rules"
# Rules a loaded row failed without being quarantined (warn rules, values rounded as configured).
ETL_WARNED_RULES = "etl_warned_rules"
ETL_OUTCOME = "etl_outcome"
ETL_RAW = "etl_raw"
# Where Spark's permissive readers put a record they cannot parse.
CORRUPT_RECORD = "_corrupt_record"

# What extract adds to every landed row.
LANDING_METADATA = (ETL_BATCH_ID, ETL_SOURCE_FILE, ETL_SOURCE_MODIFIED_AT, ETL_EXTRACTED_AT, ETL_ROW_NUMBER)
# Lineage kept with every curated and warehouse row.
LINEAGE_COLUMNS = (ETL_BATCH_ID, ETL_SOURCE_FILE, ETL_EXTRACTED_AT)
# What the load needs besides the curated columns to pick the newest version of a key.
VERSION_COLUMNS = (ETL_SOURCE_MODIFIED_AT, ETL_ROW_NUMBER)

# Every row read ends as exactly one of these.
VALID, QUARANTINED, DUPLICATE = "valid", "quarantined", "duplicate"


def column(name: str) -> Column:
    """A column by name, quoted so that any configured name (even `order`) works."""
    return F.col(f"`{name}`")


def newest_first(key: Iterable[str], *partition: Column) -> WindowSpec:
    """The versions of each key, newest first: from the most recently modified source file, then
    the latest extract, then the later row of the file."""
    return Window.partitionBy(*partition, *[column(k) for k in key]).orderBy(
        F.col(ETL_SOURCE_MODIFIED_AT).desc(), F.col(ETL_EXTRACTED_AT).desc(), F.col(ETL_ROW_NUMBER).desc())
