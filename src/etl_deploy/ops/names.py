"""The names of a deployed pipeline, derived from config/pipeline.yaml's `project` and an environment.

The same rules as Terraform's (terraform/modules/pipeline_config, data_lake, jobs, workflow, crawlers,
iam, catalog), which tests/deploy/ops/test_names.py holds together; the local deployment
(localglue.runner.deployment) takes its job, crawler and workflow names from here.
"""

from __future__ import annotations

from dataclasses import dataclass

from etl_pipeline.config import PipelineConfig


@dataclass(frozen=True)
class PipelineNames:
    config: PipelineConfig
    env: str

    @property
    def prefix(self) -> str:
        return f"{self.config.project}-{self.env}"

    @property
    def workflow(self) -> str:
        return f"{self.prefix}-workflow"

    def job(self, stage: str) -> str:
        return f"{self.prefix}-{stage}-job"

    def crawler(self, zone: str) -> str:
        return f"{self.prefix}-{zone}-crawler"

    def bucket(self, zone: str, account_id: str) -> str:
        """terraform/modules/data_lake: <prefix>-<zone>-<account>, `_` in a zone name as `-`."""
        return f"{self.prefix}-{zone.replace('_', '-')}-{account_id}"

    @property
    def metrics_namespace(self) -> str:
        """The pipeline's own CloudWatch namespace (terraform passes the project name)."""
        return self.config.project

    @property
    def job_stages(self) -> list[str]:
        return [step.name for step in self.config.workflow if step.kind == "job"]

    @property
    def crawler_zones(self) -> list[str]:
        return [step.name for step in self.config.workflow if step.kind == "crawler"]

    def stage_of(self, job: str) -> str:
        """A stage name from a stage or a job name (`extract` or `etl-glue-pipeline-dev-extract-job`)."""
        for stage in self.job_stages:
            if job in (stage, self.job(stage)):
                return stage
        raise UsageError(f"unknown job {job!r}: one of {', '.join(self.job_stages)} "
                         f"(or its name, e.g. {self.job(self.job_stages[0])})")

    def stages_from(self, stage: str) -> list[str]:
        """The job stages from `stage` to the end of the workflow, in run order."""
        stages = self.job_stages
        return stages[stages.index(self.stage_of(stage)):]


class UsageError(ValueError):
    """The command line names something that does not exist; the CLI exits 2."""
