# Encryption, public access, TLS-only policies, lifecycle and logging of every bucket, and the key.
# command = apply against the mocked provider, so that computed values (the key's ARN) are known.

mock_provider "aws" {}

variables {
  name_prefix             = "etl-glue-pipeline-dev"
  account_id              = "123456789012"
  region                  = "us-east-1"
  partition               = "aws"
  key_user_role_arns      = ["arn:aws:iam::123456789012:role/etl-glue-pipeline-dev-glue-job", "arn:aws:iam::123456789012:role/etl-glue-pipeline-dev-crawler"]
  log_group_name_patterns = ["/aws-glue/*"]
  temp_expiration_days    = 3
}

run "buckets_are_encrypted_private_and_tls_only" {
  command = apply

  module {
    source = "./modules/data_lake"
  }

  assert {
    condition     = toset(keys(aws_s3_bucket.data)) == toset(["raw", "processed", "curated", "quarantine", "scripts", "temp", "athena_results"])
    error_message = "Buckets for raw, processed, curated, quarantine, scripts, temp and Athena results (plus access logs)."
  }
  assert {
    condition = alltrue([for c in aws_s3_bucket_server_side_encryption_configuration.data :
      one(c.rule).apply_server_side_encryption_by_default[0].sse_algorithm == "aws:kms" &&
      one(c.rule).apply_server_side_encryption_by_default[0].kms_master_key_id == aws_kms_key.this.arn &&
      one(c.rule).bucket_key_enabled == true
    ]) && length(aws_s3_bucket_server_side_encryption_configuration.data) == length(aws_s3_bucket.data)
    error_message = "Every data bucket must default to SSE-KMS with the pipeline key and an S3 bucket key."
  }
  assert {
    condition     = one(aws_s3_bucket_server_side_encryption_configuration.access_logs.rule).apply_server_side_encryption_by_default[0].sse_algorithm == "AES256"
    error_message = "The access-logs bucket must be encrypted (SSE-S3, the only kind S3 log delivery supports)."
  }
  assert {
    condition = alltrue([for b in concat(values(aws_s3_bucket_public_access_block.data), [aws_s3_bucket_public_access_block.access_logs]) :
    b.block_public_acls && b.block_public_policy && b.ignore_public_acls && b.restrict_public_buckets]) && length(aws_s3_bucket_public_access_block.data) == length(aws_s3_bucket.data)
    error_message = "No bucket may be public: all four public access blocks on every bucket."
  }
  assert {
    condition     = alltrue([for o in concat(values(aws_s3_bucket_ownership_controls.data), [aws_s3_bucket_ownership_controls.access_logs]) : o.rule[0].object_ownership == "BucketOwnerEnforced"])
    error_message = "ACLs must be disabled (BucketOwnerEnforced) on every bucket."
  }
  assert {
    condition     = alltrue([for v in concat(values(aws_s3_bucket_versioning.data), [aws_s3_bucket_versioning.access_logs]) : v.versioning_configuration[0].status == "Enabled"])
    error_message = "Versioning must be on for every bucket."
  }
  assert {
    condition = alltrue([for p in concat(values(aws_s3_bucket_policy.data), [aws_s3_bucket_policy.access_logs]) : anytrue([
      for s in jsondecode(p.policy).Statement : s.Effect == "Deny" && try(s.Condition.Bool["aws:SecureTransport"], "") == "false"
    ])])
    error_message = "Every bucket policy must deny requests without TLS."
  }
  assert {
    condition = alltrue([for p in concat(values(aws_s3_bucket_policy.data), [aws_s3_bucket_policy.access_logs]) : alltrue([
      for s in jsondecode(p.policy).Statement : s.Effect == "Deny" || s.Principal != "*"
    ])])
    error_message = "No bucket policy may allow anyone (Principal *)."
  }
  assert {
    condition     = alltrue([for zone, l in aws_s3_bucket_logging.data : l.target_bucket == aws_s3_bucket.access_logs.id && l.target_prefix == "${aws_s3_bucket.data[zone].bucket}/"])
    error_message = "Every data bucket must log access to the access-logs bucket."
  }
}

run "lifecycle_rules" {
  command = apply

  module {
    source = "./modules/data_lake"
  }

  assert {
    condition     = alltrue([for l in aws_s3_bucket_lifecycle_configuration.data : anytrue([for r in l.rule : length(r.noncurrent_version_expiration) == 1 && r.status == "Enabled"])])
    error_message = "Every data bucket must expire noncurrent versions."
  }
  assert {
    condition     = anytrue([for r in aws_s3_bucket_lifecycle_configuration.data["temp"].rule : length(r.expiration) == 1 && try(r.expiration[0].days, 0) == 3])
    error_message = "Temp objects must expire after temp_expiration_days."
  }
  assert {
    condition     = alltrue([for r in aws_s3_bucket_lifecycle_configuration.data["curated"].rule : length(r.expiration) == 0])
    error_message = "The curated zone's current objects must never expire."
  }
}

run "key_rotates_and_its_policy_is_narrow" {
  command = apply

  module {
    source = "./modules/data_lake"
  }

  assert {
    condition     = aws_kms_key.this.enable_key_rotation == true
    error_message = "Key rotation must be on."
  }
  assert {
    condition     = alltrue([for s in jsondecode(aws_kms_key.this.policy).Statement : alltrue([for a in flatten([s.Action]) : !strcontains(a, "*")])])
    error_message = "The key policy must name its actions (no kms:* or wildcards)."
  }
  assert {
    condition     = alltrue([for s in jsondecode(aws_kms_key.this.policy).Statement : s.Principal != "*" && try(s.Principal.AWS, "") != "*"])
    error_message = "The key policy must not allow anyone (Principal *)."
  }
  assert {
    condition = anytrue([for s in jsondecode(aws_kms_key.this.policy).Statement :
    try(s.Principal.Service, "") == "events.amazonaws.com" && contains(s.Action, "kms:GenerateDataKey") && contains(s.Action, "kms:Decrypt") && try(s.Condition, null) == null])
    error_message = "EventBridge must be able to publish to the KMS-encrypted SNS topic, without aws:SourceAccount/aws:SourceArn (SNS documents them as unsupported there)."
  }
  assert {
    condition = anytrue([for s in jsondecode(aws_kms_key.this.policy).Statement :
      contains(s.Action, "kms:Decrypt") && contains(try(s.Condition.StringEquals["kms:ViaService"], []), "secretsmanager.us-east-1.amazonaws.com")
      ]) && anytrue([for s in jsondecode(aws_kms_key.this.policy).Statement :
      contains(flatten([s.Action]), "kms:CreateGrant") && contains(try(s.Condition.StringEquals["kms:ViaService"], []), "redshift-serverless.us-east-1.amazonaws.com")
    ])
    error_message = "The Data API's --secret-arn needs Secrets Manager to decrypt the admin secret; Redshift Serverless needs grants for the namespace."
  }
  assert {
    condition = anytrue([for s in jsondecode(aws_kms_key.this.policy).Statement :
    try(s.Principal.Service, "") == "logs.us-east-1.amazonaws.com" && length(try(s.Condition.ArnLike["kms:EncryptionContext:aws:logs:arn"], [])) > 0])
    error_message = "CloudWatch Logs may use the key only for the pipeline's log groups."
  }
  assert {
    condition = anytrue([for s in jsondecode(aws_kms_key.this.policy).Statement :
    try(tolist(s.Principal.AWS), []) == var.key_user_role_arns && contains(s.Action, "kms:Decrypt")])
    error_message = "The pipeline roles must be the direct users of the key."
  }
}

run "raw_bucket_sends_events_to_eventbridge_only_on_request" {
  command = plan

  module {
    source = "./modules/data_lake"
  }

  assert {
    condition     = length(aws_s3_bucket_notification.raw) == 0
    error_message = "By default (workflow_start = schedule) no bucket sends its events to EventBridge."
  }
}

run "raw_bucket_sends_events_to_eventbridge_for_an_event_started_workflow" {
  command = plan

  module {
    source = "./modules/data_lake"
  }

  variables {
    raw_events_to_eventbridge = true
  }

  assert {
    condition     = aws_s3_bucket_notification.raw[0].eventbridge == true && aws_s3_bucket_notification.raw[0].bucket == "etl-glue-pipeline-dev-raw-123456789012"
    error_message = "With raw_events_to_eventbridge the raw bucket (and only it) must send its S3 events to EventBridge."
  }
}
