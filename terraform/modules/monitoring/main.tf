# Monitoring: encrypted log groups with retention, a dashboard, and failure alerts. EventBridge
# catches every failed, timed-out or errored job run and every failed crawl (including runs that fail
# before emitting a metric) and publishes them to a KMS-encrypted SNS topic.

locals {
  # With a security configuration that encrypts CloudWatch logs, Glue writes to log groups named
  # after the configuration and the role. Creating them here first gives them retention and the key.
  log_group_names = [
    "/aws-glue/jobs/${var.security_configuration_name}-role/${var.job_role_name}/output",
    "/aws-glue/jobs/${var.security_configuration_name}-role/${var.job_role_name}/error",
    "/aws-glue/jobs/logs-v2-${var.security_configuration_name}",
    "/aws-glue/crawlers-role/${var.crawler_role_name}-${var.security_configuration_name}",
  ]
}

resource "aws_cloudwatch_log_group" "glue" {
  for_each = toset(local.log_group_names)

  name                        = each.value
  retention_in_days           = var.log_retention_days
  kms_key_id                  = var.kms_key_arn
  deletion_protection_enabled = var.deletion_protection
  skip_destroy                = var.deletion_protection
}

# ---------------------------------------------------------------------------------------------
# Alerts
# ---------------------------------------------------------------------------------------------
resource "aws_sns_topic" "alerts" {
  name              = "${var.name_prefix}-alerts"
  display_name      = "${var.name_prefix} pipeline alerts"
  kms_master_key_id = var.kms_key_arn
}

resource "aws_sns_topic_subscription" "email" {
  count = var.alert_email == null ? 0 : 1

  topic_arn = aws_sns_topic.alerts.arn
  protocol  = "email"
  endpoint  = var.alert_email
}

locals {
  rules = {
    job-failed = {
      description = "A Glue job of ${var.name_prefix} FAILED, TIMED OUT or ERRORED"
      pattern = {
        source        = ["aws.glue"]
        "detail-type" = ["Glue Job State Change"]
        detail = {
          jobName = values(var.job_names)
          state   = ["FAILED", "TIMEOUT", "ERROR"]
        }
      }
      message = "Glue job <name> ended <state> (run <run>): <text>"
      paths = {
        name  = "$.detail.jobName"
        state = "$.detail.state"
        run   = "$.detail.jobRunId"
        text  = "$.detail.message"
      }
    }
    crawler-failed = {
      description = "A Glue crawler of ${var.name_prefix} failed"
      pattern = {
        source        = ["aws.glue"]
        "detail-type" = ["Glue Crawler State Change"]
        detail = {
          crawlerName = values(var.crawler_names)
          state       = ["Failed"]
        }
      }
      message = "Glue crawler <name> <state>: <text>"
      paths = {
        name  = "$.detail.crawlerName"
        state = "$.detail.state"
        text  = "$.detail.errorMessage"
      }
    }
  }
  rule_arns = [for key in keys(local.rules) : "arn:${var.partition}:events:${var.region}:${var.account_id}:rule/${var.name_prefix}-${key}"]
}

resource "aws_cloudwatch_event_rule" "failure" {
  for_each = local.rules

  name          = "${var.name_prefix}-${each.key}"
  description   = each.value.description
  event_pattern = jsonencode(each.value.pattern)
}

resource "aws_cloudwatch_event_target" "failure" {
  for_each = local.rules

  rule      = aws_cloudwatch_event_rule.failure[each.key].name
  target_id = "sns-alerts"
  arn       = aws_sns_topic.alerts.arn

  input_transformer {
    input_paths    = each.value.paths
    input_template = jsonencode(each.value.message)
  }
}

resource "aws_sns_topic_policy" "alerts" {
  arn = aws_sns_topic.alerts.arn
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "EventBridgeFailureRulesPublish"
        Effect    = "Allow"
        Principal = { Service = "events.amazonaws.com" }
        Action    = ["sns:Publish"]
        Resource  = [aws_sns_topic.alerts.arn]
        Condition = { ArnEquals = { "aws:SourceArn" = local.rule_arns } }
      },
      {
        Sid       = "DenyInsecureTransport"
        Effect    = "Deny"
        Principal = "*"
        Action    = ["sns:Publish", "sns:Subscribe"]
        Resource  = [aws_sns_topic.alerts.arn]
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      },
    ]
  })
}

# ---------------------------------------------------------------------------------------------
# Dashboard
# ---------------------------------------------------------------------------------------------
locals {
  jobs = values(var.job_names)

  job_metric_widget = {
    for key, spec in {
      duration = { title = "Job duration (ms, per run)", metric = "glue.driver.aggregate.elapsedTime", type = "count", stat = "Maximum" }
      dpu      = { title = "Executors allocated (DPU usage under auto scaling)", metric = "glue.driver.ExecutorAllocationManager.executors.numberAllExecutors", type = "gauge", stat = "Maximum" }
      records  = { title = "Records read", metric = "glue.driver.aggregate.recordsRead", type = "count", stat = "Sum" }
      } : key => {
      type   = "metric"
      width  = 12
      height = 6
      properties = {
        title   = spec.title
        region  = var.region
        view    = "timeSeries"
        stat    = spec.stat
        period  = 300
        metrics = [for job in local.jobs : ["Glue", spec.metric, "JobName", job, "JobRunId", "ALL", "Type", spec.type]]
      }
    }
  }

  quality_widget = {
    type   = "metric"
    width  = 12
    height = 6
    properties = {
      title  = "Data quality: rows read, loaded, quarantined per dataset"
      region = var.region
      view   = "timeSeries"
      period = 3600
      metrics = [
        for metric in ["RowsRead", "RowsLoaded", "RowsQuarantined"] : [{
          expression = "SEARCH('{${var.metrics_namespace},Env,Dataset} MetricName=\"${metric}\" Env=\"${var.env}\"', 'Sum', 3600)"
          id         = lower(metric)
          label      = metric
        }]
      ]
    }
  }

  failures_widget = {
    type   = "metric"
    width  = 12
    height = 6
    properties = {
      title   = "Failed tasks per job"
      region  = var.region
      view    = "timeSeries"
      stat    = "Sum"
      period  = 300
      metrics = [for job in local.jobs : ["Glue", "glue.driver.aggregate.numFailedTasks", "JobName", job, "JobRunId", "ALL", "Type", "count"]]
    }
  }
}

resource "aws_cloudwatch_dashboard" "pipeline" {
  dashboard_name = var.name_prefix
  dashboard_body = jsonencode({
    widgets = [
      local.job_metric_widget.duration,
      local.job_metric_widget.dpu,
      local.job_metric_widget.records,
      local.quality_widget,
      local.failures_widget,
    ]
  })
}
