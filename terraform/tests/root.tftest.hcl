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
}

variables {
  env                     = "dev"
  vpc_id                  = "vpc-0123456789abcdef0"
  private_subnet_ids      = ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0bbbbbbbbbbbbbbb2", "subnet-0ccccccccccccccc3"]
  private_route_table_ids = ["rtb-0aaaaaaaaaaaaaaa1"]
  job_execution_class     = "FLEX"
  deletion_protection     = false
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
    condition     = output.crawler_names == { raw = "etl-glue-pipeline-dev-raw-crawler", curated = "etl-glue-pipeline-dev-curated-crawler" }
    error_message = "Crawler names must be etl-glue-pipeline-<env>-<zone>-crawler."
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
    condition     = output.workflow_trigger_chain[0] == "etl-glue-pipeline-dev-raw-crawler" && output.workflow_trigger_chain[4] == "etl-glue-pipeline-dev-curated-crawler"
    error_message = "The chain must be raw crawler -> extract -> transform -> load -> curated crawler."
  }
}

run "crawler_targets_come_from_config_datasets" {
  command = plan

  assert {
    condition = toset(output.crawler_targets.curated) == toset([
      for f in fileset("../config/datasets", "*.yaml") :
      "s3://etl-glue-pipeline-dev-curated-123456789012/${yamldecode(file("../config/datasets/${f}")).targets.curated.table}/"
    ])
    error_message = "The curated crawler must target one folder per curated table in config/datasets."
  }
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

run "invalid_variables_are_rejected" {
  command = plan

  variables {
    env                 = "Dev Env"
    job_execution_class = "TURBO"
    workflow_schedule   = "every night"
    vpc_id              = "my-vpc"
  }

  expect_failures = [var.env, var.job_execution_class, var.workflow_schedule, var.vpc_id]
}
