"""Fresh offline `terraform plan`s of envs/dev.tfvars (as it is, and started by uploads), once per test session.

The plan runs on a scratch copy of terraform/ and config/, after building the package exactly as
`make package` does, with a local backend override (the real root declares an S3 backend). It needs
the `terraform` CLI and, on machines without the Terraform registry, the offline toolchain's
environment (eval "$(../shared/tf-offline/setup --env)"): `make test` promises these checks, so a
missing terraform fails the tests instead of skipping them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from etl_deploy.package import build

REPO = Path(__file__).resolve().parents[2]
IGNORED = shutil.ignore_patterns(".terraform", ".terraform.lock.hcl", "*.tfstate*", "tfplan", "plan.json", "*_override.tf")


@dataclass(frozen=True)
class PlannedConfiguration:
    plan: dict
    dist: Path

    def resources(self, type_: str) -> dict[str, dict]:
        """Planned values of every resource of a type, by address."""
        return {
            change["address"]: change["change"]["after"]
            for change in self.plan["resource_changes"]
            if change["type"] == type_ and "create" in change["change"]["actions"]
        }

    def output(self, name: str):
        return self.plan["planned_values"]["outputs"][name]["value"]


def _terraform(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1", "TF_INPUT": "0"}
    completed = subprocess.run(["terraform", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        pytest.fail(f"terraform {' '.join(args)} failed in {cwd}:\n{completed.stdout[-3000:]}\n{completed.stderr[-3000:]}")
    return completed


@pytest.fixture(scope="session")
def terraform_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A scratch copy of terraform/ and config/, with dist/ built and `terraform init` done."""
    if shutil.which("terraform") is None:
        pytest.fail(
            "terraform is not on PATH: these tests plan the Terraform configuration. Offline, run "
            "`eval \"$(../shared/tf-offline/setup --env)\"` first; otherwise install Terraform >= 1.10."
        )
    work = tmp_path_factory.mktemp("tfplan")
    shutil.copytree(REPO / "terraform", work / "terraform", ignore=IGNORED)
    shutil.copytree(REPO / "config", work / "config")
    build(REPO, work / "dist")  # what `make package` does
    root = work / "terraform"
    (root / "backend_override.tf").write_text('terraform {\n  backend "local" {}\n}\n')
    _terraform(["init", "-input=false", "-no-color"], root)
    return root


def _plan(root: Path, name: str, variables: dict[str, str]) -> PlannedConfiguration:
    """Plan envs/dev.tfvars with `variables` set on top, into <name>.tfplan."""
    overrides = [f"-var={key}={value}" for key, value in variables.items()]
    _terraform(["plan", "-input=false", "-no-color", "-lock=false", "-var-file=envs/dev.tfvars", *overrides,
                f"-out={name}.tfplan"], root)
    shown = _terraform(["show", "-json", f"{name}.tfplan"], root)
    return PlannedConfiguration(plan=json.loads(shown.stdout), dist=root.parent / "dist")


@pytest.fixture(scope="session")
def planned(terraform_root: Path) -> PlannedConfiguration:
    return _plan(terraform_root, "dev", {})


@pytest.fixture(scope="session")
def planned_event_start(terraform_root: Path) -> PlannedConfiguration:
    """dev started by uploads to the raw bucket; its warehouse and DynamoDB datasets keep the schedule."""
    return _plan(terraform_root, "dev-event", {"workflow_start": "event", "workflow_schedule": "cron(15 2 * * ? *)"})
