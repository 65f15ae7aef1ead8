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


# The slots this process holds: lock file -> open descriptor.
_held: dict[Path, int] = {}


def start_run(runs_root: Path, job_name: str) -> Path:
    """Take the job's run slot (returned, for end_run), or refuse at once naming the job and what to do.

    A process runs one job script at a time: a slot it still holds for the same job belongs to an
    earlier run that failed before its commit, and is handed to the new run."""
    lock_file = runs_root / f"{job_name}.lock"
    end_run(lock_file)
    runs_root.mkdir(parents=True, exist_ok=True)
    handle = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(handle)
        raise ConcurrentRunsExceededException(
            f"job {job_name}: another run is in progress (max_concurrent_runs = 1, as on AWS Glue); "
            f"wait for it to end and start this run again") from None
    os.ftruncate(handle, 0)
    os.write(handle, f"{os.getpid()}\n".encode())
    _held[lock_file] = handle
    return lock_file


def end_run(lock_file: Path) -> None:
    """Give a run slot back (after the commit, or after a failed run)."""
    handle = _held.pop(lock_file, None)
    if handle is not None:
        fcntl.flock(handle, fcntl.LOCK_UN)
        os.close(handle)


def end_all_runs() -> None:
    """Give back every slot this process holds: a script that failed never reached Job.commit()."""
    for lock_file in list(_held):
        end_run(lock_file)
