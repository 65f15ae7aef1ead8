"""Glue job: transform. Types, cleans, checks and de-duplicates the new landed batches.

Arguments: --env --config_path --processed_path --quarantine_path --datasets (all | a,b,...)
--metrics_namespace (CloudWatch namespace, or none).
"""

import sys

from awsglue.context import GlueContext
from awsglue.job import Job
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext

from etl_pipeline.jobs import run_job

args = getResolvedOptions(sys.argv, [
    "JOB_NAME", "env", "config_path", "processed_path", "quarantine_path", "datasets", "metrics_namespace",
])

glue_context = GlueContext(SparkContext.getOrCreate())
job = Job(glue_context)
job.init(args["JOB_NAME"], args)
run_job("transform", glue_context, args, job)  # commits the job: a failed dataset does not stop the others
