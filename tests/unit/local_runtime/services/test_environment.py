"""Prerequisite checks of the local runtime: Java 17 found or a one-line error that says what to install."""

from __future__ import annotations

import os
import subprocess
import sys
import stat
from pathlib import Path

import pytest

from localglue.services import environment


# Glue 5.1's JVM libraries (src/local_runtime/jvm/pom.xml), as Spark gets them.
GLUE_JARS = ["deequ-2.1.0-spark-3.5.jar", "dqdl-1.0.0.jar", "iceberg-spark-runtime-3.5_2.12-1.10.0.jar",
             "mysql-connector-j-8.0.33.jar", "postgresql-42.7.3.jar",
             "sqlite-jdbc-3.51.1.0.jar"]


def fake_java(home: Path, version: str) -> Path:
    java = home / "bin" / "java"
    java.parent.mkdir(parents=True)
    java.write_text(f'#!/bin/sh\necho \'openjdk version "{version}" 2025-04-15\' >&2\n')
    java.chmod(java.stat().st_mode | stat.S_IEXEC)
    return home


def test_java_home_is_used_when_it_is_a_java_17(tmp_path, monkeypatch):
    monkeypatch.setenv("JAVA_HOME", str(fake_java(tmp_path / "jdk17", "17.0.15")))

    assert environment.find_java17() == (tmp_path / "jdk17").resolve()


def test_a_newer_java_home_is_passed_over_and_a_missing_java_17_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("JAVA_HOME", str(fake_java(tmp_path / "jdk25", "25.0.1")))
    monkeypatch.setattr(environment.glob, "glob", lambda pattern: [])

    with pytest.raises(environment.PrerequisiteMissing, match=r"Java 17 is required .*openjdk-17-jdk-headless"):
        environment.find_java17()
    assert environment.main() == 1


def test_configure_writes_the_spark_defaults_a_job_script_starts_with(tmp_path, monkeypatch):
    monkeypatch.setenv("JAVA_HOME", str(fake_java(tmp_path / "jdk17", "17.0.15")))
    for name in ("SPARK_CONF_DIR", "PYSPARK_PYTHON", "PYSPARK_DRIVER_PYTHON"):
        monkeypatch.setenv(name, os.environ.get(name, ""))
    settings = environment.LocalSettings(home=tmp_path / "state", postgres_url=environment.DEFAULT_POSTGRES_URL,
                                         jars_cache=environment.LocalSettings.from_environment().jars_cache)

    environment.configure(settings)

    defaults = dict(line.split(" ", 1) for line in
                    (tmp_path / "state/spark/conf/spark-defaults.conf").read_text().splitlines()[1:])
    assert defaults["spark.hadoop.fs.s3.impl"] == "org.apache.hadoop.fs.viewfs.ViewFileSystemOverloadScheme"
    assert defaults["spark.sql.session.timeZone"] == "UTC"
    assert defaults["spark.local.dir"] == str(tmp_path / "state/spark/local")
    assert defaults["spark.sql.extensions"] == "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions"
    assert sorted(Path(jar).name for jar in defaults["spark.jars"].split(",")) == GLUE_JARS
    assert os.environ["SPARK_CONF_DIR"] == str(tmp_path / "state/spark/conf")
    assert (tmp_path / "state/spark/conf/log4j2.properties").read_text().startswith("# Written by localglue")


# ------------------------------------------------------------ Glue 5.1's JVM libraries from Maven Central


def settings_with_cache(tmp_path: Path, cache: Path) -> environment.LocalSettings:
    return environment.LocalSettings(home=tmp_path / "state", postgres_url=environment.DEFAULT_POSTGRES_URL,
                                     jars_cache=cache)


def test_a_warm_cache_needs_neither_maven_nor_the_network(tmp_path, monkeypatch):
    warm = environment.LocalSettings.from_environment()
    assert sorted(p.name for p in environment.glue_jars(warm)) == GLUE_JARS  # fetched once, here or earlier
    monkeypatch.setattr(environment.shutil, "which", lambda name: None)

    assert sorted(p.name for p in environment.glue_jars(warm)) == GLUE_JARS


def test_a_cold_cache_without_maven_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setattr(environment.shutil, "which", lambda name: None)

    with pytest.raises(environment.PrerequisiteMissing, match=r"^Maven is needed once, to fetch Glue 5.1's JVM "
                                                              r"libraries .*apt-get install maven"):
        environment.glue_jars(settings_with_cache(tmp_path, tmp_path / "jvm"))
    assert not (tmp_path / "jvm").exists() or not any((tmp_path / "jvm").iterdir())


def test_a_cold_cache_without_network_stops_with_one_line_and_leaves_nothing_half_fetched(tmp_path):
    """Maven's own repository empty too, and no network at all (a new network namespace)."""
    script = ("import sys; from pathlib import Path; from localglue.services import environment as e\n"
              "s = e.LocalSettings(Path(sys.argv[1]), e.DEFAULT_POSTGRES_URL, Path(sys.argv[2]))\n"
              "try:\n    e.glue_jars(s)\nexcept e.PrerequisiteMissing as error:\n    print(error); sys.exit(3)\n")
    completed = subprocess.run(
        ["unshare", "--net", sys.executable, "-c", script, str(tmp_path / "state"), str(tmp_path / "jvm")],
        env={**os.environ, "MAVEN_OPTS": f"-Dmaven.repo.local={tmp_path / 'm2'}"},
        capture_output=True, text=True, timeout=300)

    assert completed.returncode == 3, completed.stderr[-2000:]
    (line,) = completed.stdout.splitlines()
    assert line.startswith("could not fetch Glue 5.1's JVM libraries (src/local_runtime/jvm/pom.xml) from Maven "
                           "Central: ")
    assert line.endswith("later runs use " + str(tmp_path / "jvm") + " without the network")
    assert [p.name for p in (tmp_path / "jvm").iterdir()] == []
