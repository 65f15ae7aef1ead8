"""Build dist/: the three Glue job scripts, the library zip and the pipeline config.

    python -m etl_deploy.package [--out dist] [--root .]

The layout below dist/ is the key layout in the scripts bucket, so `etl_deploy.upload` and
Terraform's `aws_s3_object`s (terraform/modules/code_upload) put the same files at the same keys:

    scripts/<stage>_job.py        copied from src/glue/, one per `kind: job` step of the workflow
    lib/etl_pipeline.zip          src/etl_pipeline/**/*.py, importable through --extra-py-files
    config/pipeline-config.json   config/*.yaml as one JSON document (Glue 5.1 has no YAML parser),
                                  checked with the jobs' own config loader

The zip is deterministic (sorted entries, fixed timestamps and permissions), so its hash, and with it
the S3 object Terraform plans, changes only when the code does.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

from etl_deploy.config_bundle import read_config, write_bundle
from etl_deploy.glue_parity import foreign_imports
from etl_pipeline.config import ConfigError

LIBRARY = "etl_pipeline"
LIBRARY_ZIP = f"lib/{LIBRARY}.zip"
# 1980-01-01 is the earliest date a zip entry can carry; any fixed value makes the bytes repeatable.
ZIP_DATE_TIME = (1980, 1, 1, 0, 0, 0)
ZIP_FILE_MODE = 0o100644  # regular file, rw-r--r--
MANAGED_DIRS = ("scripts", "lib", "config")


class PackageError(Exception):
    """Something the package needs is missing or malformed; the message says what."""


@dataclass(frozen=True)
class PackageFile:
    key: str     # path below dist/ = key in the scripts bucket
    path: Path   # the built file


def job_stages(config_dir: Path) -> list[str]:
    """The job steps of the workflow in config/pipeline.yaml, in run order (extract, transform, load)."""
    try:
        config = read_config(config_dir)
    except ConfigError as error:
        raise PackageError(str(error)) from error
    stages = [step.name for step in config.workflow if step.kind == "job"]
    if not stages:
        raise PackageError(f"{config_dir / 'pipeline.yaml'}: the workflow lists no step of kind 'job'")
    return stages


def _library_sources(library_dir: Path) -> list[Path]:
    if not library_dir.is_dir():
        raise PackageError(f"{library_dir} not found: the pipeline library is zipped from there")
    sources = sorted(
        path for path in library_dir.rglob("*.py")
        if "__pycache__" not in path.relative_to(library_dir).parts
    )
    if not (library_dir / "__init__.py").is_file():
        raise PackageError(f"{library_dir}/__init__.py not found: `import {LIBRARY}` would fail on Glue")
    return sources


def build_library_zip(library_dir: Path, zip_path: Path) -> None:
    """Zip library_dir as the package `etl_pipeline/...`, byte for byte repeatable."""
    zip_path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(zip_path, "w") as archive:
        for source in _library_sources(library_dir):
            name = f"{LIBRARY}/{source.relative_to(library_dir).as_posix()}"
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE_TIME)
            info.external_attr = ZIP_FILE_MODE << 16
            info.create_system = 3  # unix, whatever machine builds it
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, source.read_bytes(), compresslevel=9)


def build(root: Path, out_dir: Path) -> list[PackageFile]:
    """Build the package from the repository at root into out_dir; return its files, sorted by key."""
    root = root.resolve()
    config_dir = root / "config"
    stages = job_stages(config_dir)

    scripts = []
    for stage in stages:
        script = root / "src" / "glue" / f"{stage}_job.py"
        if not script.is_file():
            raise PackageError(f"{script} not found: the workflow in config/pipeline.yaml runs a '{stage}' job")
        scripts.append(script)
    library_sources = _library_sources(root / "src" / LIBRARY)
    foreign = foreign_imports([*scripts, *library_sources], {LIBRARY})
    if foreign:
        raise PackageError("the job code imports modules AWS Glue 5.1 does not provide (jobs would fail "
                           "at import): " + "; ".join(f.describe(root) for f in foreign)
                           + ". Use the standard library or a module of src/etl_deploy/glue-5.1-python-modules.txt")

    # Rebuild only what this tool owns, so a stale file (a deleted dataset) cannot linger in dist/.
    out_dir.mkdir(parents=True, exist_ok=True)
    for managed in MANAGED_DIRS:
        shutil.rmtree(out_dir / managed, ignore_errors=True)

    for script in scripts:
        target = out_dir / "scripts" / script.name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(script.read_bytes())
    build_library_zip(root / "src" / LIBRARY, out_dir / LIBRARY_ZIP)
    write_bundle(config_dir, out_dir / "config")
    return package_files(out_dir)


def package_files(dist_dir: Path) -> list[PackageFile]:
    """The files of a built package below dist_dir, with their bucket keys, sorted by key."""
    files = []
    for managed in MANAGED_DIRS:
        base = dist_dir / managed
        if base.is_dir():
            files += [PackageFile(p.relative_to(dist_dir).as_posix(), p) for p in base.rglob("*") if p.is_file()]
    return sorted(files, key=lambda f: f.key)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m etl_deploy.package", description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path("."), help="repository root (default: .)")
    parser.add_argument("--out", type=Path, default=None, help="output folder (default: <root>/dist)")
    args = parser.parse_args(argv)
    out_dir = args.out or args.root / "dist"
    try:
        files = build(args.root, out_dir)
    except PackageError as error:
        print(f"package: error: {error}", file=sys.stderr)
        return 1
    for item in files:
        print(f"  {out_dir / item.key}  ({item.path.stat().st_size} bytes)")
    print(f"package: built {len(files)} files in {out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
