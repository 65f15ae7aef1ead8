# Catalog encryption, the Glue security configuration, and the Athena workgroup.

mock_provider "aws" {}

run "catalog_and_security_configuration" {
  command = plan

  module {
    source = "./modules/catalog"
  }

  variables {
    name_prefix    = "etl-glue-pipeline-dev"
    database_names = { raw = "etl_glue_pipeline_dev_raw", processed = "etl_glue_pipeline_dev_processed", curated = "etl_glue_pipeline_dev_curated" }
    bucket_names   = { raw = "raw-bucket", processed = "processed-bucket", curated = "curated-bucket" }
    kms_key_arn    = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
    account_id     = "123456789012"
    curated_tables = ["flights", "weather"]
  }

  assert {
    condition     = toset([for d in aws_glue_catalog_database.zone : d.name]) == toset(values(var.database_names))
    error_message = "One database per zone."
  }
  assert {
    condition = alltrue([for d in aws_glue_catalog_database.zone :
      d.create_table_default_permission[0].permissions == toset(["ALL"]) && d.create_table_default_permission[0].principal[0].data_lake_principal_identifier == "IAM_ALLOWED_PRINCIPALS"
    ])
    error_message = "Lake Formation handled explicitly: new tables in the pipeline's databases are governed by IAM (IAM_ALLOWED_PRINCIPALS)."
  }
  assert {
    condition     = length(aws_glue_data_catalog_encryption_settings.this) == 0 && length(aws_glue_catalog_table_optimizer.curated) == 0
    error_message = "Account-wide catalog encryption and table optimizers are off by default."
  }
  assert {
    condition = (
      aws_glue_security_configuration.this.encryption_configuration[0].s3_encryption[0].s3_encryption_mode == "SSE-KMS" &&
      aws_glue_security_configuration.this.encryption_configuration[0].cloudwatch_encryption[0].cloudwatch_encryption_mode == "SSE-KMS" &&
      aws_glue_security_configuration.this.encryption_configuration[0].job_bookmarks_encryption[0].job_bookmarks_encryption_mode == "CSE-KMS" &&
      aws_glue_security_configuration.this.encryption_configuration[0].cloudwatch_encryption[0].kms_key_arn == var.kms_key_arn
    )
    error_message = "The security configuration must encrypt S3 data, CloudWatch logs and job bookmarks with the key."
  }
}

run "opt_in_catalog_encryption_and_table_optimizers" {
  command = plan

  module {
    source = "./modules/catalog"
  }

  variables {
    name_prefix               = "etl-glue-pipeline-dev"
    database_names            = { raw = "etl_glue_pipeline_dev_raw", processed = "etl_glue_pipeline_dev_processed", curated = "etl_glue_pipeline_dev_curated" }
    bucket_names              = { raw = "raw-bucket", processed = "processed-bucket", curated = "curated-bucket" }
    kms_key_arn               = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
    account_id                = "123456789012"
    curated_tables            = ["flights", "weather"]
    manage_catalog_encryption = true
    enable_table_optimizers   = true
    table_optimizer_role_arn  = "arn:aws:iam::123456789012:role/etl-glue-pipeline-dev-table-optimizer"
  }

  assert {
    condition = (
      aws_glue_data_catalog_encryption_settings.this[0].data_catalog_encryption_settings[0].encryption_at_rest[0].catalog_encryption_mode == "SSE-KMS" &&
      aws_glue_data_catalog_encryption_settings.this[0].data_catalog_encryption_settings[0].connection_password_encryption[0].return_connection_password_encrypted == true
    )
    error_message = "When asked for, catalog metadata and connection passwords are encrypted."
  }
  assert {
    condition     = toset(keys(aws_glue_catalog_table_optimizer.curated)) == toset([for p in setproduct(["flights", "weather"], ["compaction", "retention", "orphan_file_deletion"]) : "${p[0]}/${p[1]}"])
    error_message = "Compaction, snapshot retention and orphan file deletion for each curated table."
  }
  assert {
    condition = alltrue([for o in aws_glue_catalog_table_optimizer.curated :
    o.database_name == "etl_glue_pipeline_dev_curated" && o.catalog_id == "123456789012" && o.configuration[0].enabled && o.configuration[0].role_arn == var.table_optimizer_role_arn])
    error_message = "Optimizers run on the curated database with the optimizer role."
  }
  assert {
    condition     = aws_glue_catalog_table_optimizer.curated["flights/retention"].configuration[0].retention_configuration[0].iceberg_configuration[0].snapshot_retention_period_in_days == 7
    error_message = "Snapshots are kept snapshot_retention_days (7) for time travel and rollback."
  }
}

run "athena_workgroup" {
  command = plan

  module {
    source = "./modules/athena"
  }

  variables {
    name_prefix                    = "etl-glue-pipeline-dev"
    results_bucket_name            = "athena-bucket"
    account_id                     = "123456789012"
    kms_key_arn                    = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
    bytes_scanned_cutoff_per_query = 1073741824
    curated_database               = "etl_glue_pipeline_dev_curated"
    datasets = {
      flights  = { curated_table = "flights", primary_key = ["year", "month", "day", "carrier", "flight", "origin"] }
      airlines = { curated_table = "airlines", primary_key = ["carrier"] }
    }
  }

  assert {
    condition     = aws_athena_workgroup.this.configuration[0].enforce_workgroup_configuration == true && aws_athena_workgroup.this.configuration[0].bytes_scanned_cutoff_per_query == 1073741824
    error_message = "The workgroup's configuration is enforced and has a per-query scan cutoff."
  }
  assert {
    condition = (
      aws_athena_workgroup.this.configuration[0].result_configuration[0].encryption_configuration[0].encryption_option == "SSE_KMS" &&
      aws_athena_workgroup.this.configuration[0].result_configuration[0].output_location == "s3://athena-bucket/results/"
    )
    error_message = "Results go to the results bucket, SSE-KMS encrypted."
  }
  assert {
    condition     = length(aws_athena_named_query.curated) == 10 && aws_athena_workgroup.this.configuration[0].engine_version[0].selected_engine_version == "Athena engine version 3"
    error_message = "Preview, row count, partitions, snapshots and duplicate-key queries per curated table, on engine v3 (which reads Iceberg)."
  }
  assert {
    condition = (
      aws_athena_named_query.curated["flights-partitions"].query == "SELECT * FROM \"etl_glue_pipeline_dev_curated\".\"flights$partitions\";" &&
      strcontains(aws_athena_named_query.curated["flights-snapshots"].query, "FROM \"etl_glue_pipeline_dev_curated\".\"flights$snapshots\"")
    )
    error_message = "Iceberg metadata tables are queried as \"<table>$partitions\" and \"<table>$snapshots\"."
  }
}
