"""Land local files into the raw zone of the local deployment, where a file-sourced dataset's extract
job finds them, as a source system's upload to the raw bucket would on AWS.

    python -m localglue.runner.land flights ~/exports/flights-2014-01.csv
    python -m localglue.runner.land lineitem data/*.csv      # several files, landed in the order given

Each file is copied under the dataset's `source.prefix` in the raw bucket with its own name; its
modification time is the landing time (as S3 stamps an upload's LastModified), so a file landed later
is newer for the de-duplication that keeps the newest version of a key.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from etl_pipeline.config import ConfigError, FileSource
from localglue.runner.deployment import LocalDeployment
from localglue.services.lake import to_local_path


def land(pipeline: LocalDeployment, dataset_name: str, files: list[Path]) -> list[Path]:
    """Copy `files` into the raw zone under the dataset's prefix; returns the landed paths."""
    dataset = pipeline.config.datasets.get(dataset_name)
    if dataset is None:
        raise ConfigError(f"no dataset {dataset_name!r} in {pipeline.config_dir}/datasets: "
                          f"choose one of {sorted(pipeline.config.datasets)}")
    if not isinstance(dataset.source, FileSource):
        raise ConfigError(f"dataset {dataset_name!r} does not read files from the raw zone: "
                          f"only datasets with source.type s3 have files to land")
    missing = [str(path) for path in files if not path.is_file()]
    if missing:
        raise FileNotFoundError(f"cannot land {', '.join(missing)}: no such file")
    folder = to_local_path(pipeline.settings.lake_root, pipeline.zone_uri("raw") + dataset.source.prefix)
    folder.mkdir(parents=True, exist_ok=True)
    landed = []
    for path in files:
        target = folder / path.name
        shutil.copyfile(path, target)  # not copy2: the landing time is the file's modification time
        landed.append(target)
    return landed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m localglue.runner.land", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dataset", help="a dataset of config/datasets with source.type s3")
    parser.add_argument("files", nargs="+", type=Path)
    options = parser.parse_args(argv)
    pipeline = LocalDeployment()
    try:
        landed = land(pipeline, options.dataset, options.files)
    except (ConfigError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for path in landed:
        print(f"landed {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
