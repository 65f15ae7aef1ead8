# The three Glue jobs. Their arguments are the contract with src/glue/*_job.py: each script calls
# getResolvedOptions(sys.argv, [...]) with exactly the names passed here (besides Glue's own).

locals {
  defaults = { worker_type = "G.1X", number_of_workers = 2, timeout_minutes = 60, max_retries = 0 }
  settings = { for stage in var.stages : stage => lookup(var.job_settings, stage, local.defaults) }

  glue_arguments = {
    "--job-language"                 = "python"
    "--job-bookmark-option"          = "job-bookmark-enable"
    "--TempDir"                      = "s3://${var.bucket_names.temp}/glue/"
    "--extra-py-files"               = var.library_uri
    "--enable-metrics"               = "true"
    "--enable-observability-metrics" = "true"
    "--enable-job-insights"          = "true"
    "--enable-auto-scaling"          = "true"
    "--enable-spark-ui"              = "true"
    # Glue 5.x logs continuously to CloudWatch without --enable-continuous-cloudwatch-log.
    # No --enable-glue-datacatalog: it makes the Data Catalog Spark's Hive metastore
    # (spark_catalog), which no job uses. The curated tables are reached through the Iceberg
    # catalog below, which calls the Glue API with the job's role; the raw and processed zones are
    # read and written as S3 paths. A second path to the same tables would only invite a non-Iceberg
    # read of an Iceberg table. No --additional-python-modules: the jobs import only what Glue 5.1
    # ships (the subnets have no route to PyPI).
    "--datalake-formats" = "iceberg"
    "--conf"             = local.iceberg_conf
  }

  # Glue's documented way to configure Iceberg for a job: one --conf value that chains the Spark
  # settings with " --conf " (see "Using the Iceberg framework in AWS Glue",
  # https://docs.aws.amazon.com/glue/latest/dg/aws-glue-programming-etl-format-iceberg.html).
  # The catalog is named in config/pipeline.yaml (iceberg_catalog); its warehouse is the curated
  # bucket: a table created without an explicit LOCATION gets its data and metadata below it.
  iceberg_conf = join(" --conf ", [
    "spark.sql.extensions=org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions",
    "spark.sql.catalog.${var.iceberg_catalog}=org.apache.iceberg.spark.SparkCatalog",
    "spark.sql.catalog.${var.iceberg_catalog}.warehouse=s3://${var.bucket_names.curated}/",
    "spark.sql.catalog.${var.iceberg_catalog}.catalog-impl=org.apache.iceberg.aws.glue.GlueCatalog",
    "spark.sql.catalog.${var.iceberg_catalog}.io-impl=org.apache.iceberg.aws.s3.S3FileIO",
  ])

  common_arguments = {
    "--env"               = var.env
    "--config_path"       = var.config_uri
    "--datasets"          = "all"
    "--metrics_namespace" = var.metrics_namespace
  }

  stage_arguments = {
    # JDBC datasets whose database is not provisioned are read from their CSV fallback in the raw bucket.
    extract = merge(
      {
        "--raw_path"       = "s3://${var.bucket_names.raw}/"
        "--processed_path" = "s3://${var.bucket_names.processed}/"
        # Source files no reader can decode are set aside under <quarantine>/<dataset>/unreadable/,
        # and files with bytes that are not UTF-8 copied under <quarantine>/<dataset>/not_utf8/.
        "--quarantine_path" = "s3://${var.bucket_names.quarantine}/"
      },
      length(var.fallback_datasets) > 0 ? { "--source_fallback" = "files:${join(",", var.fallback_datasets)}" } : {},
    )
    transform = {
      "--processed_path"  = "s3://${var.bucket_names.processed}/"
      "--quarantine_path" = "s3://${var.bucket_names.quarantine}/"
    }
    load = {
      "--processed_path"       = "s3://${var.bucket_names.processed}/"
      "--curated_database"     = var.curated_database
      "--warehouse_connection" = var.warehouse_connection
      "--warehouse_database"   = var.warehouse_database
      "--warehouse_schema"     = var.warehouse_schema
    }
  }

  connections = {
    extract = concat([var.network_connection], var.source_connections,
    var.extract_reads_warehouse && var.warehouse_connection != "none" ? [var.warehouse_connection] : [])
    transform = [var.network_connection]
    load      = compact([var.network_connection, var.warehouse_connection == "none" ? "" : var.warehouse_connection])
  }
}

resource "aws_glue_job" "stage" {
  for_each = toset(var.stages)

  name                   = "${var.name_prefix}-${each.key}-job"
  description            = "${each.key} stage of ${var.name_prefix} (src/glue/${each.key}_job.py)"
  role_arn               = var.role_arn
  glue_version           = var.glue_version
  worker_type            = local.settings[each.key].worker_type
  number_of_workers      = local.settings[each.key].number_of_workers
  execution_class        = var.execution_class
  timeout                = local.settings[each.key].timeout_minutes
  max_retries            = local.settings[each.key].max_retries
  security_configuration = var.security_configuration_name
  connections            = local.connections[each.key]
  # A run started while another is active waits in Glue's queue instead of failing with
  # ConcurrentRunsExceededException (max_concurrent_runs = 1 below keeps runs one at a time).
  job_run_queuing_enabled = true

  command {
    name            = "glueetl"
    script_location = var.script_locations[each.key]
    python_version  = "3"
  }

  default_arguments = merge(
    local.glue_arguments,
    # Spark UI event logs (with --enable-spark-ui): open them in a Spark history server to debug a run.
    { "--spark-event-logs-path" = "s3://${var.bucket_names.temp}/spark-events/${each.key}/" },
    local.common_arguments,
    local.stage_arguments[each.key],
  )

  # One run at a time: bookmarks, the Iceberg MERGE INTO and the warehouse DELETE USING + INSERT of
  # the load assume no concurrent run of the same job.
  execution_property {
    max_concurrent_runs = 1
  }

  notification_property {
    notify_delay_after = var.notify_delay_after_minutes
  }

  lifecycle {
    precondition {
      condition     = var.execution_class != "FLEX" || contains(["G.1X", "G.2X"], local.settings[each.key].worker_type)
      error_message = "FLEX execution runs only on G.1X or G.2X workers; ${each.key} uses ${local.settings[each.key].worker_type}."
    }
  }
}
