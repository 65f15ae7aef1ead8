"""The planned AWS configuration agrees with the code that runs in it:

- the workflow's triggers start the steps in the order the local runner uses
  (the workflow list of config/pipeline.yaml, as localglue.runner.workflow walks it);
- each job runs the script `make upload-scripts` uploads, with the library zip it uploads;
- each job passes exactly the arguments its script resolves with getResolvedOptions.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from etl_deploy.package import package_files
from etl_deploy.upload import sha256_of
from localglue.runner.deployment import read_config

REPO = Path(__file__).resolve().parents[2]
ENV = "dev"
PREFIX = f"etl-glue-pipeline-{ENV}"

# The job argument contract: the names each script passes to getResolvedOptions (JOB_NAME included,
# which Glue supplies itself). When src/glue/<stage>_job.py exists, the test also checks that the
# script asks for exactly these names.
REQUIRED_ARGUMENTS = {
    "extract": ["JOB_NAME", "env", "config_path", "raw_path", "processed_path", "datasets", "metrics_namespace"],
    "transform": ["JOB_NAME", "env", "config_path", "processed_path", "quarantine_path", "datasets",
                  "metrics_namespace"],
    "load": ["JOB_NAME", "env", "config_path", "processed_path", "curated_path", "curated_database",
             "warehouse_connection", "warehouse_database", "warehouse_schema", "datasets", "metrics_namespace"],
}
# Arguments Glue itself reads (not resolved by the scripts).
GLUE_ARGUMENTS = {
    "--job-language", "--job-bookmark-option", "--TempDir", "--extra-py-files", "--enable-metrics",
    "--enable-observability-metrics", "--enable-glue-datacatalog", "--enable-job-insights",
    "--enable-auto-scaling", "--enable-spark-ui", "--spark-event-logs-path",
}


def resolved_options(script: Path) -> list[str]:
    """The option names a Glue script passes to getResolvedOptions(sys.argv, [...])."""
    tree = ast.parse(script.read_text(), filename=str(script))
    lists = {
        target.id: node.value
        for node in ast.walk(tree) if isinstance(node, ast.Assign)
        for target in node.targets if isinstance(target, ast.Name)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
            if name == "getResolvedOptions" and len(node.args) >= 2:
                options = node.args[1]
                if isinstance(options, ast.Name):
                    options = lists.get(options.id)
                if isinstance(options, (ast.List, ast.Tuple)):
                    return [ast.literal_eval(element) for element in options.elts]
                raise AssertionError(f"{script}: getResolvedOptions' option list is not a literal list")
    raise AssertionError(f"{script}: no getResolvedOptions(sys.argv, [...]) call found")


def expected_options(stage: str) -> list[str]:
    script = REPO / "src" / "glue" / f"{stage}_job.py"
    if script.is_file():
        found = resolved_options(script)
        assert len(found) == len(set(found)), f"{script} asks for an option twice: {found}"
        assert set(found) == set(REQUIRED_ARGUMENTS[stage]), f"{script} resolves {found}, the contract says {REQUIRED_ARGUMENTS[stage]}"
        return found
    return REQUIRED_ARGUMENTS[stage]


def trigger_chain(planned) -> list[tuple[str, str]]:
    """(kind, name) of the steps in the order the planned triggers start them."""
    triggers = planned.resources("aws_glue_trigger")
    assert {t["workflow_name"] for t in triggers.values()} == {f"{PREFIX}-workflow"}

    def started(trigger) -> tuple[str, str]:
        (action,) = trigger["actions"]
        return ("job", action["job_name"]) if action["job_name"] else ("crawler", action["crawler_name"])

    starts = [t for t in triggers.values() if t["type"] in ("ON_DEMAND", "SCHEDULED")]
    assert len(starts) == 1, f"expected one start trigger, got {starts}"
    after: dict[tuple[str, str], tuple[str, str]] = {}
    for trigger in triggers.values():
        if trigger["type"] != "CONDITIONAL":
            continue
        (predicate,) = trigger["predicate"]
        (condition,) = predicate["conditions"]
        if condition["job_name"]:
            assert condition["state"] == "SUCCEEDED"
            watched = ("job", condition["job_name"])
        else:
            assert condition["crawl_state"] == "SUCCEEDED"
            watched = ("crawler", condition["crawler_name"])
        assert watched not in after, f"two triggers watch {watched}"
        after[watched] = started(trigger)

    chain = [started(starts[0])]
    while chain[-1] in after:
        chain.append(after.pop(chain[-1]))
    assert after == {}, f"triggers not reachable from the start trigger: {after}"
    return chain


def test_trigger_order_is_the_local_runner_order(planned) -> None:
    local = [(step.kind, f"{PREFIX}-{step.name}-{step.kind}") for step in read_config(REPO / "config").workflow]

    assert trigger_chain(planned) == local
    assert [kind for kind, _ in local] == ["crawler", "job", "job", "job", "crawler"]


def test_every_step_of_the_chain_is_planned(planned) -> None:
    jobs = {job["name"] for job in planned.resources("aws_glue_job").values()}
    crawlers = {crawler["name"] for crawler in planned.resources("aws_glue_crawler").values()}
    chain = trigger_chain(planned)

    assert {name for kind, name in chain if kind == "job"} == jobs
    assert {name for kind, name in chain if kind == "crawler"} == crawlers


def test_jobs_run_what_upload_scripts_uploads(planned) -> None:
    bucket = planned.output("scripts_bucket_name")
    uploaded = {f"s3://{bucket}/{item.key}": item for item in package_files(planned.dist)}
    jobs = planned.resources("aws_glue_job")

    assert len(jobs) == 3
    for job in jobs.values():
        stage = job["name"].removeprefix(f"{PREFIX}-").removesuffix("-job")
        (command,) = job["command"]
        assert command["script_location"] == f"s3://{bucket}/scripts/{stage}_job.py"
        assert command["script_location"] in uploaded
        assert job["default_arguments"]["--extra-py-files"] == f"s3://{bucket}/lib/etl_pipeline.zip"
        assert job["default_arguments"]["--extra-py-files"] in uploaded
        assert f"{job['default_arguments']['--config_path']}pipeline.yaml" in uploaded


def test_terraform_uploads_the_same_files_as_upload_scripts(planned) -> None:
    """Same keys, same bucket, same sha256 metadata: after `terraform apply`, `make upload-scripts` skips all."""
    bucket = planned.output("scripts_bucket_name")
    objects = {o["key"]: o for o in planned.resources("aws_s3_object").values()}
    package = {item.key: item for item in package_files(planned.dist)}

    assert set(objects) == set(package)
    for key, obj in objects.items():
        assert obj["bucket"] == bucket
        assert obj["metadata"] == {"sha256": sha256_of(package[key].path)}


@pytest.mark.parametrize("stage", ["extract", "transform", "load"])
def test_job_arguments_are_what_the_script_resolves(planned, stage: str) -> None:
    (job,) = [j for j in planned.resources("aws_glue_job").values() if j["name"] == f"{PREFIX}-{stage}-job"]
    arguments = job["default_arguments"]
    script_arguments = {f"--{name}" for name in expected_options(stage) if name != "JOB_NAME"}
    if stage == "extract":
        # dev.tfvars configures no reference database: the JDBC datasets come from their CSV fallback.
        assert arguments["--source_fallback"] == "files"
        script_arguments.add("--source_fallback")

    assert set(arguments) - GLUE_ARGUMENTS == script_arguments
    assert arguments["--job-bookmark-option"] == "job-bookmark-enable"
    assert arguments["--env"] == ENV
    assert arguments["--datasets"] == "all"
    assert arguments["--metrics_namespace"] == "etl-glue-pipeline"
    assert arguments["--config_path"] == f"s3://{planned.output('scripts_bucket_name')}/config/"
    assert arguments["--TempDir"] == f"s3://{planned.output('bucket_names')['temp']}/glue/"
    buckets = planned.output("bucket_names")
    for name, zone in [("--raw_path", "raw"), ("--processed_path", "processed"), ("--quarantine_path", "quarantine"), ("--curated_path", "curated")]:
        if name in arguments:
            assert arguments[name] == f"s3://{buckets[zone]}/"
    if stage == "load":
        assert arguments["--curated_database"] == "etl_glue_pipeline_dev_curated"
        assert arguments["--warehouse_connection"] == f"{PREFIX}-redshift"
        assert arguments["--warehouse_database"] == "dev"
        assert arguments["--warehouse_schema"] == "analytics"


def test_dev_jobs_use_flex_and_glue_5_1(planned) -> None:
    jobs = planned.resources("aws_glue_job").values()
    assert {(j["glue_version"], j["execution_class"], j["execution_property"][0]["max_concurrent_runs"]) for j in jobs} == {("5.1", "FLEX", 1)}
