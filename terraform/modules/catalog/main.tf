# Glue Data Catalog: one database per zone, the security configuration that every job and crawler
# runs with, optionally the account's catalog encryption settings, and optionally Glue's table
# optimizers for the curated Iceberg tables.

resource "aws_glue_catalog_database" "zone" {
  for_each = var.database_names

  name         = each.value
  description  = "${var.name_prefix}: ${each.key} zone (s3://${var.bucket_names[each.key]}/)"
  location_uri = "s3://${var.bucket_names[each.key]}/"

  # Lake Formation, handled explicitly: the pipeline's access control is IAM (the roles in
  # modules/iam). New tables in these databases grant ALL to IAM_ALLOWED_PRINCIPALS, Lake
  # Formation's marker for "IAM policies decide", even in an account whose Lake Formation defaults
  # were changed; so the tables the crawler and the load create stay governed by IAM alone.
  create_table_default_permission {
    permissions = ["ALL"]
    principal {
      data_lake_principal_identifier = "IAM_ALLOWED_PRINCIPALS"
    }
  }
}

# Account-wide (per region) setting, off by default (manage_catalog_encryption): it encrypts every
# catalog object of every team in the account and region with this environment's key, so deleting
# the environment (and its key) would make all of that metadata unreadable. A platform team manages
# it once per account with a long-lived key instead (docs/security.md).
resource "aws_glue_data_catalog_encryption_settings" "this" {
  count = var.manage_catalog_encryption ? 1 : 0

  data_catalog_encryption_settings {
    encryption_at_rest {
      catalog_encryption_mode = "SSE-KMS"
      sse_aws_kms_key_id      = var.kms_key_arn
    }
    connection_password_encryption {
      return_connection_password_encrypted = true
      aws_kms_key_id                       = var.kms_key_arn
    }
  }
}

# Attached to every job and crawler: S3 writes SSE-KMS, CloudWatch logs encrypted with the key,
# job bookmarks encrypted client-side with the key.
resource "aws_glue_security_configuration" "this" {
  name = "${var.name_prefix}-security"

  encryption_configuration {
    s3_encryption {
      s3_encryption_mode = "SSE-KMS"
      kms_key_arn        = var.kms_key_arn
    }
    cloudwatch_encryption {
      cloudwatch_encryption_mode = "SSE-KMS"
      kms_key_arn                = var.kms_key_arn
    }
    job_bookmarks_encryption {
      job_bookmarks_encryption_mode = "CSE-KMS"
      kms_key_arn                   = var.kms_key_arn
    }
  }
}

# ---------------------------------------------------------------------------------------------
# Table optimizers of the curated Iceberg tables (enable_table_optimizers): compaction of small
# files, snapshot retention (expiry of old snapshots and their files), orphan file deletion. The
# load job creates the tables on its first run, and Glue refuses an optimizer for a table that does
# not exist yet: enable them in a second apply after the first load (docs/deployment-guide.md).
# ---------------------------------------------------------------------------------------------
locals {
  optimizer_types = ["compaction", "retention", "orphan_file_deletion"]
  optimizers = var.enable_table_optimizers ? {
    for pair in setproduct(sort(var.curated_tables), local.optimizer_types) : "${pair[0]}/${pair[1]}" => { table = pair[0], type = pair[1] }
  } : {}
}

resource "aws_glue_catalog_table_optimizer" "curated" {
  for_each = local.optimizers

  catalog_id    = var.account_id
  database_name = aws_glue_catalog_database.zone["curated"].name
  table_name    = each.value.table
  type          = each.value.type

  configuration {
    enabled  = true
    role_arn = var.table_optimizer_role_arn

    dynamic "retention_configuration" {
      for_each = each.value.type == "retention" ? [1] : []
      content {
        iceberg_configuration {
          snapshot_retention_period_in_days = var.snapshot_retention_days
          number_of_snapshots_to_retain     = 1
          clean_expired_files               = true
        }
      }
    }

    dynamic "orphan_file_deletion_configuration" {
      for_each = each.value.type == "orphan_file_deletion" ? [1] : []
      content {
        iceberg_configuration {
          orphan_file_retention_period_in_days = var.orphan_file_retention_days
        }
      }
    }
  }

  lifecycle {
    precondition {
      condition     = var.table_optimizer_role_arn != null
      error_message = "enable_table_optimizers needs the table optimizer role (iam module)."
    }
  }
}
