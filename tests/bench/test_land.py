"""`python -m localglue.runner.land`: local files into the raw zone under the dataset's prefix."""

from __future__ import annotations

import pytest

from localglue.runner import land


@pytest.fixture
def local_home(tmp_path, monkeypatch):
    """A fresh local state folder; landing needs no Spark."""
    home = tmp_path / "glue-local"
    monkeypatch.setenv("GLUE_LOCAL_HOME", str(home))
    return home


def test_land_copies_files_under_the_datasets_prefix_newest_last(local_home, tmp_path, capsys):
    first, second = tmp_path / "flights-a.csv", tmp_path / "flights-b.csv"
    first.write_text("year,month\n2013,1\n")
    second.write_text("year,month\n2013,2\n")
    assert land.main(["flights", str(first), str(second)]) == 0
    raw = local_home / "lake" / "etl-glue-pipeline-local-raw" / "flights"
    assert (raw / "flights-a.csv").read_text() == first.read_text()
    assert (raw / "flights-b.csv").stat().st_mtime_ns >= (raw / "flights-a.csv").stat().st_mtime_ns
    assert capsys.readouterr().out.count("landed ") == 2


def test_land_refuses_a_dataset_without_files_and_a_missing_file_in_one_line(local_home, tmp_path, capsys):
    assert land.main(["airlines", str(tmp_path / "x.csv")]) == 2
    assert land.main(["flights", str(tmp_path / "missing.csv")]) == 2
    assert land.main(["nosuch", str(tmp_path / "x.csv")]) == 2
    errors = capsys.readouterr().err.strip().splitlines()
    assert len(errors) == 3
    assert "does not read files" in errors[0] and "missing.csv" in errors[1] and "nosuch" in errors[2]
