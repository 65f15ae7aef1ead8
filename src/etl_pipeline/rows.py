"""Row-level DataFrame functions: landed text rows in, typed and checked rows out.

Pure DataFrame functions, built-in Spark expressions only (no Python UDFs on the row path):

- `standardise` maps source columns to target names, trims, normalises case, turns empty text into
  NULL, casts (timestamps with their format), adds derived columns, and lists for every row the
  conformance checks it fails (type, not-null, max_length, bytes that were not UTF-8, a number the
  reader rounded through a double) in `etl_failed_rules` (and the values it rounds as configured in
  `etl_warned_rules`); the dataset's DQDL rules come after, in `quality.evaluate`.
- `classify` marks each row `valid`, `quarantined` (failed a rule) or `duplicate` (a version of a
  primary key that another row of the same run supersedes), in one window pass.
- `curated_columns` is what goes on to the curated zone and the warehouse, with PII masked.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from etl_pipeline.columns import (CORRUPT_RECORD, DUPLICATE, ETL_FAILED_RULES, ETL_INEXACT_NUMBERS, ETL_OUTCOME, ETL_RAW,
                                  ETL_WARNED_RULES, LANDING_METADATA, LINEAGE_COLUMNS, QUARANTINED, VALID,
                                  names_given, newest_first)
from etl_pipeline.columns import column as _col
from etl_pipeline.config import ColumnSpec, DatasetConfig
from etl_pipeline.types import DECIMAL_TYPE, INTEGRAL_TYPES

MALFORMED_RECORD_RULE = "malformed_record"
INTEGER_TEXT = r"^\s*[+-]?[0-9]+(\.0*)?\s*$"
# A date without a `format` is written yyyy-MM-dd; Spark's cast would drop a time of day silently.
DATE_TEXT = r"^\s*[+-]?[0-9]{4,}-[0-9]{1,2}-[0-9]{1,2}\s*$"
# What a reader puts where the source's bytes were not valid UTF-8 (U+FFFD): the value is no longer
# what the source sent, so the row is quarantined rather than loaded with a changed value.
REPLACEMENT_CHARACTER = "\ufffd"
# Column types that hold a binary floating-point number: a number the reader rounded through a double
# is what such a column would hold anyway (a CSV's text is cast to the same value), so it is no change.
FLOATING_POINT_TYPES = ("double", "float")


def _cleaned_text(column: ColumnSpec) -> Column:
    text = _col(column.source)
    if column.trim:
        text = F.trim(text)
    if column.case == "upper":
        text = F.upper(text)
    elif column.case == "lower":
        text = F.lower(text)
    # CSV cannot tell an empty value from a missing one: both are NULL from here on.
    return F.when(text == "", F.lit(None)).otherwise(text)


def _text_name(column: ColumnSpec) -> str:
    return f"__text__{column.name}"


def _typed(column: ColumnSpec) -> Column:
    """The typed value of a column's cleaned text; NULL where the text does not parse."""
    text_name = _text_name(column)
    if column.type == "string":
        return _col(text_name)
    if column.type in ("timestamp", "date") and column.format:
        parsed = F.try_to_timestamp(_col(text_name), F.lit(column.format))
        return F.to_date(parsed) if column.type == "date" else parsed
    target = column.type  # a config type name is its Spark SQL name
    if column.type in INTEGRAL_TYPES:
        # Through DECIMAL, so that "517.0" (how many exporters write whole numbers) is read as 517.
        return F.expr(f"try_cast(try_cast(`{text_name}` AS DECIMAL(38,6)) AS {target})")
    return F.expr(f"try_cast(`{text_name}` AS {target})")


def _changed_by_cast(column: ColumnSpec, text: Column, value: Column) -> Column:
    """The text is not a value of the column's type, or the cast would change it (never silently)."""
    changed = text.isNotNull() & value.isNull()
    if column.type in INTEGRAL_TYPES:
        # A cast would truncate "517.5" to 517: only whole numbers are ints.
        changed = changed | (text.isNotNull() & ~text.rlike(INTEGER_TEXT))
    elif column.type == "date" and not column.format:
        changed = changed | (text.isNotNull() & ~text.rlike(DATE_TEXT))
    elif DECIMAL_TYPE.match(column.type) and not column.round:
        changed = changed | _rounded(column, value)
    return changed


def _rounded(column: ColumnSpec, value: Column) -> Column:
    """decimal(10,2) rounds "12.345" to 12.35: compare with the text read at full scale."""
    exact = F.expr(f"try_cast(`{_text_name(column)}` AS DECIMAL(38,18))")
    return value.isNotNull() & (exact.isNull() | (value.cast("decimal(38,18)") != exact))


def standardise(landed: DataFrame, dataset: DatasetConfig) -> DataFrame:
    """Typed target columns, derived columns, landing metadata, the raw text and the failed rules.

    Every configured source column must be in `landed`: `schema_evolution.plan_source_schema` decides
    what a file without one means and adds it as NULL."""
    texts = landed.select("*", *[_cleaned_text(c).alias(_text_name(c)) for c in dataset.columns])

    failures: list[Column] = []
    if CORRUPT_RECORD in landed.columns:
        failures.append(F.when(_col(CORRUPT_RECORD).isNotNull(), F.lit(MALFORMED_RECORD_RULE)))
    for column in dataset.columns:
        text, value = _col(_text_name(column)), _typed(column)
        failures.append(F.when(F.contains(_col(column.source), F.lit(REPLACEMENT_CHARACTER)),
                               F.lit(f"{column.name}_invalid_utf8")))
        if ETL_INEXACT_NUMBERS in landed.columns and column.type not in FLOATING_POINT_TYPES:
            # Extract lists the source columns whose number reached it rounded through a double
            # (an 18-digit JSON fraction): the digits the source sent are gone, so the value is not loaded.
            failures.append(F.when(F.array_contains(F.col(ETL_INEXACT_NUMBERS), column.source),
                                   F.lit(f"{column.name}_inexact_number")))
        if column.type != "string":
            failures.append(F.when(_changed_by_cast(column, text, value),
                                   F.lit(f"{column.name}_is_{column.type.split('(')[0]}")))
        if not column.nullable or column.name in dataset.primary_key:
            failures.append(F.when(text.isNull(), F.lit(f"{column.name}_not_null")))
        if column.max_length:
            failures.append(F.when(F.length(text) > column.max_length, F.lit(f"{column.name}_max_length")))

    # Values a column is configured to round (`round: true`): loaded, and counted in the report.
    warnings = [F.when(_rounded(c, _typed(c)), F.lit(f"{c.name}_rounded")) for c in dataset.columns if c.round]
    raw_columns = [c for c in landed.columns if c not in LANDING_METADATA]
    with_types = texts.select(
        *[_typed(c).alias(c.name) for c in dataset.columns],
        *[_col(m) for m in LANDING_METADATA if m in landed.columns],
        F.struct(*[_col(c) for c in raw_columns]).alias(ETL_RAW),
        names_given(failures).alias("_type_failures"),
        names_given(warnings).alias(ETL_WARNED_RULES),
    )
    derived = with_types
    for d in dataset.derived:  # in list order: a derived column may use the ones before it
        derived = derived.select("*", F.expr(d.expr).cast(d.type).alias(d.name))
    return derived.withColumnRenamed("_type_failures", ETL_FAILED_RULES)


def classify(standardised: DataFrame, dataset: DatasetConfig) -> DataFrame:
    """Add `etl_outcome`: quarantined rows failed a rule; of the rest, the newest row per key is valid.

    The winner is first in `columns.newest_first` (`deduplicate.order_by`, then the newest); the
    other versions are `duplicate`.
    """
    failed = F.size(ETL_FAILED_RULES) > 0
    # Only a quarantined row is written with its source text: the others drop it before the window,
    # which then shuffles a NULL instead of every row's full text.
    standardised = standardised.withColumn(ETL_RAW, F.when(failed, F.col(ETL_RAW)))
    outcome = (F.when(failed, F.lit(QUARANTINED))
               .when(F.row_number().over(newest_first(dataset.primary_key, failed, order=dataset.dedupe_order)) == 1,
                     F.lit(VALID))
               .otherwise(F.lit(DUPLICATE)))
    return standardised.withColumn(ETL_OUTCOME, outcome)


def curated_columns(frame: DataFrame, dataset: DatasetConfig, extra: tuple[str, ...] = ()) -> DataFrame:
    """The dataset's columns in config order plus lineage (and `extra`), with PII masked."""
    masked = []
    for column in dataset.columns:
        if column.mask == "sha256":
            masked.append(F.sha2(_col(column.name), 256).alias(column.name))
        elif column.mask == "redact":
            masked.append(F.when(_col(column.name).isNotNull(), F.lit("REDACTED")).alias(column.name))
        else:
            masked.append(_col(column.name))
    return frame.select(*masked, *[_col(d.name) for d in dataset.derived],
                        *[_col(c) for c in (*LINEAGE_COLUMNS, *extra)])


def quarantine_columns(frame: DataFrame) -> DataFrame:
    """Quarantined rows as they arrived (the source text), with the rules they failed and lineage."""
    return frame.select(f"{ETL_RAW}.*", ETL_FAILED_RULES, *[m for m in LANDING_METADATA if m in frame.columns])
