"""The benchmark's input: TPC-H lineitem from `tpchgen-cli` as CSV files, plus one later file of a
fixed, seeded set of dirty rows (each failing one rule) and newer versions of existing keys.

The later file is newer than the generated ones (its modification time is set after theirs). Which
version of a key wins is the latest l_receiptdate, then the newest file: half of the newer versions
carry the same l_receiptdate as the line they repeat and win as the newer file, the other half a day
earlier and lose to it. No key repeats inside one file, which makes the winner of every key the same
whichever tie-breaks an engine applies within a file.
"""

from __future__ import annotations

import csv
import os
import random
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from localglue.bench.lineitem import COLUMNS

SEED = 20251201
CHANGES_FILE = "lineitem-changes.csv"
INCREMENT_FILE = "lineitem-increment.csv"
# One dirty variant per failure the pipeline's rules catch: (column, text written, why it fails).
DIRTY_VARIANTS = (
    ("l_partkey", "abc", "not a bigint"),
    ("l_linenumber", "1.5", "not a whole number"),
    ("l_shipdate", "not-a-date", "not a date"),
    ("l_orderkey", "", "key missing"),
    ("l_tax", "n/a", "not a decimal"),
    ("l_returnflag", "RR", "longer than max_length 1"),
    ("l_quantity", "-3", "rule quantity_positive"),
    ("l_discount", "0.25", "rule discount_in_range"),
    ("l_receiptdate", "1990-01-01", "rule receipt_not_before_ship"),
)
# Rows the pipeline's tests of a failure need at the least, whatever the scale.
MINIMUM_CHANGED_ROWS = 27


@dataclass(frozen=True)
class BenchInput:
    folder: Path
    files: tuple[Path, ...]       # in landing order; the changes file last
    increment: Path               # 1% of the rows as new versions, for the increment run
    rows: int
    expected_quarantined: int
    expected_duplicates: int

    @property
    def expected_valid(self) -> int:
        return self.rows - self.expected_quarantined - self.expected_duplicates


def _generate(scale_factor: float, parts: int, folder: Path) -> list[Path]:
    tpchgen = Path(sys.executable).with_name("tpchgen-cli")
    command = [str(tpchgen), "csv", "-s", str(scale_factor), "-T", "lineitem", "-p", str(parts),
               "-o", str(folder), "-q", "--overwrite"]
    subprocess.run(command, check=True)
    return sorted((folder / "lineitem").glob("lineitem.*.csv"), key=lambda p: int(p.name.split(".")[1]))


def _sample_rows(path: Path, count: int, rng: random.Random) -> tuple[list[str], list[list[str]]]:
    """`count` distinct rows of `path`, chosen by `rng` (reservoir sampling: one pass, any size)."""
    with path.open(newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        chosen: list[list[str]] = []
        for index, row in enumerate(reader):
            if index < count:
                chosen.append(row)
            else:
                slot = rng.randint(0, index)
                if slot < count:
                    chosen[slot] = row
    return header, chosen


def _day_before(iso_date: str) -> str:
    return (date.fromisoformat(iso_date) - timedelta(days=1)).isoformat()


def _count_rows(path: Path) -> int:
    with path.open(newline="") as handle:
        return sum(1 for _ in csv.reader(handle)) - 1


def _write(path: Path, header: list[str], rows: list[list[str]], newer_than: list[Path]) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    newest = max(p.stat().st_mtime for p in newer_than)
    os.utime(path, (newest + 60, newest + 60))


def generate(scale_factor: float, folder: Path, parts: int | None = None) -> BenchInput:
    """Generate (or reuse) lineitem at `scale_factor` under `folder` with the changes and increment files."""
    parts = parts or max(1, round(scale_factor * 8))
    marker = folder / f"generated-sf{scale_factor}-p{parts}"
    if folder.exists() and not marker.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    generated = _generate(scale_factor, parts, folder) if not marker.exists() else \
        sorted((folder / "lineitem").glob("lineitem.*.csv"), key=lambda p: int(p.name.split(".")[1]))
    rng = random.Random(SEED)
    changed_rows = max(MINIMUM_CHANGED_ROWS, round(250 * scale_factor))
    header, sample = _sample_rows(generated[0], 2 * changed_rows, rng)
    assert header == [c.name for c in COLUMNS], f"tpchgen-cli wrote columns {header}"
    max_order_key = max(int(row[0]) for row in sample) + 10_000_000_000  # beyond any generated key
    # Every other newer version was received a day earlier than the line it repeats: it loses to it
    # (the dataset's order is the latest l_receiptdate); the others tie on it and win as the newer file.
    newer_versions = [[*row[:4], "1", *row[5:12], _day_before(row[12]) if index % 2 else row[12], *row[13:15],
                       "bench: a newer version of this line"] for index, row in enumerate(sample[:changed_rows])]
    dirty = []
    for index, row in enumerate(sample[changed_rows:]):
        column, text, _ = DIRTY_VARIANTS[index % len(DIRTY_VARIANTS)]
        row = [*row[:15], "bench: dirty row"]
        row[0] = str(max_order_key + index)  # a key of its own: dirty rows never meet the de-duplication
        row[[c.name for c in COLUMNS].index(column)] = text
        dirty.append(row)
    changes = generated[0].parent / CHANGES_FILE  # beside the generated files: one input folder
    _write(changes, header, newer_versions + dirty, generated)
    rows = sum(_count_rows(p) for p in generated) + len(newer_versions) + len(dirty)
    # The increment: 1% of the rows, as newer versions of lines of the last generated file.
    _, increment_rows = _sample_rows(generated[-1], max(1, rows // 100), random.Random(SEED + 1))
    increment = folder / INCREMENT_FILE
    _write(increment, header, [[*row[:15], "bench: increment"] for row in increment_rows], [changes])
    marker.touch()
    return BenchInput(changes.parent, (*generated, changes), increment, rows, len(dirty), len(newer_versions))
