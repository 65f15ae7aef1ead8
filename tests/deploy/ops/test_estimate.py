"""Runs a month from a Glue cron schedule, and the settings read from terraform/envs/*.tfvars."""

from __future__ import annotations

import pytest

from etl_deploy.ops.cli import REPO_ROOT
from etl_deploy.ops.estimate import ScheduleError, read_environment, runs_per_month


@pytest.mark.parametrize("schedule, runs", [
    (None, 0),                               # ON_DEMAND
    ("cron(15 2 * * ? *)", 30.4),            # daily
    ("cron(0 */6 * * ? *)", 4 * 30.4),       # every six hours
    ("cron(0,30 * * * ? *)", 48 * 30.4),     # twice an hour
    ("cron(0 2 ? * MON-FRI *)", 5 * 30.4 / 7),
    ("cron(0 3 1 * ? *)", 1),                # monthly
    ("cron(0 3 1 JAN,JUL ? *)", 2 / 12),     # twice a year
])
def test_runs_per_month(schedule, runs):
    assert runs_per_month(schedule) == pytest.approx(runs)


def test_a_schedule_that_is_not_a_glue_cron_is_refused():
    with pytest.raises(ScheduleError, match="expected cron"):
        runs_per_month("rate(1 day)")


def test_settings_come_from_the_environment_tfvars():
    prod = read_environment(REPO_ROOT / "terraform", "prod")
    assert (prod.schedule, prod.execution_class, prod.availability_zones, prod.vpc_endpoints, prod.redshift,
            prod.redshift_base_rpus) == ("cron(15 2 * * ? *)", "STANDARD", 3, 6, True, 32)
    dev = read_environment(REPO_ROOT / "terraform", "dev")
    assert (dev.schedule, dev.execution_class, dev.redshift_base_rpus) == (None, "FLEX", 8)
    assert read_environment(REPO_ROOT / "terraform", "nosuch").source.startswith("no ")
