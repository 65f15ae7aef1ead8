# A Glue Data Quality ruleset per curated table from config/, and an alarm per dataset on its failed rules.

mock_provider "aws" {}

run "config" {
  command = plan

  module {
    source = "./modules/pipeline_config"
  }

  variables {
    config_dir = "../config"
    env        = "dev"
  }

  assert {
    condition     = output.data_quality["weather"].ruleset == "Rules = [\n  ColumnValues \"humid\" >= 0 where \"humid is not null\",\n  ColumnValues \"humid\" <= 100 where \"humid is not null\",\n  ColumnValues \"wind_speed\" < 250 where \"wind_speed is not null\",\n  ColumnValues \"temp\" between -61 and 141 where \"temp is not null\",\n  RowCount > 0\n]\n"
    error_message = "The weather ruleset is its config rules, one per line, as the transform job evaluates them."
  }
  assert {
    condition     = output.data_quality["flights"].warn_rules == 1 && output.data_quality["weather"].warn_rules == 0
    error_message = "Flights has one warn rule (diverted flights), weather none."
  }
  assert {
    condition     = output.data_quality["flights"].curated_table == "flights"
    error_message = "The flights ruleset describes the curated flights table."
  }
}

run "rulesets_and_alarms" {
  command = plan

  module {
    source = "./modules/data_quality"
  }

  variables {
    name_prefix        = "etl-glue-pipeline-dev"
    rulesets           = run.config.data_quality
    curated_database   = "etl_glue_pipeline_dev_curated"
    transform_job_name = "etl-glue-pipeline-dev-transform-job"
    alerts_topic_arn   = "arn:aws:sns:us-east-1:123456789012:etl-glue-pipeline-dev-alerts"
  }

  assert {
    condition     = toset(keys(aws_glue_data_quality_ruleset.curated)) == toset(["airlines", "airports", "flights", "planes", "weather"])
    error_message = "One ruleset per dataset with quality rules."
  }
  assert {
    condition = (aws_glue_data_quality_ruleset.curated["flights"].name == "etl-glue-pipeline-dev-flights"
      && aws_glue_data_quality_ruleset.curated["flights"].ruleset == run.config.data_quality["flights"].ruleset
      && aws_glue_data_quality_ruleset.curated["flights"].target_table[0].database_name == "etl_glue_pipeline_dev_curated"
    && aws_glue_data_quality_ruleset.curated["flights"].target_table[0].table_name == "flights")
    error_message = "The flights ruleset holds config's DQDL text on the curated flights table."
  }
  assert {
    condition = (aws_cloudwatch_metric_alarm.rules_failed["flights"].namespace == "Glue Data Quality"
      && aws_cloudwatch_metric_alarm.rules_failed["flights"].metric_name == "glue.data.quality.rules.failed"
      && aws_cloudwatch_metric_alarm.rules_failed["flights"].dimensions == tomap({ JobName = "etl-glue-pipeline-dev-transform-job", EvaluationContext = "flights" })
      && aws_cloudwatch_metric_alarm.rules_failed["flights"].threshold == 1
    && aws_cloudwatch_metric_alarm.rules_failed["weather"].threshold == 0)
    error_message = "The alarm watches the transform job's evaluation of each dataset and fires beyond its warn rules."
  }
  assert {
    condition     = alltrue([for a in aws_cloudwatch_metric_alarm.rules_failed : a.alarm_actions == toset(["arn:aws:sns:us-east-1:123456789012:etl-glue-pipeline-dev-alerts"])])
    error_message = "Every alarm notifies the alerts topic."
  }
}
