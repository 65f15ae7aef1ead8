"""Glue's billing rules for a run, and price overrides per region."""

from __future__ import annotations

import json

import pytest

from etl_deploy.ops.pricing import billed_dpu_seconds, job_run_cost, load_prices

PRICES = load_prices("us-east-1")


def test_a_run_is_billed_for_its_time_on_its_dpus():
    run = {"ExecutionTime": 600, "WorkerType": "G.2X", "NumberOfWorkers": 10}
    assert billed_dpu_seconds(run, PRICES) == 600 * 20
    assert job_run_cost(600 * 20, "STANDARD", PRICES) == pytest.approx(20 / 6 * 0.44)
    assert job_run_cost(600 * 20, "FLEX", PRICES) == pytest.approx(20 / 6 * 0.29)


def test_dpu_seconds_reported_by_glue_win_over_time_times_workers():
    # Auto scaling: fewer executors than the maximum for part of the run.
    run = {"ExecutionTime": 600, "WorkerType": "G.1X", "NumberOfWorkers": 10, "DPUSeconds": 2500.0}
    assert billed_dpu_seconds(run, PRICES) == 2500.0


def test_a_short_run_is_billed_one_minute():
    assert billed_dpu_seconds({"ExecutionTime": 12, "WorkerType": "G.1X", "NumberOfWorkers": 2}, PRICES) == 120
    assert billed_dpu_seconds({"ExecutionTime": 12, "MaxCapacity": 2.0}, PRICES) == 120
    assert billed_dpu_seconds({"WorkerType": "G.1X"}, PRICES) is None   # a run that has not started


def test_a_price_file_overrides_a_region_and_refuses_unknown_keys(tmp_path):
    prices = tmp_path / "prices.json"
    prices.write_text(json.dumps({"eu-west-1": {"standard_dpu_hour": 0.48}}))
    assert load_prices("eu-west-1", prices).standard_dpu_hour == 0.48
    assert load_prices("us-east-1", prices).standard_dpu_hour == 0.44
    prices.write_text(json.dumps({"eu-west-1": {"dpu": 1}}))
    with pytest.raises(ValueError, match="unknown price"):
        load_prices("eu-west-1", prices)
