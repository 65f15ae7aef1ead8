"""The pipeline as the local runtime deploys it: the names, arguments and connections Terraform gives
it on AWS, for an environment called `local`, pointing at the local lake, catalog and database servers
(PostgreSQL for postgresql and redshift sources and the warehouse, MariaDB for mysql sources).
"""

from __future__ import annotations

import os
import runpy
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from etl_deploy.config_bundle import read_config, write_bundle
from etl_deploy.ops.names import PipelineNames
from etl_pipeline.config import ConfigError, DynamoDbSource, JdbcSource
from etl_pipeline.zones import ZONE_ARGUMENTS, Zones
from localglue.runner import config_copy
from localglue.services import dynamodb, jdbc, job_runs
from localglue.services.bookmarks import ENABLE
from localglue.services.catalog import LocalDataCatalog
from localglue.services.crawler import LocalCrawler
from localglue.services.environment import ICEBERG_EXTENSIONS, REPO_ROOT, LocalSettings
from localglue.services.lake import to_local_path

JOB_SCRIPTS = REPO_ROOT / "src" / "glue"
# The config folder a user edits: the repository's config/, or another folder (a copy with other
# datasets, e.g. the benchmark's) named by GLUE_LOCAL_CONFIG_DIR. The deployment reads and uploads its
# own copy of it, refreshed from it whenever a deployment is opened (localglue.runner.config_copy).
CONFIG_DIR = Path(os.environ.get("GLUE_LOCAL_CONFIG_DIR", REPO_ROOT / "config")).resolve()

# The raw crawler's schema change policy, the same as terraform/modules/crawlers sets on AWS. The
# curated Iceberg tables need no crawler: every load commit registers them in the catalog.
RAW_CRAWLER_POLICY = {"update_behavior": "UPDATE_IN_DATABASE", "delete_behavior": "DEPRECATE_IN_DATABASE"}


@dataclass
class LocalDeployment:
    """One local deployment: settings, config and the names derived from them.

    `config_dir` is the folder the user edits; the deployment runs on its copy, `deployed_config_dir`
    (under GLUE_LOCAL_HOME), which `refresh_config` brings up to date with it."""

    settings: LocalSettings = field(default_factory=LocalSettings.from_environment)
    config_dir: Path = CONFIG_DIR
    env: str = "local"

    def __post_init__(self) -> None:
        self.refresh_config()
        self.catalog = LocalDataCatalog(self.settings.catalog_root)

    @property
    def deployed_config_dir(self) -> Path:
        return self.settings.home / "config"

    def refresh_config(self) -> list[config_copy.ChangeOutcome]:
        """Copy config_dir to the deployment's copy, re-apply the changes a demo command recorded
        there while config_dir still holds the values they replaced, and read the copy."""
        self.config_changes = config_copy.refresh(self.config_dir, self.deployed_config_dir,
                                                  config_copy.recorded_changes(self.settings.home))
        self.config = read_config(self.deployed_config_dir)
        return self.config_changes

    def change_config(self, change: config_copy.ConfigChange) -> config_copy.ChangeOutcome:
        """Change a setting in the deployment's copy only (config_dir is left alone), for every later
        run; a change the jobs' config check refuses is not kept, and the copy stays as it was."""
        changes = config_copy.with_change(config_copy.recorded_changes(self.settings.home), change)
        try:
            outcomes = config_copy.refresh(self.config_dir, self.deployed_config_dir, changes)
            config = read_config(self.deployed_config_dir)
        except ConfigError:
            self.refresh_config()
            raise
        config_copy.record_change(self.settings.home, change)
        self.config_changes, self.config = outcomes, config
        return next(o for o in outcomes if o.change == change)

    # ------------------------------------------------------------------ names
    @property
    def names(self) -> PipelineNames:
        """The names Terraform gives the deployment's resources (etl-glue uses the same)."""
        return PipelineNames(self.config, self.env)

    @property
    def prefix(self) -> str:
        return self.names.prefix

    def bucket(self, zone: str) -> str:
        return f"{self.prefix}-{zone}"

    def zone_uri(self, zone: str) -> str:
        return f"s3://{self.bucket(zone)}/"

    def database(self, zone: str) -> str:
        return f"{self.prefix}_{zone}".replace("-", "_")

    def job_name(self, stage: str) -> str:
        return self.names.job(stage)

    def crawler_name(self, zone: str) -> str:
        return self.names.crawler(zone)

    @property
    def workflow_name(self) -> str:
        return self.names.workflow

    @property
    def warehouse_connection(self) -> str:
        return f"{self.prefix}-redshift"

    def source_connection(self, logical_name: str) -> str:
        return self.config.connection_name(self.env, logical_name)

    @property
    def warehouse_schema(self) -> str:
        return "analytics"

    # ------------------------------------------------------------- deployment
    def postgres(self) -> jdbc.JdbcTarget:
        return jdbc.parse_url(self.settings.postgres_url)

    def mysql(self) -> jdbc.JdbcTarget:
        return jdbc.parse_url(self.settings.mysql_url)

    def server_for(self, engine: str) -> jdbc.JdbcTarget:
        """The local server a JDBC source engine reads from: MariaDB for mysql, PostgreSQL for
        postgresql and for redshift (the Redshift stand-in)."""
        return self.mysql() if engine == "mysql" else self.postgres()

    def jdbc_sources(self) -> dict[str, JdbcSource]:
        return {name: d.source for name, d in self.config.datasets.items() if isinstance(d.source, JdbcSource)}

    def dynamodb_sources(self) -> dict[str, DynamoDbSource]:
        return {name: d.source for name, d in self.config.datasets.items() if isinstance(d.source, DynamoDbSource)}

    def unreachable_sources(self) -> list[str]:
        """The JDBC datasets whose database server does not answer, and the DynamoDB datasets when no
        DynamoDB endpoint answers (the demo reads their fallback files)."""
        answers: dict[str, bool] = {}
        for source in self.jdbc_sources().values():
            target = self.server_for(source.engine)
            answers.setdefault(target.describe(), jdbc.is_reachable(target))
        absent = [name for name, source in self.jdbc_sources().items()
                  if not answers[self.server_for(source.engine).describe()]]
        if self.dynamodb_sources() and not dynamodb.is_reachable():
            absent += sorted(self.dynamodb_sources())
        return absent

    @property
    def config_uri(self) -> str:
        """Where the jobs read the config bundle: the scripts bucket's config/, as on AWS."""
        return self.zone_uri("scripts") + "config/"

    def deploy(self, with_database: bool) -> None:
        """What `terraform apply` and `make upload-scripts` create, locally: catalog databases, Glue
        connections and the config bundle in the scripts bucket (from the config as it is now)."""
        self.refresh_config()
        write_bundle(self.deployed_config_dir, to_local_path(self.settings.lake_root, self.config_uri))
        for zone in ("raw", "processed", "curated"):
            self.catalog.ensure_database(self.database(zone), f"{zone} zone of {self.prefix}")
        if with_database:
            jdbc.ensure_database(self.postgres())
            self.catalog.create_connection(jdbc.connection_input(
                self.warehouse_connection, self.postgres(), "warehouse (Redshift stand-in)"))
        # Source connections point at the server of their engine, whether it answers now or not (as
        # Terraform creates them on AWS); a read from a server that does not answer fails naming it.
        for source in self.jdbc_sources().values():
            name = self.source_connection(source.connection)
            if name != self.warehouse_connection:
                self.catalog.create_connection(jdbc.connection_input(
                    name, self.server_for(source.engine), f"{source.engine} source {source.connection}"))

    def crawler(self, zone: str) -> LocalCrawler:
        if zone != "raw":
            raise ConfigError(f"no crawler for zone {zone!r}: the workflow crawls the raw zone only")
        prefixes = set()
        for dataset in self.config.datasets.values():
            for source in (dataset.source, dataset.fallback):
                if getattr(source, "prefix", None):
                    prefixes.add(source.prefix)
        targets = [self.zone_uri("raw") + prefix for prefix in sorted(prefixes)]
        return LocalCrawler(self.catalog, self.settings.lake_root, self.crawler_name(zone), self.database(zone),
                            targets, **RAW_CRAWLER_POLICY)

    def iceberg_conf(self) -> dict[str, str]:
        """The Spark settings of the curated tables' Iceberg catalog, given to the jobs as Glue's --conf.

        On AWS the catalog is Iceberg's GlueCatalog with S3FileIO (terraform/modules/jobs); here it is
        Iceberg's JdbcCatalog over a SQLite file beside the local Data Catalog, which lists its tables
        (localglue.services.iceberg_tables), with the curated bucket's folder as its warehouse.
        """
        catalog = f"spark.sql.catalog.{self.config.iceberg_catalog}"
        return {
            "spark.sql.extensions": ICEBERG_EXTENSIONS,
            catalog: "org.apache.iceberg.spark.SparkCatalog",
            f"{catalog}.catalog-impl": "org.apache.iceberg.jdbc.JdbcCatalog",
            f"{catalog}.uri": f"jdbc:sqlite:{self.catalog.iceberg.file}",
            f"{catalog}.jdbc.schema-version": "V1",
            f"{catalog}.warehouse": to_local_path(self.settings.lake_root, self.zone_uri("curated")).as_uri(),
            # Several local processes (a job script, the tests, `make table-*`) write the same tables:
            # read the current metadata on every query instead of a cached copy.
            f"{catalog}.cache-enabled": "false",
        }

    def athena(self):
        """The Athena stand-in over this deployment's curated tables (a DuckDB connection)."""
        # Imported here: DuckDB and pyiceberg take seconds to import, and a job run (or run_job's
        # check for nothing new) never queries.
        from localglue.services.athena import curated_views

        return curated_views(self.catalog, self.settings.lake_root, self.database("curated"))

    def zones(self) -> Zones:
        """The lake's paths as the jobs see them: the zone roots this deployment passes as arguments."""
        roots = {"raw": self.zone_uri("raw"), "processed": self.zone_uri("processed"),
                 "quarantine": self.zone_uri("quarantine"),
                 "temp": self.zone_uri("temp") + "glue/"}
        return Zones(self.config, roots)

    def job_arguments(self, stage: str, datasets: str = "all", bookmark_option: str = ENABLE,
                      warehouse: bool = True, source_fallback: bool | list[str] = False) -> list[str]:
        """The arguments Terraform's default_arguments give each job, for the local deployment."""
        roots = {f"--{ZONE_ARGUMENTS[zone]}": root for zone, root in self.zones().roots.items()}
        common = {"--env": self.env, "--config_path": self.config_uri, "--datasets": datasets,
                  "--processed_path": roots["--processed_path"], "--job-bookmark-option": bookmark_option,
                  "--TempDir": roots["--TempDir"], "--metrics_namespace": "none",
                  "--datalake-formats": "iceberg",
                  "--conf": " --conf ".join(f"{key}={value}" for key, value in self.iceberg_conf().items())}
        by_stage = {
            "extract": {"--raw_path": roots["--raw_path"], "--quarantine_path": roots["--quarantine_path"]},
            "transform": {"--quarantine_path": roots["--quarantine_path"]},
            "load": {"--curated_database": self.database("curated"),
                     "--warehouse_connection": self.warehouse_connection if warehouse else "none",
                     "--warehouse_database": self.postgres().database,
                     "--warehouse_schema": self.warehouse_schema},
        }
        if stage not in by_stage:
            raise ValueError(f"unknown job {stage!r}: extract, transform or load")
        arguments = {"--JOB_NAME": self.job_name(stage), "--JOB_RUN_ID": f"jr_local_{uuid.uuid4().hex[:20]}",
                     **common, **by_stage[stage]}
        if source_fallback and stage == "extract":
            # files: every JDBC dataset from its files; files:a,b only those (their server is absent).
            arguments["--source_fallback"] = "files" if source_fallback is True else "files:" + ",".join(source_fallback)
        return [item for pair in arguments.items() for item in pair]


def run_script(script: Path, arguments: list[str]) -> None:
    """Run a Glue job script in this process, as `python script.py ARGS` would (sharing Spark)."""
    previous = sys.argv
    sys.argv = [str(script), *arguments]
    try:
        runpy.run_path(str(script), run_name="__main__")
    finally:
        sys.argv = previous
        job_runs.end_all_runs()  # as the end of a job's process would
        dynamodb.end_job_routing()  # and with it the job's environment


def script_for(stage: str) -> Path:
    script = JOB_SCRIPTS / f"{stage}_job.py"
    if not script.exists():
        raise FileNotFoundError(f"no job script {script}")
    return script


def argument_value(arguments: list[str], name: str) -> str:
    return arguments[arguments.index(name) + 1]

