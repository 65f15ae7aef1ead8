# Data sources: one Glue connection per source database with its secret in Secrets Manager (never a
# password), datasets without a provisioned database on their CSV fallback, and DynamoDB permissions
# scoped to the configured tables (the sources crawler: sources_crawler.tftest.hcl).

mock_provider "aws" {}

variables {
  name_prefix                = "etl-glue-pipeline-dev"
  subnet_id                  = "subnet-0aaaaaaaaaaaaaaa1"
  availability_zone          = "us-east-1a"
  security_group_ids         = ["sg-0aaaaaaaaaaaaaaa1"]
  jdbc_connections_in_config = ["reference-db", "fleet-db"]
  jdbc_datasets = {
    airlines = { connection = "reference-db", engine = "postgresql", has_fallback = true }
    planes   = { connection = "fleet-db", engine = "mysql", has_fallback = true }
    airports = { connection = "redshift", engine = "redshift", has_fallback = true }
  }
  source_databases = {
    fleet-db = {
      jdbc_url    = "jdbc:mysql://fleet.example.internal:3306/fleet"
      secret_arn  = "arn:aws:secretsmanager:us-east-1:123456789012:secret:fleet-db-AbCdEf"
      port        = 3306
      cidr_blocks = ["10.0.9.0/24"]
    }
  }
}

run "one_connection_per_source_database_with_its_secret" {
  command = apply

  module {
    source = "./modules/connections"
  }

  assert {
    condition     = keys(aws_glue_connection.source) == ["fleet-db"] && aws_glue_connection.source["fleet-db"].name == "etl-glue-pipeline-dev-fleet-db"
    error_message = "A JDBC connection per source database, named <prefix>-<logical name>."
  }
  assert {
    condition = (aws_glue_connection.source["fleet-db"].connection_properties == tomap({
      JDBC_CONNECTION_URL = "jdbc:mysql://fleet.example.internal:3306/fleet"
      SECRET_ID           = "arn:aws:secretsmanager:us-east-1:123456789012:secret:fleet-db-AbCdEf"
      JDBC_ENFORCE_SSL    = "true"
    }))
    error_message = "The connection names the secret and enforces SSL; no USERNAME or PASSWORD property."
  }
  assert {
    condition     = output.fallback_datasets == tolist(["airlines"]) && output.extract_reads_warehouse && tolist(output.secret_arns) == tolist(["arn:aws:secretsmanager:us-east-1:123456789012:secret:fleet-db-AbCdEf"])
    error_message = "airlines (no reference-db provisioned) reads its fallback; airports reads the warehouse; the jobs may read the fleet-db secret."
  }
}

run "without_a_warehouse_redshift_sources_read_their_fallback" {
  command = plan

  module {
    source = "./modules/connections"
  }

  variables {
    warehouse_enabled = false
  }

  assert {
    condition     = output.fallback_datasets == tolist(["airlines", "airports"]) && !output.extract_reads_warehouse
    error_message = "Without Redshift, the Redshift-sourced dataset reads its CSV fallback."
  }
}

run "a_dataset_without_database_or_fallback_is_refused" {
  command = plan

  module {
    source = "./modules/connections"
  }

  variables {
    jdbc_datasets = {
      airlines = { connection = "reference-db", engine = "postgresql", has_fallback = false }
    }
    source_databases = {}
  }

  expect_failures = [aws_glue_connection.network]
}

run "a_password_cannot_stand_in_for_the_secret" {
  command = plan

  module {
    source = "./modules/connections"
  }

  variables {
    source_databases = {
      fleet-db = { jdbc_url = "jdbc:mysql://fleet:3306/fleet", secret_arn = "hunter2", port = 3306, cidr_blocks = ["10.0.9.0/24"] }
    }
  }

  expect_failures = [var.source_databases]
}

run "dynamodb_reads_are_scoped_to_the_configured_tables" {
  command = apply

  module {
    source = "./modules/iam"
  }

  variables {
    account_id = "123456789012"
    region     = "us-east-1"
    partition  = "aws"
    bucket_arns = {
      raw            = "arn:aws:s3:::raw-bucket", processed = "arn:aws:s3:::processed-bucket", curated = "arn:aws:s3:::curated-bucket",
      quarantine     = "arn:aws:s3:::quarantine-bucket", scripts = "arn:aws:s3:::scripts-bucket", temp = "arn:aws:s3:::temp-bucket",
      athena_results = "arn:aws:s3:::athena-bucket"
    }
    kms_key_arn              = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
    database_names           = { raw = "etl_glue_pipeline_dev_raw", processed = "etl_glue_pipeline_dev_processed", curated = "etl_glue_pipeline_dev_curated" }
    raw_prefixes             = ["flights/"]
    glue_connection_names    = ["etl-glue-pipeline-dev-network", "etl-glue-pipeline-dev-fleet-db"]
    secret_arns              = ["arn:aws:secretsmanager:us-east-1:123456789012:secret:fleet-db-AbCdEf"]
    subnet_ids               = ["subnet-0aaaaaaaaaaaaaaa1"]
    metrics_namespace        = "etl-glue-pipeline"
    enable_redshift          = false
    dynamodb_tables          = ["weather_observations"]
    crawled_connection_names = ["etl-glue-pipeline-dev-fleet-db"]
    crawled_secret_arns      = ["arn:aws:secretsmanager:us-east-1:123456789012:secret:fleet-db-AbCdEf"]
  }

  assert {
    condition = { for s in jsondecode(aws_iam_role_policy.glue_job.policy).Statement : s.Sid => [s.Action, s.Resource] if strcontains(s.Sid, "DynamoDb") } == {
      ReadDynamoDbSources   = [["dynamodb:DescribeTable", "dynamodb:Scan"], ["arn:aws:dynamodb:us-east-1:123456789012:table/weather_observations"]]
      ExportDynamoDbSources = [["dynamodb:ExportTableToPointInTime"], ["arn:aws:dynamodb:us-east-1:123456789012:table/weather_observations"]]
      FollowDynamoDbExports = [["dynamodb:DescribeExport"], ["arn:aws:dynamodb:us-east-1:123456789012:table/weather_observations/export/*"]]
      WriteDynamoDbExports  = [["s3:PutObject", "s3:PutObjectAcl", "s3:AbortMultipartUpload"], ["arn:aws:s3:::temp-bucket/glue/dynamodb-export/*"]]
    }
    error_message = "The jobs may scan and export the configured DynamoDB tables only, and have DynamoDB write exports under the temp bucket's export prefix only."
  }
  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.crawler.policy).Statement : s.Action if s.Sid == "CrawlDynamoDbSources"]) == ["dynamodb:DescribeTable", "dynamodb:Scan"]
    error_message = "The crawler only describes and samples the DynamoDB tables."
  }
  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.crawler.policy).Statement : s.Resource if s.Sid == "ReadCrawledDatabaseSecrets"]) == ["arn:aws:secretsmanager:us-east-1:123456789012:secret:fleet-db-AbCdEf"]
    error_message = "The crawler reads only the crawled databases' secrets."
  }
}
