"""`make upload-scripts` (etl_deploy.upload) against a moto S3 server reached through the standard
AWS_ENDPOINT_URL: the first upload puts everything, a second skips everything, a changed file is
uploaded again, and a config file no longer built is removed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import boto3
import pytest

from etl_deploy.package import build, package_files
from etl_deploy.upload import UploadError, resolve_bucket, sha256_of, upload

REPO = Path(__file__).resolve().parents[2]
BUCKET = "etl-glue-pipeline-dev-scripts-123456789012"


@pytest.fixture
def s3(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("SCRIPTS_BUCKET", raising=False)
    client = boto3.client("s3")
    client.create_bucket(Bucket=BUCKET)
    client.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    yield client
    versions = client.list_object_versions(Bucket=BUCKET)
    for item in versions.get("Versions", []) + versions.get("DeleteMarkers", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"], VersionId=item["VersionId"])
    client.delete_bucket(Bucket=BUCKET)


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    build(REPO, tmp_path / "dist")
    return tmp_path / "dist"


def objects(client) -> dict[str, bytes]:
    listing = client.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    return {o["Key"]: client.get_object(Bucket=BUCKET, Key=o["Key"])["Body"].read() for o in listing}


def version_counts(client) -> dict[str, int]:
    counts: dict[str, int] = {}
    for version in client.list_object_versions(Bucket=BUCKET).get("Versions", []):
        counts[version["Key"]] = counts.get(version["Key"], 0) + 1
    return counts


def test_first_upload_puts_every_file_with_its_hash(s3, dist: Path) -> None:
    files = package_files(dist)
    result = upload(files, BUCKET)

    assert sorted(result.uploaded) == [f.key for f in files]
    assert result.skipped == [] and result.deleted == []
    assert objects(s3) == {f.key: f.path.read_bytes() for f in files}
    for f in files:
        head = s3.head_object(Bucket=BUCKET, Key=f.key)
        assert head["Metadata"] == {"sha256": sha256_of(f.path)}
    assert s3.head_object(Bucket=BUCKET, Key="lib/etl_pipeline.zip")["ContentType"] == "application/zip"


def test_second_upload_skips_everything(s3, dist: Path) -> None:
    files = package_files(dist)
    upload(files, BUCKET)
    result = upload(files, BUCKET)

    assert result.uploaded == [] and result.deleted == []
    assert sorted(result.skipped) == [f.key for f in files]
    assert version_counts(s3) == {f.key: 1 for f in files}


def test_changed_file_is_uploaded_again_and_only_it(s3, dist: Path) -> None:
    upload(package_files(dist), BUCKET)
    changed = dist / "config" / "pipeline-config.json"
    changed.write_text(changed.read_text() + "\n")

    files = package_files(dist)
    result = upload(files, BUCKET)

    assert result.uploaded == ["config/pipeline-config.json"]
    assert len(result.skipped) == len(files) - 1
    assert objects(s3)["config/pipeline-config.json"] == changed.read_bytes()
    counts = version_counts(s3)
    assert counts.pop("config/pipeline-config.json") == 2
    assert set(counts.values()) == {1}


def test_config_no_longer_built_is_deleted(s3, dist: Path) -> None:
    """Objects under config/ that the package no longer holds (an earlier layout's YAML files) go."""
    stale = dist / "config" / "datasets" / "planes.yaml"
    stale.parent.mkdir(parents=True)
    stale.write_text("name: planes\n")
    upload(package_files(dist), BUCKET)
    stale.unlink()

    result = upload(package_files(dist), BUCKET)

    assert result.deleted == ["config/datasets/planes.yaml"]
    assert "config/datasets/planes.yaml" not in objects(s3)
    assert "scripts/load_job.py" in objects(s3)


def test_dry_run_changes_nothing(s3, dist: Path) -> None:
    result = upload(package_files(dist), BUCKET, dry_run=True)
    assert len(result.uploaded) == len(package_files(dist))
    assert objects(s3) == {}


def test_command_line_uses_scripts_bucket_and_the_endpoint(s3, dist: Path) -> None:
    env = {**os.environ, "SCRIPTS_BUCKET": BUCKET}
    command = [sys.executable, "-m", "etl_deploy.upload", "--env", "dev", "--dist", str(dist)]

    first = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert first.returncode == 0, first.stderr
    assert f"to s3://{BUCKET}/ (endpoint {os.environ['AWS_ENDPOINT_URL']})" in first.stdout
    assert "upload: 5 uploaded, 0 unchanged, 0 deleted" in first.stdout
    assert f"uploaded   s3://{BUCKET}/scripts/extract_job.py" in first.stdout

    second = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert second.returncode == 0, second.stderr
    assert "upload: 0 uploaded, 5 unchanged, 0 deleted" in second.stdout
    assert len(objects(s3)) == 5


def test_unknown_bucket_fails_with_a_message(s3, dist: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "etl_deploy.upload", "--env", "dev", "--dist", str(dist), "--bucket", "no-such-bucket"],
        capture_output=True, text=True, check=False,
    )
    assert completed.returncode == 1
    assert "upload: error: NoSuchBucket" in completed.stderr


def test_bucket_resolution(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SCRIPTS_BUCKET", "from-env")
    assert resolve_bucket("from-flag", "dev", tmp_path) == "from-flag"
    assert resolve_bucket(None, "dev", tmp_path) == "from-env"

    monkeypatch.delenv("SCRIPTS_BUCKET")
    monkeypatch.setenv("PATH", str(tmp_path))  # no terraform here
    with pytest.raises(UploadError, match="pass --bucket or set SCRIPTS_BUCKET"):
        resolve_bucket(None, "dev", tmp_path)


def test_bucket_from_terraform_output_must_match_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Without --bucket or SCRIPTS_BUCKET the bucket is `terraform output -raw scripts_bucket_name`,
    refused when the state belongs to another environment."""
    fake = tmp_path / "bin" / "terraform"
    fake.parent.mkdir()
    fake.write_text('#!/bin/sh\n[ "$2 $3 $4" = "output -raw scripts_bucket_name" ] && printf "$FAKE_BUCKET" || exit 1\n')
    fake.chmod(0o755)
    monkeypatch.delenv("SCRIPTS_BUCKET", raising=False)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")

    monkeypatch.setenv("FAKE_BUCKET", BUCKET)
    assert resolve_bucket(None, "dev", tmp_path) == BUCKET
    with pytest.raises(UploadError, match="not environment 'prod'"):
        resolve_bucket(None, "prod", tmp_path)
