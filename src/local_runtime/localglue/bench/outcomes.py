"""What each engine produced, read back the same way for all three: rows per outcome and a checksum of
the valid rows (every output column as text, hashed and summed by DuckDB), so that the engines' results
can be compared whatever their physical layout (Parquet folders, or the curated Iceberg table). The
pipeline's warehouse table is read back the same way and must hold the curated table's rows."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb

from etl_pipeline.warehouse import WarehouseTable, quote
from localglue.bench.lineitem import DATASET, OUTPUT_COLUMNS, OUTPUT_TYPES, duckdb_type
from localglue.runner.deployment import LocalDeployment
from localglue.services import jdbc
from localglue.services.lake import to_local_path


@dataclass(frozen=True)
class Outcomes:
    valid: int
    quarantined: int
    duplicates: int
    valid_checksum: str

    def as_dict(self) -> dict:
        return asdict(self)

    @property
    def counts(self) -> tuple[int, int, int]:
        return self.valid, self.quarantined, self.duplicates


class EnginesDisagree(AssertionError):
    """The engines produced different rows: a benchmark of different work would mean nothing."""


CHECKSUM = ("SELECT count(*), coalesce(sum(hash(concat_ws('|', "
            + ", ".join(f"coalesce(CAST({name} AS VARCHAR), '<null>')" for name in OUTPUT_COLUMNS)
            + ")))::VARCHAR, '0') FROM {relation}")


def _parquet_rows(connection: duckdb.DuckDBPyConnection, folder: Path) -> int:
    files = list(folder.glob("**/*.parquet"))
    if not files:
        return 0
    return connection.execute(f"SELECT count(*) FROM read_parquet({[str(f) for f in files]!r})").fetchone()[0]


def of_output_folder(folder: Path) -> Outcomes:
    """The outcome-partitioned Parquet of the single PySpark job and of DuckDB."""
    connection = duckdb.connect()
    valid_files = [str(f) for f in (folder / "outcome=valid").glob("*.parquet")]
    count, checksum = connection.execute(CHECKSUM.format(relation=f"read_parquet({valid_files!r})")).fetchone()
    return Outcomes(count, _parquet_rows(connection, folder / "outcome=quarantined"),
                    _parquet_rows(connection, folder / "outcome=duplicate"), checksum)


def of_pipeline(pipeline: LocalDeployment) -> Outcomes:
    """The curated Iceberg table (through the Athena stand-in) and the quarantine zone's two folders."""
    connection = pipeline.athena()
    count, checksum = connection.execute(CHECKSUM.format(relation=DATASET)).fetchone()
    quarantine = to_local_path(pipeline.settings.lake_root, pipeline.zone_uri("quarantine")) / DATASET
    return Outcomes(count, _parquet_rows(connection, quarantine / "rejected"),
                    _parquet_rows(connection, quarantine / "duplicates"), checksum)


@dataclass(frozen=True)
class TableRows:
    rows: int
    checksum: str  # CHECKSUM's, comparable with Outcomes.valid_checksum

    def as_dict(self) -> dict:
        return asdict(self)


def warehouse_table(pipeline: LocalDeployment) -> WarehouseTable:
    """The bench dataset's warehouse table, named as the load job names it."""
    return WarehouseTable(pipeline.warehouse_schema, pipeline.config.datasets[DATASET])


def of_warehouse(pipeline: LocalDeployment, scratch: Path) -> TableRows:
    """The warehouse table's rows and CHECKSUM: PostgreSQL copies them out as CSV into `scratch`
    (removed after), and DuckDB reads them back typed as the curated table types them, so the same
    values give the same text and the same checksum."""
    csv_file = scratch / "warehouse.csv"
    columns = ", ".join(quote(name) for name in OUTPUT_COLUMNS)
    with jdbc.connect(pipeline.postgres()) as connection, csv_file.open("wb") as output:
        with connection.cursor().copy(f"COPY (SELECT {columns} FROM {warehouse_table(pipeline).qualified}) "
                                      "TO STDOUT (FORMAT csv, HEADER)") as rows:
            for chunk in rows:
                output.write(chunk)
    types = ", ".join(f"'{name}': '{duckdb_type(type_)}'" for name, type_ in OUTPUT_TYPES.items())
    # PostgreSQL's CSV writes NULL unquoted and an empty string as "": only the first is NULL.
    relation = (f"read_csv('{csv_file}', header = true, columns = {{{types}}}, delim = ',', quote = '\"', "
                f"escape = '\"', auto_detect = false, allow_quoted_nulls = false)")
    try:
        count, checksum = duckdb.connect().execute(CHECKSUM.format(relation=relation)).fetchone()
    finally:
        csv_file.unlink()
    return TableRows(count, checksum)


def check_warehouse(curated: Outcomes, warehouse: TableRows, when: str) -> None:
    """Fail loudly unless the warehouse table holds exactly the curated table's valid rows."""
    if (warehouse.rows, warehouse.checksum) != (curated.valid, curated.valid_checksum):
        raise EnginesDisagree(
            f"{when} the pipeline's warehouse table holds {warehouse.rows:,} rows (checksum {warehouse.checksum}) "
            f"and its curated table {curated.valid:,} valid rows (checksum {curated.valid_checksum}): the load "
            f"wrote different rows to its two targets")


def check_agreement(results: dict[str, Outcomes], expected_counts: tuple[int, int, int]) -> None:
    """Fail loudly, naming each engine's numbers, unless all engines produced the same rows and the
    counts the generated data implies (valid, quarantined, duplicates)."""
    if len(set(results.values())) > 1 or any(o.counts != expected_counts for o in results.values()):
        lines = [f"  {engine}: {outcome}" for engine, outcome in results.items()]
        lines.append("  the data implies valid {}, quarantined {}, duplicates {}".format(*expected_counts))
        raise EnginesDisagree("the engines produced different rows; the benchmark is void:\n" + "\n".join(lines))
