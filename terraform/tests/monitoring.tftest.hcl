# Encrypted log groups with retention, encrypted alerts topic, failure rules for jobs and crawlers.

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
    condition     = length(jsondecode(aws_cloudwatch_dashboard.pipeline.dashboard_body).widgets) == 5
    error_message = "The dashboard shows duration, DPU usage, records, data quality and failed tasks."
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
    s.Effect == "Deny" || (s.Principal.Service == "events.amazonaws.com" && length(s.Condition.ArnEquals["aws:SourceArn"]) == 2)])
    error_message = "Only the two EventBridge rules may publish to the topic."
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
