"""A job's DynamoDB routing lasts as long as its run: run_script gives the process back the AWS
variables it had, whether the script succeeded or failed, and an endpoint the user set is kept."""

from __future__ import annotations

import json
import os

import pytest

from localglue.runner.deployment import run_script

SCRIPT = '''
import json, sys
import boto3
from awsglue.context import GlueContext
from pyspark.context import SparkContext

GlueContext(SparkContext.getOrCreate())
seen = {"endpoint": boto3.client("dynamodb").meta.endpoint_url,
        "key": boto3.Session().get_credentials().access_key}
open(sys.argv[1], "w").write(json.dumps(seen))
if sys.argv[2] == "fail":
    raise RuntimeError("the job failed")
'''

ROUTED = ("AWS_ENDPOINT_URL_DYNAMODB", "AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")


@pytest.fixture
def job(tmp_path, local_home, monkeypatch):
    for name in (*ROUTED, "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GLUE_LOCAL_DYNAMODB_URL", "http://127.0.0.1:8977")
    script = tmp_path / "dynamodb_job.py"
    script.write_text(SCRIPT)
    return script


@pytest.mark.parametrize("outcome", ["succeed", "fail"])
def test_the_job_reaches_the_local_endpoint_and_the_process_gets_its_environment_back(job, tmp_path, outcome):
    seen = tmp_path / "seen.json"
    if outcome == "fail":
        with pytest.raises(RuntimeError, match="the job failed"):
            run_script(job, [str(seen), outcome])
    else:
        run_script(job, [str(seen), outcome])

    assert json.loads(seen.read_text()) == {"endpoint": "http://127.0.0.1:8977", "key": "local"}
    assert {name: os.environ.get(name) for name in ROUTED} == dict.fromkeys(ROUTED)


def test_an_endpoint_and_credentials_the_user_set_are_kept_during_and_after_the_run(job, tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:8988")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "mine")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    seen = tmp_path / "seen.json"

    run_script(job, [str(seen), "succeed"])

    assert json.loads(seen.read_text()) == {"endpoint": "http://127.0.0.1:8988", "key": "mine"}
    assert (os.environ["AWS_ENDPOINT_URL_DYNAMODB"], os.environ["AWS_ACCESS_KEY_ID"]) == ("http://127.0.0.1:8988", "mine")
    assert "AWS_DEFAULT_REGION" not in os.environ
