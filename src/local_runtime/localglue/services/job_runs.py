"""One run of a job at a time, as Glue enforces with `max_concurrent_runs = 1`.

On AWS, StartJobRun refuses a second run of a job while one is running (ConcurrentRunsExceededException;
with job run queuing enabled the run waits instead). Two runs of the same job at once would share a
bookmark and a batch id: two extracts would land into one batch folder, two loads would race. Locally
`Job.init` takes the job's run slot (an advisory lock on a file under the state folder) and `Job.commit`
gives it back; the operating system releases it when the process ends, so a killed run never leaves
a stale lock behind.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path


class ConcurrentRunsExceededException(RuntimeError):
    """A run of the job is in progress; Glue's error has the same name."""


_held: dict[str, int] = {}


def start_run(runs_root: Path, job_name: str) -> None:
    """Take the job's run slot, or refuse at once naming the job and what to do."""
    if job_name in _held:
        raise ConcurrentRunsExceededException(
            f"job {job_name}: this process already runs it; Job.init() was called twice without Job.commit()")
    runs_root.mkdir(parents=True, exist_ok=True)
    handle = os.open(runs_root / f"{job_name}.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(handle)
        raise ConcurrentRunsExceededException(
            f"job {job_name}: another run is in progress (max_concurrent_runs = 1, as on AWS Glue); "
            f"wait for it to end and start this run again") from None
    os.ftruncate(handle, 0)
    os.write(handle, f"{os.getpid()}\n".encode())
    _held[job_name] = handle


def end_run(job_name: str) -> None:
    """Give the job's run slot back (after the commit, or after a failed run)."""
    handle = _held.pop(job_name, None)
    if handle is not None:
        fcntl.flock(handle, fcntl.LOCK_UN)
        os.close(handle)


def end_all_runs() -> None:
    """Give back every slot this process holds: a script that failed never reached Job.commit()."""
    for job_name in list(_held):
        end_run(job_name)
