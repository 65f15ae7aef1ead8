"""Glue job: extract. Lands what is new in each configured source in the processed zone.

Arguments: --env --config_path --raw_path --processed_path --quarantine_path (where unreadable
source files are set aside, and files with bytes that are not UTF-8 copied) --datasets (all | a,b,...)
--metrics_namespace (CloudWatch namespace, or none);
optional --source_fallback files (every JDBC dataset from its fallback files) or files:a,b (only
datasets a and b: their database is not provisioned, or does not answer in the local demo).
"""

import sys

from awsglue.context import GlueContext
from awsglue.job import Job
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext

from etl_pipeline.jobs import run_job

args = getResolvedOptions(sys.argv, [
    "JOB_NAME", "env", "config_path", "raw_path", "processed_path", "quarantine_path", "datasets",
    "metrics_namespace",
])
if "--source_fallback" in sys.argv:
    args.update(getResolvedOptions(sys.argv, ["source_fallback"]))

glue_context = GlueContext(SparkContext.getOrCreate())
job = Job(glue_context)
job.init(args["JOB_NAME"], args)
run_job("extract", glue_context, args, job)  # commits the job: a failed dataset does not stop the others
