"""Dataset options through the three jobs: `deduplicate.order_by` decides which version of a key wins
in the transform, across the load's batches, against the curated table and in the warehouse; derived
columns use earlier ones; a dataset without a warehouse target loads its curated table only."""

from __future__ import annotations

import pytest

from etl_pipeline.jobs import DatasetsFailedError
from etl_pipeline.report import InvariantError, check_invariant
from etl_pipeline.stages import load as load_stage
from localglue.services import jdbc
from tests.job.support import run_all, run_stage
from tests.job.test_schema_evolution import ORDERS, Orders

# `rev`: the highest revision wins, NULL loses; `qty4` is derived from the derived `qty2`.
REVISED = {**ORDERS,
           "columns": [*ORDERS["columns"], {"name": "rev", "type": "int"}],
           "derived": [{"name": "qty2", "type": "int", "expr": "qty * 2"},
                       {"name": "qty4", "type": "int", "expr": "qty2 * 2"}],
           "deduplicate": {"order_by": [{"column": "rev", "direction": "desc"}]}}


def revised_in(merge_mode: str) -> dict:
    """REVISED with its curated table in `targets.curated.merge_mode`."""
    return {**REVISED, "targets": {**REVISED["targets"], "curated": {"table": "orders", "merge_mode": merge_mode}}}


def test_order_by_decides_the_winner_in_curated_and_warehouse_across_runs_and_batches(local_home, postgres_url,
                                                                                          tmp_path):
    orders = Orders(tmp_path)
    orders.configure(REVISED)
    orders.land("orders_1.csv", "order_id,qty,note,rev\n1,5,first rev 2,2\n2,7,first rev 1,1\n3,1,no rev,\n")
    run_all(orders.pipeline)

    # Two batches validated before one load: rev decides across them and against the table.
    orders.land("orders_2.csv", "order_id,qty,note,rev\n1,6,lower rev,1\n2,8,higher rev,3\n3,2,rev 0 beats NULL,0\n"
                                "4,9,new key,\n")
    run_stage(orders.pipeline, "extract")
    run_stage(orders.pipeline, "transform")
    orders.land("orders_3.csv", "order_id,qty,note,rev\n2,10,same rev newer file,3\n1,11,NULL rev,\n")
    run_stage(orders.pipeline, "extract")
    run_stage(orders.pipeline, "transform")
    load = run_stage(orders.pipeline, "load")["datasets"]["orders"]

    assert (load["rows_read"], load["rows_loaded"], load["superseded"], load["superseded_by_curated"]) == (6, 3, 1, 2)
    assert (load["curated_inserted"], load["curated_updated"], load["warehouse_rows"]) == (1, 2, 3)
    expected = [(1, 5, "first rev 2", 2, 10, 20), (2, 10, "same rev newer file", 3, 20, 40),
                (3, 2, "rev 0 beats NULL", 0, 4, 8), (4, 9, "new key", None, 18, 36)]
    assert orders.curated_rows("order_id, qty, note, rev, qty2, qty4") == expected
    assert orders.warehouse_rows("order_id, qty, note, rev, qty2, qty4") == expected


def test_one_batch_competes_only_with_the_curated_version_and_its_counts_come_from_the_merge(local_home,
                                                                                              postgres_url, tmp_path):
    orders = Orders(tmp_path)
    orders.configure(REVISED)
    orders.land("orders_1.csv", "order_id,qty,note,rev\n1,5,rev 2,2\n2,7,rev 1,1\n3,1,rev 4,4\n")
    run_all(orders.pipeline)

    # One validated batch: no window over it, each row against the table's version of its key.
    orders.land("orders_2.csv", "order_id,qty,note,rev\n1,6,lower rev,1\n2,8,same rev,1\n3,2,NULL rev,\n"
                                "4,9,new key,\n")
    load = run_all(orders.pipeline)["load"]["datasets"]["orders"]

    assert (load["rows_read"], load["rows_loaded"], load["superseded"], load["superseded_by_curated"]) == (4, 2, 0, 2)
    assert (load["curated_inserted"], load["curated_updated"], load["warehouse_rows"]) == (1, 1, 2)
    expected = [(1, 5, "rev 2", 2), (2, 8, "same rev", 1), (3, 1, "rev 4", 4), (4, 9, "new key", None)]
    assert orders.curated_rows("order_id, qty, note, rev") == expected
    assert orders.warehouse_rows("order_id, qty, note, rev") == expected


def load_taken_back(orders: Orders, monkeypatch, rows_before: int) -> None:
    """Run the load with a count check that fails, then put the real check back.

    The counts are checked after the commit (they are observed on the merge's pass): the failed check
    must take the merge back, so that readers see the table's `rows_before` earlier rows again."""
    def counts_that_do_not_add_up(stage, dataset, read, accounted):
        raise InvariantError(f"{stage} {dataset}: rows read {read} != {accounted}.")
    monkeypatch.setattr(load_stage, "check_invariant", counts_that_do_not_add_up)
    with pytest.raises(DatasetsFailedError,
                       match=rf"The merge was taken back: .*orders holds its {rows_before} earlier rows again"):
        run_stage(orders.pipeline, "load")
    monkeypatch.setattr(load_stage, "check_invariant", check_invariant)


@pytest.mark.parametrize("merge_mode", ["copy-on-write", "merge-on-read"])
def test_a_load_whose_counts_do_not_add_up_takes_its_merge_back_and_the_rerun_loads_the_batch(local_home,
                                                                                               postgres_url, tmp_path,
                                                                                               monkeypatch, merge_mode):
    orders = Orders(tmp_path)
    orders.configure(revised_in(merge_mode))
    orders.land("orders_1.csv", "order_id,qty,note,rev\n1,5,rev 2,2\n")
    run_all(orders.pipeline)
    orders.land("orders_2.csv", "order_id,qty,note,rev\n1,6,rev 3,3\n2,7,new key,1\n")
    run_stage(orders.pipeline, "extract")
    run_stage(orders.pipeline, "transform")

    load_taken_back(orders, monkeypatch, rows_before=1)
    assert orders.curated_rows("order_id, qty, note, rev") == [(1, 5, "rev 2", 2)]

    load = run_stage(orders.pipeline, "load")["datasets"]["orders"]
    assert (load["rows_read"], load["rows_loaded"], load["curated_inserted"], load["curated_updated"]) == (2, 2, 1, 1)
    assert orders.curated_rows("order_id, qty, note, rev") == [(1, 6, "rev 3", 3), (2, 7, "new key", 1)]


def test_a_first_load_whose_counts_do_not_add_up_empties_the_table_it_created_and_the_rerun_fills_it(
        local_home, postgres_url, tmp_path, monkeypatch):
    orders = Orders(tmp_path)
    orders.configure(revised_in("merge-on-read"))
    orders.land("orders_1.csv", "order_id,qty,note,rev\n1,5,rev 2,2\n2,7,rev 1,1\n")
    run_stage(orders.pipeline, "extract")
    run_stage(orders.pipeline, "transform")

    # The table had no snapshot before its first load (which appends): nothing to roll back to, so the
    # take-back deletes the rows, and readers see an empty table, not a batch that failed its check.
    load_taken_back(orders, monkeypatch, rows_before=0)
    assert orders.curated_rows("order_id, qty, note, rev") == []

    load = run_stage(orders.pipeline, "load")["datasets"]["orders"]
    assert (load["rows_read"], load["rows_loaded"], load["curated_inserted"], load["curated_rows"]) == (2, 2, 2, 2)
    assert orders.curated_rows("order_id, qty, note, rev") == [(1, 5, "rev 2", 2), (2, 7, "rev 1", 1)]
    assert orders.warehouse_rows("order_id, qty, note, rev") == [(1, 5, "rev 2", 2), (2, 7, "rev 1", 1)]


def test_a_dataset_without_a_warehouse_target_loads_only_its_curated_table(local_home, postgres_url, tmp_path):
    orders = Orders(tmp_path)
    orders.configure({**ORDERS, "targets": {"curated": {"table": "orders"}}})
    orders.land("orders_1.csv", "order_id,qty,note\n1,5,a\n2,7,b\n")

    load = run_all(orders.pipeline)["load"]["datasets"]["orders"]

    assert (load["rows_loaded"], load["warehouse_rows"], load["warehouse_seconds"]) == (2, None, None)
    assert load["curated_seconds"] > 0  # measured for the report, never a limit
    assert load["warehouse"] == "none (config/datasets/orders.yaml has no targets.warehouse)"
    assert orders.curated_rows("order_id, qty, note") == [(1, 5, "a"), (2, 7, "b")]
    with jdbc.connect(orders.pipeline.postgres()) as connection:
        assert connection.execute("SELECT to_regclass('analytics.orders')").fetchone()[0] is None
