"""Job bookmarks: what each job has already processed, per `transformation_ctx`, as Glue keeps them.

- State is kept per job name and per transformation context. S3 sources remember every file read
  with its modification time (a re-sent file with a newer time is read again); JDBC sources remember
  the largest bookmark-key values read.
- A run works against the last committed state and collects new state as it reads; only
  `job.commit()` persists it, so a failed run commits nothing and the rerun reads the same data.
  The state a read filters by is the one `job.init` got from the last commit ("job.init ...
  initialize[s] the bookmark service and [job.commit] update[s] the state change to the service",
  https://docs.aws.amazon.com/glue/latest/dg/programming-etl-connect-bookmarks.html): a source read
  again in the same run, with the same context, gives the same new data, and its last read's state
  is the one committed.
- `--job-bookmark-option`: `job-bookmark-enable` reads what is new and commits; `job-bookmark-pause`
  reads what is new since the last commit but commits nothing; `job-bookmark-disable` reads
  everything and neither reads nor writes state.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ENABLE = "job-bookmark-enable"
PAUSE = "job-bookmark-pause"
DISABLE = "job-bookmark-disable"
OPTIONS = (ENABLE, PAUSE, DISABLE)


class BookmarkStore:
    """Committed bookmark state, one JSON file per job under the bookmarks folder."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def _file(self, job_name: str) -> Path:
        return self.root / f"{job_name}.json"

    def get(self, job_name: str) -> dict[str, Any]:
        """The committed bookmark of a job (shaped like `aws glue get-job-bookmark`'s entry)."""
        path = self._file(job_name)
        if not path.exists():
            return {"JobName": job_name, "Version": 0, "Run": 0, "RunId": None, "Contexts": {}}
        return json.loads(path.read_text())

    def commit(self, job_name: str, run_id: str, contexts: dict[str, dict[str, Any]]) -> dict[str, Any]:
        current = self.get(job_name)
        entry = {
            "JobName": job_name,
            "Version": current["Version"] + 1,
            "Run": current["Run"] + 1,
            "RunId": run_id,
            "CommittedAt": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "Contexts": {**current["Contexts"], **contexts},
        }
        self.root.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.root, prefix=f".{job_name}.")
        try:
            with os.fdopen(handle, "w") as stream:
                json.dump(entry, stream, indent=2, sort_keys=True)
            os.replace(temporary, self._file(job_name))
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return entry

    def reset(self, job_name: str) -> None:
        """Forget what a job has processed (`aws glue reset-job-bookmark`)."""
        self._file(job_name).unlink(missing_ok=True)

    def job_names(self) -> list[str]:
        return sorted(path.stem for path in self.root.glob("*.json")) if self.root.exists() else []


@dataclass
class BookmarkSession:
    """One job run's view of its bookmarks: the committed state it reads and the state it will commit."""

    store: BookmarkStore
    job_name: str
    run_id: str
    option: str
    committed: dict[str, dict[str, Any]] = field(default_factory=dict)
    pending: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.option not in OPTIONS:
            raise ValueError(f"--job-bookmark-option must be one of {', '.join(OPTIONS)}, got {self.option!r}")
        if self.option != DISABLE:
            self.committed = self.store.get(self.job_name)["Contexts"]

    def state(self, transformation_ctx: str) -> dict[str, Any] | None:
        """The state to filter a read by (the last committed run's); None reads everything. Reading
        a source again in the same run with the same context reads the same new data again, and the
        later read's state is the one committed."""
        if not transformation_ctx or self.option == DISABLE:
            return None
        return self.committed.get(transformation_ctx)

    def record(self, transformation_ctx: str, state: dict[str, Any]) -> None:
        """Remember what a read consumed, for the commit at the end of the run."""
        if transformation_ctx and self.option == ENABLE:
            self.pending[transformation_ctx] = state

    def commit(self) -> dict[str, Any] | None:
        if self.option != ENABLE:
            return None
        return self.store.commit(self.job_name, self.run_id, self.pending)


def new_files(state: dict[str, Any] | None, files: list) -> list:
    """Files (localglue.services.lake.LakeFile) not in the bookmark, or modified since they were read."""
    seen = (state or {}).get("files", {})
    return [f for f in files if seen.get(f.uri) != f.modified_ms]


def files_state(state: dict[str, Any] | None, files_read: list) -> dict[str, Any]:
    seen = dict((state or {}).get("files", {}))
    seen.update({f.uri: f.modified_ms for f in files_read})
    return {"type": "s3", "files": seen}


def jdbc_state(keys: list[str], last_values: list) -> dict[str, Any]:
    """The state of a JDBC read: the bookmark keys and the largest values read (JSON-safe)."""
    return {"type": "jdbc", "keys": list(keys), "last": [json_value(v) for v in last_values]}


def jdbc_last_read(state: dict[str, Any] | None, keys: list[str]) -> list | None:
    """The key values a JDBC read continues after; None when the bookmark holds none for these keys
    (first run, or the keys changed in the config: then everything is read)."""
    if state and state.get("type") == "jdbc" and state.get("keys") == list(keys):
        return state["last"]
    return None


def json_value(value):
    """A key value as the bookmark stores it: dates and timestamps as ISO text."""
    return value.isoformat() if hasattr(value, "isoformat") else value
