"""The CLI's names are Terraform's and the local deployment's: one rule, derived from config/."""

from __future__ import annotations

import re

from etl_deploy.config_bundle import read_config
from etl_deploy.ops.cli import REPO_ROOT
from etl_deploy.ops.names import PipelineNames, UsageError
from localglue.runner.deployment import LocalDeployment

import pytest


def test_names_match_the_local_deployment():
    local = LocalDeployment()
    names = PipelineNames(local.config, local.env)
    assert names.workflow == local.workflow_name
    assert [names.job(s) for s in names.job_stages] == [local.job_name(s) for s in ("extract", "transform", "load")]
    assert names.crawler("raw") == local.crawler_name("raw")


def test_names_match_terraform():
    """The resource names Terraform's modules build from name_prefix (<project>-<env>)."""
    names = PipelineNames(read_config(REPO_ROOT / "config"), "dev")
    modules = REPO_ROOT / "terraform" / "modules"
    assert '"${var.name_prefix}-${each.key}-job"' in (modules / "jobs" / "main.tf").read_text()
    assert '"${var.name_prefix}-workflow"' in (modules / "workflow" / "main.tf").read_text()
    assert re.search(r'"\$\{var\.name_prefix\}-\$\{replace\(zone, "_", "-"\)\}-\$\{var\.account_id\}"',
                     (modules / "data_lake" / "main.tf").read_text())
    assert (names.prefix, names.job("extract"), names.bucket("athena_results", "123456789012")) == (
        "etl-glue-pipeline-dev", "etl-glue-pipeline-dev-extract-job", "etl-glue-pipeline-dev-athena-results-123456789012")


def test_stages_from_a_stage_follow_the_workflow_order():
    names = PipelineNames(read_config(REPO_ROOT / "config"), "dev")
    assert names.stages_from("transform") == ["transform", "load"]
    assert names.stages_from("etl-glue-pipeline-dev-extract-job") == ["extract", "transform", "load"]
    with pytest.raises(UsageError, match="unknown job 'raw'"):
        names.stages_from("raw")
