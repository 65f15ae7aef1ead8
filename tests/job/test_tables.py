"""Operating a curated Iceberg table: history, time travel, rollback, compaction and expiry, as
`make table-*` runs them (localglue.runner.tables) on a table the jobs built."""

from __future__ import annotations

import re

from localglue.runner import tables
from tests.job.support import run_all, warehouse


def history(capsys) -> list[list[str]]:
    """The rows `history` prints: made_current_at (date, time), snapshot_id, current_line, operation, ..."""
    capsys.readouterr()  # what the jobs printed before
    assert tables.run("history", "airlines") == 0
    return [line.split() for line in capsys.readouterr().out.splitlines()[1:]]


def test_history_time_travel_rollback_compaction_and_expiry(pipeline, capsys):
    run_all(pipeline, datasets="airlines")
    warehouse(pipeline, "UPDATE reference.airlines SET name = 'United Airlines' WHERE carrier = 'UA' RETURNING 1")
    run_all(pipeline, datasets="airlines")
    current = "SELECT name FROM airlines WHERE carrier = 'UA'"
    assert pipeline.athena().execute(current).fetchone() == ("United Airlines",)

    snapshots = history(capsys)
    assert [(row[4], row[-1]) for row in snapshots] == [("append", "16"), ("overwrite", "16")]
    first = int(snapshots[0][2])

    capsys.readouterr()
    assert tables.run("at", "airlines", first) == 0
    assert re.search(rf"as of snapshot {first}: 16 rows", capsys.readouterr().out)

    # Small files, as many tiny commits leave them: two small appends (1 and 2 rows) beside the one file.
    name = f"glue_catalog.{pipeline.database('curated')}.airlines"
    spark = tables._session(pipeline)
    for _ in range(2):
        spark.sql(f"INSERT INTO {name} SELECT * FROM {name} WHERE carrier = 'UA'")
    assert tables.run("compact", "airlines") == 0
    assert "airlines: 3 files rewritten into 1" in capsys.readouterr().out
    assert pipeline.athena().execute("SELECT count(*) FROM airlines").fetchone() == (19,)

    assert tables.run("rollback", "airlines", first) == 0
    assert f"now reads snapshot {first}: 16 rows" in capsys.readouterr().out
    assert pipeline.athena().execute(current).fetchone() == ("United Air Lines Inc.",)

    assert tables.run("expire", "airlines", keep=1) == 0
    assert "kept the last 1 snapshots" in capsys.readouterr().out
    assert {row[2] for row in history(capsys)} == {str(first)}
    assert pipeline.athena().execute("SELECT count(*) FROM airlines").fetchone() == (16,)


def test_an_unknown_table_is_named_with_what_to_do(pipeline, capsys):
    capsys.readouterr()
    assert tables.run("history", "nope") == 1
    assert "no curated table 'nope' in glue_catalog.etl_glue_pipeline_local_curated (run `make demo` first)" in \
        capsys.readouterr().err
