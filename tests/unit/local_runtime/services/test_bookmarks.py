"""`localglue.services.bookmarks`: committed state per job, a run's session over it, and S3 file tracking."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from localglue.services import bookmarks as bm
from localglue.services.lake import LakeFile


@pytest.fixture
def store(tmp_path: Path) -> bm.BookmarkStore:
    return bm.BookmarkStore(tmp_path / "bookmarks")


def lake_file(uri: str, modified_ms: int) -> LakeFile:
    return LakeFile(uri=uri, path=Path("/nowhere") / uri.rsplit("/", 1)[-1], size=1, modified_ms=modified_ms)


# ------------------------------------------------------------------- BookmarkStore
def test_store_without_commits_has_an_empty_version_zero_bookmark(store):
    entry = store.get("extract")

    assert entry == {"JobName": "extract", "Version": 0, "Run": 0, "RunId": None, "Contexts": {}}
    assert store.job_names() == []


def test_commit_writes_a_file_per_job_and_counts_versions(store):
    first = store.commit("extract", "jr_1", {"ctx_a": {"type": "s3", "files": {"s3://b/a.csv": 1}}})
    second = store.commit("extract", "jr_2", {"ctx_b": {"type": "s3", "files": {"s3://b/b.csv": 2}}})

    on_disk = json.loads((store.root / "extract.json").read_text())
    assert (first["Version"], second["Version"]) == (1, 2)
    assert (first["Run"], second["Run"]) == (1, 2)
    assert on_disk["RunId"] == "jr_2"
    assert on_disk["Version"] == 2
    # Contexts not touched by a run keep their committed state.
    assert on_disk["Contexts"] == {"ctx_a": {"type": "s3", "files": {"s3://b/a.csv": 1}},
                                   "ctx_b": {"type": "s3", "files": {"s3://b/b.csv": 2}}}
    assert store.get("extract") == on_disk
    assert store.job_names() == ["extract"]
    # Atomic replacement leaves no temporary files behind.
    assert sorted(p.name for p in store.root.iterdir()) == ["extract.json"]


def test_commit_replaces_a_context_state(store):
    store.commit("job", "jr_1", {"ctx": {"type": "jdbc", "keys": ["seq"], "last": [3]}})
    store.commit("job", "jr_2", {"ctx": {"type": "jdbc", "keys": ["seq"], "last": [7]}})

    assert store.get("job")["Contexts"]["ctx"]["last"] == [7]


def test_jobs_are_kept_apart_and_reset_forgets_one(store):
    store.commit("extract", "jr_1", {"ctx": {"type": "s3", "files": {"s3://b/x": 1}}})
    store.commit("load", "jr_2", {"ctx": {"type": "s3", "files": {"s3://b/y": 1}}})

    store.reset("extract")
    store.reset("never-ran")  # resetting an unknown job is not an error

    assert store.job_names() == ["load"]
    assert store.get("extract")["Version"] == 0
    assert store.get("load")["Contexts"]["ctx"]["files"] == {"s3://b/y": 1}
    # After a reset, versions start again.
    assert store.commit("extract", "jr_3", {})["Version"] == 1


# ----------------------------------------------------------------- BookmarkSession
def session(store, option: str, run_id: str = "jr") -> bm.BookmarkSession:
    return bm.BookmarkSession(store=store, job_name="job", run_id=run_id, option=option)


def test_enable_reads_committed_state_records_and_commits(store):
    store.commit("job", "jr_0", {"ctx": {"type": "s3", "files": {"s3://b/old": 1}}})
    run = session(store, bm.ENABLE, "jr_1")

    assert run.state("ctx") == {"type": "s3", "files": {"s3://b/old": 1}}
    assert run.state("other") is None
    run.record("ctx", {"type": "s3", "files": {"s3://b/old": 1, "s3://b/new": 2}})
    # Within the run, a second read of the same context reads the same new data again (a read
    # retried without a file): the filter is the state job.init got, the last read's state is committed.
    assert run.state("ctx")["files"] == {"s3://b/old": 1}
    # Nothing is persisted before commit.
    assert store.get("job")["Contexts"]["ctx"]["files"] == {"s3://b/old": 1}

    entry = run.commit()

    assert entry["RunId"] == "jr_1"
    assert store.get("job")["Contexts"]["ctx"]["files"] == {"s3://b/old": 1, "s3://b/new": 2}
    assert store.get("job")["Version"] == 2


def test_empty_transformation_ctx_is_never_bookmarked(store):
    run = session(store, bm.ENABLE)
    run.record("", {"type": "s3", "files": {"s3://b/x": 1}})

    assert run.state("") is None
    run.commit()
    assert store.get("job")["Contexts"] == {}


def test_uncommitted_session_leaves_the_store_unchanged(store):
    store.commit("job", "jr_0", {"ctx": {"type": "s3", "files": {"s3://b/a": 1}}})
    failed = session(store, bm.ENABLE, "jr_failed")
    failed.record("ctx", {"type": "s3", "files": {"s3://b/a": 1, "s3://b/b": 2}})
    # The run fails before job.commit(): a new run starts from the last committed state.

    rerun = session(store, bm.ENABLE, "jr_rerun")

    assert rerun.state("ctx") == {"type": "s3", "files": {"s3://b/a": 1}}
    assert store.get("job")["RunId"] == "jr_0"


def test_pause_reads_committed_state_but_neither_records_nor_commits(store):
    store.commit("job", "jr_0", {"ctx": {"type": "s3", "files": {"s3://b/a": 1}}})
    bookmark_file = store.root / "job.json"
    before = bookmark_file.read_text()
    run = session(store, bm.PAUSE)

    assert run.state("ctx") == {"type": "s3", "files": {"s3://b/a": 1}}
    run.record("ctx", {"type": "s3", "files": {"s3://b/a": 1, "s3://b/b": 2}})
    assert run.pending == {}
    assert run.commit() is None
    assert bookmark_file.read_text() == before


def test_disable_ignores_committed_state_and_writes_nothing(store):
    store.commit("job", "jr_0", {"ctx": {"type": "s3", "files": {"s3://b/a": 1}}})
    bookmark_file = store.root / "job.json"
    before = bookmark_file.read_text()
    run = session(store, bm.DISABLE)

    assert run.state("ctx") is None
    run.record("ctx", {"type": "s3", "files": {"s3://b/b": 2}})
    assert run.commit() is None
    assert bookmark_file.read_text() == before


def test_disable_on_a_new_job_creates_no_bookmark_file(store):
    run = session(store, bm.DISABLE)
    run.record("ctx", {"type": "s3", "files": {"s3://b/b": 2}})
    run.commit()

    assert not (store.root / "job.json").exists()


def test_unknown_option_is_refused(store):
    with pytest.raises(ValueError) as raised:
        session(store, "job-bookmark-always")

    assert "job-bookmark-always" in str(raised.value)


# -------------------------------------------------------------- new_files / files_state
def test_without_state_every_file_is_new():
    files = [lake_file("s3://b/a.csv", 10), lake_file("s3://b/b.csv", 20)]

    assert bm.new_files(None, files) == files


def test_only_unseen_or_modified_files_are_new():
    state = {"type": "s3", "files": {"s3://b/a.csv": 10, "s3://b/b.csv": 20}}
    unchanged = lake_file("s3://b/a.csv", 10)
    resent = lake_file("s3://b/b.csv", 25)   # same name, re-sent later: new again
    fresh = lake_file("s3://b/c.csv", 30)

    assert bm.new_files(state, [unchanged, resent, fresh]) == [resent, fresh]


def test_files_state_accumulates_and_updates_modification_times():
    state = {"type": "s3", "files": {"s3://b/a.csv": 10, "s3://b/b.csv": 20}}

    updated = bm.files_state(state, [lake_file("s3://b/b.csv", 25), lake_file("s3://b/c.csv", 30)])

    assert updated == {"type": "s3", "files": {"s3://b/a.csv": 10, "s3://b/b.csv": 25, "s3://b/c.csv": 30}}
    # The committed state passed in is not modified.
    assert state["files"] == {"s3://b/a.csv": 10, "s3://b/b.csv": 20}
    assert bm.files_state(None, []) == {"type": "s3", "files": {}}


def test_resent_file_on_disk_is_new_again(tmp_path):
    """End to end over the lake listing: touching a file with a newer mtime makes it unread again."""
    from localglue.services import lake

    root = tmp_path / "lake"
    data = root / "raw" / "flights" / "part-1.csv"
    data.parent.mkdir(parents=True)
    data.write_text("a\n1\n")
    os.utime(data, (1_700_000_000, 1_700_000_000))
    first = lake.list_files(root, ["s3://raw/flights/"])
    state = bm.files_state(None, bm.new_files(None, first))

    assert bm.new_files(state, lake.list_files(root, ["s3://raw/flights/"])) == []

    data.write_text("a\n2\n")
    os.utime(data, (1_700_000_100, 1_700_000_100))
    again = bm.new_files(state, lake.list_files(root, ["s3://raw/flights/"]))

    assert [(f.uri, f.modified_ms) for f in again] == [("s3://raw/flights/part-1.csv", 1_700_000_100_000)]


def test_failed_commit_keeps_the_last_bookmark_and_leaves_no_temporary_file(store, monkeypatch):
    store.commit("job", "jr_1", {"ctx": {"type": "s3", "files": {"s3://b/a": 1}}})
    before = (store.root / "job.json").read_text()

    def broken_dump(document, stream, **kwargs):
        stream.write('{"Contexts": ')
        raise OSError("disk full")

    monkeypatch.setattr("localglue.services.bookmarks.json.dump", broken_dump)
    with pytest.raises(OSError, match="disk full"):
        store.commit("job", "jr_2", {"ctx": {"type": "s3", "files": {"s3://b/b": 2}}})
    monkeypatch.undo()

    assert (store.root / "job.json").read_text() == before
    assert sorted(p.name for p in store.root.iterdir()) == ["job.json"]
