"""(C) DuckDB doing the pipeline's work in one query: the same typing, derived columns, rules and
winning version per key (the latest l_receiptdate, then the newest file) as the PySpark job, written as Parquet partitioned by outcome.

    python -m localglue.bench.duckdb_job INPUT_FOLDER OUTPUT_FOLDER
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import duckdb

from localglue.bench.lineitem import (COLUMNS, DERIVED, INTEGER_TEXT, INTEGRAL_TYPES, ORDER_BY, PRIMARY_KEY, ROW_RULES,
                                      duckdb_type)


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def typed(name: str, type_: str) -> str:
    if type_ in INTEGRAL_TYPES:
        return f"TRY_CAST(TRY_CAST({name}_text AS DECIMAL(38,6)) AS {duckdb_type(type_)})"
    return f"TRY_CAST({name}_text AS {duckdb_type(type_)})" if type_ != "string" else f"{name}_text"


def failures(name: str, type_: str, nullable: bool, max_length: int | None) -> list[str]:
    text = f"{name}_text"
    found = []
    if type_ != "string":
        bad = f"({text} IS NOT NULL AND {name} IS NULL)"
        if type_ in INTEGRAL_TYPES:
            bad += f" OR ({text} IS NOT NULL AND NOT regexp_matches({text}, {_quote(INTEGER_TEXT)}))"
        found.append(f"CASE WHEN {bad} THEN '{name}_is_{type_.split('(')[0]}' END")
    if not nullable or name in PRIMARY_KEY:
        found.append(f"CASE WHEN {text} IS NULL THEN '{name}_not_null' END")
    if max_length:
        found.append(f"CASE WHEN length({text}) > {max_length} THEN '{name}_max_length' END")
    return found


def query(input_folder: str, modified: dict[str, float]) -> str:
    names = [c.name for c in COLUMNS]
    columns = ", ".join(f"{_quote(c.name)}: 'VARCHAR'" for c in COLUMNS)
    files = ", ".join(f"({_quote(path)}, {mtime!r})" for path, mtime in modified.items())
    checks = [f for c in COLUMNS for f in failures(c.name, c.type, c.nullable, c.max_length)]
    checks += [f"CASE WHEN NOT coalesce({check}, false) THEN '{name}' END" for name, check in ROW_RULES]
    key = ", ".join(PRIMARY_KEY)
    # One step per derived column, in order: one may use another.
    derived_steps = ", ".join(
        f"{'derived' if index == len(DERIVED) - 1 else f'derived_{index}'} AS "
        f"(SELECT *, CAST({duck} AS {duckdb_type(type_)}) AS {name} "
        f"FROM {'typed' if index == 0 else f'derived_{index - 1}'})"
        for index, (name, type_, _, duck) in enumerate(DERIVED))
    order_column, direction = ORDER_BY
    outputs = names + [d[0] for d in DERIVED]
    return f"""
WITH source AS (
  SELECT {", ".join(f"{n} AS {n}_text" for n in names)}, parse_filename(filename) AS filename
  -- The dialect is given, not sniffed: sniffed from a first file without quotes, DuckDB skipped every
  -- row of the quoted files after it without an error (seen with the changes file sorting first).
  FROM read_csv({_quote(input_folder + '/*.csv')}, header = true, columns = {{{columns}}}, filename = true,
                delim = ',', quote = '"', escape = '"', auto_detect = false)
), typed AS (
  SELECT *, {", ".join(f"{typed(c.name, c.type)} AS {c.name}" for c in COLUMNS)} FROM source
), {derived_steps}, checked AS (
  SELECT d.*, f.modified_at,
         list_filter([{", ".join(checks)}], lambda rule: rule IS NOT NULL) AS failed_rules
  FROM derived d JOIN (VALUES {files}) f(filename, modified_at) USING (filename)
), classified AS (
  SELECT *, CASE WHEN len(failed_rules) > 0 THEN 'quarantined'
                 WHEN row_number() OVER (PARTITION BY len(failed_rules) > 0, {key}
                                         ORDER BY {order_column} {direction.upper()} NULLS LAST,
                                                  modified_at DESC) = 1 THEN 'valid'
                 ELSE 'duplicate' END AS outcome
  FROM checked
)
SELECT {", ".join(f"CASE WHEN outcome = 'valid' THEN {n} END AS {n}" for n in outputs)},
       CASE WHEN outcome <> 'valid' THEN to_json({{{", ".join(f"{_quote(n)}: {n}_text" for n in names)}}}) END
         AS source_text,
       CASE WHEN outcome <> 'valid' THEN failed_rules END AS failed_rules, outcome
FROM classified
"""


def main(input_folder: str, output_folder: str) -> None:
    modified = {path.name: path.stat().st_mtime for path in sorted(Path(input_folder).glob("*.csv"))}
    if Path(output_folder).exists():
        shutil.rmtree(output_folder)
    connection = duckdb.connect(config={"threads": os.cpu_count() or 1})
    connection.execute(f"COPY ({query(input_folder, modified)}) TO {_quote(output_folder)} "
                       f"(FORMAT parquet, PARTITION_BY (outcome))")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    main(sys.argv[1], sys.argv[2])
