"""Measure one step of an engine as a process: wall time, peak memory and CPU seconds of its process
tree (the JVM Spark starts is a child of the Python driver), and the files and bytes it wrote under a
folder."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import psutil

SAMPLE_SECONDS = 0.2


@dataclass
class StepMeasure:
    engine: str
    stage: str
    seconds: float
    # None for a part of a step (`part_of`): its process's measures are the step's.
    peak_rss_bytes: int | None
    cpu_seconds: float | None    # user + system of every process in the tree, sampled (up to 0.2 s late)
    files_written: int | None    # every file: data, Iceberg metadata, reports, Spark's .crc and _SUCCESS
    bytes_written: int | None
    data_files_written: int | None  # Parquet files only

    @classmethod
    def part_of(cls, engine: str, stage: str, seconds: float) -> "StepMeasure":
        """A part of a measured step that the step's process timed itself (a job's run report): wall
        time only, since memory, CPU and files are the process's, not the part's."""
        return cls(engine, stage, seconds, None, None, None, None, None)

    def as_dict(self) -> dict:
        return asdict(self)


class StepFailed(RuntimeError):
    """A measured command exited with an error."""


def _sample_tree(process: psutil.Process, cpu_by_pid: dict[int, float]) -> int:
    """The tree's resident memory now; each member's CPU seconds so far go into `cpu_by_pid` (a process
    that has ended keeps its last sample)."""
    total = 0
    for member in [process, *process.children(recursive=True)]:
        try:
            with member.oneshot():
                total += member.memory_info().rss
                times = member.cpu_times()
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue  # ended between the listing and the read
        # children_user/children_system are left out: the children are sampled themselves
        cpu_by_pid[member.pid] = times.user + times.system
    return total


def _cause(log: Path) -> str:
    """The last error line of a step's output, with what to do about a full Java heap."""
    lines = [line.strip() for line in log.read_text(errors="replace").splitlines() if line.strip()]
    if any("java.lang.OutOfMemoryError" in line for line in lines):
        return ("the JVM ran out of heap (java.lang.OutOfMemoryError): give the driver more memory "
                "(GLUE_LOCAL_DRIVER_MEMORY=8g) or use a smaller SF")
    errors = [line for line in lines if "Error" in line or "error" in line]
    return (errors or lines or ["no output"])[-1][:300]


def _files(folder: Path) -> dict[str, tuple[int, int]]:
    found = {}
    for root, _, names in os.walk(folder):
        for name in names:
            path = os.path.join(root, name)
            try:
                stat = os.stat(path)
            except FileNotFoundError:
                continue
            found[path] = (stat.st_size, stat.st_mtime_ns)
    return found


def run_measured(engine: str, stage: str, command: list[str], written_under: Path, env: dict[str, str],
                 log: Path) -> StepMeasure:
    """Run `command`, sampling the memory of its process tree; fail with the log's tail on an error."""
    before = _files(written_under)
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as output:
        output.write(f"\n$ {' '.join(command)}\n".encode())
        output.flush()
        started = time.monotonic()
        child = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, env=env)
        watched = psutil.Process(child.pid)
        peak = 0
        cpu_by_pid: dict[int, float] = {}
        finished = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not finished.is_set():
                try:
                    peak = max(peak, _sample_tree(watched, cpu_by_pid))
                except psutil.NoSuchProcess:
                    return
                finished.wait(SAMPLE_SECONDS)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        code = child.wait()
        seconds = time.monotonic() - started
        finished.set()
        sampler.join()
    if code != 0:
        raise StepFailed(f"{engine} {stage} failed (exit {code}): {_cause(log)}; the whole output is in {log}")
    after = _files(written_under)
    written = {path: size for path, (size, mtime) in after.items() if before.get(path) != (size, mtime)}
    data_files = sum(1 for path in written if path.endswith(".parquet"))
    return StepMeasure(engine, stage, seconds, peak, round(sum(cpu_by_pid.values()), 2), len(written),
                       sum(written.values()), data_files)
