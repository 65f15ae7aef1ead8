"""`make package` (etl_deploy.package): the dist/ layout, and a library zip that is byte-for-byte
repeatable, importable, and changes exactly when the code changes."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from etl_deploy.package import PackageError, build, package_files

REPO = Path(__file__).resolve().parents[2]
STAGES = ["extract", "transform", "load"]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A small repository shaped like this one: the real config/, three scripts, a library package."""
    root = tmp_path / "repo"
    shutil.copytree(REPO / "config", root / "config")
    for stage in STAGES:
        script = root / "src" / "glue" / f"{stage}_job.py"
        script.parent.mkdir(parents=True, exist_ok=True)
        script.write_text(f"# {stage} job\nSTAGE = {stage!r}\n")
    library = root / "src" / "etl_pipeline"
    (library / "quality").mkdir(parents=True)
    (library / "__init__.py").write_text("VERSION = '1'\n")
    (library / "quality" / "__init__.py").write_text("")
    (library / "quality" / "rules.py").write_text("def passes(value):\n    return value is not None\n")
    (library / "__pycache__").mkdir()
    (library / "__pycache__" / "junk.cpython-311.pyc").write_bytes(b"\x00compiled")
    (library / "notes.txt").write_text("not code")
    return root


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_layout_is_the_bucket_key_layout(repo: Path, tmp_path: Path) -> None:
    files = build(repo, tmp_path / "dist")

    assert [f.key for f in files] == sorted(
        ["config/pipeline-config.json", "lib/etl_pipeline.zip"] + [f"scripts/{stage}_job.py" for stage in STAGES])
    for stage in STAGES:
        assert (tmp_path / "dist" / "scripts" / f"{stage}_job.py").read_bytes() == (repo / "src" / "glue" / f"{stage}_job.py").read_bytes()
    bundle = json.loads((tmp_path / "dist" / "config" / "pipeline-config.json").read_text())
    assert [d["file"] for d in bundle["datasets"]] == [
        f"config/datasets/{n}.yaml" for n in ("airlines", "airports", "flights", "planes", "weather")]


def test_code_that_imports_what_glue_lacks_is_refused(repo: Path, tmp_path: Path) -> None:
    (repo / "src/etl_pipeline/quality/rules.py").write_text("import yaml\nfrom duckdb import connect\nimport boto3\n")

    with pytest.raises(PackageError, match=r"imports modules AWS Glue 5.1 does not provide.*"
                                           r"src/etl_pipeline/quality/rules.py:1 imports yaml; "
                                           r"src/etl_pipeline/quality/rules.py:2 imports duckdb\. Use"):
        build(repo, tmp_path / "dist")
    assert not (tmp_path / "dist").exists()


def test_zip_holds_only_the_library_sources_sorted_with_fixed_metadata(repo: Path, tmp_path: Path) -> None:
    build(repo, tmp_path / "dist")

    with zipfile.ZipFile(tmp_path / "dist" / "lib" / "etl_pipeline.zip") as archive:
        infos = archive.infolist()
        names = [info.filename for info in infos]
        assert names == ["etl_pipeline/__init__.py", "etl_pipeline/quality/__init__.py", "etl_pipeline/quality/rules.py"]
        assert {info.date_time for info in infos} == {(1980, 1, 1, 0, 0, 0)}
        assert {info.external_attr >> 16 for info in infos} == {0o100644}
        assert archive.read("etl_pipeline/quality/rules.py") == (repo / "src/etl_pipeline/quality/rules.py").read_bytes()


def test_zip_is_byte_for_byte_repeatable(repo: Path, tmp_path: Path) -> None:
    build(repo, tmp_path / "first")
    # Touch every source with another modification time: the zip must not notice.
    for path in (repo / "src").rglob("*.py"):
        os.utime(path, (1_700_000_000, 1_700_000_000))
    build(repo, tmp_path / "second")

    first = {f.key: sha256(f.path) for f in package_files(tmp_path / "first")}
    second = {f.key: sha256(f.path) for f in package_files(tmp_path / "second")}
    assert first == second
    assert len(first) == 5


def test_zip_changes_when_and_only_when_code_changes(repo: Path, tmp_path: Path) -> None:
    build(repo, tmp_path / "dist")
    before = sha256(tmp_path / "dist" / "lib" / "etl_pipeline.zip")

    (repo / "config" / "pipeline.yaml").write_text((repo / "config" / "pipeline.yaml").read_text() + "\n# note\n")
    build(repo, tmp_path / "dist")
    assert sha256(tmp_path / "dist" / "lib" / "etl_pipeline.zip") == before

    (repo / "src/etl_pipeline/quality/rules.py").write_text("def passes(value):\n    return True\n")
    build(repo, tmp_path / "dist")
    assert sha256(tmp_path / "dist" / "lib" / "etl_pipeline.zip") != before


def test_zip_imports_as_extra_py_files(repo: Path, tmp_path: Path) -> None:
    """Glue puts --extra-py-files zips on sys.path: `import etl_pipeline` must work from the zip alone."""
    build(repo, tmp_path / "dist")
    zip_path = tmp_path / "dist" / "lib" / "etl_pipeline.zip"
    completed = subprocess.run(
        [sys.executable, "-S", "-c", "import etl_pipeline.quality.rules as r; print(r.__file__, r.passes(1))"],
        env={"PYTHONPATH": str(zip_path), "PATH": os.environ.get("PATH", "")}, cwd=tmp_path,
        capture_output=True, text=True, check=True,
    )
    assert completed.stdout.split() == [str(zip_path / "etl_pipeline" / "quality" / "rules.py"), "True"]


def test_a_removed_dataset_leaves_the_bundle(repo: Path, tmp_path: Path) -> None:
    build(repo, tmp_path / "dist")
    (repo / "config" / "datasets" / "planes.yaml").unlink()
    build(repo, tmp_path / "dist")

    bundle = json.loads((tmp_path / "dist" / "config" / "pipeline-config.json").read_text())
    assert "config/datasets/planes.yaml" not in [d["file"] for d in bundle["datasets"]]


def test_missing_script_is_a_clear_error(repo: Path, tmp_path: Path) -> None:
    (repo / "src" / "glue" / "transform_job.py").unlink()
    with pytest.raises(PackageError, match=r"transform_job\.py not found.*'transform' job"):
        build(repo, tmp_path / "dist")


def test_command_line_builds_this_repository(tmp_path: Path) -> None:
    """`python -m etl_deploy.package` on the real repository: one script per job step of config/."""
    completed = subprocess.run(
        [sys.executable, "-m", "etl_deploy.package", "--root", str(REPO), "--out", str(tmp_path / "dist")],
        capture_output=True, text=True, check=False,
    )
    assert completed.returncode == 0, completed.stderr
    keys = [f.key for f in package_files(tmp_path / "dist")]
    assert [k for k in keys if k.startswith("scripts/")] == ["scripts/extract_job.py", "scripts/load_job.py", "scripts/transform_job.py"]
    assert "lib/etl_pipeline.zip" in keys and "config/pipeline-config.json" in keys
    assert f"built {len(keys)} files" in completed.stdout
