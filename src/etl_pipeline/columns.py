"""The pipeline's own column names and row outcomes, shared by every stage.

Extract adds the batch metadata to each landed row; transform adds the failed rules and the outcome;
curated and warehouse rows keep the lineage. Which version of a primary key wins is decided here,
once (`deduplicate.order_by`, then the newest), for the transform's de-duplication, the load's
ranking of several batches against the curated table, and the warehouse's upsert.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Iterable, Sequence

from pyspark.sql import Column, Window, WindowSpec
from pyspark.sql import functions as F

if TYPE_CHECKING:
    from etl_pipeline.config import OrderKey

ETL_BATCH_ID = "etl_batch_id"
ETL_SOURCE_FILE = "etl_source_file"
ETL_SOURCE_MODIFIED_AT = "etl_source_modified_at"
ETL_EXTRACTED_AT = "etl_extracted_at"
ETL_ROW_NUMBER = "etl_row_number"
# The source columns of a landed row whose number the reader had rounded through a double (JSON's
# fractions): the transform quarantines the row rather than load a changed value.
ETL_INEXACT_NUMBERS = "etl_inexact_numbers"
ETL_FAILED_RULES = "etl_failed_rules"
# Rules a loaded row failed without being quarantined (warn rules, values rounded as configured).
ETL_WARNED_RULES = "etl_warned_rules"
ETL_OUTCOME = "etl_outcome"
ETL_RAW = "etl_raw"
# Where Spark's permissive readers put a record they cannot parse.
CORRUPT_RECORD = "_corrupt_record"

# What extract adds to every landed row.
LANDING_METADATA = (ETL_BATCH_ID, ETL_SOURCE_FILE, ETL_SOURCE_MODIFIED_AT, ETL_EXTRACTED_AT, ETL_ROW_NUMBER,
                    ETL_INEXACT_NUMBERS)
# Lineage kept with every curated and warehouse row.
LINEAGE_COLUMNS = (ETL_BATCH_ID, ETL_SOURCE_FILE, ETL_EXTRACTED_AT)
# What the load needs besides the curated columns to pick the newest version of a key.
VERSION_COLUMNS = (ETL_SOURCE_MODIFIED_AT, ETL_ROW_NUMBER)

# Every row read ends as exactly one of these.
VALID, QUARANTINED, DUPLICATE = "valid", "quarantined", "duplicate"


def column(name: str) -> Column:
    """A column by name, quoted so that any configured name (even `order`) works."""
    return F.col(f"`{name}`")


def names_given(checks: Sequence[Column]) -> Column:
    """The names a row's `when(check, name)` columns give, in order, without the NULLs (array<string>).

    `array_except` with [NULL], where `array_compact` would read better: Spark 3.5 runs `array_compact`
    as a filter with a lambda, which code generation leaves to its interpreter, row by row. With the
    jobs' `spark.sql.codegen.hugeMethodLimit` (`jobs.SESSION_SETTINGS`) `array_except` is compiled
    into methods small enough for the JIT (docs/performance.md, "the checks compiled"). The names are
    distinct, so `array_except`'s dropping of duplicates changes nothing."""
    if not checks:
        return F.array().cast("array<string>")
    return F.array_except(F.array(*checks), F.array(F.lit(None).cast("string")))


def newest_first(key: Iterable[str], *partition: Column, order: Sequence[OrderKey] = ()) -> WindowSpec:
    """The versions of each key, the winner first: by the dataset's `deduplicate.order_by` (`order`,
    NULL last), then from the most recently modified source file, then the latest extract, then the
    later row of the file. A row without source metadata (the curated table's current version, in
    the load) loses every tie to a row with it."""
    return Window.partitionBy(*partition, *[column(k) for k in key]).orderBy(
        *configured_order(order),
        F.col(ETL_SOURCE_MODIFIED_AT).desc_nulls_last(), F.col(ETL_EXTRACTED_AT).desc_nulls_last(),
        F.col(ETL_ROW_NUMBER).desc_nulls_last())


def configured_order(order: Sequence[OrderKey]) -> list[Column]:
    """`deduplicate.order_by` as Spark sort columns: the first version in this order wins, NULL loses."""
    return [column(k.column).desc_nulls_last() if k.descending else column(k.column).asc_nulls_last()
            for k in order]


def wins_sql(order: Sequence[OrderKey], new: str, old: str, quote: Callable[[str], str]) -> str:
    """An SQL predicate, true when the row aliased `new` wins over `old` by `deduplicate.order_by`
    (NULL loses) or ties with it: the same order as `configured_order`, for the warehouse's upsert,
    where the staged row is the newer one and wins every tie. Plain comparisons only (Redshift has
    no IS NOT DISTINCT FROM)."""
    condition = "TRUE"
    for key in reversed(order):
        a, b = f"{new}.{quote(key.column)}", f"{old}.{quote(key.column)}"
        better = f"{a} {'>' if key.descending else '<'} {b} OR ({a} IS NOT NULL AND {b} IS NULL)"
        same = f"{a} = {b} OR ({a} IS NULL AND {b} IS NULL)"
        condition = f"({better} OR (({same}) AND {condition}))"
    return condition
