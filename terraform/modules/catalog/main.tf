# Glue Data Catalog: one database per zone, catalog encryption, and the security configuration that
# every job and crawler runs with.

resource "aws_glue_catalog_database" "zone" {
  for_each = var.database_names

  name         = each.value
  description  = "${var.name_prefix}: ${each.key} zone (s3://${var.bucket_names[each.key]}/)"
  location_uri = "s3://${var.bucket_names[each.key]}/"
}

# Account-wide (per region) setting: metadata at rest and connection passwords encrypted with the key.
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
