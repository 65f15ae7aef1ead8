"""A moto server (ThreadedMotoServer, reached through the standard AWS_ENDPOINT_URL) holding the
pipeline's Glue jobs, workflow and crawler and its processed bucket, as `terraform apply` would for
the environment `dev`.

What moto does and does not simulate, which the tests rely on:
- a job run moves STARTING -> RUNNING -> SUCCEEDED, one step per GetJobRun (moto's state manager
  set to `manual, times 1` below; its default jumps to SUCCEEDED at once); it reports
  ExecutionTime 123 s, LogGroupName "test/log" and the job's WorkerType and NumberOfWorkers, and no
  ExecutionClass, DPUSeconds or ErrorMessage; no run ever fails;
- a workflow run stays RUNNING for ever and has no graph: no trigger ever starts a job;
- a crawl goes RUNNING -> COMPLETED and reports DPUHour 100;
- S3's daily storage metrics exist (NumberOfObjects right, BucketSizeBytes not the objects' bytes);
- no job bookmarks (ResetJobBookmark is not implemented), no data quality.
"""

from __future__ import annotations

import json

import boto3
import pytest

from etl_deploy.config_bundle import read_config
from etl_deploy.ops.cli import REPO_ROOT
from etl_deploy.ops.estimate import read_environment
from etl_deploy.ops.names import PipelineNames

ACCOUNT = "123456789012"   # moto's account


@pytest.fixture
def deployed_env() -> str:
    """The environment the moto account holds; a test parametrizes it to use another's tfvars."""
    return "dev"


@pytest.fixture
def names(deployed_env) -> PipelineNames:
    return PipelineNames(read_config(REPO_ROOT / "config"), deployed_env)


@pytest.fixture
def aws(moto_endpoint, names, monkeypatch):
    """The deployed pipeline in a fresh moto state; yields a boto3 session."""
    import urllib.request

    urllib.request.urlopen(urllib.request.Request(f"{moto_endpoint}/moto-api/reset", method="POST")).read()
    transition = {"model_name": "glue::job_run", "transition": {"progression": "manual", "times": 1}}
    urllib.request.urlopen(urllib.request.Request(
        f"{moto_endpoint}/moto-api/state-manager/set-transition", data=json.dumps(transition).encode(),
        method="POST")).read()
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    for name, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"),
                        ("AWS_DEFAULT_REGION", "us-east-1")):
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("ETL_GLUE_PRICES", raising=False)
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")   # an unimplemented call fails at once, not after retries
    session = boto3.session.Session()
    glue = session.client("glue")
    # The execution class of terraform/envs/<env>.tfvars; two G.1X workers per job.
    execution_class = read_environment(REPO_ROOT / "terraform", names.env).execution_class
    for stage in names.job_stages:
        glue.create_job(Name=names.job(stage), Role="arn:aws:iam::123456789012:role/glue",
                        Command={"Name": "glueetl", "ScriptLocation": f"s3://scripts/{stage}_job.py"},
                        GlueVersion="5.1", WorkerType="G.1X", NumberOfWorkers=2, ExecutionClass=execution_class)
    for zone in names.crawler_zones:
        glue.create_crawler(Name=names.crawler(zone), Role="arn:aws:iam::123456789012:role/crawler",
                            DatabaseName="raw", Targets={"S3Targets": [{"Path": "s3://raw/"}]})
    glue.create_workflow(Name=names.workflow)
    s3 = session.client("s3")
    for zone in ("raw", "processed", "curated", "quarantine"):
        s3.create_bucket(Bucket=names.bucket(zone, ACCOUNT))
    yield session


def put_report(session, names: PipelineNames, stage: str, run_id: str, datasets: dict, status="SUCCEEDED") -> None:
    """A run report as etl_pipeline.report writes it, at the key the jobs use."""
    report = {"stage": stage, "job_name": names.job(stage), "run_id": run_id, "status": status,
              "started_at": "2026-12-01T02:15:00+00:00", "seconds": 100.0, "error": None, "datasets": datasets}
    session.client("s3").put_object(Bucket=names.bucket("processed", ACCOUNT),
                                    Key=f"_reports/{stage}/{run_id}.json", Body=json.dumps(report).encode())


def finish(session, names: PipelineNames, stage: str, run_id: str) -> None:
    """Advance a moto job run to SUCCEEDED (each GetJobRun is one step)."""
    glue = session.client("glue")
    while glue.get_job_run(JobName=names.job(stage), RunId=run_id)["JobRun"]["JobRunState"] != "SUCCEEDED":
        pass
