"""Real job processes killed with SIGKILL at each stage's write, and a second run started beside a first.

A kill must leave the curated Iceberg table on its previous snapshot, readable and complete, and the
rerun must converge to what a run without the kill gives: the same curated rows, warehouse rows,
quarantined rows and counts. A second run of a running job is refused and changes nothing.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from localglue.runner import demo_data
from localglue.runner.deployment import LocalDeployment, script_for
from localglue.services.environment import REPO_ROOT
from localglue.services.job_runs import ConcurrentRunsExceededException
from tests.job.support import lake_path, run_all, run_stage, warehouse

# Business columns of a flight: what a run without a kill must give, whatever the lineage timestamps.
FLIGHT_COLUMNS = "year, month, day, carrier, flight, origin, dest, dep_delay, arr_delay, etl_source_file"


def start_script(pipeline: LocalDeployment, stage: str) -> subprocess.Popen:
    """A job script as its own process, with the local deployment's Glue arguments."""
    return subprocess.Popen(
        [sys.executable, str(script_for(stage)), *pipeline.job_arguments(stage, datasets="flights")],
        cwd=REPO_ROOT, env={**os.environ, "GLUE_LOCAL_HOME": str(pipeline.settings.home)},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def files_under(folder: Path, suffix: str) -> set[Path]:
    return set(folder.rglob(f"*{suffix}")) if folder.exists() else set()


def kill_when(process: subprocess.Popen, appeared, timeout: float = 300) -> None:
    """SIGKILL the process the moment appeared() is true; fail if it ends before that."""
    deadline = time.monotonic() + timeout
    while not appeared():
        if process.poll() is not None:
            pytest.fail(f"the job ended (exit {process.returncode}) before the moment to kill it: "
                        f"{process.stderr.read()[-2000:]}")
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail("the moment to kill the job never came")
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL


def curated_flights(pipeline: LocalDeployment) -> list[tuple]:
    return pipeline.athena().execute(f"SELECT {FLIGHT_COLUMNS} FROM flights ORDER BY ALL").fetchall()


def warehouse_flights(pipeline: LocalDeployment) -> list[tuple]:
    return warehouse(pipeline, f"SELECT {FLIGHT_COLUMNS} FROM analytics.flights ORDER BY {FLIGHT_COLUMNS}")


def quarantined_rows(pipeline: LocalDeployment) -> int:
    folder = lake_path(pipeline, "quarantine", "flights/rejected")
    return sum(pq.read_metadata(path).num_rows for path in files_under(folder, ".parquet"))


def _moment(pipeline: LocalDeployment, stage: str, moment: str):
    """When to kill: a stage's first output file written (mid-write), or the load's Iceberg commit done."""
    table = lake_path(pipeline, "curated", f"{pipeline.database('curated')}/flights")
    watched = {
        "extract": (lake_path(pipeline, "processed", "landing/flights"), ".parquet"),
        "transform": (lake_path(pipeline, "processed", "validated/flights"), ".parquet"),
        "load-write": (table / "data", ".parquet"),
        "load-commit": (table / "metadata", ".metadata.json"),
    }[f"{stage}-{moment}" if stage == "load" else stage]
    before = files_under(*watched)
    return lambda: bool(files_under(*watched) - before)


@pytest.mark.parametrize("stage, moment", [("extract", "write"), ("transform", "write"),
                                           ("load", "write"), ("load", "commit")])
def test_a_job_killed_at_its_write_leaves_data_whole_and_the_rerun_converges(pipeline, stage, moment):
    run_all(pipeline, datasets="flights")
    snapshot_rows, quarantined = curated_flights(pipeline), quarantined_rows(pipeline)
    corrections = demo_data.land_corrections(pipeline, month=1, day=1)
    for earlier in ("extract", "transform", "load")[:("extract", "transform", "load").index(stage)]:
        run_stage(pipeline, earlier, datasets="flights")

    job = start_script(pipeline, stage)
    kill_when(job, _moment(pipeline, stage, moment))

    # The curated table is the previous snapshot (or, killed after its commit, the merged one), whole.
    after_kill = curated_flights(pipeline)
    if moment == "commit":
        assert len(after_kill) == len(snapshot_rows) + 3
    else:
        assert after_kill == snapshot_rows
    # The rerun: the killed stage and the ones after it, as the workflow's rerun from that stage would.
    for rerun in ("extract", "transform", "load")[("extract", "transform", "load").index(stage):]:
        report = run_stage(pipeline, rerun, datasets="flights")
        assert report["status"] == "SUCCEEDED"
    load = report["datasets"]["flights"]
    assert (load["rows_read"], load["rows_loaded"], load["superseded"]) == (demo_data.CORRECTED_FLIGHTS + 3,) * 2 + (0,)

    converged = curated_flights(pipeline)
    assert len(converged) == len(snapshot_rows) + 3
    corrected = [row for row in converged if row[-1].endswith(corrections.name)]
    assert len(corrected) == demo_data.CORRECTED_FLIGHTS + 3
    assert converged == sorted(set(converged))  # no key twice
    assert warehouse_flights(pipeline) == [tuple(row) for row in converged]
    assert quarantined_rows(pipeline) == quarantined
    # Nothing was landed, validated or quarantined twice: a second workflow run finds nothing new.
    again = run_all(pipeline, datasets="flights")
    assert [again[s]["datasets"]["flights"]["rows_read"] for s in ("extract", "transform", "load")] == [0, 0, 0]


def test_a_second_run_of_a_running_job_is_refused_and_changes_nothing(pipeline):
    run_stage(pipeline, "extract", datasets="flights")
    run_stage(pipeline, "transform", datasets="flights")
    lock = pipeline.settings.home / "runs" / f"{pipeline.job_name('load')}.lock"
    first = start_script(pipeline, "load")
    deadline = time.monotonic() + 120
    while not (lock.exists() and lock.read_text().strip() == str(first.pid)):
        assert first.poll() is None and time.monotonic() < deadline, "the first run never took its run slot"
        time.sleep(0.05)

    with pytest.raises(ConcurrentRunsExceededException,
                       match=rf"job {pipeline.job_name('load')}: another run is in progress "
                             r"\(max_concurrent_runs = 1, as on AWS Glue\); wait for it to end"):
        run_stage(pipeline, "load", datasets="flights")

    assert first.wait(timeout=300) == 0, first.stderr.read()[-2000:]
    rows = pipeline.athena().execute("SELECT count(*), count(DISTINCT (year, month, day, carrier, flight, origin)) "
                                     "FROM flights").fetchone()
    assert rows[0] == rows[1] == warehouse(pipeline, "SELECT count(*) FROM analytics.flights")[0][0]
    # The refused run committed no bookmark: the next load has nothing new, the first one took it all.
    assert run_stage(pipeline, "load", datasets="flights")["datasets"]["flights"]["rows_read"] == 0
