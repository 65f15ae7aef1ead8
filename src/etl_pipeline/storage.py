"""Small files (config, run reports) through Spark's Hadoop file system.

On Glue that is EMRFS for s3:// URIs; in the local runtime the same URIs resolve to the local lake.
Going through Hadoop rather than boto3 keeps one code path for both, and needs no extra credentials
or endpoints beyond what the job's Spark already has.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # config (and with it `make package`) uses join_uri without Spark installed
    from pyspark.sql import SparkSession


def join_uri(base: str, *parts: str) -> str:
    uri = base.rstrip("/")
    for part in parts:
        uri += "/" + part.strip("/")
    return uri


def _path(spark: SparkSession, uri: str):
    jvm = spark.sparkContext._jvm
    path = jvm.org.apache.hadoop.fs.Path(uri)
    return path, path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())


def read_text(spark: SparkSession, uri: str) -> str:
    path, fs = _path(spark, uri)
    if not fs.exists(path):
        raise FileNotFoundError(uri)
    stream = fs.open(path)
    try:
        return str(spark.sparkContext._jvm.org.apache.commons.io.IOUtils.toString(stream, "UTF-8"))
    finally:
        stream.close()


def write_text(spark: SparkSession, uri: str, text: str) -> None:
    path, fs = _path(spark, uri)
    stream = fs.create(path, True)
    try:
        stream.write(bytearray(text.encode("utf-8")))
    finally:
        stream.close()


def writing_name(name: str) -> str:
    """The name of the hidden sibling an atomic write of `name` goes through (readers of the folder
    skip names starting with `.`)."""
    return f".{name}.writing"


def _writing(spark: SparkSession, uri: str):
    """The hidden sibling an atomic write goes through."""
    path, _ = _path(spark, uri)
    return spark.sparkContext._jvm.org.apache.hadoop.fs.Path(path.getParent(), writing_name(str(path.getName())))


def write_text_atomically(spark: SparkSession, uri: str, text: str) -> None:
    """Write a file that read_text_written_atomically sees whole or not at all, even if the job dies
    while writing. On S3 (EMRFS, S3A) one PUT is that already: the object appears when the upload
    completes. On a file system (the local lake) the text goes to a hidden sibling that is renamed
    over uri; where the file system will not rename over an existing file, the old file is deleted
    first, and a reader that then finds only the sibling takes it."""
    path, fs = _path(spark, uri)
    if str(fs.getScheme()) in ("s3", "s3a", "s3n"):
        write_text(spark, uri, text)
        return
    temporary = _writing(spark, uri)
    write_text(spark, str(temporary.toString()), text)
    if not fs.rename(temporary, path):
        fs.delete(path, False)
        if not fs.rename(temporary, path):
            raise OSError(f"cannot rename {temporary.toString()} to {uri}; check the write access to its folder")


def read_text_written_atomically(spark: SparkSession, uri: str) -> str | None:
    """What write_text_atomically last wrote to uri completely, or None when nothing was."""
    for candidate in (uri, str(_writing(spark, uri).toString())):
        if exists(spark, candidate):
            return read_text(spark, candidate)
    return None


def delete_written_atomically(spark: SparkSession, uri: str) -> None:
    """Delete what write_text_atomically wrote, with a sibling an interrupted write left."""
    delete(spark, uri)
    delete(spark, str(_writing(spark, uri).toString()))


def modified_ms(spark: SparkSession, uri: str) -> int | None:
    """A file's modification time in epoch milliseconds (what S3 job bookmarks compare), or None when
    the file is gone."""
    path, fs = _path(spark, uri)
    if not fs.exists(path):
        return None
    return int(fs.getFileStatus(path).getModificationTime())


def list_files(spark: SparkSession, uri: str, suffix: str = "") -> list[str]:
    """URIs of the files directly under a folder (sorted); empty when the folder does not exist."""
    path, fs = _path(spark, uri)
    if not fs.exists(path):
        return []
    names = [str(status.getPath().toString()) for status in fs.listStatus(path) if status.isFile()]
    return sorted(name for name in names if name.endswith(suffix))


def files_under(spark: SparkSession, uri: str, suffix: str = "") -> list[str]:
    """URIs of the files under a folder at any depth (sorted); empty when the folder does not exist."""
    return sorted(name for name in modification_times(spark, uri) if name.endswith(suffix))


def modification_times(spark: SparkSession, uri: str) -> dict[str, int]:
    """Every file under a folder at any depth, with its modification time in epoch milliseconds."""
    path, fs = _path(spark, uri)
    if not fs.exists(path):
        return {}
    found, files = {}, fs.listFiles(path, True)
    while files.hasNext():
        status = files.next()
        found[str(status.getPath().toString())] = int(status.getModificationTime())
    return found


def size(spark: SparkSession, uri: str) -> int:
    path, fs = _path(spark, uri)
    return int(fs.getFileStatus(path).getLen())


def copy(spark: SparkSession, source_uri: str, target_uri: str) -> None:
    """Copy one file byte for byte, replacing the target."""
    source, source_fs = _path(spark, source_uri)
    target, target_fs = _path(spark, target_uri)
    jvm = spark.sparkContext._jvm
    jvm.org.apache.hadoop.fs.FileUtil.copy(source_fs, source, target_fs, target, False, True,
                                           spark.sparkContext._jsc.hadoopConfiguration())


def hidden_files(spark: SparkSession, uri: str) -> list[str]:
    """Files under a folder (at any depth) whose names start with `_` or `.`: Hadoop's and so Glue's
    file readers skip them, so a job can only report them."""
    return [name for name in files_under(spark, uri) if name.rsplit("/", 1)[-1].startswith(("_", "."))]


def exists(spark: SparkSession, uri: str) -> bool:
    path, fs = _path(spark, uri)
    return bool(fs.exists(path))


def delete(spark: SparkSession, uri: str) -> None:
    path, fs = _path(spark, uri)
    fs.delete(path, True)
