# The three Glue jobs: Glue 5.1, bookmarks, metrics, one run at a time, and exactly the arguments
# the job scripts resolve with getResolvedOptions (besides Glue's own).

mock_provider "aws" {}

variables {
  name_prefix = "etl-glue-pipeline-dev"
  env         = "dev"
  stages      = ["extract", "transform", "load"]
  role_arn    = "arn:aws:iam::123456789012:role/etl-glue-pipeline-dev-glue-job"
  script_locations = {
    extract   = "s3://scripts-bucket/scripts/extract_job.py"
    transform = "s3://scripts-bucket/scripts/transform_job.py"
    load      = "s3://scripts-bucket/scripts/load_job.py"
  }
  library_uri = "s3://scripts-bucket/lib/etl_pipeline.zip"
  config_uri  = "s3://scripts-bucket/config/"
  bucket_names = {
    raw        = "raw-bucket"
    processed  = "processed-bucket"
    curated    = "curated-bucket"
    quarantine = "quarantine-bucket"
    temp       = "temp-bucket"
  }
  curated_database            = "etl_glue_pipeline_dev_curated"
  warehouse_connection        = "etl-glue-pipeline-dev-redshift"
  warehouse_database          = "dev"
  warehouse_schema            = "analytics"
  metrics_namespace           = "etl-glue-pipeline"
  network_connection          = "etl-glue-pipeline-dev-network"
  security_configuration_name = "etl-glue-pipeline-dev-security"
  execution_class             = "FLEX"
  job_settings = {
    load = { worker_type = "G.2X", number_of_workers = 4, timeout_minutes = 90, max_retries = 1 }
  }
}

run "jobs_are_configured_for_glue_5_1" {
  command = plan

  module {
    source = "./modules/jobs"
  }

  assert {
    condition     = toset([for j in aws_glue_job.stage : j.name]) == toset(["etl-glue-pipeline-dev-extract-job", "etl-glue-pipeline-dev-transform-job", "etl-glue-pipeline-dev-load-job"])
    error_message = "One job per stage, named <prefix>-<stage>-job."
  }
  assert {
    condition     = alltrue([for j in aws_glue_job.stage : j.glue_version == "5.1" && j.command[0].name == "glueetl" && j.command[0].python_version == "3"])
    error_message = "Every job must be a Glue 5.1 glueetl Python 3 job."
  }
  assert {
    condition     = alltrue([for j in aws_glue_job.stage : j.default_arguments["--job-bookmark-option"] == "job-bookmark-enable"])
    error_message = "Bookmarks must be enabled on every job."
  }
  assert {
    condition = alltrue([for j in aws_glue_job.stage : alltrue([
      for flag in ["--enable-metrics", "--enable-observability-metrics", "--enable-auto-scaling", "--enable-job-insights", "--enable-spark-ui"] :
      j.default_arguments[flag] == "true"
    ])])
    error_message = "Metrics, observability metrics, auto scaling, job insights and the Spark UI must be on."
  }
  assert {
    condition     = alltrue([for s, j in aws_glue_job.stage : j.default_arguments["--spark-event-logs-path"] == "s3://temp-bucket/spark-events/${s}/"])
    error_message = "Spark UI event logs go to s3://<temp>/spark-events/<stage>/."
  }
  assert {
    condition     = alltrue([for j in aws_glue_job.stage : j.job_run_queuing_enabled == true && j.execution_property[0].max_concurrent_runs == 1])
    error_message = "One run at a time, and a second start waits in Glue's queue instead of failing."
  }
  assert {
    condition = alltrue([for j in aws_glue_job.stage : length(setintersection(keys(j.default_arguments), [
      "--enable-glue-datacatalog", "--additional-python-modules", "--python-modules-installer-option",
    ])) == 0])
    error_message = "No Hive-metastore catalog (Iceberg's GlueCatalog is the catalog) and no module installs (Glue 5.1 has no PyYAML; no PyPI from private subnets)."
  }
  assert {
    condition     = alltrue([for s, j in aws_glue_job.stage : j.command[0].script_location == var.script_locations[s] && j.default_arguments["--extra-py-files"] == var.library_uri])
    error_message = "Each job must run its uploaded script with the library zip in --extra-py-files."
  }
  assert {
    condition     = alltrue([for j in aws_glue_job.stage : j.default_arguments["--TempDir"] == "s3://temp-bucket/glue/" && j.default_arguments["--config_path"] == "s3://scripts-bucket/config/"])
    error_message = "--TempDir must be s3://<temp>/glue/ and --config_path s3://<scripts>/config/."
  }
  assert {
    condition     = alltrue([for j in aws_glue_job.stage : j.execution_property[0].max_concurrent_runs == 1 && j.security_configuration == "etl-glue-pipeline-dev-security" && j.execution_class == "FLEX"])
    error_message = "One run at a time, the security configuration, and the execution class from the variable."
  }
  assert {
    condition     = aws_glue_job.stage["load"].worker_type == "G.2X" && aws_glue_job.stage["load"].number_of_workers == 4 && aws_glue_job.stage["load"].timeout == 90 && aws_glue_job.stage["load"].max_retries == 1
    error_message = "Worker type, count, timeout and retries come from job_settings."
  }
  assert {
    condition     = aws_glue_job.stage["extract"].worker_type == "G.1X" && aws_glue_job.stage["extract"].number_of_workers == 2
    error_message = "A stage without job_settings gets the defaults (G.1X, 2 workers)."
  }
}

run "arguments_match_the_job_scripts" {
  command = plan

  module {
    source = "./modules/jobs"
  }

  variables {
    fallback_datasets = ["airlines", "planes"]
  }

  assert {
    condition = toset([for k in keys(aws_glue_job.stage["extract"].default_arguments) : k if !startswith(k, "--enable-") && !contains(["--job-language", "--job-bookmark-option", "--TempDir", "--extra-py-files", "--spark-event-logs-path", "--datalake-formats", "--conf"], k)]) == toset(
      ["--env", "--config_path", "--raw_path", "--processed_path", "--quarantine_path", "--datasets", "--metrics_namespace", "--source_fallback"]
    )
    error_message = "extract without a reference database: --env --config_path --raw_path --processed_path --quarantine_path --datasets --metrics_namespace --source_fallback."
  }
  assert {
    condition = toset([for k in keys(aws_glue_job.stage["transform"].default_arguments) : k if !startswith(k, "--enable-") && !contains(["--job-language", "--job-bookmark-option", "--TempDir", "--extra-py-files", "--spark-event-logs-path", "--datalake-formats", "--conf"], k)]) == toset(
      ["--env", "--config_path", "--processed_path", "--quarantine_path", "--datasets", "--metrics_namespace"]
    )
    error_message = "transform: --env --config_path --processed_path --quarantine_path --datasets --metrics_namespace."
  }
  assert {
    condition = toset([for k in keys(aws_glue_job.stage["load"].default_arguments) : k if !startswith(k, "--enable-") && !contains(["--job-language", "--job-bookmark-option", "--TempDir", "--extra-py-files", "--spark-event-logs-path", "--datalake-formats", "--conf"], k)]) == toset(
      ["--env", "--config_path", "--processed_path", "--curated_database", "--warehouse_connection", "--warehouse_database", "--warehouse_schema", "--datasets", "--metrics_namespace"]
    )
    error_message = "load: --env --config_path --processed_path --curated_database --warehouse_* --datasets --metrics_namespace."
  }
  assert {
    condition     = aws_glue_job.stage["extract"].default_arguments["--source_fallback"] == "files:airlines,planes" && alltrue([for j in aws_glue_job.stage : j.default_arguments["--metrics_namespace"] == "etl-glue-pipeline"])
    error_message = "The datasets without a source database read their CSV fallback; every job publishes to the pipeline's metrics namespace."
  }
  assert {
    condition     = aws_glue_job.stage["load"].default_arguments["--warehouse_connection"] == "etl-glue-pipeline-dev-redshift" && aws_glue_job.stage["load"].default_arguments["--warehouse_schema"] == "analytics" && aws_glue_job.stage["load"].default_arguments["--datasets"] == "all"
    error_message = "load's warehouse arguments must carry the connection, schema and --datasets all."
  }
  assert {
    condition     = aws_glue_job.stage["load"].connections == tolist(["etl-glue-pipeline-dev-network", "etl-glue-pipeline-dev-redshift"]) && aws_glue_job.stage["transform"].connections == tolist(["etl-glue-pipeline-dev-network"])
    error_message = "Every job runs in the VPC (network connection); load also uses the warehouse connection."
  }
}

run "iceberg_through_glues_documented_conf" {
  command = plan

  module {
    source = "./modules/jobs"
  }

  variables {
    iceberg_catalog = "lake"
  }

  assert {
    condition     = alltrue([for j in aws_glue_job.stage : j.default_arguments["--datalake-formats"] == "iceberg"])
    error_message = "Every job loads Glue 5.1's Iceberg (--datalake-formats iceberg)."
  }
  assert {
    condition = alltrue([for j in aws_glue_job.stage : j.default_arguments["--conf"] == join(" --conf ", [
      "spark.sql.extensions=org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions",
      "spark.sql.catalog.lake=org.apache.iceberg.spark.SparkCatalog",
      "spark.sql.catalog.lake.warehouse=s3://curated-bucket/",
      "spark.sql.catalog.lake.catalog-impl=org.apache.iceberg.aws.glue.GlueCatalog",
      "spark.sql.catalog.lake.io-impl=org.apache.iceberg.aws.s3.S3FileIO",
    ])])
    error_message = "--conf carries the Iceberg extensions and the named Glue-backed catalog with the curated bucket as warehouse."
  }
  assert {
    condition     = !contains(keys(aws_glue_job.stage["load"].default_arguments), "--curated_path") && aws_glue_job.stage["load"].default_arguments["--curated_database"] == "etl_glue_pipeline_dev_curated"
    error_message = "The load names the curated database; its Iceberg tables live in the catalog's warehouse (--conf), so no --curated_path."
  }
}

run "no_warehouse_and_a_reference_database" {
  command = plan

  module {
    source = "./modules/jobs"
  }

  variables {
    warehouse_connection    = "none"
    source_connections      = ["etl-glue-pipeline-dev-reference-db"]
    extract_reads_warehouse = true
  }

  assert {
    condition     = aws_glue_job.stage["load"].default_arguments["--warehouse_connection"] == "none" && aws_glue_job.stage["load"].connections == tolist(["etl-glue-pipeline-dev-network"])
    error_message = "Without Redshift, load gets --warehouse_connection none and no warehouse connection."
  }
  assert {
    condition     = aws_glue_job.stage["extract"].connections == tolist(["etl-glue-pipeline-dev-network", "etl-glue-pipeline-dev-reference-db"])
    error_message = "With a reference database, extract uses its JDBC connection."
  }
  assert {
    condition     = !contains(keys(aws_glue_job.stage["extract"].default_arguments), "--source_fallback")
    error_message = "With a reference database, extract reads it, not the CSV fallback."
  }
}

run "sources_without_a_database_read_their_fallback_and_redshift_sources_use_the_warehouse" {
  command = plan

  module {
    source = "./modules/jobs"
  }

  variables {
    source_connections      = ["etl-glue-pipeline-dev-fleet-db"]
    extract_reads_warehouse = true
    fallback_datasets       = ["airlines"]
  }

  assert {
    condition     = aws_glue_job.stage["extract"].default_arguments["--source_fallback"] == "files:airlines"
    error_message = "Only the datasets without a provisioned database read their CSV fallback."
  }
  assert {
    condition     = aws_glue_job.stage["extract"].connections == tolist(["etl-glue-pipeline-dev-network", "etl-glue-pipeline-dev-fleet-db", var.warehouse_connection])
    error_message = "The extract uses each source database's connection, and the warehouse's when a dataset reads Redshift."
  }
}

run "bad_worker_settings_are_rejected" {
  command = plan

  module {
    source = "./modules/jobs"
  }

  variables {
    execution_class = "CHEAP"
    job_settings    = { load = { worker_type = "G.3X", number_of_workers = 1 } }
  }

  expect_failures = [var.execution_class, var.job_settings]
}

run "flex_needs_g1x_or_g2x_workers" {
  command = plan

  module {
    source = "./modules/jobs"
  }

  variables {
    job_settings = { load = { worker_type = "G.4X", number_of_workers = 4 } }
  }

  expect_failures = [aws_glue_job.stage["load"]]
}
