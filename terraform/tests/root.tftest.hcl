# The whole configuration as envs/dev.tfvars shapes it, planned against a mocked AWS provider.
# Names must follow the contract with the jobs and the local runner; everything is derived from
# ../config, so the expectations below read the same files.

mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012", arn = "arn:aws:iam::123456789012:user/ci", user_id = "AIDAEXAMPLE" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws", dns_suffix = "amazonaws.com" }
  }
  mock_data "aws_region" {
    defaults = { region = "us-east-1" }
  }
  mock_data "aws_subnet" {
    defaults = { availability_zone = "us-east-1a" }
  }
  mock_data "aws_vpc" {
    defaults = { cidr_block = "10.0.0.0/16" }
  }
  mock_data "aws_route_table" {
    defaults = { id = "rtb-0aaaaaaaaaaaaaaa1" }
  }
}

variables {
  env                 = "dev"
  vpc_id              = "vpc-0123456789abcdef0"
  private_subnet_ids  = ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0bbbbbbbbbbbbbbb2", "subnet-0ccccccccccccccc3"]
  job_execution_class = "FLEX"
  deletion_protection = false
}

run "dev_names_follow_the_contract" {
  command = plan

  assert {
    condition = output.job_names == {
      extract   = "etl-glue-pipeline-dev-extract-job"
      transform = "etl-glue-pipeline-dev-transform-job"
      load      = "etl-glue-pipeline-dev-load-job"
    }
    error_message = "Job names must be etl-glue-pipeline-<env>-<stage>-job."
  }
  assert {
    condition     = output.workflow_name == "etl-glue-pipeline-dev-workflow"
    error_message = "The workflow must be named etl-glue-pipeline-<env>-workflow."
  }
  assert {
    condition     = output.crawler_names == { raw = "etl-glue-pipeline-dev-raw-crawler" }
    error_message = "One crawler, of the raw zone (the load registers the curated Iceberg tables): etl-glue-pipeline-<env>-raw-crawler."
  }
  assert {
    condition     = output.database_names == { raw = "etl_glue_pipeline_dev_raw", processed = "etl_glue_pipeline_dev_processed", curated = "etl_glue_pipeline_dev_curated" }
    error_message = "Glue databases must be etl_glue_pipeline_<env>_<zone>."
  }
  assert {
    condition     = output.warehouse_connection_name == "etl-glue-pipeline-dev-redshift"
    error_message = "The warehouse connection must be etl-glue-pipeline-<env>-redshift."
  }
  assert {
    condition     = output.scripts_bucket_name == "etl-glue-pipeline-dev-scripts-123456789012"
    error_message = "The scripts bucket must be <project>-<env>-scripts-<account>."
  }
  assert {
    condition     = length(output.bucket_names) == 8 && alltrue([for name in values(output.bucket_names) : length(name) <= 63])
    error_message = "Eight buckets, each name within S3's 63 characters."
  }
}

run "trigger_chain_follows_pipeline_yaml" {
  command = plan

  assert {
    condition = output.workflow_trigger_chain == [
      for step in yamldecode(file("../config/pipeline.yaml")).workflow : "etl-glue-pipeline-dev-${step.name}-${step.kind}"
    ]
    error_message = "The triggers must start the steps in the order config/pipeline.yaml lists them."
  }
  assert {
    condition     = output.workflow_trigger_chain == ["etl-glue-pipeline-dev-raw-crawler", "etl-glue-pipeline-dev-extract-job", "etl-glue-pipeline-dev-transform-job", "etl-glue-pipeline-dev-load-job"]
    error_message = "The chain must be raw crawler -> extract -> transform -> load (no curated crawler)."
  }
}

run "crawler_targets_come_from_config_datasets" {
  command = plan

  assert {
    condition = toset(output.crawler_targets.raw) == toset(flatten([
      for f in fileset("../config/datasets", "*.yaml") : [
        for p in compact([
          yamldecode(file("../config/datasets/${f}")).source.type == "s3" ? yamldecode(file("../config/datasets/${f}")).source.prefix : "",
          try(yamldecode(file("../config/datasets/${f}")).source.fallback.prefix, ""),
        ]) : "s3://etl-glue-pipeline-dev-raw-123456789012/${p}"
      ]
    ]))
    error_message = "The raw crawler must target each dataset's source prefix and fallback prefix."
  }
}

# The DynamoDB tables config/datasets reads (source.type dynamodb) get a crawler target and IAM each.
run "dynamodb_sources_from_config_get_scoped_permissions_and_a_crawler_target_each" {
  command = plan

  assert {
    condition = (length(module.crawlers.sources_crawler_dynamodb_targets) > 0
    && sort(module.crawlers.sources_crawler_dynamodb_targets) == sort([for f in fileset("../config/datasets", "*.yaml") : yamldecode(file("../config/datasets/${f}")).source.table if yamldecode(file("../config/datasets/${f}")).source.type == "dynamodb"]))
    error_message = "The sources crawler must have a dynamodb_target for each DynamoDB table config/datasets reads."
  }
  assert {
    condition = { for s in module.iam.dynamodb_statements : s.Sid => s.Resource } == {
      ReadDynamoDbSources   = [for t in sort([for f in fileset("../config/datasets", "*.yaml") : yamldecode(file("../config/datasets/${f}")).source.table if yamldecode(file("../config/datasets/${f}")).source.type == "dynamodb"]) : "arn:aws:dynamodb:us-east-1:123456789012:table/${t}"]
      ExportDynamoDbSources = [for t in sort([for f in fileset("../config/datasets", "*.yaml") : yamldecode(file("../config/datasets/${f}")).source.table if yamldecode(file("../config/datasets/${f}")).source.type == "dynamodb"]) : "arn:aws:dynamodb:us-east-1:123456789012:table/${t}"]
      FollowDynamoDbExports = [for t in sort([for f in fileset("../config/datasets", "*.yaml") : yamldecode(file("../config/datasets/${f}")).source.table if yamldecode(file("../config/datasets/${f}")).source.type == "dynamodb"]) : "arn:aws:dynamodb:us-east-1:123456789012:table/${t}/export/*"]
      WriteDynamoDbExports  = ["arn:aws:s3:::etl-glue-pipeline-dev-temp-123456789012/glue/dynamodb-export/*"]
    }
    error_message = "The jobs' DynamoDB permissions must name exactly the configured tables, their exports and the temp bucket's export prefix."
  }
}

run "account_wide_settings_are_opt_in_and_the_warehouse_follows_deletion_protection" {
  command = plan

  assert {
    condition     = output.iceberg_catalog == try(yamldecode(file("../config/pipeline.yaml")).iceberg_catalog, "glue_catalog")
    error_message = "The Iceberg catalog name comes from config/pipeline.yaml (default glue_catalog)."
  }
  assert {
    condition     = output.table_optimizers == []
    error_message = "Table optimizers are off by default (the tables exist only after the first load)."
  }
  assert {
    condition     = output.redshift_namespace_protected == false
    error_message = "Without deletion_protection the warehouse namespace is the disposable one."
  }
  assert {
    condition     = output.private_route_table_ids == tolist(["rtb-0aaaaaaaaaaaaaaa1"])
    error_message = "The route tables come from the subnets (one table shared by all three here)."
  }
}

run "prod_protects_the_warehouse_and_enables_optimizers_on_request" {
  command = plan

  variables {
    deletion_protection     = true
    enable_table_optimizers = true
  }

  assert {
    condition     = output.redshift_namespace_protected == true
    error_message = "With deletion_protection the warehouse namespace is the prevent_destroy one."
  }
  assert {
    condition = toset(output.table_optimizers) == toset(flatten([
      for f in fileset("../config/datasets", "*.yaml") : [
        for t in ["compaction", "retention", "orphan_file_deletion"] : "${yamldecode(file("../config/datasets/${f}")).targets.curated.table}/${t}"
      ]
    ]))
    error_message = "Each curated table (from config/datasets) gets compaction, retention and orphan file deletion."
  }
}

run "redshift_can_be_switched_off" {
  command = plan

  variables {
    enable_redshift = false
  }

  assert {
    condition     = output.warehouse_connection_name == "none"
    error_message = "Without Redshift the load job's --warehouse_connection must be the literal none."
  }
  assert {
    condition     = output.redshift_endpoint == null && output.redshift_workgroup_name == null
    error_message = "Without Redshift there is no endpoint and no workgroup."
  }
}

run "event_start_watches_the_raw_prefixes_the_deployment_reads" {
  command = plan

  # dev's datasets as config/ has them, no source_databases: flights (S3) and the JDBC datasets of the
  # unprovisioned databases (their CSV fallbacks) arrive as uploads; airports (the warehouse) and
  # weather (DynamoDB) do not, so the schedule stays.
  variables {
    workflow_start    = "event"
    workflow_schedule = "cron(15 2 * * ? *)"
  }

  assert {
    condition = jsondecode(output.workflow_start_events["etl-glue-pipeline-dev-workflow-uploads"]).detail == {
      bucket = { name = ["etl-glue-pipeline-dev-raw-123456789012"] }
      object = { key = [{ prefix = "flights/" }, { prefix = "reference/airlines/" }, { prefix = "reference/planes/" }] }
    }
    error_message = "The uploads rule must watch the raw bucket under the prefixes read from it: flights/ and the fallbacks of the unprovisioned databases."
  }
  assert {
    condition     = output.workflow_start_events["etl-glue-pipeline-dev-workflow-schedule"] == "cron(15 2 * * ? *)"
    error_message = "The schedule must stay, as an EventBridge rule, for the warehouse and DynamoDB datasets."
  }
}

run "invalid_variables_are_rejected" {
  command = plan

  variables {
    env                                 = "Dev Env"
    job_execution_class                 = "TURBO"
    workflow_schedule                   = "every night"
    workflow_start                      = "upload"
    workflow_event_batch_size           = 0
    workflow_event_batch_window_seconds = 901
    vpc_id                              = "my-vpc"
  }

  expect_failures = [
    var.env, var.job_execution_class, var.workflow_schedule, var.workflow_start, var.workflow_event_batch_size,
    var.workflow_event_batch_window_seconds, var.vpc_id,
  ]
}
