"""`make bench` at a tiny scale: the three engines run, agree row for row with each other and with the
generated data, the pipeline's warehouse table holds its curated rows, and the report is written, with
the load's warehouse write as a line of its own. Timings are measured, never asserted."""

from __future__ import annotations

import json
import os
import sys

import duckdb
import pytest

from localglue.bench import data, outcomes
from localglue.bench.__main__ import DUCKDB, PIPELINE, SPARK_JOB, load_parts, main
from localglue.bench.lineitem import COLUMNS, DATASET
from localglue.bench.measure import StepFailed, run_measured
from localglue.bench.report import CURATED_PART, WAREHOUSE_PART

TINY = 0.001  # about 6,000 rows: the JVM starts, not the data, set this test's time


@pytest.fixture(scope="module")
def bench_input(tmp_path_factory) -> data.BenchInput:
    return data.generate(TINY, tmp_path_factory.mktemp("bench") / "data")


def test_generated_data_has_one_dirty_row_per_failure_and_newer_versions_in_a_later_file(bench_input):
    changes = bench_input.files[-1]
    assert changes.name == data.CHANGES_FILE
    assert all(changes.stat().st_mtime > f.stat().st_mtime for f in bench_input.files[:-1])
    rows = duckdb.sql(f"SELECT * FROM read_csv('{changes}', all_varchar = true, header = true)").fetchall()
    dirty = [r for r in rows if r[-1] == "bench: dirty row"]
    newer = [r for r in rows if r[-1] == "bench: a newer version of this line"]
    assert len(dirty) == bench_input.expected_quarantined == data.MINIMUM_CHANGED_ROWS
    assert len(newer) == bench_input.expected_duplicates
    # every variant is present, and no key repeats inside the file (the winner needs no tie-break)
    names = [c.name for c in COLUMNS]
    for column, text, _ in data.DIRTY_VARIANTS:
        assert any((r[names.index(column)] or "") == text for r in dirty), column
    assert len({(r[0], r[3]) for r in newer}) == len(newer)


def test_generation_is_reproducible(bench_input, tmp_path):
    again = data.generate(TINY, tmp_path / "data")
    assert again.files[-1].read_bytes() == bench_input.files[-1].read_bytes()
    assert again.increment.read_bytes() == bench_input.increment.read_bytes()


def test_engines_that_disagree_stop_the_benchmark_naming_each_engine():
    same = outcomes.Outcomes(10, 2, 1, "42")
    outcomes.check_agreement({PIPELINE: same, SPARK_JOB: same}, (10, 2, 1))
    with pytest.raises(outcomes.EnginesDisagree, match="P: pipeline.*valid=9"):
        outcomes.check_agreement({PIPELINE: outcomes.Outcomes(9, 3, 1, "41"), SPARK_JOB: same}, (10, 2, 1))
    with pytest.raises(outcomes.EnginesDisagree, match="the data implies valid 11"):
        outcomes.check_agreement({PIPELINE: same, SPARK_JOB: same}, (11, 2, 0))


def test_a_failed_step_is_one_line_naming_the_step_the_cause_and_the_log(tmp_path):
    log = tmp_path / "logs" / "step.log"
    command = [sys.executable, "-c", "import sys; print('starting'); sys.exit('error: no such table lineitem')"]
    with pytest.raises(StepFailed) as failure:
        run_measured(PIPELINE, "load", command, tmp_path, dict(os.environ), log)
    message = str(failure.value)
    assert "\n" not in message
    assert message.startswith("P: pipeline load failed (exit 1): error: no such table lineitem")
    assert str(log) in message and "starting" in log.read_text()


def test_without_postgresql_the_bench_stops_in_one_line_saying_what_to_set(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("GLUE_LOCAL_POSTGRES_URL", "postgresql://postgres@127.0.0.1:9/none")  # a closed port

    assert main(["--sf", str(TINY), "--reps", "1", "--work-dir", str(tmp_path / "work")]) == 1

    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "GLUE_LOCAL_POSTGRES_URL" in error and "127.0.0.1:9" in error
    assert not (tmp_path / "work").exists()  # stopped before generating anything


def test_a_load_that_skipped_the_warehouse_fails_the_bench_naming_its_report(tmp_path):
    report = tmp_path / "jr_1.json"
    report.write_text(json.dumps({"datasets": {DATASET: {
        "nothing_new": False, "curated_seconds": 2.5, "warehouse_seconds": None,
        "warehouse": "disabled (--warehouse_connection none)"}}}))
    with pytest.raises(StepFailed) as failure:
        load_parts({report})
    assert "\n" not in str(failure.value)
    assert "warehouse: disabled (--warehouse_connection none)" in str(failure.value) and str(report) in str(failure.value)
    assert "GLUE_LOCAL_POSTGRES_URL" in str(failure.value)

    report.write_text(json.dumps({"datasets": {DATASET: {"rows_read": 0, "nothing_new": True}}}))
    assert load_parts({report}) == [] == load_parts(set())  # a load with nothing new has no parts to time


def test_bench_runs_the_three_engines_and_they_agree(tmp_path, postgres_url):
    report_dir = tmp_path / "report"
    assert main(["--sf", str(TINY), "--reps", "1", "--skip-reruns", "--work-dir", str(tmp_path / "work"),
                 "--report-dir", str(report_dir)]) == 0
    results = json.loads((report_dir / "results.json").read_text())
    (produced,) = results["outcomes_per_rep"]
    assert set(produced) == {PIPELINE, SPARK_JOB, DUCKDB}
    assert len({json.dumps(o, sort_keys=True) for o in produced.values()}) == 1
    generated = produced[PIPELINE]
    assert generated["quarantined"] == generated["duplicates"] == data.MINIMUM_CHANGED_ROWS
    assert generated["valid"] + 2 * data.MINIMUM_CHANGED_ROWS == results["rows"]
    # the warehouse table holds exactly the valid rows, the same as the curated table's
    assert results["warehouse_per_rep"] == [{"rows": generated["valid"], "checksum": generated["valid_checksum"]}]
    # the pipeline's stages and the single job each have a line; the pipeline wrote its curated files
    stages = results["engines"][PIPELINE]["stages"]
    assert set(stages) == {"land", "extract", "transform", "load", CURATED_PART, WAREHOUSE_PART}
    assert stages["load"]["files_written"] > 0
    # the load's two targets, timed by the load job (its run report): wall time only
    assert stages[WAREHOUSE_PART]["seconds"]["min"] > 0 and stages[CURATED_PART]["seconds"]["min"] > 0
    assert "cpu_seconds" not in stages[WAREHOUSE_PART]
    # the total compared with the references ends at the curated table: the warehouse part is left out
    steps = {m["stage"]: m["seconds"] for m in results["measures"] if m["engine"] == PIPELINE}
    assert results["engines"][PIPELINE]["total"]["seconds"]["median"] == pytest.approx(
        steps["extract"] + steps["transform"] + steps["load"] - steps[WAREHOUSE_PART], abs=0.01)
    assert results["engines"][SPARK_JOB]["total"]["files_written"] > 0
    assert results["spark_event_logs"][PIPELINE]["transform"]["jobs"] > 0
    table = (report_dir / "table.md").read_text()
    assert all(f"| {engine} |" in table for engine in (PIPELINE, SPARK_JOB, DUCKDB))
    assert f"| {PIPELINE} | load: warehouse (in load, not in total) |" in table
    assert f"| {PIPELINE} | total (to curated, without load: warehouse) |" in table
    assert (report_dir / "chart.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # every measured step used CPU, and the report translates the pipeline's into AWS terms
    spark_steps = [m for m in results["measures"] if m["stage"] in ("extract", "transform", "load")
                   or m["engine"] == SPARK_JOB]  # each starts a JVM: seconds of CPU, many samples
    assert len(spark_steps) == 4 and all(m["cpu_seconds"] > 1 for m in spark_steps)
    assert results["aws"]["measured_cpu_seconds_per_million_rows"]["transform"] > 0
    assert "In AWS terms" in table and "| 2 x G.1X |" in table
