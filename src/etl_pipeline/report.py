"""Run reports: what every job run read, wrote, quarantined and removed, per dataset.

Each run writes one JSON document to `<processed>/_reports/<stage>/<run id>.json` (also when it
fails, with the error) and logs one line per dataset, so the numbers are in the lake for the
operations runbook and in the job's log for whoever watches it.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from etl_pipeline import storage

logger = logging.getLogger("etl_pipeline")


class InvariantError(RuntimeError):
    """Rows were lost or invented between read and write; the run fails rather than commit that."""


@dataclass
class RunReport:
    stage: str
    job_name: str
    run_id: str
    started_at: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds"))
    status: str = "RUNNING"
    error: str | None = None
    seconds: float = 0.0
    datasets: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Datasets that failed while the others went on: the error line, the retry lists that keep their
    # files (etl_pipeline.retries) or why their input could not be kept ("not_kept").
    failed: dict[str, dict[str, Any]] = field(default_factory=dict)
    _clock: float = field(default_factory=time.monotonic, repr=False)

    def record(self, dataset: str, numbers: dict[str, Any]) -> None:
        self.datasets[dataset] = numbers
        logger.info("%s %s: %s", self.stage, dataset, _one_line(numbers))
        print(f"[{self.stage}] {dataset}: {_one_line(numbers)}", flush=True)

    def record_failure(self, dataset: str, entry: dict[str, Any]) -> None:
        self.failed[dataset] = entry
        if "retry_lists" in entry:
            kept = f"files kept in {', '.join(entry['retry_lists']) or 'no retry list (it read no file)'}"
        else:
            why = entry.get("not_kept", "another failed dataset's input cannot be kept aside")
            kept = f"nothing committed, the rerun reads its input again ({why})"
        line = f"FAILED: {entry['error'].rstrip('.')}; {kept}"
        logger.error("%s %s %s", self.stage, dataset, line)
        print(f"[{self.stage}] {dataset}: {line}", flush=True)

    def finish(self, error: BaseException | None = None) -> None:
        self.seconds = seconds_since(self._clock)
        self.status = "FAILED" if error else "SUCCEEDED"
        self.error = f"{type(error).__name__}: {error}" if error else None

    def to_json(self) -> str:
        document = {k: v for k, v in self.__dict__.items() if not k.startswith("_")}
        return json.dumps(document, indent=2, sort_keys=True, default=str)

    @property
    def file_name(self) -> str:
        return f"{self.run_id}.json"

    def write(self, spark, uri: str) -> None:
        storage.write_text(spark, uri, self.to_json())


def seconds_since(started: float) -> float:
    """Wall seconds since `started` (a `time.monotonic()` reading), to the millisecond: the report's
    `seconds` fields are measurements for whoever reads the report, never limits the run checks."""
    return round(time.monotonic() - started, 3)


def _one_line(numbers: dict[str, Any]) -> str:
    """The counts and any warning; locations and lists stay in the JSON report."""
    if numbers.get("nothing_new") and "warning" not in numbers:
        return "nothing new"
    shown = {k: v for k, v in numbers.items()
             if (isinstance(v, int) and not isinstance(v, bool)) or k == "warning"}
    return ", ".join(f"{k}={v:,}" if isinstance(v, int) else f"{k}: {v}" for k, v in shown.items())


def check_invariant(stage: str, dataset: str, read: int, accounted: dict[str, int]) -> None:
    """rows read must equal the sum of where they went; anything else fails the run."""
    total = sum(accounted.values())
    if read != total:
        parts = " + ".join(f"{name} {count:,}" for name, count in accounted.items())
        raise InvariantError(
            f"{stage} {dataset}: rows read {read:,} != {parts} = {total:,}; nothing is committed, "
            f"so the rerun reads the same batch again. This is a bug in the pipeline: please report it "
            f"with the run report."
        )
