# One role per actor: the Glue jobs, the Glue crawlers, Redshift. Every statement names its actions
# (no "*" or "service:*") and scopes them to the pipeline's buckets and prefixes, its key, its
# catalog databases and tables, its log groups, connections and secrets. A "*" resource appears only
# where the action supports no resource-level scope; each such statement says so.
#
# Policies are written with jsonencode so that `terraform test` can decode and check them.

locals {
  arn_prefix    = "arn:${var.partition}"
  glue_arn      = "${local.arn_prefix}:glue:${var.region}:${var.account_id}"
  logs_arn      = "${local.arn_prefix}:logs:${var.region}:${var.account_id}"
  ec2_arn       = "${local.arn_prefix}:ec2:${var.region}:${var.account_id}"
  catalog_arn   = "${local.glue_arn}:catalog"
  database_arns = { for zone, db in var.database_names : zone => "${local.glue_arn}:database/${db}" }
  table_arns    = { for zone, db in var.database_names : zone => "${local.glue_arn}:table/${db}/*" }

  glue_trust = {
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "glue.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = { StringEquals = { "aws:SourceAccount" = var.account_id } }
    }]
  }

  kms_use = {
    Sid      = "UsePipelineKey"
    Effect   = "Allow"
    Action   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"]
    Resource = [var.kms_key_arn]
  }

  catalog_read_actions = [
    "glue:GetDatabase",
    "glue:GetDatabases",
    "glue:GetTable",
    "glue:GetTables",
    "glue:GetTableVersion",
    "glue:GetTableVersions",
    "glue:GetPartition",
    "glue:GetPartitions",
    "glue:BatchGetPartition",
  ]
  catalog_write_actions = [
    "glue:CreateTable",
    "glue:UpdateTable",
    "glue:CreatePartition",
    "glue:BatchCreatePartition",
    "glue:UpdatePartition",
    "glue:BatchUpdatePartition",
  ]
}

# ---------------------------------------------------------------------------------------------
# Glue jobs (extract, transform, load)
# ---------------------------------------------------------------------------------------------
resource "aws_iam_role" "glue_job" {
  name                 = "${var.name_prefix}-glue-job"
  description          = "Glue jobs of ${var.name_prefix}: extract, transform, load"
  assume_role_policy   = jsonencode(local.glue_trust)
  permissions_boundary = var.permissions_boundary_arn
}

locals {
  glue_job_policy = {
    Version = "2012-10-17"
    Statement = concat([
      {
        Sid      = "ListPipelineBuckets"
        Effect   = "Allow"
        Action   = ["s3:ListBucket", "s3:GetBucketLocation"]
        Resource = [for zone in ["raw", "processed", "curated", "quarantine", "scripts", "temp"] : var.bucket_arns[zone]]
      },
      {
        Sid      = "ReadCodeAndConfig"
        Effect   = "Allow"
        Action   = ["s3:GetObject"]
        Resource = [for prefix in ["scripts/", "lib/", "config/"] : "${var.bucket_arns.scripts}/${prefix}*"]
      },
      {
        Sid      = "ReadRawZone"
        Effect   = "Allow"
        Action   = ["s3:GetObject"]
        Resource = ["${var.bucket_arns.raw}/*"]
      },
      {
        # processed: landing/, validated/, _reports/; quarantine: rejected rows; curated: Parquet
        # tables; temp: TempDir, Spark checkpoints and event logs, Redshift staging files.
        Sid    = "ReadWriteWorkZones"
        Effect = "Allow"
        Action = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"]
        Resource = [
          "${var.bucket_arns.processed}/*",
          "${var.bucket_arns.quarantine}/*",
          "${var.bucket_arns.curated}/*",
          "${var.bucket_arns.temp}/*",
        ]
      },
      local.kms_use,
      {
        Sid      = "ReadCatalog"
        Effect   = "Allow"
        Action   = local.catalog_read_actions
        Resource = concat([local.catalog_arn], values(local.database_arns), values(local.table_arns))
      },
      {
        Sid      = "WriteProcessedAndCuratedTables"
        Effect   = "Allow"
        Action   = local.catalog_write_actions
        Resource = [local.catalog_arn, local.database_arns.processed, local.database_arns.curated, local.table_arns.processed, local.table_arns.curated]
      },
      {
        Sid      = "UseConnections"
        Effect   = "Allow"
        Action   = ["glue:GetConnection"]
        Resource = concat([local.catalog_arn], [for name in var.glue_connection_names : "${local.glue_arn}:connection/${name}"])
      },
      {
        Sid      = "WriteJobLogs"
        Effect   = "Allow"
        Action   = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:AssociateKmsKey"]
        Resource = ["${local.logs_arn}:log-group:/aws-glue/jobs/*", "${local.logs_arn}:log-group:/aws-glue/jobs/*:log-stream:*"]
      },
      {
        # PutMetricData has no resource-level permissions: "*" is the only valid resource; the
        # condition limits it to Glue's namespace and the pipeline's own.
        Sid       = "PublishMetrics"
        Effect    = "Allow"
        Action    = ["cloudwatch:PutMetricData"]
        Resource  = ["*"]
        Condition = { StringEquals = { "cloudwatch:namespace" = ["Glue", var.metrics_namespace] } }
      },
      {
        # Describe calls of EC2 support no resource-level permissions: "*" is required. Glue uses
        # them to set up the job's network interfaces in the private subnets.
        Sid    = "DescribeNetwork"
        Effect = "Allow"
        Action = [
          "ec2:DescribeNetworkInterfaces",
          "ec2:DescribeSecurityGroups",
          "ec2:DescribeSubnets",
          "ec2:DescribeVpcAttribute",
          "ec2:DescribeVpcEndpoints",
          "ec2:DescribeRouteTables",
          "ec2:DescribeVpcs",
        ]
        Resource = ["*"]
      },
      {
        Sid    = "ManageJobNetworkInterfaces"
        Effect = "Allow"
        Action = ["ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:CreateTags", "ec2:DeleteTags"]
        Resource = concat(
          ["${local.ec2_arn}:network-interface/*"],
          [for id in var.subnet_ids : "${local.ec2_arn}:subnet/${id}"],
          [for id in var.security_group_ids : "${local.ec2_arn}:security-group/${id}"],
        )
      },
      ], length(var.secret_arns) == 0 ? [] : [
      {
        Sid      = "ReadConnectionSecrets"
        Effect   = "Allow"
        Action   = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
        Resource = var.secret_arns
      },
    ])
  }
}

resource "aws_iam_role_policy" "glue_job" {
  name   = "${var.name_prefix}-glue-job"
  role   = aws_iam_role.glue_job.id
  policy = jsonencode(local.glue_job_policy)
}

# ---------------------------------------------------------------------------------------------
# Glue crawlers (raw, curated)
# ---------------------------------------------------------------------------------------------
resource "aws_iam_role" "crawler" {
  name                 = "${var.name_prefix}-crawler"
  description          = "Glue crawlers of ${var.name_prefix}: raw and curated zones"
  assume_role_policy   = jsonencode(local.glue_trust)
  permissions_boundary = var.permissions_boundary_arn
}

locals {
  crawler_policy = {
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "ListCrawledBuckets"
        Effect   = "Allow"
        Action   = ["s3:ListBucket", "s3:GetBucketLocation"]
        Resource = [var.bucket_arns.raw, var.bucket_arns.curated]
      },
      {
        # Only the dataset prefixes config/datasets names in the raw bucket, and the curated zone.
        Sid      = "ReadCrawledObjects"
        Effect   = "Allow"
        Action   = ["s3:GetObject"]
        Resource = concat([for prefix in var.raw_prefixes : "${var.bucket_arns.raw}/${prefix}*"], ["${var.bucket_arns.curated}/*"])
      },
      local.kms_use,
      {
        Sid      = "CatalogRawAndCuratedTables"
        Effect   = "Allow"
        Action   = concat(local.catalog_read_actions, local.catalog_write_actions)
        Resource = [local.catalog_arn, local.database_arns.raw, local.database_arns.curated, local.table_arns.raw, local.table_arns.curated]
      },
      {
        Sid      = "WriteCrawlerLogs"
        Effect   = "Allow"
        Action   = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:AssociateKmsKey"]
        Resource = ["${local.logs_arn}:log-group:/aws-glue/crawlers*", "${local.logs_arn}:log-group:/aws-glue/crawlers*:log-stream:*"]
      },
    ]
  }
}

resource "aws_iam_role_policy" "crawler" {
  name   = "${var.name_prefix}-crawler"
  role   = aws_iam_role.crawler.id
  policy = jsonencode(local.crawler_policy)
}

# ---------------------------------------------------------------------------------------------
# Redshift Serverless (COPY from and UNLOAD to S3)
# ---------------------------------------------------------------------------------------------
resource "aws_iam_role" "redshift" {
  count = var.enable_redshift ? 1 : 0

  name        = "${var.name_prefix}-redshift"
  description = "Redshift Serverless of ${var.name_prefix}: COPY/UNLOAD through the temp bucket, read curated"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = ["redshift.amazonaws.com", "redshift-serverless.amazonaws.com"] }
      Action    = "sts:AssumeRole"
      Condition = { StringEquals = { "aws:SourceAccount" = var.account_id } }
    }]
  })
  permissions_boundary = var.permissions_boundary_arn
}

locals {
  redshift_policy = {
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "ListStagingBuckets"
        Effect   = "Allow"
        Action   = ["s3:ListBucket", "s3:GetBucketLocation"]
        Resource = [var.bucket_arns.temp, var.bucket_arns.curated]
      },
      {
        Sid      = "CopyAndUnloadThroughTemp"
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
        Resource = ["${var.bucket_arns.temp}/glue/*", "${var.bucket_arns.temp}/redshift/*"]
      },
      {
        Sid      = "CopyFromCurated"
        Effect   = "Allow"
        Action   = ["s3:GetObject"]
        Resource = ["${var.bucket_arns.curated}/*"]
      },
      local.kms_use,
    ]
  }
}

resource "aws_iam_role_policy" "redshift" {
  count = var.enable_redshift ? 1 : 0

  name   = "${var.name_prefix}-redshift"
  role   = aws_iam_role.redshift[0].id
  policy = jsonencode(local.redshift_policy)
}
