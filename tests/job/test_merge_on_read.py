"""A curated table in merge-on-read (`targets.curated.merge_mode`): an increment writes position
deletes and new data files instead of rewriting the table's files; Spark, the Athena stand-in
(pyiceberg) and the load's own reads of the table apply the deletes; compaction folds them back in;
a changed setting takes effect on the next load."""

from __future__ import annotations

from localglue.runner import tables
from tests.job.support import run_all
from tests.job.test_dataset_options import REVISED, revised_in
from tests.job.test_schema_evolution import Orders

MERGE_ON_READ = revised_in("merge-on-read")


def test_an_increment_writes_deletes_not_the_tables_files_and_every_reader_applies_them(local_home, postgres_url,
                                                                                        tmp_path, capsys):
    orders = Orders(tmp_path)
    orders.configure(MERGE_ON_READ)
    orders.land("orders_1.csv", "order_id,qty,note,rev\n1,5,a,1\n2,7,b,1\n3,1,c,4\n4,2,d,1\n")
    first = run_all(orders.pipeline)["load"]["datasets"]["orders"]
    spark = tables._session(orders.pipeline)
    name = first["curated_table"]
    properties = {row["key"]: row["value"] for row in spark.sql(f"SHOW TBLPROPERTIES {name}").collect()}
    assert [properties[f"write.{kind}.mode"] for kind in ("merge", "update", "delete")] == ["merge-on-read"] * 3
    first_files = {row["file_path"] for row in spark.sql(f"SELECT file_path FROM {name}.data_files").collect()}

    # Two keys updated, one losing to the table's higher rev (read from the table, deletes applied), one new.
    orders.land("orders_2.csv", "order_id,qty,note,rev\n1,6,a2,2\n2,8,b2,2\n3,9,lower rev,3\n5,3,e,1\n")
    load = run_all(orders.pipeline)["load"]["datasets"]["orders"]

    assert (load["rows_read"], load["rows_loaded"], load["superseded_by_curated"]) == (4, 3, 1)
    assert (load["curated_inserted"], load["curated_updated"], load["curated_rows"], load["warehouse_rows"]) == \
        (1, 2, 5, 3)
    assert load["curated_seconds"] > 0 and load["warehouse_seconds"] > 0  # each target's part of the load's time
    expected = [(1, 6, "a2", 2), (2, 8, "b2", 2), (3, 1, "c", 4), (4, 2, "d", 1), (5, 3, "e", 1)]
    assert orders.curated_rows("order_id, qty, note, rev") == expected  # the Athena stand-in: pyiceberg
    assert [tuple(row) for row in spark.sql(f"SELECT order_id, qty, note, rev FROM {name} ORDER BY 1").collect()] \
        == expected
    assert orders.warehouse_rows("order_id, qty, note, rev") == expected
    (summary,) = spark.sql(f"SELECT summary FROM {name}.snapshots WHERE snapshot_id = {load['curated_snapshot_id']}"
                           ).collect()
    summary = summary["summary"]
    assert (summary["added-position-deletes"], summary["added-records"]) == ("2", "3")
    assert int(summary["added-delete-files"]) >= 1 and int(summary.get("deleted-data-files", "0")) == 0
    now = {row["file_path"] for row in spark.sql(f"SELECT file_path FROM {name}.data_files").collect()}
    assert first_files < now  # the first load's files are all still there, untouched

    capsys.readouterr()
    assert tables.run("compact", "orders") == 0
    assert "1 delete files into 0" in capsys.readouterr().out
    assert spark.sql(f"SELECT count(*) FROM {name}.delete_files").collect()[0][0] == 0
    assert orders.curated_rows("order_id, qty, note, rev") == expected
    assert tables.run("history", "orders") == 0
    compacted = capsys.readouterr().out.splitlines()[-1].split()
    assert (compacted[4], compacted[-2], compacted[-1]) == ("replace", "0", "5")

    # Back to copy-on-write: the table's properties follow the config, and the next merge rewrites files.
    orders.configure(REVISED)
    orders.land("orders_3.csv", "order_id,qty,note,rev\n4,4,d2,2\n")
    load = run_all(orders.pipeline)["load"]["datasets"]["orders"]
    properties = {row["key"]: row["value"] for row in spark.sql(f"SHOW TBLPROPERTIES {name}").collect()}
    assert [properties[f"write.{kind}.mode"] for kind in ("merge", "update", "delete")] == ["copy-on-write"] * 3
    (summary,) = spark.sql(f"SELECT summary FROM {name}.snapshots WHERE snapshot_id = {load['curated_snapshot_id']}"
                           ).collect()
    assert int(summary["summary"]["deleted-data-files"]) >= 1 and "added-delete-files" not in summary["summary"]
    assert (load["curated_updated"], load["curated_rows"]) == (1, 5)
    assert orders.curated_rows("order_id, qty, note") == [(1, 6, "a2"), (2, 8, "b2"), (3, 1, "c"), (4, 4, "d2"),
                                                          (5, 3, "e")]
