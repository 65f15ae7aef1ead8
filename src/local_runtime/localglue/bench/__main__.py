"""`make bench`: TPC-H lineitem through (P) the pipeline, (A) one PySpark job and (C) DuckDB.

    python -m localglue.bench --sf 1 --reps 3          # what `make bench` runs
    python -m localglue.bench --sf 0.01 --reps 1 --work-dir /tmp/bench --report-dir /tmp/bench/report

The engines run one after another, in an order that rotates every repetition, each as its own
process tree. The pipeline runs only through user-facing commands, with its own config folder and
local state under the work folder: `localglue.runner.land` lands the CSV files into the raw zone, then
`localglue.runner.run_job` runs extract, transform and load. The load merges into the curated Iceberg
table and loads the warehouse table (PostgreSQL standing in for Redshift: GLUE_LOCAL_POSTGRES_URL, which
the benchmark needs); its run report times each, and the comparison with the references ends at the
curated table. After the repetitions, the pipeline's last state gets a rerun with nothing new and a 1%
increment. Every repetition's rows are checked: all engines must agree with each other and with the
generated data, and the warehouse table must hold the curated table's rows, or the benchmark stops.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import time
from pathlib import Path

from localglue.bench import aws_terms, data, event_logs, outcomes, report
from localglue.bench.aws_terms import STARTED_WITH_NOTHING_NEW
from localglue.bench.lineitem import DATASET, write_config_folder
from localglue.bench.measure import StepFailed, StepMeasure, run_measured
from localglue.bench.report import CURATED_PART, WAREHOUSE_PART
from localglue.runner.deployment import LocalDeployment
from localglue.services import jdbc
from localglue.services.environment import REPO_ROOT, LocalSettings
from localglue.services.lake import to_local_path

PIPELINE, SPARK_JOB, DUCKDB = "P: pipeline", "A: one PySpark job", "C: DuckDB"
ENGINES = (PIPELINE, SPARK_JOB, DUCKDB)
PIPELINE_JOBS = ("extract", "transform", "load")


class Bench:
    def __init__(self, work: Path, bench_input: data.BenchInput):
        self.work = work
        self.input = bench_input
        self.config_dir = write_config_folder(work / "config")
        self.logs = work / "logs"

    def _env(self, home: Path) -> dict[str, str]:
        return {**os.environ, "GLUE_LOCAL_HOME": str(home), "GLUE_LOCAL_CONFIG_DIR": str(self.config_dir)}

    def deployment(self, home: Path) -> LocalDeployment:
        settings = LocalSettings.from_environment()
        return LocalDeployment(LocalSettings(home, settings.postgres_url, settings.jars_cache), self.config_dir)

    def empty_warehouse(self, home: Path) -> None:
        """Drop the bench's warehouse table, so that every repetition loads an empty one, as it loads a
        new curated table (the table is the bench's own: `analytics.lineitem` in the database of
        GLUE_LOCAL_POSTGRES_URL)."""
        pipeline = self.deployment(home)
        table = outcomes.warehouse_table(pipeline)
        jdbc.ensure_database(pipeline.postgres())
        jdbc.run_sql(pipeline.postgres(), f"DROP TABLE IF EXISTS {table.qualified}; "
                                          f"DROP TABLE IF EXISTS {table.qualified_staging}", "emptying the bench's warehouse")

    def warehouse_rows(self, home: Path, curated: outcomes.Outcomes, when: str) -> outcomes.TableRows:
        """The warehouse table's rows, which must be the curated table's valid rows."""
        warehouse = outcomes.of_warehouse(self.deployment(home), home)
        outcomes.check_warehouse(curated, warehouse, when)
        return warehouse

    def pipeline_run(self, home: Path, files: list[Path], label: str, event_log_root: Path,
                     job_options: tuple[str, ...] = ()) -> list[StepMeasure]:
        """Land `files` (if any), then run the three jobs as a user would, each a process of its own
        (`job_options`: run_job's own options, e.g. --always-start)."""
        python, env, measures = sys.executable, self._env(home), []
        lake = home / "lake"
        lake.mkdir(parents=True, exist_ok=True)
        if files:
            measures.append(run_measured(PIPELINE, "land", [python, "-m", "localglue.runner.land", DATASET,
                                                            *map(str, files)], lake, env, self.logs / f"{label}.log"))
        deployment = self.deployment(home)
        iceberg_conf = deployment.iceberg_conf()
        load_reports = to_local_path(deployment.settings.lake_root, deployment.zones().reports("load"))
        for job in PIPELINE_JOBS:
            conf = {**iceberg_conf, "spark.eventLog.enabled": "true",
                    "spark.eventLog.dir": (event_log_root / job).as_uri()}
            (event_log_root / job).mkdir(parents=True, exist_ok=True)
            command = [python, "-m", "localglue.runner.run_job", *job_options, job, "--datasets", DATASET,
                       "--conf", " --conf ".join(f"{k}={v}" for k, v in conf.items())]
            reports_before = set(load_reports.glob("*.json"))
            measures.append(run_measured(PIPELINE, job, command, lake, env, self.logs / f"{label}.log"))
            if job == "load":
                measures += load_parts(set(load_reports.glob("*.json")) - reports_before)
        return measures

    def run_engine(self, engine: str, rep: int) -> tuple[list[StepMeasure], outcomes.Outcomes, dict]:
        run = self.work / "runs" / f"{engine[0]}-rep{rep}"
        if run.exists():
            shutil.rmtree(run)
        run.mkdir(parents=True)
        label = f"{engine[0]}-rep{rep}"
        if engine == PIPELINE:
            self.empty_warehouse(run / "home")
            measures = self.pipeline_run(run / "home", list(self.input.files), label, run / "event-logs")
            profile = {job: event_logs.summarise_folder(run / "event-logs" / job) for job in PIPELINE_JOBS}
            return measures, outcomes.of_pipeline(self.deployment(run / "home")), profile
        output = run / "output"
        if engine == SPARK_JOB:
            command = [sys.executable, "-m", "localglue.bench.spark_job", str(self.input.folder), str(output),
                       str(run / "event-logs")]
        else:
            command = [sys.executable, "-m", "localglue.bench.duckdb_job", str(self.input.folder), str(output)]
        measure = run_measured(engine, "all", command, run, self._env(run / "home"), self.logs / f"{label}.log")
        profile = {"all": event_logs.summarise_folder(run / "event-logs")} if engine == SPARK_JOB else {}
        return [measure], outcomes.of_output_folder(output), profile

    def pipeline_home(self, rep: int) -> Path:
        """The pipeline's GLUE_LOCAL_HOME in repetition `rep` (its lake, catalog and bookmarks)."""
        return self.work / "runs" / f"P-rep{rep}" / "home"

    def rerun_event_logs(self, rep: int, name: str) -> Path:
        return self.work / "runs" / f"P-rep{rep}" / f"event-logs-{name}"

    def reruns(self, rep: int) -> dict[str, list[StepMeasure]]:
        """The pipeline's last state: a rerun with nothing new (run_job finds it from the bookmarks and
        starts no Spark), the same with every job started anyway (each job's fixed part: a job run on
        AWS always starts its driver), then a 1% increment landed and run."""
        home = self.pipeline_home(rep)
        return {name: self.pipeline_run(home, files, f"P-rep{rep}-{name}", self.rerun_event_logs(rep, name), options)
                for name, files, options in (("nothing_new", [], ()),
                                             (STARTED_WITH_NOTHING_NEW, [], ("--always-start",)),
                                             ("increment", [self.input.increment], ()))}


def load_parts(new_reports: set[Path]) -> list[StepMeasure]:
    """The load's two targets as lines of their own, from the run report of the load that just ran
    (none when run_job found nothing new and started no job, or the load read nothing new)."""
    if not new_reports:
        return []
    (path,) = new_reports
    numbers = json.loads(path.read_text())["datasets"][DATASET]
    if numbers["nothing_new"]:
        return []
    if numbers["warehouse_seconds"] is None:
        raise StepFailed(f"{PIPELINE} load loaded no warehouse table (its run report {path} says warehouse: "
                         f"{numbers['warehouse']}): the benchmark measures the warehouse load; start PostgreSQL "
                         f"or set GLUE_LOCAL_POSTGRES_URL to one, then run it again")
    return [StepMeasure.part_of(PIPELINE, CURATED_PART, numbers["curated_seconds"]),
            StepMeasure.part_of(PIPELINE, WAREHOUSE_PART, numbers["warehouse_seconds"])]


def require_warehouse() -> None:
    """The bench dataset has a warehouse target: without PostgreSQL, run_job would run the load
    without it (`--warehouse_connection none`) and the benchmark would measure less than it says."""
    server = jdbc.parse_url(LocalSettings.from_environment().postgres_url)
    if not jdbc.is_reachable(server):
        raise jdbc.JdbcError(f"the bench loads a warehouse table, but no PostgreSQL (the Redshift stand-in) "
                             f"answers at {server.describe()}: start PostgreSQL (.ci/run does) or set "
                             f"GLUE_LOCAL_POSTGRES_URL to a server")


def machine() -> dict:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    memory_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                     if line.startswith("MemTotal"))
    return {"cpus": os.cpu_count(), "cpu_model": model, "memory_gb": round(memory_kb / 1024 ** 2, 1),
            "load_average_at_start": os.getloadavg(), "python": platform.python_version()}


def main(argv: list[str] | None = None) -> int:
    try:
        return _bench(argv)
    except (StepFailed, outcomes.EnginesDisagree, jdbc.JdbcError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


def _bench(argv: list[str] | None) -> int:
    parser = argparse.ArgumentParser(prog="python -m localglue.bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sf", type=float, default=1.0, help="TPC-H scale factor (1: 6 million rows)")
    parser.add_argument("--reps", type=int, default=3, help="repetitions of each engine")
    parser.add_argument("--work-dir", type=Path, default=REPO_ROOT / ".local" / "bench")
    parser.add_argument("--report-dir", type=Path, default=None, help="default: reports/bench/sf<SF>/")
    parser.add_argument("--skip-reruns", action="store_true",
                        help="leave out the pipeline's rerun with nothing new and its 1%% increment (the tests do)")
    options = parser.parse_args(argv)
    if options.reps < 1:
        parser.error("--reps must be at least 1")
    report_dir = options.report_dir or REPO_ROOT / "reports" / "bench" / f"sf{options.sf:g}"
    work = options.work_dir.resolve()
    require_warehouse()
    host = machine()
    print(f"generating TPC-H lineitem at scale factor {options.sf:g} under {work / 'data'}", flush=True)
    bench_input = data.generate(options.sf, work / "data")
    bench = Bench(work, bench_input)
    expected = (bench_input.expected_valid, bench_input.expected_quarantined, bench_input.expected_duplicates)
    print(f"{bench_input.rows} rows: expecting valid {expected[0]}, quarantined {expected[1]}, "
          f"duplicates {expected[2]}", flush=True)
    measures: list[dict] = []
    profiles: dict[str, dict] = {}
    checked: list[dict] = []
    warehouse: list[dict] = []
    for rep in range(options.reps):
        order = ENGINES[rep % 3:] + ENGINES[:rep % 3]  # alternate who runs first on a loaded machine
        results = {}
        for engine in order:
            started = time.monotonic()
            steps, produced, profile = bench.run_engine(engine, rep)
            results[engine] = produced
            if engine == PIPELINE:
                warehouse.append(bench.warehouse_rows(bench.pipeline_home(rep), produced,
                                                      f"in repetition {rep + 1}").as_dict())
            profiles[engine] = profile  # the last repetition's: caches warm, as in the docs' analysis
            measures += [{**m.as_dict(), "rep": rep} for m in steps]
            print(f"rep {rep + 1}/{options.reps} {engine}: {time.monotonic() - started:.1f} s, {produced}", flush=True)
        outcomes.check_agreement(results, expected)
        checked.append({engine: o.as_dict() for engine, o in results.items()})
        for engine in ENGINES:  # keep only the last repetition's outputs on disk
            previous = work / "runs" / f"{engine[0]}-rep{rep - 1}"
            if previous.exists():
                shutil.rmtree(previous)
    reruns, after_increment, warehouse_after_increment = {}, None, None
    if not options.skip_reruns:
        reruns = bench.reruns(options.reps - 1)
        for name in reruns:
            folder = bench.rerun_event_logs(options.reps - 1, name)
            profiles[f"{PIPELINE}, {name}"] = {job: event_logs.summarise_folder(folder / job) for job in PIPELINE_JOBS}
        home = bench.pipeline_home(options.reps - 1)
        after_increment = outcomes.of_pipeline(bench.deployment(home))
        if after_increment.valid != bench_input.expected_valid:  # the increment only updates existing keys
            raise outcomes.EnginesDisagree(f"after the 1% increment the curated table has {after_increment.valid} "
                                           f"rows, not {bench_input.expected_valid}: see {bench.logs}")
        warehouse_after_increment = bench.warehouse_rows(home, after_increment, "after the 1% increment").as_dict()
    results = report.summarise(measures, reruns, bench_input.rows, PIPELINE, SPARK_JOB, DUCKDB)
    results.update({"scale_factor": options.sf, "reps": options.reps, "rows": bench_input.rows,
                    "input_bytes": sum(p.stat().st_size for p in bench_input.files),
                    "increment_rows": max(1, bench_input.rows // 100),
                    "machine": {**host, "load_average_at_end": os.getloadavg()},
                    "outcomes_per_rep": checked, "pipeline_after_increment": after_increment and after_increment.as_dict(),
                    # the warehouse table's rows and checksum, equal to the curated table's valid rows
                    "warehouse_per_rep": warehouse, "warehouse_after_increment": warehouse_after_increment,
                    "spark_event_logs": profiles, "measures": measures})
    results["aws"] = aws_terms.aws_terms(results, PIPELINE, PIPELINE_JOBS)
    report_dir.mkdir(parents=True, exist_ok=True)
    (report_dir / "results.json").write_text(json.dumps(results, indent=2, default=str))
    table = report.markdown_table(results) + "\nIn AWS terms (docs/performance.md says what is measured, " \
        "extrapolated and assumed):\n\n" + aws_terms.markdown(results["aws"])
    (report_dir / "table.md").write_text(table)
    report.chart(results, report_dir / "chart.png")
    print(table)
    print(f"results: {report_dir / 'results.json'}, chart: {report_dir / 'chart.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
