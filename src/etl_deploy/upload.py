"""Upload the built package (dist/) to the scripts bucket, skipping files that did not change.

    python -m etl_deploy.upload --env dev [--bucket NAME] [--dist dist]

The bucket comes from --bucket, else the SCRIPTS_BUCKET environment variable, else
`terraform -chdir=terraform output -raw scripts_bucket_name`. Keys are the paths below dist/
(scripts/<stage>_job.py, lib/etl_pipeline.zip, config/...), the same keys Terraform uploads.

A file is skipped when the object in the bucket carries the same SHA-256 in its `sha256` user
metadata (Terraform's aws_s3_object sets the same metadata). ETags cannot be compared: under SSE-KMS,
which the bucket enforces, an ETag is not the MD5 of the content. Config files that no longer exist
in dist/config/ are deleted from the bucket, because the jobs read every file below config/.

The AWS endpoint is boto3's: the standard AWS_ENDPOINT_URL (or AWS_ENDPOINT_URL_S3) points it at
any S3-compatible endpoint, such as a moto server in the tests.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from etl_deploy.package import PackageFile, package_files

SHA256_METADATA = "sha256"
CONFIG_PREFIX = "config/"
CONTENT_TYPES = {".py": "text/x-python", ".zip": "application/zip", ".json": "application/json"}


class UploadError(Exception):
    """The upload cannot start or failed; the message says why."""


@dataclass
class UploadResult:
    uploaded: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def resolve_bucket(cli_bucket: str | None, env: str, terraform_dir: Path) -> str:
    """--bucket, else $SCRIPTS_BUCKET, else the Terraform output of the deployed environment."""
    if cli_bucket:
        return cli_bucket
    if os.environ.get("SCRIPTS_BUCKET"):
        return os.environ["SCRIPTS_BUCKET"]
    if shutil.which("terraform") is None:
        raise UploadError("no bucket given: pass --bucket or set SCRIPTS_BUCKET "
                          "(terraform is not on PATH, so its output cannot be read)")
    completed = subprocess.run(
        ["terraform", f"-chdir={terraform_dir}", "output", "-raw", "scripts_bucket_name"],
        capture_output=True, text=True, check=False,
    )
    bucket = completed.stdout.strip()
    if completed.returncode != 0 or not bucket or "\n" in bucket:
        raise UploadError("no bucket given and `terraform output -raw scripts_bucket_name` failed in "
                          f"{terraform_dir} (apply first, or pass --bucket / set SCRIPTS_BUCKET): "
                          f"{completed.stderr.strip()[:300]}")
    if f"-{env}-" not in bucket:
        raise UploadError(f"the Terraform state in {terraform_dir} is for bucket {bucket}, not environment "
                          f"'{env}': select the right backend (terraform init -backend-config=...) or pass --bucket")
    return bucket


def _remote_sha256(client, bucket: str, key: str) -> str | None:
    from botocore.exceptions import ClientError

    try:
        head = client.head_object(Bucket=bucket, Key=key)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return None
        raise
    return head.get("Metadata", {}).get(SHA256_METADATA)


def upload(files: list[PackageFile], bucket: str, client=None, dry_run: bool = False,
           out=sys.stdout) -> UploadResult:
    """Put each file whose content differs from the bucket's copy; delete config objects no longer built."""
    if client is None:
        import boto3

        client = boto3.client("s3")
    result = UploadResult()
    for item in files:
        digest = sha256_of(item.path)
        if _remote_sha256(client, bucket, item.key) == digest:
            result.skipped.append(item.key)
            print(f"  unchanged  s3://{bucket}/{item.key}", file=out)
            continue
        if not dry_run:
            client.put_object(
                Bucket=bucket, Key=item.key, Body=item.path.read_bytes(),
                ContentType=CONTENT_TYPES.get(item.path.suffix, "application/octet-stream"),
                Metadata={SHA256_METADATA: digest},
            )
        result.uploaded.append(item.key)
        print(f"  {'would put' if dry_run else 'uploaded '}  s3://{bucket}/{item.key}", file=out)

    built = {item.key for item in files}
    paginator = client.get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=bucket, Prefix=CONFIG_PREFIX):
        for obj in page.get("Contents", []):
            if obj["Key"] not in built:
                if not dry_run:
                    client.delete_object(Bucket=bucket, Key=obj["Key"])
                result.deleted.append(obj["Key"])
                print(f"  {'would delete' if dry_run else 'deleted  '}  s3://{bucket}/{obj['Key']}", file=out)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m etl_deploy.upload", description=__doc__.splitlines()[0])
    parser.add_argument("--env", required=True, help="environment the bucket belongs to (dev, prod, ...)")
    parser.add_argument("--bucket", help="scripts bucket (default: $SCRIPTS_BUCKET, else terraform output)")
    parser.add_argument("--dist", type=Path, default=Path("dist"), help="built package (default: dist)")
    parser.add_argument("--terraform-dir", type=Path, default=Path("terraform"),
                        help="Terraform root whose output names the bucket (default: terraform)")
    parser.add_argument("--dry-run", action="store_true", help="print what would change, change nothing")
    args = parser.parse_args(argv)

    files = package_files(args.dist)
    if not files:
        print(f"upload: error: nothing to upload in {args.dist}: run `make package` first", file=sys.stderr)
        return 1
    try:
        bucket = resolve_bucket(args.bucket, args.env, args.terraform_dir)
        endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
        print(f"upload: {len(files)} files from {args.dist} to s3://{bucket}/"
              + (f" (endpoint {endpoint})" if endpoint else ""))
        result = upload(files, bucket, dry_run=args.dry_run)
    except UploadError as error:
        print(f"upload: error: {error}", file=sys.stderr)
        return 1
    except Exception as error:  # botocore errors: credentials, access denied, unknown bucket
        print(f"upload: error: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    print(f"upload: {len(result.uploaded)} uploaded, {len(result.skipped)} unchanged, "
          f"{len(result.deleted)} deleted" + (" (dry run)" if args.dry_run else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
