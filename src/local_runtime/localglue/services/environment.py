"""Where the local Glue runtime keeps its state, and the Java/Spark environment it runs Spark in.

AWS Glue hands a job script a ready, configured Spark. Locally, `configure()` plays that part: it
finds a Java 17 (Spark 3.5 fails on newer JDKs), pins Spark to 127.0.0.1, points Python workers at
this interpreter, and writes a spark-defaults.conf (local master, JDBC drivers, quiet logs, scratch
space under the state folder, `s3://` mapped onto the local lake) into SPARK_CONF_DIR, so that a
plain `SparkContext.getOrCreate()` in a job script gets the same Spark here as in every test.

`python -m localglue.services.environment` checks the prerequisites and prints one line.
"""

from __future__ import annotations

import glob
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[4]

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/etl_glue_pipeline"
# MariaDB, the RDS MySQL stand-in: .ci/start-mariadb creates this user and database.
DEFAULT_MYSQL_URL = "mysql://glue:glue@127.0.0.1:3306/etl_glue_pipeline"

# Glue 5.1's JVM libraries beyond pyspark's own jars (Iceberg, JDBC drivers), as a Maven project.
GLUE_JARS_POM = REPO_ROOT / "src" / "local_runtime" / "jvm" / "pom.xml"
# Iceberg's SQL extensions (MERGE INTO, CALL ... procedures), loaded when Spark starts: Glue jobs set
# them in --conf with --datalake-formats iceberg, and this runtime always has the Iceberg jar.
ICEBERG_EXTENSIONS = "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions"

JAVA_17_HINT = (
    "Java 17 is required (AWS Glue 5.1 and Spark 3.5 run on Java 17): install it "
    "(Debian/Ubuntu: apt-get install openjdk-17-jdk-headless; macOS: brew install openjdk@17) "
    "or set JAVA_HOME to a Java 17 installation"
)


class PrerequisiteMissing(RuntimeError):
    """A prerequisite of the local runtime is missing; the message says what to install."""


@dataclass(frozen=True)
class LocalSettings:
    """Folders and addresses of the local runtime, from environment variables with defaults.

    GLUE_LOCAL_HOME           state folder (lake, catalog, bookmarks, Spark scratch); default .local/
    GLUE_LOCAL_POSTGRES_URL   PostgreSQL for JDBC sources and the Redshift stand-in
    GLUE_LOCAL_MYSQL_URL      MariaDB for MySQL sources (RDS MySQL stand-in)
    GLUE_LOCAL_JARS_CACHE     Glue 5.1's JVM libraries, fetched once; default .cache/jvm/
    """

    home: Path
    postgres_url: str
    jars_cache: Path
    mysql_url: str = DEFAULT_MYSQL_URL

    @classmethod
    def from_environment(cls) -> "LocalSettings":
        home = Path(os.environ.get("GLUE_LOCAL_HOME", REPO_ROOT / ".local")).resolve()
        jars_cache = Path(os.environ.get("GLUE_LOCAL_JARS_CACHE", REPO_ROOT / ".cache" / "jvm")).resolve()
        return cls(home=home, postgres_url=os.environ.get("GLUE_LOCAL_POSTGRES_URL", DEFAULT_POSTGRES_URL),
                   jars_cache=jars_cache, mysql_url=os.environ.get("GLUE_LOCAL_MYSQL_URL", DEFAULT_MYSQL_URL))

    @property
    def lake_root(self) -> Path:
        return self.home / "lake"

    @property
    def catalog_root(self) -> Path:
        return self.home / "catalog"

    @property
    def bookmarks_root(self) -> Path:
        return self.home / "bookmarks"

    @property
    def runs_root(self) -> Path:
        """One lock file per job: who runs it now (localglue.services.job_runs)."""
        return self.home / "runs"

    @property
    def spark_root(self) -> Path:
        return self.home / "spark"


def _java_major_version(java_home: Path) -> int | None:
    java = java_home / "bin" / "java"
    if not java.is_file():
        return None
    try:
        completed = subprocess.run([str(java), "-version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r'version "(\d+)(?:\.(\d+))?', completed.stderr + completed.stdout)
    if not match:
        return None
    major = int(match.group(1))
    return int(match.group(2)) if major == 1 else major


def find_java17() -> Path:
    """JAVA_HOME when it is a Java 17, else a Java 17 in the usual places; raises with a hint."""
    candidates: list[Path] = []
    if os.environ.get("JAVA_HOME"):
        candidates.append(Path(os.environ["JAVA_HOME"]))
    candidates += [Path(p) for p in sorted(glob.glob("/usr/lib/jvm/*17*"))]
    candidates += [Path(p) for p in sorted(glob.glob("/Library/Java/JavaVirtualMachines/*17*/Contents/Home"))]
    candidates += [Path(p) for p in sorted(glob.glob("/opt/homebrew/opt/openjdk@17/libexec/openjdk.jdk/Contents/Home"))]
    for candidate in candidates:
        if _java_major_version(candidate) == 17:
            return candidate.resolve()
    raise PrerequisiteMissing(JAVA_17_HINT)


def glue_jars(settings: "LocalSettings") -> list[Path]:
    """Glue 5.1's JVM libraries (src/local_runtime/jvm/pom.xml), copied from Maven Central on first use.

    The copy lives in a folder named after the pom's hash, completed by a rename, so a changed pom
    fetches again and parallel first runs never see half a folder. Afterwards no network is needed.
    """
    pom = GLUE_JARS_POM.read_bytes()
    folder = settings.jars_cache / hashlib.sha256(pom).hexdigest()[:16]
    if folder.is_dir():
        return sorted(folder.glob("*.jar"))
    maven = shutil.which("mvn")
    if maven is None:
        raise PrerequisiteMissing(
            "Maven is needed once, to fetch Glue 5.1's JVM libraries (Iceberg, JDBC drivers) from Maven Central: "
            "install it (Debian/Ubuntu: apt-get install maven; macOS: brew install maven)")
    settings.jars_cache.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".fetching-", dir=settings.jars_cache))
    print(f"fetching Glue 5.1's JVM libraries from Maven Central into {folder} (once)", file=sys.stderr, flush=True)
    completed = subprocess.run(
        [maven, "--batch-mode", "--quiet", "-f", str(GLUE_JARS_POM), "dependency:copy-dependencies",
         f"-DoutputDirectory={staging}"],
        capture_output=True, text=True, env={**os.environ, "JAVA_HOME": str(find_java17())})
    if completed.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        reason = next((line.strip() for line in (completed.stdout + completed.stderr).splitlines()
                       if "ERROR" in line), "mvn failed")
        raise PrerequisiteMissing(
            f"could not fetch Glue 5.1's JVM libraries ({GLUE_JARS_POM.relative_to(REPO_ROOT)}) from Maven Central: "
            f"{reason[:300]} -- connect to Maven Central (or a mirror in ~/.m2/settings.xml) once; later runs "
            f"use {settings.jars_cache} without the network")
    try:
        staging.rename(folder)
    except OSError:  # another process finished the same fetch first
        shutil.rmtree(staging, ignore_errors=True)
    return sorted(folder.glob("*.jar"))


def glue_conf_pairs(value: str) -> dict[str, str]:
    """A Glue `--conf` job argument as Spark settings: `k=v --conf k2=v2 ...` (Glue's documented form)."""
    pairs = {}
    for part in value.split("--conf"):
        part = part.strip()
        if part:
            key, separator, setting = part.partition("=")
            if not separator:
                raise ValueError(f"--conf: {part!r} is not key=value")
            pairs[key.strip()] = setting.strip()
    return pairs


def job_argument(argv: list[str], name: str) -> str | None:
    """The value of a Glue job argument in a script's argv (`--name value`), or None."""
    flag = f"--{name}"
    return argv[argv.index(flag) + 1] if flag in argv and argv.index(flag) + 1 < len(argv) else None


LOG4J2_PROPERTIES = """\
# Written by localglue.services.environment: Spark's own logging kept to errors, as a Glue job log would be.
rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n
logger.parquet.name = org.apache.parquet
logger.parquet.level = error
# PySpark counts as a shell: with the shell's level equal to the root's, Spark prints no banner.
logger.repl.name = org.apache.spark.api.python.PythonGatewayServer
logger.repl.level = error
"""


def spark_defaults(settings: LocalSettings, jars: list[Path], job_conf: dict[str, str]) -> dict[str, str]:
    """The Spark configuration of a local Glue job run; job_conf is the job's own --conf."""
    scratch = settings.spark_root
    java_options = f"-Duser.timezone=UTC -Djava.io.tmpdir={scratch / 'tmp'} -Dderby.system.home={scratch / 'derby'}"
    conf = {
        "spark.master": os.environ.get("GLUE_LOCAL_SPARK_MASTER", "local[*]"),
        "spark.app.name": "glue-local",
        "spark.driver.memory": os.environ.get("GLUE_LOCAL_DRIVER_MEMORY", "4g"),
        "spark.driver.extraJavaOptions": java_options,
        "spark.executor.extraJavaOptions": java_options,
        "spark.driver.host": "127.0.0.1",
        "spark.driver.bindAddress": "127.0.0.1",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.local.dir": str(scratch / "local"),
        "spark.sql.warehouse.dir": str(scratch / "warehouse"),
        "spark.sql.catalogImplementation": "in-memory",
        "spark.sql.session.timeZone": "UTC",
        # Small local data: few shuffle partitions, adaptive execution coalesces the rest.
        "spark.sql.shuffle.partitions": "8",
        "spark.default.parallelism": "4",
        "spark.sql.adaptive.enabled": "true",
        # Glue reads and writes s3:// paths; locally each bucket is a folder of the lake (see lake.py).
        "spark.hadoop.fs.s3.impl": "org.apache.hadoop.fs.viewfs.ViewFileSystemOverloadScheme",
        "spark.hadoop.fs.s3a.impl": "org.apache.hadoop.fs.viewfs.ViewFileSystemOverloadScheme",
        # Parquet written locally must read the same on Glue: no Spark-only metadata in the files.
        "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
        "spark.sql.extensions": ICEBERG_EXTENSIONS,
    }
    if jars:
        conf["spark.jars"] = ",".join(str(path) for path in jars)
    return {**conf, **job_conf}


def configure(settings: LocalSettings | None = None) -> LocalSettings:
    """Prepare this process to start Spark as a local Glue job would. Safe to call repeatedly."""
    settings = settings or LocalSettings.from_environment()
    os.environ["JAVA_HOME"] = str(find_java17())
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    conf_dir = settings.spark_root / "conf"
    for folder in (conf_dir, settings.spark_root / "tmp", settings.spark_root / "local", settings.lake_root):
        folder.mkdir(parents=True, exist_ok=True)
    (conf_dir / "log4j2.properties").write_text(LOG4J2_PROPERTIES)
    job_conf = glue_conf_pairs(job_argument(sys.argv, "conf") or "")
    defaults = spark_defaults(settings, glue_jars(settings), job_conf)
    (conf_dir / "spark-defaults.conf").write_text(
        "# Written by localglue.services.environment on every run; edit that module instead.\n"
        + "".join(f"{key} {value}\n" for key, value in defaults.items())
    )
    os.environ["SPARK_CONF_DIR"] = str(conf_dir)
    return settings


def main() -> int:
    try:
        java_home = find_java17()
    except PrerequisiteMissing as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if sys.version_info[:2] != (3, 11):
        print(f"error: Python 3.11 is required (AWS Glue 5.1), this is {sys.version.split()[0]}", file=sys.stderr)
        return 1
    try:
        jars = glue_jars(LocalSettings.from_environment())
    except PrerequisiteMissing as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"prerequisites ok: Python {sys.version.split()[0]}, Java 17 at {java_home}, "
          f"{len(jars)} Glue 5.1 JVM libraries ({', '.join(p.stem for p in jars)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
