"""Small files through Spark's Hadoop file system, on a local folder and on an s3:// path of the
test's lake (what the local runtime maps s3:// to)."""

from __future__ import annotations

import pytest

from etl_pipeline.storage import (delete, delete_written_atomically, exists, join_uri, list_files, modified_ms,
                                  read_text, read_text_written_atomically, write_text, write_text_atomically)


def test_join_uri_puts_exactly_one_slash_between_parts():
    assert join_uri("s3://bucket/", "/a/", "b/", "c.json") == "s3://bucket/a/b/c.json"
    assert join_uri("s3://bucket/prefix/") == "s3://bucket/prefix"


@pytest.fixture(params=["local folder", "s3 lake"])
def folder(request, tmp_path, glue_context) -> str:
    return str(tmp_path / "files") if request.param == "local folder" else "s3://processed/files"


def test_text_written_is_read_back_and_replaced_by_the_next_write(spark, folder):
    uri = join_uri(folder, "a", "note.txt")

    write_text(spark, uri, "first")
    write_text(spark, uri, "zweite Überschrift ✓\n")

    assert read_text(spark, uri) == "zweite Überschrift ✓\n"
    assert exists(spark, uri) and exists(spark, join_uri(folder, "a"))


def test_reading_a_missing_file_raises_file_not_found_with_its_uri(spark, folder):
    uri = join_uri(folder, "missing.txt")

    with pytest.raises(FileNotFoundError, match="missing.txt"):
        read_text(spark, uri)
    assert not exists(spark, uri)


def test_list_files_gives_the_files_directly_in_a_folder_sorted_and_filtered(spark, folder):
    for name in ("b.yaml", "a.yaml", "notes.txt", "sub/c.yaml"):
        write_text(spark, join_uri(folder, name), name)

    listed = list_files(spark, folder, ".yaml")

    assert [uri.rsplit("/", 1)[1] for uri in listed] == ["a.yaml", "b.yaml"]
    assert [read_text(spark, uri) for uri in listed] == ["a.yaml", "b.yaml"]
    assert len(list_files(spark, folder)) == 3
    assert list_files(spark, join_uri(folder, "nothing-here")) == []


def test_delete_removes_a_folder_with_its_content_and_ignores_what_is_not_there(spark, folder):
    write_text(spark, join_uri(folder, "sub", "x.txt"), "x")

    delete(spark, join_uri(folder, "sub"))
    delete(spark, join_uri(folder, "never-existed"))

    assert not exists(spark, join_uri(folder, "sub", "x.txt"))
    assert list_files(spark, join_uri(folder, "sub")) == []


def test_an_atomic_write_replaces_the_file_and_leaves_no_temporary_beside_it(spark, folder):
    uri = join_uri(folder, "state", "retry.json")

    write_text_atomically(spark, uri, "first\n")
    write_text_atomically(spark, uri, "second\n")

    assert read_text(spark, uri) == "second\n" == read_text_written_atomically(spark, uri)
    assert [name.rsplit("/", 1)[1] for name in list_files(spark, join_uri(folder, "state"))] == ["retry.json"]
    assert modified_ms(spark, uri) > 0
    assert modified_ms(spark, join_uri(folder, "state", "gone.json")) is None


def test_a_write_that_died_between_its_delete_and_its_rename_is_still_read(spark, folder):
    uri = join_uri(folder, "state", "retry.json")
    write_text(spark, join_uri(folder, "state", ".retry.json.writing"), "complete\n")  # the target is gone

    assert read_text_written_atomically(spark, uri) == "complete\n"
    delete_written_atomically(spark, uri)
    assert read_text_written_atomically(spark, uri) is None
    assert read_text_written_atomically(spark, join_uri(folder, "state", "other.json")) is None
