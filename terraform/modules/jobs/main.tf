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
    "--enable-glue-datacatalog"      = "true"
    "--enable-job-insights"          = "true"
    "--enable-auto-scaling"          = "true"
    "--enable-spark-ui"              = "true"
    # Glue 5.x logs continuously to CloudWatch without --enable-continuous-cloudwatch-log.
  }

  common_arguments = {
    "--env"               = var.env
    "--config_path"       = var.config_uri
    "--datasets"          = "all"
    "--metrics_namespace" = var.metrics_namespace
  }

  stage_arguments = {
    # Without a reference database, the JDBC datasets are read from their CSV fallback in the raw bucket.
    extract = merge(
      {
        "--raw_path"       = "s3://${var.bucket_names.raw}/"
        "--processed_path" = "s3://${var.bucket_names.processed}/"
      },
      var.reference_db_connection == null ? { "--source_fallback" = "files" } : {},
    )
    transform = {
      "--processed_path"  = "s3://${var.bucket_names.processed}/"
      "--quarantine_path" = "s3://${var.bucket_names.quarantine}/"
    }
    load = {
      "--processed_path"       = "s3://${var.bucket_names.processed}/"
      "--curated_path"         = "s3://${var.bucket_names.curated}/"
      "--curated_database"     = var.curated_database
      "--warehouse_connection" = var.warehouse_connection
      "--warehouse_database"   = var.warehouse_database
      "--warehouse_schema"     = var.warehouse_schema
    }
  }

  connections = {
    extract   = compact([var.network_connection, var.reference_db_connection == null ? "" : var.reference_db_connection])
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

  command {
    name            = "glueetl"
    script_location = var.script_locations[each.key]
    python_version  = "3"
  }

  default_arguments = merge(
    local.glue_arguments,
    { "--spark-event-logs-path" = "s3://${var.bucket_names.temp}/spark-events/${each.key}/" },
    local.common_arguments,
    local.stage_arguments[each.key],
  )

  # One run at a time: bookmarks and the DELETE USING + INSERT of the load assume no concurrent run.
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
