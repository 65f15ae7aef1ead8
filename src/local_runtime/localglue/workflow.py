"""The Glue workflow, run locally: the same steps in the same order as the Terraform triggers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml


@dataclass(frozen=True)
class WorkflowStep:
    name: str   # extract | transform | load for jobs; the zone (raw | curated) for crawlers
    kind: str   # "job" or "crawler"


def load_workflow_steps(config_dir: str | Path) -> list[WorkflowStep]:
    """The workflow's steps in run order, as config/pipeline.yaml lists them."""
    path = Path(config_dir) / "pipeline.yaml"
    document = yaml.safe_load(path.read_text())
    steps = [WorkflowStep(name=step["name"], kind=step["kind"]) for step in document["workflow"]]
    unknown = [step for step in steps if step.kind not in ("job", "crawler")]
    if unknown:
        raise ValueError(f"{path}: workflow step kind must be 'job' or 'crawler', got {unknown}")
    return steps
