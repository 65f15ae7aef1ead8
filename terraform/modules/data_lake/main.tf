# The data lake: one customer-managed KMS key and the S3 buckets of every zone.
#
# Every data bucket: versioning, default SSE-KMS with an S3 bucket key (fewer KMS calls), all public
# access blocked, ACLs disabled (BucketOwnerEnforced), a policy that denies any request not made
# over TLS 1.2+, lifecycle rules, and server access logging into the access-logs bucket.

locals {
  # Zone (or role) of each bucket -> days after which current objects expire (null: never).
  data_buckets = {
    raw            = null
    processed      = null
    curated        = null
    quarantine     = null
    scripts        = null
    temp           = var.temp_expiration_days
    athena_results = var.athena_results_expiration_days
  }
  bucket_names = merge(
    { for zone in keys(local.data_buckets) : zone => "${var.name_prefix}-${replace(zone, "_", "-")}-${var.account_id}" },
    { access_logs = "${var.name_prefix}-access-logs-${var.account_id}" },
  )
  bucket_arns = { for zone, name in local.bucket_names : zone => "arn:${var.partition}:s3:::${name}" }

  account_root = "arn:${var.partition}:iam::${var.account_id}:root"
  # The data-key operations a user of the key needs (no wildcards).
  key_use_actions = [
    "kms:Encrypt",
    "kms:Decrypt",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:DescribeKey",
  ]
}

# ---------------------------------------------------------------------------------------------
# KMS key
# ---------------------------------------------------------------------------------------------
resource "aws_kms_key" "this" {
  description             = "${var.name_prefix}: data lake, Glue catalog, logs, alerts, Redshift"
  enable_key_rotation     = true
  rotation_period_in_days = 365
  deletion_window_in_days = var.kms_deletion_window_days
  policy                  = jsonencode(local.key_policy)
}

resource "aws_kms_alias" "this" {
  name          = "alias/${var.name_prefix}"
  target_key_id = aws_kms_key.this.key_id
}

locals {
  key_policy = {
    Version = "2012-10-17"
    Statement = [
      {
        # Administration only (no data operations): the account's IAM policies decide who manages the
        # key, which also keeps Terraform able to update this policy. In a key policy, Resource "*"
        # means "this key".
        Sid       = "AccountAdministersKey"
        Effect    = "Allow"
        Principal = { AWS = local.account_root }
        Action = [
          "kms:CancelKeyDeletion",
          "kms:CreateAlias",
          "kms:DeleteAlias",
          "kms:DescribeKey",
          "kms:DisableKey",
          "kms:DisableKeyRotation",
          "kms:EnableKey",
          "kms:EnableKeyRotation",
          "kms:GetKeyPolicy",
          "kms:GetKeyRotationStatus",
          "kms:ListAliases",
          "kms:ListGrants",
          "kms:ListKeyPolicies",
          "kms:ListKeyRotations",
          "kms:ListResourceTags",
          "kms:PutKeyPolicy",
          "kms:RetireGrant",
          "kms:RevokeGrant",
          "kms:RotateKeyOnDemand",
          "kms:ScheduleKeyDeletion",
          "kms:TagResource",
          "kms:UntagResource",
          "kms:UpdateAlias",
          "kms:UpdateKeyDescription",
        ]
        Resource = "*"
      },
      {
        # The pipeline's own roles: Glue jobs (S3 data, bookmarks, logs), crawlers (catalog, logs),
        # Redshift (COPY/UNLOAD through the temp bucket).
        Sid       = "PipelineRolesUseKey"
        Effect    = "Allow"
        Principal = { AWS = var.key_user_role_arns }
        Action    = local.key_use_actions
        Resource  = "*"
      },
      {
        # People and CI of this account (deployers uploading scripts, analysts reading the curated
        # zone or Athena results) may use the key only through these services, and only if their own
        # IAM policy also allows it.
        Sid       = "AccountPrincipalsUseKeyThroughServices"
        Effect    = "Allow"
        Principal = { AWS = local.account_root }
        Action    = local.key_use_actions
        Resource  = "*"
        Condition = {
          StringEquals = {
            "kms:CallerAccount" = var.account_id
            "kms:ViaService"    = [for s in var.key_via_services : "${s}.${var.region}.amazonaws.com"]
          }
        }
      },
      {
        # Redshift Serverless and Secrets Manager keep grants on the key for the resources they
        # manage (namespace storage, the admin password secret). The Redshift Data API with
        # --secret-arn reads the secret through Secrets Manager, which decrypts it with the key
        # under the statement above (kms:ViaService secretsmanager), for callers whose IAM policy
        # allows secretsmanager:GetSecretValue on it.
        Sid       = "AccountPrincipalsGrantToAwsResources"
        Effect    = "Allow"
        Principal = { AWS = local.account_root }
        Action    = ["kms:CreateGrant"]
        Resource  = "*"
        Condition = {
          StringEquals = {
            "kms:CallerAccount" = var.account_id
            "kms:ViaService"    = [for s in var.key_via_services : "${s}.${var.region}.amazonaws.com"]
          }
          Bool = { "kms:GrantIsForAWSResource" = "true" }
        }
      },
      {
        # CloudWatch Logs encrypts the pipeline's log groups (and only those) with the key.
        Sid       = "CloudWatchLogsEncryptsPipelineLogGroups"
        Effect    = "Allow"
        Principal = { Service = "logs.${var.region}.amazonaws.com" }
        Action    = local.key_use_actions
        Resource  = "*"
        Condition = {
          ArnLike = {
            "kms:EncryptionContext:aws:logs:arn" = [
              for pattern in var.log_group_name_patterns : "arn:${var.partition}:logs:${var.region}:${var.account_id}:log-group:${pattern}"
            ]
          }
        }
      },
      {
        # EventBridge publishes failure events to the KMS-encrypted SNS topic: SNS asks for a data
        # key on the publisher's behalf, so the events service needs these two actions. No
        # aws:SourceAccount / aws:SourceArn condition: Amazon SNS documents that these keys are not
        # supported in a key policy for EventBridge-to-encrypted-topic delivery, which then fails
        # (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html). Which rules may
        # publish is limited by the topic policy's aws:SourceArn (modules/monitoring).
        Sid       = "EventBridgePublishesToEncryptedTopic"
        Effect    = "Allow"
        Principal = { Service = "events.amazonaws.com" }
        Action    = ["kms:GenerateDataKey", "kms:Decrypt"]
        Resource  = "*"
      },
    ]
  }
}

# ---------------------------------------------------------------------------------------------
# Buckets
# ---------------------------------------------------------------------------------------------
resource "aws_s3_bucket" "data" {
  for_each = local.data_buckets

  bucket        = local.bucket_names[each.key]
  force_destroy = var.force_destroy
  tags          = { zone = each.key }
}

resource "aws_s3_bucket_ownership_controls" "data" {
  for_each = aws_s3_bucket.data

  bucket = each.value.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "data" {
  for_each = aws_s3_bucket.data

  bucket                  = each.value.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "data" {
  for_each = aws_s3_bucket.data

  bucket = each.value.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "data" {
  for_each = aws_s3_bucket.data

  bucket = each.value.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.this.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_logging" "data" {
  for_each = aws_s3_bucket.data

  bucket        = each.value.id
  target_bucket = aws_s3_bucket.access_logs.id
  target_prefix = "${each.value.bucket}/"
}

resource "aws_s3_bucket_lifecycle_configuration" "data" {
  for_each = aws_s3_bucket.data

  bucket = each.value.id

  rule {
    id     = "expire-old-versions"
    status = "Enabled"
    filter {}
    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_expiration_days
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  # Only scratch buckets (temp, Athena results) expire their current objects.
  dynamic "rule" {
    for_each = local.data_buckets[each.key] == null ? [] : [local.data_buckets[each.key]]
    content {
      id     = "expire-scratch-objects"
      status = "Enabled"
      filter {}
      expiration {
        days = rule.value
      }
      abort_incomplete_multipart_upload {
        days_after_initiation = 7
      }
    }
  }

  depends_on = [aws_s3_bucket_versioning.data]
}

resource "aws_s3_bucket_policy" "data" {
  for_each = aws_s3_bucket.data

  bucket = each.value.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = local.deny_insecure_transport[each.key]
  })

  depends_on = [aws_s3_bucket_public_access_block.data]
}

locals {
  deny_insecure_transport = {
    for zone, arn in local.bucket_arns : zone => [
      {
        Sid       = "DenyInsecureTransport"
        Effect    = "Deny"
        Principal = "*"
        Action    = ["s3:*"] # a Deny: every S3 action is refused without TLS
        Resource  = [arn, "${arn}/*"]
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      },
      {
        Sid       = "DenyOutdatedTls"
        Effect    = "Deny"
        Principal = "*"
        Action    = ["s3:*"]
        Resource  = [arn, "${arn}/*"]
        Condition = { NumericLessThan = { "s3:TlsVersion" = "1.2" } }
      },
    ]
  }
}

# The raw bucket sends its object events to EventBridge when the workflow starts on uploads
# (workflow module, start_mode = "event"). S3 then sends every event type to the default bus; the
# workflow's rule picks "Object Created" under the datasets' prefixes. One bucket has one notification
# configuration, so this resource owns it.
# https://docs.aws.amazon.com/AmazonS3/latest/userguide/EventBridge.html
# https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/s3_bucket_notification
resource "aws_s3_bucket_notification" "raw" {
  count = var.raw_events_to_eventbridge ? 1 : 0

  bucket      = aws_s3_bucket.data["raw"].bucket
  eventbridge = true
}

# ---------------------------------------------------------------------------------------------
# Access-logs bucket: target of the server access logs of every other bucket.
# S3 server access logging can deliver only to a bucket whose default encryption is SSE-S3, so this
# one bucket uses AES256 instead of the KMS key; it does not log itself (that would loop).
# ---------------------------------------------------------------------------------------------
resource "aws_s3_bucket" "access_logs" {
  bucket        = local.bucket_names.access_logs
  force_destroy = var.force_destroy
  tags          = { zone = "access_logs" }
}

resource "aws_s3_bucket_ownership_controls" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "access_logs" {
  bucket                  = aws_s3_bucket.access_logs.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id

  rule {
    id     = "expire-access-logs"
    status = "Enabled"
    filter {}
    expiration {
      days = var.access_log_expiration_days
    }
    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_expiration_days
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  depends_on = [aws_s3_bucket_versioning.access_logs]
}

resource "aws_s3_bucket_policy" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat(local.deny_insecure_transport.access_logs, [
      {
        Sid       = "S3ServerAccessLogsDelivery"
        Effect    = "Allow"
        Principal = { Service = "logging.s3.amazonaws.com" }
        Action    = ["s3:PutObject"]
        Resource  = ["${local.bucket_arns.access_logs}/*"]
        Condition = {
          StringEquals = { "aws:SourceAccount" = var.account_id }
          ArnLike      = { "aws:SourceArn" = [for zone in keys(local.data_buckets) : local.bucket_arns[zone]] }
        }
      },
    ])
  })

  depends_on = [aws_s3_bucket_public_access_block.access_logs]
}
