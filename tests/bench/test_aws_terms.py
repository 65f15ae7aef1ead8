"""The benchmark's translation into AWS terms: work per row from the measured CPU seconds less the
rerun with nothing new, Glue's billing (1-minute minimum, workers x DPUs, FLEX rate), and the cheapest
setting that ends in time."""

from __future__ import annotations

import pytest

from localglue.bench import aws_terms
from localglue.bench.aws_terms import JobWork

PIPELINE, JOBS = "P", ("extract", "transform", "load")


def results(rows: int = 1_000_000) -> dict:
    def stage(cpu: float) -> dict:
        return {"cpu_seconds": {"median": cpu}, "seconds": {"median": cpu / 2}}
    return {"rows": rows, "input_bytes": 128 * rows,
            "engines": {PIPELINE: {"stages": {"land": stage(1), "extract": stage(40), "transform": stage(90),
                                              "load": stage(50)}}},
            "pipeline_reruns": {aws_terms.STARTED_WITH_NOTHING_NEW: {"stages": {"extract": 12.0, "transform": 11.0, "load": 10.0},
                                                "cpu_stages": {"extract": 8.0, "transform": 10.0, "load": 10.0}}}}


def test_work_per_row_is_the_full_runs_cpu_less_the_rerun_with_nothing_new():
    work = {w.job: w for w in aws_terms.measured_work(results(), PIPELINE, JOBS)}
    assert work["extract"].cpu_seconds_per_row == pytest.approx(32 / 1_000_000)
    assert work["transform"].cpu_seconds_per_row == pytest.approx(80 / 1_000_000)
    assert work["load"].fixed_seconds == 10.0


def test_without_a_rerun_the_whole_run_counts_as_work():
    measured = results()
    del measured["pipeline_reruns"]
    work = aws_terms.measured_work(measured, PIPELINE, JOBS)
    assert [w.cpu_seconds_per_row * 1_000_000 for w in work] == pytest.approx([40, 90, 50])
    assert all(w.fixed_seconds == 0 for w in work)


def test_a_short_job_run_is_billed_its_one_minute_minimum_on_every_worker():
    prices = aws_terms.load_prices("us-east-1")
    run = aws_terms.job_run_on_glue(JobWork("load", 1e-6, 10.0), 1_000, "G.2X", 10, prices)
    assert run["seconds"] == pytest.approx(10.0 + 1e-3 / 72)  # 9 executors x 2 DPUs x 4 vCPUs
    assert run["dpu_seconds"] == 60 * 10 * 2
    assert run["STANDARD"] == pytest.approx(1200 / 3600 * 0.44)
    assert run["FLEX"] == pytest.approx(1200 / 3600 * 0.29)


def test_a_long_job_run_spreads_its_work_over_the_executors_not_the_driver():
    prices = aws_terms.load_prices("us-east-1")
    run = aws_terms.job_run_on_glue(JobWork("transform", 1e-4, 20.0), 100_000_000, "G.1X", 5, prices)
    assert run["seconds"] == pytest.approx(20 + 10_000 / 16)  # 4 executors x 4 vCPUs
    assert run["dpu_seconds"] == pytest.approx(run["seconds"] * 5)


def test_the_recommendation_is_the_cheapest_setting_that_ends_in_time_else_the_fastest():
    fast_dear = {"longest_job_minutes": 5, "STANDARD": 9.0}
    slow_cheap = {"longest_job_minutes": 20, "STANDARD": 3.0}
    too_slow = {"longest_job_minutes": 90, "STANDARD": 1.0}
    assert aws_terms.recommend([fast_dear, slow_cheap, too_slow]) is slow_cheap
    slower = {"longest_job_minutes": 120, "STANDARD": 0.5}
    assert aws_terms.recommend([too_slow, slower]) is too_slow


def test_per_million_rows_and_per_gb_and_each_size_has_a_recommendation():
    terms = aws_terms.aws_terms(results(), PIPELINE, JOBS)
    assert terms["measured_cpu_seconds_per_million_rows"] == {"extract": 32.0, "transform": 80.0, "load": 40.0}
    by_setting = {(m["worker_type"], m["workers"]): m for m in terms["per_million_rows_and_gb"]}
    # at a billion rows the fixed part hardly counts: 152 CPU s per million rows is 38 DPU-s of vCPUs,
    # plus the driver's idle worker (10 workers, 9 executors)
    assert by_setting[("G.1X", 10)]["dpu_seconds_per_million_rows"] == pytest.approx(152 / 4 * 10 / 9, rel=0.01)
    line = by_setting[("G.1X", 10)]
    assert line["FLEX_per_million_rows"] / line["STANDARD_per_million_rows"] == pytest.approx(0.29 / 0.44, rel=0.01)
    # 128 bytes a row: a GB is 8.39 million rows
    assert line["STANDARD_per_gb"] == pytest.approx(line["STANDARD_per_million_rows"] * 1024 ** 3 / 128 / 1e6, rel=0.01)
    assert [s["rows"] for s in terms["data_sizes"]] == list(aws_terms.DATA_SIZES_ROWS)
    smallest, largest = terms["data_sizes"][0]["recommended"], terms["data_sizes"][-1]["recommended"]
    assert (smallest["worker_type"], smallest["workers"]) == ("G.1X", 2)  # the minimum dominates
    assert largest["longest_job_minutes"] <= aws_terms.TARGET_JOB_MINUTES
    table = aws_terms.markdown(terms)
    assert "| 10 x G.1X |" in table and "| 1,000,000,000 |" in table
