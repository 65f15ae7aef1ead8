"""One run of the workflow, a job or a crawler, as every command shows it, and the rows its run
report counted."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime

TERMINAL_JOB_STATES = {"SUCCEEDED", "FAILED", "STOPPED", "TIMEOUT", "ERROR", "EXPIRED"}
FAILED_STATES = {"FAILED", "STOPPED", "TIMEOUT", "ERROR", "EXPIRED", "CANCELLED"}


@dataclass
class Rows:
    read: int = 0
    quarantined: int = 0
    duplicates: int = 0
    loaded: int = 0

    @classmethod
    def from_report(cls, report: dict | None) -> "Rows | None":
        """The counts of a run report (etl_pipeline.report), summed over its datasets."""
        if not report:
            return None
        rows = cls()
        for numbers in report.get("datasets", {}).values():
            rows.read += numbers.get("rows_read", 0)
            rows.quarantined += numbers.get("rows_quarantined", 0)
            rows.duplicates += numbers.get("duplicates_removed", 0) + numbers.get("superseded", 0)
            rows.loaded += numbers.get("rows_loaded", 0)
        return rows

    def text(self) -> str:
        return (f"read {self.read:,}, quarantined {self.quarantined:,}, duplicates {self.duplicates:,}, "
                f"loaded {self.loaded:,}")


@dataclass
class RunRecord:
    kind: str                      # workflow | job | crawler
    name: str                      # the Glue resource's name
    run_id: str
    state: str
    started: datetime | None = None
    seconds: float | None = None
    workers: int | None = None
    worker_type: str | None = None
    execution_class: str | None = None
    dpu_seconds: float | None = None   # billed DPU-seconds (job runs)
    cost: float | None = None          # dollars at the price table's rates
    rows: Rows | None = None
    error: str | None = None
    logs: str | None = None            # where the run's logs are
    steps: list["RunRecord"] = field(default_factory=list)  # a workflow run's job and crawler runs

    @property
    def failed(self) -> bool:
        return self.state in FAILED_STATES or any(step.failed for step in self.steps)

    def to_json(self) -> dict:
        document = asdict(self)
        document["started"] = self.started.isoformat() if self.started else None
        document["steps"] = [step.to_json() for step in self.steps]
        return document

    def line(self) -> str:
        """One line: what ran, its state, when, how long, on what, for how much, with how many rows."""
        started = self.started.strftime("%Y-%m-%d %H:%M:%S") if self.started else "-"
        seconds = f"{self.seconds:7.1f} s" if self.seconds is not None else "      - s"
        capacity = f"{self.workers or '-'} x {self.worker_type or '-'} {self.execution_class or ''}".rstrip()
        dpu = f"{self.dpu_seconds:,.0f} DPU-s" if self.dpu_seconds is not None else "- DPU-s"
        cost = f"${self.cost:,.4f}" if self.cost is not None else "$-"
        parts = [f"{self.name:42} {self.state:10} {started} {seconds}"]
        if self.kind == "job":
            parts.append(f"{capacity:22} {dpu:>12} {cost:>9}")
        elif self.kind == "crawler":
            parts.append(f"{'':22} {'':>12} {cost:>9}")
        if self.rows:
            parts.append(self.rows.text())
        line = "  ".join(parts)
        return f"{line}\n    error: {self.error}" if self.error else line
