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

  # Trust policies without aws:SourceAccount / aws:SourceArn conditions: neither Glue nor Redshift
  # documents that it sets those keys when it assumes a role you pass it (Glue's role setup,
  # https://docs.aws.amazon.com/glue/latest/dg/create-an-iam-role.html, and Redshift's,
  # https://docs.aws.amazon.com/redshift/latest/mgmt/authorizing-redshift-service.html, show
  # plain service trust), and a positive condition on a key that is absent denies the AssumeRole,
  # which would stop every job at its start. Who may hand the roles to Glue or Redshift is decided
  # by iam:PassRole in the deployers' own policies.
  service_trust = {
    for name, services in {
      glue     = ["glue.amazonaws.com"]
      redshift = ["redshift.amazonaws.com", "redshift-serverless.amazonaws.com"]
      } : name => {
      Version = "2012-10-17"
      Statement = [{
        Effect    = "Allow"
        Principal = { Service = services }
        Action    = "sts:AssumeRole"
      }]
    }
  }

  kms_use = {
    Sid      = "UsePipelineKey"
    Effect   = "Allow"
    Action   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"]
    Resource = [var.kms_key_arn]
  }

  # When a platform team encrypts the account's Data Catalog with its own long-lived key, every
  # caller of the catalog API needs that key too, through Glue only (docs/security.md).
  catalog_key_use = var.catalog_encryption_key_arn == null ? [] : [{
    Sid       = "UseCatalogEncryptionKeyThroughGlue"
    Effect    = "Allow"
    Action    = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]
    Resource  = [var.catalog_encryption_key_arn]
    Condition = { StringEquals = { "kms:ViaService" = "glue.${var.region}.amazonaws.com" } }
  }]

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
  # DynamoDB sources, scoped to the tables config/datasets names (docs/sources.md): the scan reader
  # (DescribeTable, Scan), and the export connector, which calls ExportTableToPointInTime on the
  # table and DescribeExport on the export it started, and has DynamoDB write the export into the
  # temp bucket under dynamodb_export_prefix with the caller's permissions: s3:PutObject,
  # s3:PutObjectAcl and s3:AbortMultipartUpload (DynamoDB's "Requesting a table export":
  # https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/S3DataExport_Requesting.html).
  dynamodb_table_arns = [for table in var.dynamodb_tables : "${local.arn_prefix}:dynamodb:${var.region}:${var.account_id}:table/${table}"]
  dynamodb_statements = length(var.dynamodb_tables) == 0 ? [] : [
    {
      Sid      = "ReadDynamoDbSources"
      Effect   = "Allow"
      Action   = ["dynamodb:DescribeTable", "dynamodb:Scan"]
      Resource = local.dynamodb_table_arns
    },
    {
      Sid      = "ExportDynamoDbSources"
      Effect   = "Allow"
      Action   = ["dynamodb:ExportTableToPointInTime"]
      Resource = local.dynamodb_table_arns
    },
    {
      Sid      = "FollowDynamoDbExports"
      Effect   = "Allow"
      Action   = ["dynamodb:DescribeExport"]
      Resource = [for arn in local.dynamodb_table_arns : "${arn}/export/*"]
    },
    {
      Sid      = "WriteDynamoDbExports"
      Effect   = "Allow"
      Action   = ["s3:PutObject", "s3:PutObjectAcl", "s3:AbortMultipartUpload"]
      Resource = ["${var.bucket_arns.temp}/${var.dynamodb_export_prefix}*"]
    },
  ]

  # What Glue needs to place a job's (or a JDBC crawler's) network interfaces in the private subnets.
  vpc_network_access = [
    {
      # Describe calls of EC2 support no resource-level permissions: "*" is required.
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
      Sid    = "ManageNetworkInterfaces"
      Effect = "Allow"
      Action = ["ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:CreateTags", "ec2:DeleteTags"]
      Resource = concat(
        ["${local.ec2_arn}:network-interface/*"],
        [for id in var.subnet_ids : "${local.ec2_arn}:subnet/${id}"],
        [for id in var.security_group_ids : "${local.ec2_arn}:security-group/${id}"],
      )
    },
  ]

  table_write_actions = ["glue:CreateTable", "glue:UpdateTable"]
  partition_write_actions = [
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
  assume_role_policy   = jsonencode(local.service_trust.glue)
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
        # processed: landing/, validated/, _reports/; quarantine: rejected rows; curated: Iceberg
        # data and metadata files (commits write new files, expiry and orphan clean-up delete
        # them); temp: TempDir, Spark checkpoints and event logs, Redshift staging files.
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
        Sid      = "WriteProcessedTables"
        Effect   = "Allow"
        Action   = concat(local.table_write_actions, local.partition_write_actions)
        Resource = [local.catalog_arn, local.database_arns.processed, local.table_arns.processed]
      },
      {
        # Iceberg commits through GlueCatalog: create a table, then swap its metadata_location
        # with UpdateTable on every commit (reads above: GetDatabase, GetTable, GetTables). Iceberg
        # keeps partitions in its own metadata, so no Glue partition action is granted here.
        Sid      = "CommitCuratedIcebergTables"
        Effect   = "Allow"
        Action   = local.table_write_actions
        Resource = [local.catalog_arn, local.database_arns.curated, local.table_arns.curated]
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
        # condition limits it to Glue's namespaces (jobs, Data Quality) and the pipeline's own.
        Sid       = "PublishMetrics"
        Effect    = "Allow"
        Action    = ["cloudwatch:PutMetricData"]
        Resource  = ["*"]
        Condition = { StringEquals = { "cloudwatch:namespace" = ["Glue", "Glue Data Quality", var.metrics_namespace] } }
      },
      {
        # The transform job's EvaluateDataQuality publishes each evaluation's results to Glue Data
        # Quality (https://docs.aws.amazon.com/glue/latest/dg/data-quality-authorization.html).
        Sid      = "PublishDataQualityResults"
        Effect   = "Allow"
        Action   = ["glue:PublishDataQuality"]
        Resource = ["${local.glue_arn}:dataQualityRuleset/*"]
      },
      ], local.vpc_network_access, local.catalog_key_use, local.dynamodb_statements, length(var.secret_arns) == 0 ? [] : [
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
# Glue crawler (raw zone; the curated Iceberg tables are registered by the load job itself)
# ---------------------------------------------------------------------------------------------
resource "aws_iam_role" "crawler" {
  name                 = "${var.name_prefix}-crawler"
  description          = "Glue crawler of ${var.name_prefix}: raw zone"
  assume_role_policy   = jsonencode(local.service_trust.glue)
  permissions_boundary = var.permissions_boundary_arn
}

locals {
  crawler_policy = {
    Version = "2012-10-17"
    Statement = concat(local.catalog_key_use, [
      {
        Sid      = "ListCrawledBuckets"
        Effect   = "Allow"
        Action   = ["s3:ListBucket", "s3:GetBucketLocation"]
        Resource = [var.bucket_arns.raw]
      },
      {
        # Only the dataset prefixes config/datasets names in the raw bucket.
        Sid      = "ReadCrawledObjects"
        Effect   = "Allow"
        Action   = ["s3:GetObject"]
        Resource = [for prefix in var.raw_prefixes : "${var.bucket_arns.raw}/${prefix}*"]
      },
      local.kms_use,
      {
        Sid      = "CatalogRawTables"
        Effect   = "Allow"
        Action   = concat(local.catalog_read_actions, local.table_write_actions, local.partition_write_actions)
        Resource = [local.catalog_arn, local.database_arns.raw, local.table_arns.raw]
      },
      {
        Sid      = "WriteCrawlerLogs"
        Effect   = "Allow"
        Action   = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:AssociateKmsKey"]
        Resource = ["${local.logs_arn}:log-group:/aws-glue/crawlers*", "${local.logs_arn}:log-group:/aws-glue/crawlers*:log-stream:*"]
      },
      ], length(var.dynamodb_tables) == 0 ? [] : [
      {
        # The sources crawler samples the DynamoDB tables the datasets read (dynamodb_target).
        Sid      = "CrawlDynamoDbSources"
        Effect   = "Allow"
        Action   = ["dynamodb:DescribeTable", "dynamodb:Scan"]
        Resource = local.dynamodb_table_arns
      },
      ], length(var.crawled_connection_names) == 0 ? [] : [
      {
        # The sources crawler reaches the source databases through their connections (jdbc_target):
        # the connection, its secret, and network interfaces in the jobs' subnets and security group.
        Sid      = "CrawlSourceDatabases"
        Effect   = "Allow"
        Action   = ["glue:GetConnection"]
        Resource = concat([local.catalog_arn], [for name in var.crawled_connection_names : "${local.glue_arn}:connection/${name}"])
      },
      {
        Sid      = "ReadCrawledDatabaseSecrets"
        Effect   = "Allow"
        Action   = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
        Resource = var.crawled_secret_arns
      },
    ], length(var.crawled_connection_names) == 0 ? [] : local.vpc_network_access)
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

  name                 = "${var.name_prefix}-redshift"
  description          = "Redshift Serverless of ${var.name_prefix}: COPY/UNLOAD through the temp bucket, read curated"
  assume_role_policy   = jsonencode(local.service_trust.redshift)
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

# ---------------------------------------------------------------------------------------------
# Glue table optimizers of the curated Iceberg tables (compaction, snapshot retention, orphan file
# deletion), only with enable_table_optimizers. What the role needs follows Glue's prerequisites
# for table optimization (https://docs.aws.amazon.com/glue/latest/dg/optimization-prerequisites.html):
# read, write and delete the tables' files, read and update the tables, the key, and its logs.
# ---------------------------------------------------------------------------------------------
resource "aws_iam_role" "table_optimizer" {
  count = var.enable_table_optimizers ? 1 : 0

  name                 = "${var.name_prefix}-table-optimizer"
  description          = "Glue table optimizers of ${var.name_prefix}: curated Iceberg tables"
  assume_role_policy   = jsonencode(local.service_trust.glue)
  permissions_boundary = var.permissions_boundary_arn
}

locals {
  table_optimizer_policy = {
    Version = "2012-10-17"
    Statement = concat(local.catalog_key_use, [
      {
        Sid      = "ListCuratedBucket"
        Effect   = "Allow"
        Action   = ["s3:ListBucket", "s3:GetBucketLocation"]
        Resource = [var.bucket_arns.curated]
      },
      {
        Sid      = "RewriteCuratedFiles"
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
        Resource = ["${var.bucket_arns.curated}/*"]
      },
      local.kms_use,
      {
        Sid      = "CommitCuratedTables"
        Effect   = "Allow"
        Action   = ["glue:GetDatabase", "glue:GetTable", "glue:GetTables", "glue:UpdateTable"]
        Resource = [local.catalog_arn, local.database_arns.curated, local.table_arns.curated]
      },
      {
        Sid      = "WriteOptimizerLogs"
        Effect   = "Allow"
        Action   = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = ["${local.logs_arn}:log-group:/aws-glue/iceberg-*", "${local.logs_arn}:log-group:/aws-glue/iceberg-*:log-stream:*"]
      },
    ])
  }
}

resource "aws_iam_role_policy" "table_optimizer" {
  count = var.enable_table_optimizers ? 1 : 0

  name   = "${var.name_prefix}-table-optimizer"
  role   = aws_iam_role.table_optimizer[0].id
  policy = jsonencode(local.table_optimizer_policy)
}
