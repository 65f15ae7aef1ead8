"""The planned AWS configuration agrees with the code that runs in it:

- the workflow's triggers start the steps in the order the local runner uses
  (the workflow list of config/pipeline.yaml, as localglue.runner.workflow walks it), whether the
  workflow starts on its schedule or on uploads to the raw bucket;
- each job runs the script `make upload-scripts` uploads, with the library zip it uploads;
- each job passes exactly the arguments its script resolves with getResolvedOptions;
- the curated tables are Iceberg tables reached through the Iceberg catalog named in config/;
- what a real account needs beyond the schema: tags from one map, trust and key policies AWS honours,
  the warehouse login that is not the admin.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from etl_deploy.package import package_files
from etl_deploy.upload import sha256_of
from etl_deploy.config_bundle import read_config
from etl_pipeline.config import CONFIG_BUNDLE

REPO = Path(__file__).resolve().parents[2]
ENV = "dev"
PREFIX = f"etl-glue-pipeline-{ENV}"

# The job argument contract: the names each script passes to getResolvedOptions (JOB_NAME included,
# which Glue supplies itself). When src/glue/<stage>_job.py exists, the test also checks that the
# script asks for exactly these names.
REQUIRED_ARGUMENTS = {
    "extract": ["JOB_NAME", "env", "config_path", "raw_path", "processed_path", "quarantine_path", "datasets",
                "metrics_namespace"],
    "transform": ["JOB_NAME", "env", "config_path", "processed_path", "quarantine_path", "datasets",
                  "metrics_namespace"],
    "load": ["JOB_NAME", "env", "config_path", "processed_path", "curated_database",
             "warehouse_connection", "warehouse_database", "warehouse_schema", "datasets", "metrics_namespace"],
}
# Arguments Glue itself reads (not resolved by the scripts).
GLUE_ARGUMENTS = {
    "--job-language", "--job-bookmark-option", "--TempDir", "--extra-py-files", "--enable-metrics",
    "--enable-observability-metrics", "--enable-job-insights", "--enable-auto-scaling", "--enable-spark-ui",
    "--spark-event-logs-path", "--datalake-formats", "--conf",
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

    starts = [t for t in triggers.values() if t["type"] in ("ON_DEMAND", "SCHEDULED", "EVENT")]
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
    # The load registers the curated Iceberg tables itself: no curated crawler after it.
    assert [kind for kind, _ in local] == ["crawler", "job", "job", "job"]


def test_an_upload_started_workflow_runs_the_same_chain_on_the_raw_bucket_events(planned_event_start) -> None:
    local = [(step.kind, f"{PREFIX}-{step.name}-{step.kind}") for step in read_config(REPO / "config").workflow]
    workflow_arn = f"arn:aws:glue:us-east-1:123456789012:workflow/{PREFIX}-workflow"
    raw_bucket = planned_event_start.output("raw_bucket_name")

    assert trigger_chain(planned_event_start) == local
    (start,) = [t for t in planned_event_start.resources("aws_glue_trigger").values() if t["type"] == "EVENT"]
    assert start["schedule"] is None and start["event_batching_condition"] == [{"batch_size": 100, "batch_window": 900}]
    (notification,) = planned_event_start.resources("aws_s3_bucket_notification").values()
    assert notification["bucket"] == raw_bucket and notification["eventbridge"] is True

    # (The monitoring module has EventBridge rules of its own: alerts on job and crawler states.)
    rules = {r["name"]: r for address, r in planned_event_start.resources("aws_cloudwatch_event_rule").items()
             if address.startswith("module.workflow.")}
    assert rules.keys() == {f"{PREFIX}-workflow-uploads", f"{PREFIX}-workflow-schedule"}
    pattern = json.loads(rules[f"{PREFIX}-workflow-uploads"]["event_pattern"])
    # dev provisions no source database: flights and the CSV fallbacks of airlines and planes land in
    # the raw bucket; airports (the warehouse) and weather (DynamoDB) are read on the schedule.
    assert pattern == {
        "source": ["aws.s3"], "detail-type": ["Object Created"],
        "detail": {"bucket": {"name": [raw_bucket]},
                   "object": {"key": [{"prefix": "flights/"}, {"prefix": "reference/airlines/"}, {"prefix": "reference/planes/"}]}},
    }
    assert rules[f"{PREFIX}-workflow-schedule"]["schedule_expression"] == "cron(15 2 * * ? *)"
    targets = [t for address, t in planned_event_start.resources("aws_cloudwatch_event_target").items()
               if address.startswith("module.workflow.")]
    assert sorted(t["rule"] for t in targets) == sorted(rules) and {t["arn"] for t in targets} == {workflow_arn}

    (policy,) = [p for p in planned_event_start.resources("aws_iam_role_policy").values() if p["name"] == "notify-workflow"]
    assert json.loads(policy["policy"])["Statement"] == [
        {"Sid": "NotifyThisWorkflow", "Effect": "Allow", "Action": "glue:notifyEvent", "Resource": workflow_arn}
    ]


def test_every_step_of_the_chain_is_planned(planned) -> None:
    jobs = {job["name"] for job in planned.resources("aws_glue_job").values()}
    crawlers = {crawler["name"] for crawler in planned.resources("aws_glue_crawler").values()}
    chain = trigger_chain(planned)

    assert {name for kind, name in chain if kind == "job"} == jobs
    # The sources crawler (database and DynamoDB sources, config's DynamoDB weather table in dev) runs on
    # demand, outside the workflow: the extract reads the sources directly (terraform/modules/crawlers).
    assert f"{PREFIX}-sources-crawler" in crawlers
    assert {name for kind, name in chain if kind == "crawler"} == crawlers - {f"{PREFIX}-sources-crawler"}


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
        assert f"{job['default_arguments']['--config_path']}{CONFIG_BUNDLE}" in uploaded


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
        # dev.tfvars configures no source database: the RDS datasets come from their CSV fallback, the
        # Redshift-sourced one from the warehouse.
        assert arguments["--source_fallback"] == "files:airlines,planes"
        script_arguments.add("--source_fallback")

    assert set(arguments) - GLUE_ARGUMENTS == script_arguments
    assert arguments["--job-bookmark-option"] == "job-bookmark-enable"
    assert arguments["--env"] == ENV
    assert arguments["--datasets"] == "all"
    assert arguments["--metrics_namespace"] == "etl-glue-pipeline"
    assert arguments["--config_path"] == f"s3://{planned.output('scripts_bucket_name')}/config/"
    assert arguments["--TempDir"] == f"s3://{planned.output('bucket_names')['temp']}/glue/"
    buckets = planned.output("bucket_names")
    for name, zone in [("--raw_path", "raw"), ("--processed_path", "processed"), ("--quarantine_path", "quarantine")]:
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


def test_jobs_use_iceberg_through_the_catalog_the_library_uses(planned) -> None:
    catalog = read_config(REPO / "config").iceberg_catalog
    curated = planned.output("curated_bucket_name")
    for job in planned.resources("aws_glue_job").values():
        arguments = job["default_arguments"]
        assert arguments["--datalake-formats"] == "iceberg"
        settings = dict(item.split("=", 1) for item in arguments["--conf"].split(" --conf "))
        assert settings == {
            "spark.sql.extensions": "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions",
            f"spark.sql.catalog.{catalog}": "org.apache.iceberg.spark.SparkCatalog",
            f"spark.sql.catalog.{catalog}.warehouse": f"s3://{curated}/",
            f"spark.sql.catalog.{catalog}.catalog-impl": "org.apache.iceberg.aws.glue.GlueCatalog",
            f"spark.sql.catalog.{catalog}.io-impl": "org.apache.iceberg.aws.s3.S3FileIO",
        }
        # Nothing Glue 5.1 lacks or that needs PyPI from the private subnets.
        assert "--additional-python-modules" not in arguments
        assert "--enable-glue-datacatalog" not in arguments
        assert job["job_run_queuing_enabled"] is True
    assert planned.output("iceberg_catalog") == catalog


def test_every_taggable_resource_carries_the_default_tags(planned) -> None:
    expected = {"project": "etl-glue-pipeline", "environment": ENV, "managed-by": "terraform"}
    tagged = [
        (change["address"], change["change"]["after"]["tags_all"])
        for change in planned.plan["resource_changes"]
        if "create" in change["change"]["actions"] and "tags_all" in (change["change"]["after"] or {})
    ]
    assert len(tagged) > 20
    for address, tags in tagged:
        assert tags is not None and expected.items() <= tags.items(), address


def test_trust_policies_carry_no_condition_the_services_do_not_document(planned) -> None:
    # (The key policy is known only after apply; tests/data_lake.tftest.hcl checks its EventBridge statement.)
    roles = planned.resources("aws_iam_role")
    assert len(roles) >= 3
    for address, role in roles.items():
        trust = json.loads(role["assume_role_policy"])
        assert all("Condition" not in statement for statement in trust["Statement"]), address


def test_load_job_logs_in_as_the_load_user_not_the_admin(planned) -> None:
    (secret,) = planned.resources("aws_secretsmanager_secret").values()
    assert secret["name"] == f"{PREFIX}-redshift-etl_loader"
    # Secret ARNs are known only after apply, so read what the connection refers to in the configuration.
    redshift = planned.plan["configuration"]["root_module"]["module_calls"]["redshift"]["module"]
    (connection,) = [r for r in redshift["resources"] if r["address"] == "aws_glue_connection.redshift"]
    references = json.dumps(connection["expressions"]["connection_properties"])
    assert "aws_secretsmanager_secret.loader" in references
    assert "admin_password_secret_arn" not in references


def test_no_curated_crawler_and_athena_reads_the_iceberg_tables(planned) -> None:
    assert planned.output("crawler_names") == {"raw": f"{PREFIX}-raw-crawler"}
    queries = {q["name"]: q["query"] for q in planned.resources("aws_athena_named_query").values()}
    assert any(query.endswith('$snapshots" ORDER BY committed_at DESC LIMIT 50;') for query in queries.values())
    (workgroup,) = planned.resources("aws_athena_workgroup").values()
    assert workgroup["configuration"][0]["engine_version"][0]["selected_engine_version"] == "Athena engine version 3"


def test_glue_shows_each_curated_table_the_ruleset_the_transform_job_evaluates(planned) -> None:
    config = read_config(REPO / "config")
    rulesets = {r["name"]: r for r in planned.resources("aws_glue_data_quality_ruleset").values()}

    assert rulesets.keys() == {f"{PREFIX}-{name}" for name, d in config.datasets.items() if d.quality_rules}
    for name, dataset in config.datasets.items():
        ruleset = rulesets[f"{PREFIX}-{name}"]
        assert ruleset["ruleset"] == dataset.ruleset, name
        assert ruleset["target_table"][0]["table_name"] == dataset.curated_table
    alarms = planned.resources("aws_cloudwatch_metric_alarm")
    transform_job = f"{PREFIX}-transform-job"
    assert {a["dimensions"]["EvaluationContext"]: a["dimensions"]["JobName"] for a in alarms.values()
            if a["namespace"] == "Glue Data Quality"} == {name: transform_job for name in config.datasets}
