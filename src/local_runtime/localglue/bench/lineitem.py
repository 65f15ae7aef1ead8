"""The benchmark's dataset, written once: TPC-H lineitem's columns, types, derived columns (one using
another), row rules, key and which duplicate wins (the latest l_receiptdate). The pipeline gets it as config/datasets/lineitem.yaml in the bench's own config folder; the
PySpark job (spark_job.py) and DuckDB (duckdb_job.py) build their SQL from the same lists, so that
the three engines do the same work and must produce the same rows.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml

from localglue.services.environment import REPO_ROOT


@dataclass(frozen=True)
class Column:
    name: str
    type: str                    # the pipeline's type names (Spark SQL names)
    nullable: bool = False
    max_length: int | None = None


COLUMNS = (
    Column("l_orderkey", "bigint"), Column("l_partkey", "bigint"), Column("l_suppkey", "bigint"),
    Column("l_linenumber", "int"),
    Column("l_quantity", "decimal(15,2)"), Column("l_extendedprice", "decimal(15,2)"),
    Column("l_discount", "decimal(15,2)"), Column("l_tax", "decimal(15,2)"),
    Column("l_returnflag", "string", max_length=1), Column("l_linestatus", "string", max_length=1),
    Column("l_shipdate", "date"), Column("l_commitdate", "date"), Column("l_receiptdate", "date"),
    Column("l_shipinstruct", "string", nullable=True, max_length=25),
    Column("l_shipmode", "string", nullable=True, max_length=10),
    Column("l_comment", "string", nullable=True, max_length=44),
)
PRIMARY_KEY = ("l_orderkey", "l_linenumber")
INTEGRAL_TYPES = ("int", "bigint")

# (name, type, Spark SQL expression, DuckDB expression): the same value in both dialects.
DERIVED = (
    ("disc_price", "decimal(18,4)", "l_extendedprice * (1 - l_discount)", "l_extendedprice * (1 - l_discount)"),
    ("ship_year", "int", "year(l_shipdate)", "year(l_shipdate)"),
    ("transit_days", "int", "datediff(l_receiptdate, l_shipdate)", "date_diff('day', l_shipdate, l_receiptdate)"),
    ("is_late", "boolean", "l_receiptdate > l_commitdate", "l_receiptdate > l_commitdate"),
    # A derived column that uses another (the derived columns are computed in list order).
    ("charge", "decimal(18,6)", "disc_price * (1 + l_tax)", "disc_price * (1 + l_tax)"),
)
# Which version of a key wins: the latest l_receiptdate (NULL loses), then the newest file, in every engine.
ORDER_BY = ("l_receiptdate", "desc")
# The four row rules; the same SQL in Spark and DuckDB. A rule whose check is NULL fails, as in the pipeline.
ROW_RULES = (
    ("quantity_positive", "l_quantity > 0"),
    ("discount_in_range", "l_discount BETWEEN 0 AND 0.10"),
    ("tax_in_range", "l_tax BETWEEN 0 AND 0.08"),
    ("receipt_not_before_ship", "l_receiptdate >= l_shipdate"),
)
# The same four rules in DQDL, the pipeline's rule language (docs/data-quality.md). DQDL's `between`
# excludes its bounds and a composite AND cannot quarantine rows, so each range is two rules; a NULL
# fails a DQDL comparison as it fails the SQL checks above. Rule names differ, outcomes do not: the
# agreement check compares rows per outcome and checksums.
PIPELINE_RULES = (
    ("quantity_positive", 'ColumnValues "l_quantity" > 0'),
    ("discount_not_negative", 'ColumnValues "l_discount" >= 0'),
    ("discount_at_most_10_percent", 'ColumnValues "l_discount" <= 0.10'),
    ("tax_not_negative", 'ColumnValues "l_tax" >= 0'),
    ("tax_at_most_8_percent", 'ColumnValues "l_tax" <= 0.08'),
    ("receipt_not_before_ship", 'ColumnValues "transit_days" >= 0'),
)
# The pipeline's test of a whole number (etl_pipeline.rows.INTEGER_TEXT, which the bench may not import
# from the uploaded library's internals without coupling to them; the agreement check catches drift).
INTEGER_TEXT = r"^\s*[+-]?[0-9]+(\.0*)?\s*$"

# Every output column and its type, in the pipeline's type names.
OUTPUT_TYPES = {**{c.name: c.type for c in COLUMNS}, **{name: type_ for name, type_, _, _ in DERIVED}}
OUTPUT_COLUMNS = tuple(OUTPUT_TYPES)
DATASET = "lineitem"


def duckdb_type(type_: str) -> str:
    """DuckDB's name for one of the pipeline's types (Spark SQL names: the same but for `string`)."""
    return "VARCHAR" if type_ == "string" else type_.upper()


def dataset_config() -> dict:
    """config/datasets/lineitem.yaml of the bench's config folder."""
    return {
        "name": DATASET,
        "description": "TPC-H lineitem (tpchgen-cli), the benchmark's dataset (localglue.bench).",
        "source": {"type": "s3", "format": "csv", "prefix": f"{DATASET}/",
                   "options": {"separator": ",", "header": True}},
        "primary_key": list(PRIMARY_KEY),
        "columns": [{"name": c.name, "type": c.type, "nullable": c.nullable,
                     **({"max_length": c.max_length} if c.max_length else {})} for c in COLUMNS],
        "derived": [{"name": name, "type": type_, "expr": spark} for name, type_, spark, _ in DERIVED],
        "quality": {"rules": [{"name": name, "outcome": "quarantine", "dqdl": dqdl} for name, dqdl in PIPELINE_RULES]},
        "deduplicate": {"order_by": " ".join(ORDER_BY)},
        "partition_by": [],
        # Merge-on-read: the 1 % increment updates random keys, which in copy-on-write rewrites every
        # file of the table. The warehouse table (PostgreSQL standing in for Redshift, locally) is
        # loaded by the same load job; the bench reads its time from the load's run report.
        "targets": {"curated": {"table": DATASET, "merge_mode": "merge-on-read"},
                    "warehouse": {"table": DATASET}},
    }


def write_config_folder(folder: Path) -> Path:
    """A config folder for the local deployment: the repository's pipeline.yaml plus lineitem only."""
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "datasets").mkdir(parents=True)
    shutil.copyfile(REPO_ROOT / "config" / "pipeline.yaml", folder / "pipeline.yaml")
    (folder / "datasets" / f"{DATASET}.yaml").write_text(
        "# Generated by localglue.bench.lineitem: the benchmark's dataset.\n"
        + yaml.safe_dump(dataset_config(), sort_keys=False, width=120))
    return folder
