"""The pipeline on AWS, through boto3: the standard credential chain, region and AWS_ENDPOINT_URL.

Glue keeps every run (GetJobRuns, GetWorkflowRuns, ListCrawls); the rows come from the run reports
the jobs write to s3://<processed bucket>/_reports/<stage>/<job run id>.json (etl_pipeline.report);
the logs from CloudWatch Logs, where Glue writes a run's driver output and errors to the streams
named after the run id in `<LogGroupName>/output` and `<LogGroupName>/error` (LogGroupName is the
JobRun field: /aws-glue/jobs by default, `/aws-glue/jobs/<security configuration>-role/<role>` under
this pipeline's security configuration, see terraform/modules/monitoring).
"""

from __future__ import annotations

import json
import time
from typing import Callable
from urllib.parse import quote

from etl_deploy.ops.names import PipelineNames
from etl_deploy.ops.pricing import Prices, billed_dpu_seconds, crawl_cost, job_run_cost, load_prices
from etl_deploy.ops.runs import TERMINAL_JOB_STATES, RunRecord, Rows

TERMINAL_WORKFLOW_STATES = {"COMPLETED", "STOPPED", "ERROR"}
TERMINAL_CRAWL_STATES = {"COMPLETED", "FAILED", "STOPPED"}
DEFAULT_LOG_GROUP = "/aws-glue/jobs"


class AwsPipeline:
    def __init__(self, names: PipelineNames, prices_file: str | None = None, session=None):
        import boto3

        self.names = names
        self.session = session or boto3.session.Session()
        self.region = self.session.region_name or "us-east-1"
        self.prices: Prices = load_prices(self.region, prices_file)
        self._clients: dict = {}
        self._account_id: str | None = None
        self._job_classes: dict[str, str | None] = {}

    def client(self, service: str):
        if service not in self._clients:
            self._clients[service] = self.session.client(service, region_name=self.region)
        return self._clients[service]

    @property
    def account_id(self) -> str:
        if self._account_id is None:
            self._account_id = self.client("sts").get_caller_identity()["Account"]
        return self._account_id

    def bucket(self, zone: str) -> str:
        return self.names.bucket(zone, self.account_id)

    # ------------------------------------------------------------------ runs
    def start(self, stage: str | None = None, arguments: dict | None = None) -> str:
        glue = self.client("glue")
        if stage is None:
            return glue.start_workflow_run(Name=self.names.workflow)["RunId"]
        request = {"JobName": self.names.job(stage)}
        if arguments:
            request["Arguments"] = arguments
        return glue.start_job_run(**request)["JobRunId"]

    def job_record(self, stage: str, run: dict) -> RunRecord:
        execution_class = run.get("ExecutionClass") or self._job_execution_class(stage)
        dpu_seconds = billed_dpu_seconds(run, self.prices)
        started, completed = run.get("StartedOn"), run.get("CompletedOn")
        seconds = run.get("ExecutionTime")
        if seconds is None and started and completed:
            seconds = (completed - started).total_seconds()
        log_group = run.get("LogGroupName") or DEFAULT_LOG_GROUP
        return RunRecord(
            kind="job", name=run["JobName"], run_id=run["Id"], state=run["JobRunState"], started=started,
            seconds=seconds, workers=run.get("NumberOfWorkers"), worker_type=run.get("WorkerType"),
            execution_class=execution_class, dpu_seconds=dpu_seconds,
            cost=job_run_cost(dpu_seconds, execution_class, self.prices),
            rows=Rows.from_report(self.report(stage, run["Id"])) if run["JobRunState"] in TERMINAL_JOB_STATES else None,
            error=run.get("ErrorMessage"), logs=self.log_link(log_group, run["Id"]),
        )

    def _job_execution_class(self, stage: str) -> str | None:
        """The job's execution class, for runs that do not report theirs."""
        if stage not in self._job_classes:
            job = self.client("glue").get_job(JobName=self.names.job(stage))["Job"]
            self._job_classes[stage] = job.get("ExecutionClass") or "STANDARD"
        return self._job_classes[stage]

    def job_run(self, stage: str, run_id: str) -> RunRecord:
        run = self.client("glue").get_job_run(JobName=self.names.job(stage), RunId=run_id)["JobRun"]
        return self.job_record(stage, run)

    def job_runs(self, stage: str, last: int) -> list[RunRecord]:
        runs = self.client("glue").get_job_runs(JobName=self.names.job(stage), MaxResults=last)["JobRuns"]
        return [self.job_record(stage, run) for run in runs[:last]]

    def crawls(self, zone: str, last: int) -> list[RunRecord]:
        name = self.names.crawler(zone)
        crawls = self.client("glue").list_crawls(CrawlerName=name, MaxResults=last)["Crawls"]
        records = []
        for crawl in sorted(crawls, key=lambda c: c["StartTime"], reverse=True)[:last]:
            ended = crawl.get("EndTime")
            records.append(RunRecord(
                kind="crawler", name=name, run_id=crawl["CrawlId"], state=crawl.get("State", "RUNNING"),
                started=crawl["StartTime"], seconds=(ended - crawl["StartTime"]).total_seconds() if ended else None,
                dpu_seconds=crawl["DPUHour"] * 3600 if crawl.get("DPUHour") is not None else None,
                cost=crawl_cost(crawl.get("DPUHour"), self.prices), error=crawl.get("ErrorMessage"),
                logs=self.log_link(crawl["LogGroup"], crawl["LogStream"]) if crawl.get("LogGroup") else None))
        return records

    def workflow_record(self, run: dict) -> RunRecord:
        steps = self._graph_steps(run.get("Graph", {}).get("Nodes", []))
        started, completed = run.get("StartedOn"), run.get("CompletedOn")
        statistics = run.get("Statistics", {})
        record = RunRecord(
            kind="workflow", name=run["Name"], run_id=run["WorkflowRunId"], state=run["Status"], started=started,
            seconds=(completed - started).total_seconds() if started and completed else None,
            error=run.get("ErrorMessage"), steps=steps,
            cost=sum(s.cost for s in steps if s.cost is not None) if steps else None)
        if statistics.get("FailedActions") or statistics.get("TimeoutActions"):
            record.error = record.error or (f"{statistics.get('FailedActions', 0)} failed and "
                                            f"{statistics.get('TimeoutActions', 0)} timed-out action(s)")
        return record

    def _graph_steps(self, nodes: list[dict]) -> list[RunRecord]:
        """The job runs and crawls of a workflow run's graph, in the workflow's order."""
        steps = []
        for step in self.names.config.workflow:
            name = self.names.job(step.name) if step.kind == "job" else self.names.crawler(step.name)
            node = next((n for n in nodes if n.get("Name") == name), None)
            if step.kind == "job":
                runs = (node or {}).get("JobDetails", {}).get("JobRuns", [])
                steps += [self.job_record(step.name, run) for run in runs[:1]] or [
                    RunRecord(kind="job", name=name, run_id="-", state="NOT_RUN")]
            else:
                crawls = (node or {}).get("CrawlerDetails", {}).get("Crawls", [])
                steps += [RunRecord(kind="crawler", name=name, run_id=c.get("LogStream", "-"),
                                    state=c.get("State", "RUNNING"), started=c.get("StartedOn"),
                                    error=c.get("ErrorMessage")) for c in crawls[:1]] or [
                    RunRecord(kind="crawler", name=name, run_id="-", state="NOT_RUN")]
        return steps

    def workflow_run(self, run_id: str) -> RunRecord:
        run = self.client("glue").get_workflow_run(Name=self.names.workflow, RunId=run_id, IncludeGraph=True)["Run"]
        return self.workflow_record(run)

    def workflow_runs(self, last: int) -> list[RunRecord]:
        runs = self.client("glue").get_workflow_runs(Name=self.names.workflow, IncludeGraph=True,
                                                     MaxResults=last)["Runs"]
        return [self.workflow_record(run) for run in runs[:last]]

    def follow(self, stage: str | None, run_id: str, on_update: Callable[[RunRecord], None],
               poll_seconds: float, timeout_seconds: float | None) -> RunRecord:
        """Poll a run until it ends (or the timeout passes: then its last state, still running)."""
        deadline = None if timeout_seconds is None else time.monotonic() + timeout_seconds
        while True:
            record = self.workflow_run(run_id) if stage is None else self.job_run(stage, run_id)
            on_update(record)
            terminal = TERMINAL_WORKFLOW_STATES if stage is None else TERMINAL_JOB_STATES
            if record.state in terminal or (deadline is not None and time.monotonic() >= deadline):
                return record
            time.sleep(poll_seconds)

    # ------------------------------------------------------------- recovery
    def reset_bookmark(self, stage: str) -> str:
        self.client("glue").reset_job_bookmark(JobName=self.names.job(stage))
        return f"bookmark of {self.names.job(stage)} reset: its next run reads every source from the start"

    # ----------------------------------------------------------------- data
    def report(self, stage: str, run_id: str) -> dict | None:
        """The run report of a job run, or None when the run wrote none (it failed before its first read)."""
        from botocore.exceptions import ClientError

        key = f"{self.names.config.reports_prefix}/{stage}/{run_id}.json"
        try:
            body = self.client("s3").get_object(Bucket=self.bucket("processed"), Key=key)["Body"].read()
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NoSuchBucket", "AccessDenied"):
                return None
            raise
        return json.loads(body)

    def log_link(self, group: str, stream: str) -> str:
        encoded = quote(quote(group, safe=""), safe="").replace("%", "$")
        return (f"https://{self.region}.console.aws.amazon.com/cloudwatch/home?region={self.region}"
                f"#logsV2:log-groups/log-group/{encoded}/log-events/{quote(stream, safe='')}")

    def logs(self, run_id: str, stage: str | None = None, limit: int = 200) -> list[tuple[str, list[str]]]:
        """The output and error log events of a job run: [(log group, [lines])]."""
        from botocore.exceptions import ClientError

        stages = [stage] if stage else self.names.job_stages
        run = None
        for candidate in stages:
            try:
                run = self.client("glue").get_job_run(JobName=self.names.job(candidate), RunId=run_id)["JobRun"]
                break
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") != "EntityNotFoundException":
                    raise
        if run is None:
            raise LookupError(f"no run {run_id} of {', '.join(self.names.job(s) for s in stages)}")
        base = (run.get("LogGroupName") or DEFAULT_LOG_GROUP).rstrip("/")
        found = []
        for group in (f"{base}/output", f"{base}/error"):
            try:
                events = self.client("logs").get_log_events(logGroupName=group, logStreamName=run_id,
                                                            startFromHead=True, limit=limit)["events"]
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") != "ResourceNotFoundException":
                    raise
                events = []
            found.append((group, [event["message"].rstrip("\n") for event in events]))
        return found

    def zone_storage(self, zones: list[str]) -> dict[str, dict]:
        """Bytes and objects per zone bucket: S3's daily storage metrics (BucketSizeBytes,
        NumberOfObjects, StorageType StandardStorage / AllStorageTypes) when CloudWatch has them
        (they arrive once a day), else a listing of the bucket."""
        from datetime import datetime, timedelta, timezone

        cloudwatch = self.client("cloudwatch")
        end = datetime.now(timezone.utc)
        result = {}
        for zone in zones:
            bucket = self.bucket(zone)
            measured = {}
            for metric, storage_type in (("BucketSizeBytes", "StandardStorage"), ("NumberOfObjects", "AllStorageTypes")):
                points = cloudwatch.get_metric_statistics(
                    Namespace="AWS/S3", MetricName=metric, StartTime=end - timedelta(days=3), EndTime=end,
                    Period=86400, Statistics=["Average"],
                    Dimensions=[{"Name": "BucketName", "Value": bucket}, {"Name": "StorageType", "Value": storage_type}],
                )["Datapoints"]
                if points:
                    measured[metric] = max(points, key=lambda p: p["Timestamp"])["Average"]
            if len(measured) == 2:
                result[zone] = {"bucket": bucket, "bytes": int(measured["BucketSizeBytes"]),
                                "objects": int(measured["NumberOfObjects"]), "source": "CloudWatch AWS/S3"}
            else:
                result[zone] = {"bucket": bucket, **self._listed_size(bucket), "source": "bucket listing"}
        return result

    def _listed_size(self, bucket: str) -> dict:
        from botocore.exceptions import ClientError

        size = objects = 0
        try:
            for page in self.client("s3").get_paginator("list_objects_v2").paginate(Bucket=bucket):
                for item in page.get("Contents", []):
                    size, objects = size + item["Size"], objects + 1
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "NoSuchBucket":
                raise
        return {"bytes": size, "objects": objects}
