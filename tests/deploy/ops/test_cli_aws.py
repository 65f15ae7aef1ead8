"""Every etl-glue command against moto's Glue, S3, CloudWatch and CloudWatch Logs (tests/deploy/ops/conftest.py
says what moto simulates)."""

from __future__ import annotations

import json
import time

import pytest

from etl_deploy.ops.cli import main
from tests.deploy.ops.conftest import ACCOUNT, finish, put_report

# moto's job runs: ExecutionTime 123 s on the job's 2 x G.1X workers = 246 DPU-seconds, at FLEX's rate
# in dev, STANDARD's in prod.
RUN_DPU_SECONDS = 123 * 2
RUN_COST = RUN_DPU_SECONDS / 3600 * 0.29
RUN_COST_STANDARD = RUN_DPU_SECONDS / 3600 * 0.44


def etl_glue(capsys, *argv: str) -> tuple[int, dict | None, str]:
    code = main([*argv])
    captured = capsys.readouterr()
    document = json.loads(captured.out) if "--json" in argv and captured.out.strip() else None
    return code, document, captured.out + captured.err


def test_run_one_job_follows_it_to_the_end_and_prices_it(aws, names, capsys):
    code, run, output = etl_glue(capsys, "run", "--job", "extract", "--env", "dev", "--poll", "0", "--json")

    assert code == 0
    step, = run["steps"]
    assert step["name"] == "etl-glue-pipeline-dev-extract-job" and step["state"] == "SUCCEEDED"
    assert (step["workers"], step["worker_type"], step["execution_class"]) == (2, "G.1X", "FLEX")
    assert step["dpu_seconds"] == RUN_DPU_SECONDS and step["cost"] == pytest.approx(RUN_COST)
    # The progress lines (stderr under --json) show each state the run went through.
    assert [line.split()[0] for line in output.splitlines() if "extract-job" in line and line[0].isupper()] == [
        "RUNNING", "SUCCEEDED"]
    runs = aws.client("glue").get_job_runs(JobName=names.job("extract"))["JobRuns"]
    assert [r["Id"] for r in runs] == [step["run_id"]]


def test_run_the_workflow_stops_following_at_the_timeout_with_exit_1(aws, names, capsys):
    code, _, output = etl_glue(capsys, "run", "--env", "dev", "--poll", "0.05", "--timeout", "0.2")

    assert code == 1
    runs = aws.client("glue").get_workflow_runs(Name=names.workflow)["Runs"]
    assert len(runs) == 1 and f"started {names.workflow} run {runs[0]['WorkflowRunId']}" in output
    assert "still RUNNING after --timeout" in output   # moto never ends a workflow run


def test_history_shows_state_capacity_cost_and_the_rows_of_the_run_reports(aws, names, capsys):
    glue = aws.client("glue")
    run_ids = []
    for rows in (1000, 43):
        run_id = glue.start_job_run(JobName=names.job("transform"))["JobRunId"]
        finish(aws, names, "transform", run_id)
        put_report(aws, names, "transform", run_id, {
            "flights": {"rows_read": rows, "rows_quarantined": 3, "duplicates_removed": 2, "rows_valid": rows - 5},
            "weather": {"rows_read": 10, "rows_quarantined": 0, "duplicates_removed": 0, "rows_valid": 10}})
        run_ids.append(run_id)
    glue.start_crawler(Name=names.crawler("raw"))

    code, history, output = etl_glue(capsys, "history", "--last", "5", "--env", "dev", "--json")

    assert code == 0
    transform = history[names.job("transform")]
    assert sorted(r["run_id"] for r in transform) == sorted(run_ids)
    by_id = {r["run_id"]: r for r in transform}
    assert by_id[run_ids[0]]["rows"] == {"read": 1010, "quarantined": 3, "duplicates": 2, "loaded": 0}
    assert by_id[run_ids[1]]["rows"] == {"read": 53, "quarantined": 3, "duplicates": 2, "loaded": 0}
    assert all(r["state"] == "SUCCEEDED" and r["cost"] == pytest.approx(RUN_COST) for r in transform)
    assert history[names.job("extract")] == [] and history[names.job("load")] == []
    crawl, = history[names.crawler("raw")]
    assert crawl["cost"] == pytest.approx(100 * 0.44)   # moto's DPUHour 100 at the crawler rate
    assert crawl["dpu_seconds"] == 100 * 3600
    assert history[names.workflow] == []

    code, status, _ = etl_glue(capsys, "status", "--env", "dev", "--json")
    assert code == 0 and len(status[names.job("transform")]) == 1


def test_rerun_from_a_stage_runs_it_and_the_stages_after_it_in_order(aws, names, capsys):
    code, run, _ = etl_glue(capsys, "rerun", "--from", "transform", "--env", "dev", "--poll", "0", "--json")

    assert code == 0
    assert [s["name"] for s in run["steps"]] == [names.job("transform"), names.job("load")]
    assert run["cost"] == pytest.approx(2 * RUN_COST)
    glue = aws.client("glue")
    assert {stage: len(glue.get_job_runs(JobName=names.job(stage))["JobRuns"]) for stage in names.job_stages} == {
        "extract": 0, "transform": 1, "load": 1}


def test_logs_prints_the_output_and_error_streams_of_a_run(aws, names, capsys):
    run_id = aws.client("glue").start_job_run(JobName=names.job("load"))["JobRunId"]
    logs = aws.client("logs")
    logs.create_log_group(logGroupName="test/log/output")   # moto's LogGroupName + /output
    logs.create_log_stream(logGroupName="test/log/output", logStreamName=run_id)
    now = int(time.time() * 1000)   # CloudWatch Logs (and moto) refuse events older than 14 days
    logs.put_log_events(logGroupName="test/log/output", logStreamName=run_id, logEvents=[
        {"timestamp": now, "message": "[load] flights: rows_read=43, rows_loaded=43"},
        {"timestamp": now + 1, "message": "[load] weather: nothing new"}])

    code, streams, _ = etl_glue(capsys, "logs", run_id, "--env", "dev", "--json")

    assert code == 0
    assert streams == {"test/log/output": ["[load] flights: rows_read=43, rows_loaded=43", "[load] weather: nothing new"],
                       "test/log/error": []}
    code, _, output = etl_glue(capsys, "logs", "jr_nosuchrun", "--env", "dev")
    assert code == 1 and "no run jr_nosuchrun" in output


def test_reset_bookmark_calls_glue_and_reports_its_error_in_one_line(aws, names, capsys):
    # moto has no job bookmarks: the call reaches it and fails; the local runtime test resets one.
    code, _, output = etl_glue(capsys, "reset-bookmark", "extract", "--env", "dev")

    assert code == 1
    assert output.startswith("etl-glue reset-bookmark: ") and len(output.strip().splitlines()) == 1


@pytest.mark.parametrize("deployed_env", ["prod"])
def test_cost_prices_past_runs_estimates_a_month_and_publishes_per_run_cost(aws, names, capsys, tmp_path):
    glue = aws.client("glue")
    for stage in names.job_stages:
        finish(aws, names, stage, glue.start_job_run(JobName=names.job(stage))["JobRunId"])
    aws.client("s3").put_object(Bucket=names.bucket("curated", ACCOUNT), Key="flights/data.parquet",
                                Body=b"x" * 2048)

    code, cost, output = etl_glue(capsys, "cost", "--env", "prod", "--json", "--publish")

    assert code == 0
    assert cost["actual_total"] == pytest.approx(3 * RUN_COST_STANDARD)
    estimate = cost["estimate"]
    assert estimate["runs_per_month"] == pytest.approx(30.4)   # prod: cron(15 2 * * ? *)
    lines = {line["item"]: line for line in estimate["lines"]}
    assert lines[names.job("load")]["dollars"] == pytest.approx(RUN_COST_STANDARD * 30.4)
    assert lines[names.job("load")]["basis"] == "extrapolated"
    assert lines["S3 curated"]["basis"] == "measured" and "in 1 objects" in lines["S3 curated"]["detail"]
    # moto publishes S3's daily storage metrics, but its BucketSizeBytes is not the objects' bytes:
    # the storage must be CloudWatch's numbers for the zone's bucket and storage types.
    bucket = names.bucket("curated", ACCOUNT)
    size, = aws.client("cloudwatch").get_metric_statistics(
        Namespace="AWS/S3", MetricName="BucketSizeBytes", Statistics=["Average"], Period=86400,
        StartTime="2020-01-01", EndTime="2100-01-01",
        Dimensions=[{"Name": "BucketName", "Value": bucket}, {"Name": "StorageType", "Value": "StandardStorage"}],
    )["Datapoints"]
    assert cost["storage"]["curated"] == {"bucket": bucket, "bytes": int(size["Average"]), "objects": 1,
                                          "source": "CloudWatch AWS/S3"}
    assert cost["storage"]["raw"]["objects"] == 0
    # prod: 6 interface endpoints in 3 availability zones, always on.
    assert lines["VPC interface endpoints"]["dollars"] == pytest.approx(6 * 3 * 730 * 0.01)
    # Redshift: prod's 32 base RPUs for the load's 123 s, per run.
    assert lines["Redshift Serverless"]["dollars"] == pytest.approx(32 * 123 / 3600 * 0.375 * 30.4)
    assert estimate["total"] == pytest.approx(sum(line["dollars"] for line in estimate["lines"]))
    assert estimate["claimed"] == [200, 400]
    assert cost["published"] == 6
    points = aws.client("cloudwatch").get_metric_statistics(
        Namespace=names.metrics_namespace, MetricName="RunCost", Statistics=["Sum"], Period=60,
        StartTime="2020-01-01", EndTime="2100-01-01",
        Dimensions=[{"Name": "Env", "Value": "prod"}, {"Name": "JobName", "Value": names.job("load")}])["Datapoints"]
    assert sum(p["Sum"] for p in points) == pytest.approx(RUN_COST_STANDARD)

    prices = tmp_path / "prices.json"
    prices.write_text(json.dumps({"us-east-1": {"standard_dpu_hour": 0.5}}))
    code, cost, _ = etl_glue(capsys, "cost", "--env", "prod", "--json", "--prices", str(prices), "--runs-per-month", "4")
    assert code == 0 and cost["actual_total"] == pytest.approx(3 * RUN_DPU_SECONDS / 3600 * 0.5)
    assert cost["estimate"]["runs_per_month"] == 4


def test_usage_errors_exit_2_naming_what_exists(aws, capsys):
    code, _, output = etl_glue(capsys, "run", "--job", "publish", "--env", "dev")
    assert code == 2 and "unknown job 'publish': one of extract, transform, load" in output
    code, _, output = etl_glue(capsys, "run", "--datasets", "flights", "--env", "dev")
    assert code == 2 and "--datasets needs --job or rerun" in output
    code, _, output = etl_glue(capsys, "cost", "--local")
    assert code == 2 and "local runs use no DPUs" in output
    with pytest.raises(SystemExit) as exit_info:
        main(["rerun"])
    assert exit_info.value.code == 2


def test_a_workflow_run_whose_transform_failed_is_a_failure_with_its_error_and_logs(aws, names, capsys):
    """moto's workflow runs have no graph: this is the shape GetWorkflowRun(IncludeGraph=True) returns
    on AWS (https://docs.aws.amazon.com/glue/latest/webapi/API_WorkflowRun.html): the run COMPLETED,
    one action failed, the load's trigger never fired."""
    from datetime import datetime, timezone

    from etl_deploy.ops.aws import AwsPipeline
    from etl_deploy.ops.cli import Output, _summary

    at = datetime(2026, 12, 1, 2, 15, tzinfo=timezone.utc)
    put_report(aws, names, "extract", "jr_extract1", {"flights": {"rows_read": 43}})
    job_run = {"JobRunState": "SUCCEEDED", "StartedOn": at, "CompletedOn": at, "ExecutionTime": 95,
               "WorkerType": "G.1X", "NumberOfWorkers": 2, "ExecutionClass": "FLEX", "DPUSeconds": 150.0}
    run = {"Name": names.workflow, "WorkflowRunId": "wr_1", "Status": "COMPLETED", "StartedOn": at, "CompletedOn": at,
           "Statistics": {"TotalActions": 4, "FailedActions": 1, "SucceededActions": 2},
           "Graph": {"Nodes": [
               {"Type": "CRAWLER", "Name": names.crawler("raw"),
                "CrawlerDetails": {"Crawls": [{"State": "SUCCEEDED", "StartedOn": at, "LogStream": "raw"}]}},
               {"Type": "JOB", "Name": names.job("extract"), "JobDetails": {"JobRuns": [
                   {**job_run, "Id": "jr_extract1", "JobName": names.job("extract")}]}},
               {"Type": "JOB", "Name": names.job("transform"), "JobDetails": {"JobRuns": [
                   {**job_run, "Id": "jr_transform1", "JobName": names.job("transform"), "JobRunState": "FAILED",
                    "ErrorMessage": "InvariantError: transform flights: rows read 43 != ...",
                    "LogGroupName": "/aws-glue/jobs/etl-glue-pipeline-dev-security-role/etl-glue-pipeline-dev-glue-job"}]}},
               {"Type": "JOB", "Name": names.job("load"), "JobDetails": {}},
           ]}}

    record = AwsPipeline(names, session=aws).workflow_record(run)

    assert record.failed and record.error == "1 failed and 0 timed-out action(s)"
    assert [(s.name, s.state) for s in record.steps] == [
        (names.crawler("raw"), "SUCCEEDED"), (names.job("extract"), "SUCCEEDED"),
        (names.job("transform"), "FAILED"), (names.job("load"), "NOT_RUN")]
    extract, transform = record.steps[1:3]
    assert extract.rows.read == 43 and extract.dpu_seconds == 150.0   # Glue's DPUSeconds, FLEX
    assert record.cost == pytest.approx(2 * 150.0 / 3600 * 0.29)
    assert transform.logs.endswith("/log-events/jr_transform1") and "etl-glue-pipeline-dev-glue-job" in transform.logs

    assert _summary(Output(as_json=False), record) == 1
    output = capsys.readouterr().out
    assert f"failed: {names.job('transform')} (FAILED): InvariantError: transform flights" in output
    assert f"logs: {transform.logs}" in output and "etl-glue logs jr_transform1" in output


@pytest.mark.parametrize("command", ["run", "status", "history", "rerun", "reset-bookmark", "logs", "cost"])
def test_every_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.startswith(f"usage: etl-glue {command} ")
