# The sources crawler: the source databases through their connections (jdbc_target) and the
# DynamoDB tables (dynamodb_target), sampled; none without sources.

mock_provider "aws" {}

variables {
  name_prefix                 = "etl-glue-pipeline-dev"
  zones                       = ["raw"]
  database_names              = { raw = "etl_glue_pipeline_dev_raw" }
  bucket_names                = { raw = "raw-bucket" }
  datasets                    = { flights = { raw_prefixes = ["flights/"] } }
  role_arn                    = "arn:aws:iam::123456789012:role/etl-glue-pipeline-dev-crawler"
  security_configuration_name = "etl-glue-pipeline-dev"
}

run "sources_crawler_targets_the_databases_and_dynamodb_tables" {
  command = apply

  module {
    source = "./modules/crawlers"
  }

  variables {
    jdbc_targets    = [{ connection_name = "etl-glue-pipeline-dev-fleet-db", path = "fleet/%" }]
    dynamodb_tables = ["weather_observations"]
  }

  assert {
    condition = (aws_glue_crawler.sources[0].jdbc_target[0].connection_name == "etl-glue-pipeline-dev-fleet-db"
      && aws_glue_crawler.sources[0].jdbc_target[0].path == "fleet/%"
      && aws_glue_crawler.sources[0].dynamodb_target[0].path == "weather_observations"
      && aws_glue_crawler.sources[0].dynamodb_target[0].scan_all == false
    && aws_glue_crawler.sources[0].dynamodb_target[0].scan_rate == 0.5)
    error_message = "The sources crawler catalogs each source database through its connection and samples each DynamoDB table at half its read capacity."
  }
  assert {
    condition     = aws_glue_crawler.sources[0].table_prefix == "source_" && aws_glue_crawler.sources[0].database_name == "etl_glue_pipeline_dev_raw" && output.sources_crawler_name == "etl-glue-pipeline-dev-sources-crawler"
    error_message = "Source schemas land as source_* tables in the raw database."
  }
}

run "no_sources_crawler_without_sources" {
  command = plan

  module {
    source = "./modules/crawlers"
  }

  assert {
    condition     = length(aws_glue_crawler.sources) == 0
    error_message = "No source databases or DynamoDB tables: no sources crawler."
  }
}
