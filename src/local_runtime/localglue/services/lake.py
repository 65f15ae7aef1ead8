"""The local data lake: `s3://bucket/key` is the file `<lake root>/bucket/key`.

Two views of the same mapping:
- Python code of the runtime (crawler, bookmarks, catalog) turns URIs into paths with `to_local_path`.
- Spark reads and writes `s3://` URIs unchanged: Hadoop's ViewFileSystemOverloadScheme serves the
  `s3`/`s3a` schemes, and `mount_buckets` gives each bucket a mount table whose fallback link is its
  lake folder. The job scripts and the pipeline library therefore use the same URIs as on Glue.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

S3_URI = re.compile(r"^s3a?://(?P<bucket>[^/]+)/?(?P<key>.*)$")
# Spark and Hadoop treat files starting with these as hidden (markers, checksums, staging).
HIDDEN_PREFIXES = ("_", ".")


class LakePathError(ValueError):
    """A path the local lake cannot map."""


@dataclass(frozen=True)
class LakeFile:
    uri: str
    path: Path
    size: int
    modified_ms: int


def split_uri(uri: str) -> tuple[str, str]:
    match = S3_URI.match(uri)
    if not match:
        raise LakePathError(f"not an S3 URI: {uri!r} (expected s3://bucket/key)")
    return match.group("bucket"), match.group("key")


def is_s3_uri(value: str) -> bool:
    return bool(S3_URI.match(value))


def to_local_path(lake_root: Path, uri: str) -> Path:
    """The lake file or folder behind an `s3://` URI; a plain local path is returned as it is."""
    if not is_s3_uri(uri):
        return Path(uri.removeprefix("file://"))
    bucket, key = split_uri(uri)
    return lake_root / bucket / key


def to_uri(lake_root: Path, path: Path) -> str:
    relative = path.resolve().relative_to(lake_root.resolve())
    bucket, *key = relative.parts
    return f"s3://{bucket}/{'/'.join(key)}"


def buckets_in(values: Iterable[str]) -> set[str]:
    """Bucket names of every s3:// URI among the values (job arguments, option values)."""
    found = set()
    for value in values:
        for token in str(value).split(","):
            if is_s3_uri(token.strip()):
                found.add(split_uri(token.strip())[0])
    return found


def mount_buckets(spark_context, lake_root: Path, buckets: Iterable[str]) -> None:
    """Let Spark's Hadoop file system resolve s3://<bucket>/ to the bucket's lake folder."""
    jvm = spark_context._jvm
    hadoop_conf = spark_context._jsc.hadoopConfiguration()
    for bucket in buckets:
        folder = lake_root / bucket
        folder.mkdir(parents=True, exist_ok=True)
        key, target = f"fs.viewfs.mounttable.{bucket}.linkFallback", folder.resolve().as_uri()
        previous = hadoop_conf.get(key)
        if previous == target:
            continue
        if previous is not None:
            # Hadoop caches one FileSystem per bucket; closing it drops the one mapped to the old folder.
            for scheme in ("s3", "s3a"):
                jvm.org.apache.hadoop.fs.FileSystem.get(jvm.java.net.URI(f"{scheme}://{bucket}/"), hadoop_conf).close()
        hadoop_conf.set(key, target)


def list_files(lake_root: Path, uris: Iterable[str], recurse: bool = True) -> list[LakeFile]:
    """Data files under the given URIs (files or folders), skipping Spark's hidden marker files."""
    files: dict[str, LakeFile] = {}
    for uri in uris:
        root = to_local_path(lake_root, uri)
        for path in _walk(root, recurse):
            stat = path.stat()
            file_uri = to_uri(lake_root, path) if is_s3_uri(uri) else path.as_uri()
            files[file_uri] = LakeFile(file_uri, path, stat.st_size, int(stat.st_mtime * 1000))
    return sorted(files.values(), key=lambda f: (f.modified_ms, f.uri))


def _walk(root: Path, recurse: bool) -> Iterator[Path]:
    if root.is_file():
        yield root
        return
    if not root.is_dir():
        return
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(HIDDEN_PREFIXES)) if recurse else []
        for name in sorted(filenames):
            if not name.startswith(HIDDEN_PREFIXES):
                yield Path(dirpath) / name
