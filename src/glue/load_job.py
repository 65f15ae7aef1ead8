"""Glue job: load. Merges the new validated rows into the curated Iceberg tables and the warehouse.

Arguments: --env --config_path --processed_path --curated_database --warehouse_connection (a Glue
connection, or none) --warehouse_database --warehouse_schema --datasets (all | a,b,...)
--metrics_namespace (CloudWatch namespace, or none) --TempDir; Glue's --datalake-formats iceberg and
the --conf that configures the Iceberg catalog.
"""

import sys

from awsglue.context import GlueContext
from awsglue.job import Job
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext

from etl_pipeline.jobs import run_job

args = getResolvedOptions(sys.argv, [
    "JOB_NAME", "env", "config_path", "processed_path", "curated_database",
    "warehouse_connection", "warehouse_database", "warehouse_schema", "datasets", "metrics_namespace",
])

glue_context = GlueContext(SparkContext.getOrCreate())
job = Job(glue_context)
job.init(args["JOB_NAME"], args)
run_job("load", glue_context, args, job)  # commits the job: a failed dataset does not stop the others
