"""The Glue workflow, run locally: the same steps in the same order as the Terraform triggers.

Terraform chains the workflow's triggers from the `workflow` list in config/pipeline.yaml, each
firing when the step before it SUCCEEDED; this runner walks the same list in one process and one
SparkSession, and stops at the first step that fails, as the workflow would.
"""

from __future__ import annotations

import json
import time
import traceback
from dataclasses import dataclass, field
from typing import Callable

from etl_pipeline.config import WorkflowStep
from localglue.runner.deployment import LocalDeployment, argument_value, run_script, script_for
from localglue.services.bookmarks import ENABLE
from localglue.services.crawler import CrawlResult
from localglue.services.lake import to_local_path


@dataclass
class StepRun:
    step: WorkflowStep
    seconds: float
    status: str                       # SUCCEEDED | FAILED | NOT_RUN
    summary: str = ""
    report: dict | None = None        # the job's run report
    error: str | None = None
    crawl: CrawlResult | None = None  # what a crawler step did to each table


@dataclass
class WorkflowRun:
    name: str
    steps: list[StepRun] = field(default_factory=list)

    @property
    def succeeded(self) -> bool:
        return all(s.status == "SUCCEEDED" for s in self.steps)

    def report(self, stage: str) -> dict | None:
        return next((s.report for s in self.steps if s.step.kind == "job" and s.step.name == stage), None)


def _job_report(pipeline: LocalDeployment, stage: str, run_id: str) -> dict | None:
    path = to_local_path(pipeline.settings.lake_root, pipeline.zones().reports(stage, f"{run_id}.json"))
    return json.loads(path.read_text()) if path.exists() else None


def run_workflow(pipeline: LocalDeployment, datasets: str = "all", bookmark_option: str = ENABLE,
                 warehouse: bool = True, source_fallback: bool | list[str] = False,
                 on_step: Callable[[StepRun], None] = lambda step: None,
                 on_start: Callable[[WorkflowStep], None] = lambda step: None) -> WorkflowRun:
    run = WorkflowRun(pipeline.workflow_name)
    steps = pipeline.config.workflow
    for index, step in enumerate(steps):
        on_start(step)
        started = time.monotonic()
        report = None
        try:
            if step.kind == "crawler":
                result = pipeline.crawler(step.name).crawl()
                step_run = StepRun(step, time.monotonic() - started, "SUCCEEDED", result.summary(), crawl=result)
            else:
                arguments = pipeline.job_arguments(step.name, datasets, bookmark_option, warehouse, source_fallback)
                try:
                    run_script(script_for(step.name), arguments)
                finally:
                    report = _job_report(pipeline, step.name, argument_value(arguments, "--JOB_RUN_ID"))
                step_run = StepRun(step, time.monotonic() - started, "SUCCEEDED", report=report)
        except Exception as error:  # the workflow records the failure and stops, as Glue's would
            step_run = StepRun(step, time.monotonic() - started, "FAILED",
                               report=report, error=f"{type(error).__name__}: {error}")
            step_run.summary = "".join(traceback.format_exception_only(type(error), error)).strip()
            run.steps.append(step_run)
            on_step(step_run)
            run.steps += [StepRun(rest, 0.0, "NOT_RUN") for rest in steps[index + 1:]]
            return run
        run.steps.append(step_run)
        on_step(step_run)
    return run
