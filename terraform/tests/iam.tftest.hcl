# Least privilege: no wildcard action in any role policy, "*" resources only where AWS has no
# narrower scope, and reads limited to the pipeline's buckets and prefixes.

mock_provider "aws" {}

variables {
  name_prefix = "etl-glue-pipeline-dev"
  account_id  = "123456789012"
  region      = "us-east-1"
  partition   = "aws"
  bucket_arns = {
    raw            = "arn:aws:s3:::raw-bucket"
    processed      = "arn:aws:s3:::processed-bucket"
    curated        = "arn:aws:s3:::curated-bucket"
    quarantine     = "arn:aws:s3:::quarantine-bucket"
    scripts        = "arn:aws:s3:::scripts-bucket"
    temp           = "arn:aws:s3:::temp-bucket"
    athena_results = "arn:aws:s3:::athena-bucket"
  }
  kms_key_arn           = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
  database_names        = { raw = "etl_glue_pipeline_dev_raw", processed = "etl_glue_pipeline_dev_processed", curated = "etl_glue_pipeline_dev_curated" }
  raw_prefixes          = ["flights/", "weather/", "reference/airlines/"]
  glue_connection_names = ["etl-glue-pipeline-dev-network", "etl-glue-pipeline-dev-redshift"]
  secret_arns           = ["arn:aws:secretsmanager:us-east-1:123456789012:secret:redshift-AbCdEf"]
  subnet_ids            = ["subnet-0aaaaaaaaaaaaaaa1"]
  security_group_ids    = ["sg-0aaaaaaaaaaaaaaa1"]
  metrics_namespace     = "etl-glue-pipeline"
  enable_redshift       = true
}

run "policies_name_their_actions" {
  command = apply

  module {
    source = "./modules/iam"
  }

  assert {
    condition = alltrue([for p in concat([aws_iam_role_policy.glue_job.policy, aws_iam_role_policy.crawler.policy], [for r in aws_iam_role_policy.redshift : r.policy]) :
      alltrue([for s in jsondecode(p).Statement : alltrue([for a in flatten([s.Action]) : !strcontains(a, "*")])])
    ])
    error_message = "No role policy may use a wildcard action (*, s3:*, s3:Get*, ...)."
  }
  assert {
    condition = alltrue([for p in concat([aws_iam_role_policy.glue_job.policy, aws_iam_role_policy.crawler.policy], [for r in aws_iam_role_policy.redshift : r.policy]) :
      alltrue([for s in jsondecode(p).Statement : contains(["PublishMetrics", "DescribeNetwork"], s.Sid) if contains(flatten([s.Resource]), "*")])
    ])
    error_message = "A \"*\" resource is allowed only for cloudwatch:PutMetricData and EC2 Describe calls."
  }
  assert {
    condition = alltrue([for p in concat([aws_iam_role_policy.glue_job.policy, aws_iam_role_policy.crawler.policy], [for r in aws_iam_role_policy.redshift : r.policy]) :
      alltrue([for s in jsondecode(p).Statement : s.Effect == "Allow" && s.Sid != ""])
    ])
    error_message = "Every statement is a named Allow."
  }
  assert {
    condition = alltrue([for s in jsondecode(aws_iam_role_policy.glue_job.policy).Statement :
      alltrue([for r in flatten([s.Resource]) : startswith(r, "arn:aws:s3:::") ? contains(["raw-bucket", "processed-bucket", "curated-bucket", "quarantine-bucket", "scripts-bucket", "temp-bucket"], split("/", trimprefix(r, "arn:aws:s3:::"))[0]) : true])
    ])
    error_message = "The jobs may touch only the pipeline's buckets."
  }
  assert {
    condition     = tolist(one([for s in jsondecode(aws_iam_role_policy.glue_job.policy).Statement : s.Action if s.Sid == "ReadRawZone"])) == tolist(["s3:GetObject"])
    error_message = "The jobs may only read the raw zone."
  }
  assert {
    condition = toset(one([for s in jsondecode(aws_iam_role_policy.crawler.policy).Statement : s.Resource if s.Sid == "ReadCrawledObjects"])) == toset([
      "arn:aws:s3:::raw-bucket/flights/*", "arn:aws:s3:::raw-bucket/weather/*", "arn:aws:s3:::raw-bucket/reference/airlines/*",
    ])
    error_message = "The raw crawler may read only the dataset prefixes of the raw bucket."
  }
  assert {
    condition     = tolist(one([for s in jsondecode(aws_iam_role_policy.glue_job.policy).Statement : s.Resource if s.Sid == "ReadConnectionSecrets"])) == var.secret_arns
    error_message = "The jobs may read only their connections' secrets."
  }
  assert {
    condition = alltrue([for r in concat([aws_iam_role.glue_job, aws_iam_role.crawler], aws_iam_role.redshift) :
      length(jsondecode(r.assume_role_policy).Statement) == 1 && try(jsondecode(r.assume_role_policy).Statement[0].Condition, null) == null
    ]) && toset(jsondecode(aws_iam_role.glue_job.assume_role_policy).Statement[0].Principal.Service) == toset(["glue.amazonaws.com"])
    error_message = "Trust policies name only the service, without aws:SourceAccount/aws:SourceArn conditions, which Glue and Redshift do not document setting."
  }
  assert {
    condition = toset(one([for s in jsondecode(aws_iam_role_policy.glue_job.policy).Statement : s.Action if s.Sid == "CommitCuratedIcebergTables"])) == toset(["glue:CreateTable", "glue:UpdateTable"]) && toset(one([for s in jsondecode(aws_iam_role_policy.glue_job.policy).Statement : s.Resource if s.Sid == "CommitCuratedIcebergTables"])) == toset([
      "arn:aws:glue:us-east-1:123456789012:catalog", "arn:aws:glue:us-east-1:123456789012:database/etl_glue_pipeline_dev_curated", "arn:aws:glue:us-east-1:123456789012:table/etl_glue_pipeline_dev_curated/*",
    ])
    error_message = "Iceberg commits: CreateTable and UpdateTable on the curated database's tables only, no partition actions."
  }
  assert {
    condition = alltrue([for a in ["glue:GetDatabase", "glue:GetTable", "glue:GetTables"] : contains(one([for s in jsondecode(aws_iam_role_policy.glue_job.policy).Statement : s.Action if s.Sid == "ReadCatalog"]), a)]) && contains(
      one([for s in jsondecode(aws_iam_role_policy.glue_job.policy).Statement : s.Action if s.Sid == "ReadWriteWorkZones"]), "s3:DeleteObject"
    ) && contains(one([for s in jsondecode(aws_iam_role_policy.glue_job.policy).Statement : s.Resource if s.Sid == "ReadWriteWorkZones"]), "arn:aws:s3:::curated-bucket/*")
    error_message = "Iceberg needs the table reads and read/write/delete of the curated bucket's data and metadata files."
  }
  assert {
    condition     = length(aws_iam_role.table_optimizer) == 0 && output.table_optimizer_role_arn == null
    error_message = "No table optimizer role unless enable_table_optimizers."
  }
}

run "no_redshift_role_without_redshift" {
  command = apply

  module {
    source = "./modules/iam"
  }

  variables {
    enable_redshift = false
    secret_arns     = []
  }

  assert {
    condition     = length(aws_iam_role.redshift) == 0 && length(aws_iam_role_policy.redshift) == 0 && length(output.role_arns) == 2
    error_message = "Without Redshift there is no Redshift role."
  }
  assert {
    condition     = length([for s in jsondecode(aws_iam_role_policy.glue_job.policy).Statement : s if s.Sid == "ReadConnectionSecrets"]) == 0
    error_message = "Without secrets the jobs get no Secrets Manager permission."
  }
}

run "table_optimizer_role_is_scoped_to_the_curated_zone" {
  command = apply

  module {
    source = "./modules/iam"
  }

  variables {
    enable_table_optimizers = true
  }

  assert {
    condition = alltrue([for s in jsondecode(aws_iam_role_policy.table_optimizer[0].policy).Statement :
      alltrue([for r in flatten([s.Resource]) : startswith(r, "arn:aws:s3:::") ? startswith(r, "arn:aws:s3:::curated-bucket") : true])
    ])
    error_message = "The optimizers may touch only the curated bucket."
  }
  assert {
    condition     = contains(output.role_arns, aws_iam_role.table_optimizer[0].arn) && length(output.role_arns) == 4
    error_message = "The optimizer role is a user of the key like the other roles."
  }
}

# A platform-managed catalog key: every role that calls the catalog may use it, through Glue only.
run "platform_catalog_key_is_usable_through_glue" {
  command = apply

  module {
    source = "./modules/iam"
  }

  variables {
    enable_table_optimizers    = true
    catalog_encryption_key_arn = "arn:aws:kms:us-east-1:123456789012:key/99999999-8888-7777-6666-555555555555"
  }

  assert {
    condition = alltrue([for p in [aws_iam_role_policy.glue_job.policy, aws_iam_role_policy.crawler.policy, aws_iam_role_policy.table_optimizer[0].policy] : anytrue([
      for s in jsondecode(p).Statement : s.Sid == "UseCatalogEncryptionKeyThroughGlue" && s.Resource == [var.catalog_encryption_key_arn] && s.Condition.StringEquals["kms:ViaService"] == "glue.us-east-1.amazonaws.com"
    ])])
    error_message = "Jobs, crawler and optimizers may use the platform's catalog key, only through Glue."
  }
}
