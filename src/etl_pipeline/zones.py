"""The lake's zones and every path inside them, built in one place.

    raw         s3://<raw>/<source prefix>                                  source files as delivered
    processed   s3://<processed>/<landing>/<dataset>/batch_id=<id>/         extract output (text + metadata)
                s3://<processed>/<validated>/<dataset>/batch_id=<id>/       transform output (typed, valid)
                s3://<processed>/<validated>/_types/<dataset>.json          column types of the last one
                s3://<processed>/<reports>/<stage>/<run id>.json            one run report per job run
    quarantine  s3://<quarantine>/<dataset>/rejected/batch_id=<id>/         rows that failed a rule
                s3://<quarantine>/<dataset>/duplicates/batch_id=<id>/       older versions of a key
                s3://<quarantine>/<dataset>/unreadable/batch_id=<id>/<file> source files no reader could
                                                                            decode, each with <file>.reason.json
                s3://<quarantine>/<dataset>/not_utf8/batch_id=<id>/<file>   source files with bytes that are not
                                                                            UTF-8, each with <file>.reason.json
    curated     s3://<curated>/...                                          the Iceberg tables: their catalog's
                                                                            warehouse (the jobs' --conf)
    temp        s3://<temp>/...                                             checkpoints, Redshift staging

The zone roots come from the jobs' arguments (Terraform passes the buckets); the folder names inside
the processed zone from config/pipeline.yaml.
"""

from __future__ import annotations

from dataclasses import dataclass

from etl_pipeline.config import DatasetConfig, FileSource, PipelineConfig
from etl_pipeline.storage import join_uri

# Which job argument names each zone's root.
ZONE_ARGUMENTS = {"raw": "raw_path", "processed": "processed_path", "quarantine": "quarantine_path",
                  "temp": "TempDir"}


@dataclass(frozen=True)
class Zones:
    config: PipelineConfig
    roots: dict[str, str]

    @classmethod
    def from_arguments(cls, config: PipelineConfig, args: dict) -> "Zones":
        return cls(config, {zone: args[name] for zone, name in ZONE_ARGUMENTS.items() if args.get(name)})

    def root(self, zone: str) -> str:
        if zone not in self.roots:
            raise ValueError(f"this job needs --{ZONE_ARGUMENTS[zone]} (the {zone} zone's s3:// root)")
        return self.roots[zone]

    def raw_files(self, source: FileSource) -> str:
        return join_uri(self.root("raw"), source.prefix) + "/"

    def landing(self, dataset: DatasetConfig, batch_id: str | None = None) -> str:
        return self._batch(self.config.landing_prefix, dataset, batch_id)

    def validated(self, dataset: DatasetConfig, batch_id: str | None = None) -> str:
        return self._batch(self.config.validated_prefix, dataset, batch_id)

    def rejected(self, dataset: DatasetConfig, batch_id: str) -> str:
        return join_uri(self.root("quarantine"), dataset.name, "rejected", f"batch_id={batch_id}")

    def duplicates(self, dataset: DatasetConfig, batch_id: str) -> str:
        return join_uri(self.root("quarantine"), dataset.name, "duplicates", f"batch_id={batch_id}")

    def unreadable(self, dataset: DatasetConfig, batch_id: str | None = None) -> str:
        """Where extract sets aside the source files it cannot read (the dataset's folder, or one batch's)."""
        folder = join_uri(self.root("quarantine"), dataset.name, "unreadable")
        return join_uri(folder, f"batch_id={batch_id}") if batch_id else folder

    def not_utf8(self, dataset: DatasetConfig, batch_id: str) -> str:
        """Where extract keeps a copy of each source file of a batch that holds bytes that are not UTF-8."""
        return join_uri(self.root("quarantine"), dataset.name, "not_utf8", f"batch_id={batch_id}")

    def validated_types(self, dataset: DatasetConfig) -> str:
        """The column types of the dataset's last validated batch (the transform's schema memory)."""
        return join_uri(self.root("processed"), self.config.validated_prefix, "_types", f"{dataset.name}.json")

    def reports(self, stage: str, name: str | None = None) -> str:
        """The stage's reports folder, or one file in it."""
        folder = join_uri(self.root("processed"), self.config.reports_prefix, stage)
        return join_uri(folder, name) if name else folder

    def data_quality_results(self) -> str:
        """Where Glue Data Quality writes each evaluation's results (resultsS3Prefix), per dataset."""
        return join_uri(self.root("processed"), "_data_quality")

    def temp(self, *parts: str) -> str:
        return join_uri(self.root("temp"), *parts)

    def _batch(self, prefix: str, dataset: DatasetConfig, batch_id: str | None) -> str:
        """A dataset's folder in the processed zone (with a trailing /), or one batch of it."""
        folder = join_uri(self.root("processed"), prefix, dataset.name)
        return join_uri(folder, f"batch_id={batch_id}") if batch_id else folder + "/"
