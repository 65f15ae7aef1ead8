"""Deciding from bookmarks and the lake's listing, before Spark starts, whether a job has anything to
read: every case that means "start the job" must start it; only a bookmark that holds every file does not."""

from __future__ import annotations

import json
import os

import pytest

from etl_pipeline.retries import retry_uri
from localglue.runner.deployment import LocalDeployment
from localglue.runner.pending_work import pending_work
from localglue.runner.run_job import merge_arguments
from localglue.services.bookmarks import BookmarkStore, files_state
from localglue.services.environment import LocalSettings
from localglue.services.lake import list_files, to_local_path


@pytest.fixture
def pipeline(tmp_path) -> LocalDeployment:
    return LocalDeployment(LocalSettings(tmp_path / "home", "postgresql://127.0.0.1/none", tmp_path / "jars"))


def put(pipeline: LocalDeployment, uri: str, text: str = "a,b\n1,2\n"):
    path = to_local_path(pipeline.settings.lake_root, uri)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def raw_flights(pipeline: LocalDeployment, name: str) -> str:
    return pipeline.zones().raw_files(pipeline.config.datasets["flights"].source) + name


def commit_everything_under(pipeline: LocalDeployment, stage: str, folder: str, context: str) -> None:
    files = list_files(pipeline.settings.lake_root, [folder])
    BookmarkStore(pipeline.settings.bookmarks_root).commit(pipeline.job_name(stage), "jr_earlier",
                                                           {context: files_state(None, files)})


def work(pipeline: LocalDeployment, stage: str, datasets: str = "flights", **overrides) -> dict:
    arguments = merge_arguments(pipeline.job_arguments(stage, datasets),
                                [item for name, value in overrides.items() for item in (f"--{name}", value)])
    return {w.dataset: (w.pending, w.reason) for w in pending_work(pipeline, stage, arguments)}


def test_extract_has_work_until_its_bookmark_holds_every_raw_file(pipeline):
    put(pipeline, raw_flights(pipeline, "flights_2013_01.csv"))
    put(pipeline, raw_flights(pipeline, "_notes.csv"))  # hidden: Glue never reads it
    pending, reason = work(pipeline, "extract")["flights"]
    assert pending and reason.startswith("1 file(s) under ")

    commit_everything_under(pipeline, "extract", pipeline.zones().raw_files(pipeline.config.datasets["flights"].source),
                            "extract_flights")
    pending, reason = work(pipeline, "extract")["flights"]
    assert not pending
    assert reason.startswith("the bookmark of extract_flights holds all 1 file(s)")

    # A file sent again (newer modification time) is read again, as the bookmark would.
    path = put(pipeline, raw_flights(pipeline, "flights_2013_01.csv"), "a,b\n1,3\n")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
    assert work(pipeline, "extract")["flights"][0]


def test_a_file_set_aside_as_unreadable_is_no_work(pipeline):
    flights = pipeline.config.datasets["flights"]
    broken = raw_flights(pipeline, "broken.csv.gz")
    put(pipeline, broken, "not gzip")
    reason_file = pipeline.zones().unreadable(flights, "b1") + "/broken.csv.gz.reason.json"
    put(pipeline, reason_file, json.dumps({"file": broken, "reason": "not in gzip format"}))
    assert work(pipeline, "extract")["flights"] == \
        (False, f"the bookmark of extract_flights holds all 0 file(s) under {pipeline.zones().raw_files(flights.source)}")


def test_a_retry_list_is_work_even_when_the_bookmark_holds_every_file(pipeline):
    flights = pipeline.config.datasets["flights"]
    put(pipeline, pipeline.zones().landing(flights, "b1") + "/part-0.parquet", "x")
    commit_everything_under(pipeline, "transform", pipeline.zones().landing(flights), "transform_flights")
    assert not work(pipeline, "transform")["flights"][0]

    put(pipeline, retry_uri(pipeline.zones(), "transform", "transform_flights"), "{}")
    pending, reason = work(pipeline, "transform")["flights"]
    assert pending and "failed earlier run" in reason


def test_database_sources_and_disabled_bookmarks_always_start_the_job(pipeline):
    assert work(pipeline, "extract", "airlines")["airlines"] == \
        (True, "a database or DynamoDB source: only a read can tell")
    assert work(pipeline, "extract", "weather")["weather"][0]
    # Read from its fallback files, a database dataset is decided like a file dataset.
    assert work(pipeline, "extract", "airlines", source_fallback="files")["airlines"] == \
        (False, "the bookmark of extract_airlines_fallback holds all 0 file(s) under "
                f"{pipeline.zones().raw_files(pipeline.config.datasets['airlines'].fallback)}")
    assert work(pipeline, "load", **{"job-bookmark-option": "job-bookmark-disable"})["flights"] == \
        (True, "job bookmarks disabled: every file is read")
