"""The benchmark's numbers: the load's two targets are lines of their own (wall time only), and the
pipeline's total, its ratios and the reruns' shares end at the curated table, leaving the warehouse
write out, as the references write none."""

from __future__ import annotations

import pytest

from localglue.bench import report
from localglue.bench.measure import StepMeasure
from localglue.bench.report import CURATED_PART, WAREHOUSE_PART

P, A, C = "P", "A", "C"
ROWS = 1000


def step(engine: str, stage: str, seconds: float, cpu: float = 1.0) -> StepMeasure:
    return StepMeasure(engine, stage, seconds, peak_rss_bytes=2 * 1024 ** 3, cpu_seconds=cpu, files_written=3,
                       bytes_written=1024 ** 2, data_files_written=1)


def pipeline_run() -> list[StepMeasure]:
    return [step(P, "land", 1.0), step(P, "extract", 10.0), step(P, "transform", 20.0), step(P, "load", 15.0),
            StepMeasure.part_of(P, CURATED_PART, 6.0), StepMeasure.part_of(P, WAREHOUSE_PART, 4.0)]


def results(reruns: dict | None = None) -> dict:
    measures = [{**m.as_dict(), "rep": 0} for m in [*pipeline_run(), step(A, "all", 20.5), step(C, "all", 4.1)]]
    summary = report.summarise(measures, reruns or {}, ROWS, P, A, C)
    summary.update({"scale_factor": 0.001, "rows": ROWS, "reps": 1, "input_bytes": 1024 ** 2, "increment_rows": 10,
                    "machine": {"cpus": 2, "cpu_model": "test", "memory_gb": 4.0,
                                "load_average_at_start": (1.0,), "load_average_at_end": (1.0,)}})
    return summary


def test_the_pipelines_total_and_ratios_leave_the_warehouse_part_out():
    summary = results()
    pipeline = summary["engines"][P]

    assert pipeline[report.TOTAL]["seconds"]["median"] == 41.0  # extract + transform + load - warehouse
    assert summary["ratios"]["P/A"] == 2.0 and summary["ratios"]["P/C"] == 10.0
    # CPU, memory and files are per process: the load's (warehouse write included) count in full
    assert pipeline[report.TOTAL]["cpu_seconds"]["median"] == 3.0
    assert pipeline["stages"][WAREHOUSE_PART] == {"seconds": {"median": 4.0, "min": 4.0, "max": 4.0, "spread_pct": 0.0},
                                                  "rows_per_second": 250}


def test_the_table_shows_each_target_of_the_load_on_its_own_line_and_says_what_the_total_is():
    table = report.markdown_table(results())

    assert "| P | load (the job: both targets) | 15.0 | 15.0-15.0 | 1.0 |" in table
    assert "| P | load: curated (in load) | 6.0 | 6.0-6.0 | - | 167 | - | - | - |" in table
    assert "| P | load: warehouse (in load, not in total) | 4.0 | 4.0-4.0 | - | 250 | - | - | - |" in table
    assert "| P | total (to curated, without load: warehouse) | 41.0 |" in table
    assert "| A | total | 20.5 |" in table
    assert report.WAREHOUSE_NOTE in table


def test_an_increments_share_ends_at_the_curated_table_and_lists_the_loads_parts():
    increment = [step(P, "land", 0.5), step(P, "extract", 2.0), step(P, "transform", 2.5), step(P, "load", 6.0),
                 StepMeasure.part_of(P, CURATED_PART, 2.0), StepMeasure.part_of(P, WAREHOUSE_PART, 2.3)]

    line = results({"increment": increment})["pipeline_reruns"]["increment"]

    assert line["seconds"] == pytest.approx(8.2) and line["share_of_full_run_pct"] == 20.0
    assert line["stages"][WAREHOUSE_PART] == 2.3
    assert set(line["cpu_stages"]) == {"land", "extract", "transform", "load"}


def test_the_chart_stacks_the_warehouse_part_on_the_rest_of_the_load(tmp_path):
    report.chart(results(), tmp_path / "chart.png")

    assert (tmp_path / "chart.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
