# Encrypted log groups with retention, encrypted alerts topic, failure rules for jobs and crawlers,
# alarms (failed runs, a stalled workflow, runs far longer than usual) and the dashboard's widgets.

mock_provider "aws" {}

variables {
  name_prefix                 = "etl-glue-pipeline-dev"
  env                         = "dev"
  region                      = "us-east-1"
  account_id                  = "123456789012"
  partition                   = "aws"
  kms_key_arn                 = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
  job_names                   = { extract = "etl-glue-pipeline-dev-extract-job", transform = "etl-glue-pipeline-dev-transform-job", load = "etl-glue-pipeline-dev-load-job" }
  crawler_names               = { raw = "etl-glue-pipeline-dev-raw-crawler" }
  security_configuration_name = "etl-glue-pipeline-dev-security"
  job_role_name               = "etl-glue-pipeline-dev-glue-job"
  crawler_role_name           = "etl-glue-pipeline-dev-crawler"
  log_retention_days          = 30
  metrics_namespace           = "etl-glue-pipeline"
  final_job_name              = "etl-glue-pipeline-dev-load-job"
  curated_database            = "etl_glue_pipeline_dev_curated"
  zone_bucket_names = {
    raw        = "etl-glue-pipeline-dev-raw-123456789012"
    processed  = "etl-glue-pipeline-dev-processed-123456789012"
    curated    = "etl-glue-pipeline-dev-curated-123456789012"
    quarantine = "etl-glue-pipeline-dev-quarantine-123456789012"
  }
}

run "logs_and_alerts_are_encrypted" {
  command = plan

  module {
    source = "./modules/monitoring"
  }

  assert {
    condition     = length(aws_cloudwatch_log_group.glue) > 0 && alltrue([for g in aws_cloudwatch_log_group.glue : g.kms_key_id == var.kms_key_arn && g.retention_in_days == 30])
    error_message = "Every log group must be encrypted with the key and have the retention."
  }
  assert {
    condition     = alltrue([for g in aws_cloudwatch_log_group.glue : startswith(g.name, "/aws-glue/")])
    error_message = "Log groups are the ones Glue writes to (under /aws-glue/, which the key policy allows)."
  }
  assert {
    condition     = aws_sns_topic.alerts.kms_master_key_id == var.kms_key_arn
    error_message = "The alerts topic must be encrypted with the key."
  }
  assert {
    condition     = length(aws_sns_topic_subscription.email) == 0
    error_message = "No e-mail subscription without alert_email."
  }
  assert {
    condition = aws_cloudwatch_event_rule.failure["job-failed"].event_pattern == jsonencode({
      source        = ["aws.glue"]
      "detail-type" = ["Glue Job State Change"]
      detail        = { jobName = values(var.job_names), state = ["FAILED", "TIMEOUT", "ERROR"] }
    })
    error_message = "Job failures: Glue Job State Change in FAILED, TIMEOUT or ERROR, for the pipeline's jobs."
  }
  assert {
    condition     = jsonencode(jsondecode(aws_cloudwatch_event_rule.failure["crawler-failed"].event_pattern).detail) == jsonencode({ crawlerName = values(var.crawler_names), state = ["Failed"] })
    error_message = "Crawler failures: Glue Crawler State Change in Failed, for the pipeline's crawlers."
  }
  assert {
    condition     = length(jsondecode(aws_cloudwatch_dashboard.pipeline.dashboard_body).widgets) == 11
    error_message = "The dashboard shows alarms, duration, DPU usage, records, rows, failed tasks, data quality rules, S3 bytes and objects, catalog optimizers and cost per run."
  }
}

run "alerts_reach_the_topic_and_an_email" {
  command = apply

  module {
    source = "./modules/monitoring"
  }

  variables {
    alert_email         = "data-team@example.com"
    deletion_protection = true
  }

  assert {
    condition     = alltrue([for t in aws_cloudwatch_event_target.failure : t.arn == aws_sns_topic.alerts.arn])
    error_message = "Both rules must target the alerts topic."
  }
  assert {
    condition     = aws_sns_topic_subscription.email[0].protocol == "email" && aws_sns_topic_subscription.email[0].endpoint == "data-team@example.com"
    error_message = "alert_email must be subscribed."
  }
  assert {
    condition = alltrue([for s in jsondecode(aws_sns_topic_policy.alerts.policy).Statement :
    s.Effect == "Deny" || try(s.Principal.Service == "events.amazonaws.com" && length(s.Condition.ArnEquals["aws:SourceArn"]) == 3, false)])
    error_message = "Only the three EventBridge rules (job failed, crawler failed, alarm) may publish to the topic."
  }
  assert {
    condition     = alltrue([for g in aws_cloudwatch_log_group.glue : g.deletion_protection_enabled && g.skip_destroy])
    error_message = "With deletion protection, log groups are protected and kept on destroy."
  }
}

run "retention_must_be_a_cloudwatch_value" {
  command = plan

  module {
    source = "./modules/monitoring"
  }

  variables {
    log_retention_days = 45
  }

  expect_failures = [var.log_retention_days]
}

run "alarms_watch_failed_runs_a_stalled_workflow_and_long_runs" {
  command = plan

  module {
    source = "./modules/monitoring"
  }

  variables {
    workflow_schedule = "cron(15 2 * * ? *)"
  }

  assert {
    condition = jsondecode(aws_cloudwatch_event_rule.workflow_succeeded.event_pattern).detail == {
      jobName = ["etl-glue-pipeline-dev-load-job"], state = ["SUCCEEDED"]
    }
    error_message = "The workflow's success is its last job SUCCEEDED."
  }
  assert {
    condition = (aws_cloudwatch_metric_alarm.stalled_workflow[0].namespace == "AWS/Events"
      && aws_cloudwatch_metric_alarm.stalled_workflow[0].metric_name == "TriggeredRules"
      && aws_cloudwatch_metric_alarm.stalled_workflow[0].dimensions.RuleName == "etl-glue-pipeline-dev-workflow-succeeded"
      && aws_cloudwatch_metric_alarm.stalled_workflow[0].period == 3600
      && aws_cloudwatch_metric_alarm.stalled_workflow[0].evaluation_periods == 26
    && aws_cloudwatch_metric_alarm.stalled_workflow[0].datapoints_to_alarm == 26)
    error_message = "Stalled: every hour of the 26-hour window without a success of the load."
  }
  assert {
    condition = (aws_cloudwatch_metric_alarm.stalled_workflow[0].treat_missing_data == "breaching"
      && aws_cloudwatch_metric_alarm.stalled_workflow[0].comparison_operator == "LessThanThreshold"
    && aws_cloudwatch_metric_alarm.stalled_workflow[0].threshold == 1)
    error_message = "No data (nothing ran) counts as stalled."
  }
  assert {
    condition = keys(aws_cloudwatch_metric_alarm.long_run) == ["extract", "load", "transform"] && alltrue([
      for stage, alarm in aws_cloudwatch_metric_alarm.long_run :
      alarm.comparison_operator == "GreaterThanUpperThreshold" && alarm.threshold_metric_id == "usual"
      && anytrue([for q in alarm.metric_query : q.expression == "ANOMALY_DETECTION_BAND(elapsed, 3)"])
      && [for q in alarm.metric_query : [q.metric[0].metric_name, q.metric[0].dimensions.JobName] if length(q.metric) == 1] == [["glue.driver.aggregate.elapsedTime", var.job_names[stage]]]
    ])
    error_message = "One anomaly detection alarm per job on its elapsed time."
  }
  assert {
    condition = toset([for q in aws_cloudwatch_metric_alarm.failed_runs.metric_query : q.metric[0].dimensions.RuleName if length(q.metric) == 1]) == toset([
      "etl-glue-pipeline-dev-job-failed", "etl-glue-pipeline-dev-crawler-failed"
    ])
    error_message = "Failed runs: the job and crawler failure rules' matches."
  }
  assert {
    condition = jsondecode(aws_cloudwatch_event_rule.failure["alarm"].event_pattern).detail.alarmName == concat(
      ["etl-glue-pipeline-dev-failed-runs", "etl-glue-pipeline-dev-workflow-stalled"],
      [for stage in ["extract", "load", "transform"] : "etl-glue-pipeline-dev-${stage}-long-run"]
    )
    error_message = "Every alarm's ALARM state reaches the alerts topic through EventBridge."
  }
}

run "an_on_demand_workflow_has_no_stall_alarm" {
  command = plan

  module {
    source = "./modules/monitoring"
  }

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.stalled_workflow) == 0 && !contains(output.alarm_names, "etl-glue-pipeline-dev-workflow-stalled")
    error_message = "Without a schedule there is no expected window, so no stalled-workflow alarm."
  }
}

run "the_dashboard_shows_storage_quality_catalog_and_cost" {
  command = plan

  module {
    source = "./modules/monitoring"
  }

  assert {
    condition = [for m in jsondecode(aws_cloudwatch_dashboard.pipeline.dashboard_body).widgets[7].properties.metrics : slice(m, 0, 6)] == [
      for zone in ["curated", "processed", "quarantine", "raw"] :
      ["AWS/S3", "BucketSizeBytes", "BucketName", var.zone_bucket_names[zone], "StorageType", "StandardStorage"]
    ]
    error_message = "S3 bytes per zone: BucketSizeBytes of each zone's bucket, Standard storage."
  }
  assert {
    condition     = alltrue([for m in jsondecode(aws_cloudwatch_dashboard.pipeline.dashboard_body).widgets[8].properties.metrics : m[1] == "NumberOfObjects" && m[5] == "AllStorageTypes"])
    error_message = "S3 objects per zone: NumberOfObjects, all storage types."
  }
  assert {
    condition = [for m in jsondecode(aws_cloudwatch_dashboard.pipeline.dashboard_body).widgets[6].properties.metrics : m[0].expression] == [
      "SEARCH('Namespace=\"Glue Data Quality\" MetricName=\"glue.data.quality.rules.passed\"', 'Sum', 3600)",
      "SEARCH('Namespace=\"Glue Data Quality\" MetricName=\"glue.data.quality.rules.failed\"', 'Sum', 3600)",
    ]
    error_message = "Data quality: rules passed and failed from the Glue Data Quality namespace."
  }
  assert {
    condition     = strcontains(jsondecode(aws_cloudwatch_dashboard.pipeline.dashboard_body).widgets[9].properties.metrics[0][0].expression, "DatabaseName=\"etl_glue_pipeline_dev_curated\"")
    error_message = "Catalog statistics: the table optimizer metrics of the curated database."
  }
  assert {
    condition     = jsondecode(aws_cloudwatch_dashboard.pipeline.dashboard_body).widgets[10].properties.metrics[0][0].expression == "SEARCH('{etl-glue-pipeline,Env,JobName} MetricName=\"RunCost\" Env=\"dev\"', 'Sum', 86400)"
    error_message = "Cost per run: RunCost of this environment, as `etl-glue cost --publish` puts it."
  }
  assert {
    condition     = jsondecode(aws_cloudwatch_dashboard.pipeline.dashboard_body).widgets[0].type == "alarm"
    error_message = "The alarms' states come first."
  }
}

run "the_stall_window_must_fit_a_cloudwatch_alarm" {
  command = plan

  module {
    source = "./modules/monitoring"
  }

  variables {
    workflow_schedule = "cron(15 2 * * ? *)"
    stall_after_hours = 200
  }

  expect_failures = [var.stall_after_hours]
}
