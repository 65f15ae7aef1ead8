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
  }

  assert {
    condition     = toset([for d in aws_glue_catalog_database.zone : d.name]) == toset(values(var.database_names))
    error_message = "One database per zone."
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
  assert {
    condition = (
      aws_glue_data_catalog_encryption_settings.this[0].data_catalog_encryption_settings[0].encryption_at_rest[0].catalog_encryption_mode == "SSE-KMS" &&
      aws_glue_data_catalog_encryption_settings.this[0].data_catalog_encryption_settings[0].connection_password_encryption[0].return_connection_password_encrypted == true
    )
    error_message = "Catalog metadata and connection passwords must be encrypted."
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
      flights  = { curated_table = "flights", partition_by = ["year", "month"], primary_key = ["year", "month", "day", "carrier", "flight", "origin"] }
      airlines = { curated_table = "airlines", partition_by = [], primary_key = ["carrier"] }
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
    condition     = length(aws_athena_named_query.curated) == 6 && strcontains(aws_athena_named_query.curated["flights-row-count"].query, "GROUP BY year, month")
    error_message = "Preview, row count (per partition) and duplicate-key queries per curated table."
  }
}
