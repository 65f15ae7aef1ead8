# Monitoring: encrypted log groups with retention, a dashboard, alarms and alerts. EventBridge
# catches every failed, timed-out or errored job run and every failed crawl (including runs that fail
# before emitting a metric) and publishes them to a KMS-encrypted SNS topic; CloudWatch alarms watch
# for a stalled workflow (no success within its window) and runs far longer than usual, and their
# ALARM state changes reach the same topic through EventBridge (so the topic and its key need no
# second publisher).

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
    alarm = {
      description = "A CloudWatch alarm of ${var.name_prefix} went into ALARM"
      pattern = {
        source        = ["aws.cloudwatch"]
        "detail-type" = ["CloudWatch Alarm State Change"]
        detail = {
          alarmName = local.alarm_names
          state     = { value = ["ALARM"] }
        }
      }
      message = "CloudWatch alarm <name> is <state>: <text>"
      paths = {
        name  = "$.detail.alarmName"
        state = "$.detail.state.value"
        text  = "$.detail.state.reason"
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

locals {
  # S3's storage metrics arrive once a day per bucket and storage type
  # (https://docs.aws.amazon.com/AmazonS3/latest/userguide/metrics-dimensions.html).
  storage_widget = {
    for key, spec in {
      bytes   = { title = "S3 storage per zone (bytes, Standard)", metric = "BucketSizeBytes", storage_type = "StandardStorage" }
      objects = { title = "S3 objects per zone", metric = "NumberOfObjects", storage_type = "AllStorageTypes" }
      } : key => {
      type   = "metric"
      width  = 12
      height = 6
      properties = {
        title  = spec.title
        region = var.region
        view   = "timeSeries"
        stat   = "Average"
        period = 86400
        metrics = [for zone, bucket in var.zone_bucket_names :
        ["AWS/S3", spec.metric, "BucketName", bucket, "StorageType", spec.storage_type, { label = zone }]]
      }
    }
  }

  # Glue Data Quality publishes glue.data.quality.rules.passed/failed per evaluation to the namespace
  # "Glue Data Quality" when a ruleset runs with enableDataQualityCloudWatchMetrics
  # (https://docs.aws.amazon.com/glue/latest/dg/data-quality-alerts.html).
  data_quality_widget = {
    type   = "metric"
    width  = 12
    height = 6
    properties = {
      title  = "Data quality rules passed and failed (Glue Data Quality)"
      region = var.region
      view   = "timeSeries"
      period = 3600
      metrics = [
        for outcome in ["passed", "failed"] : [{
          expression = "SEARCH('Namespace=\"Glue Data Quality\" MetricName=\"glue.data.quality.rules.${outcome}\"', 'Sum', 3600)"
          id         = outcome
          label      = "rules ${outcome}"
        }]
      ]
    }
  }

  # The Data Catalog's own CloudWatch metrics: the table optimizers' runs on the curated Iceberg
  # tables (compaction, snapshot retention, orphan file deletion), by DatabaseName
  # (https://docs.aws.amazon.com/glue/latest/dg/view-optimization-metrics.html).
  catalog_widget = {
    type   = "metric"
    width  = 12
    height = 6
    properties = {
      title  = "Catalog: table optimizers on ${var.curated_database}"
      region = var.region
      view   = "timeSeries"
      period = 86400
      metrics = [[{
        expression = "SEARCH('Namespace=\"AWS/Glue\" DatabaseName=\"${var.curated_database}\"', 'Sum', 86400)"
        id         = "optimizers"
      }]]
    }
  }

  # Dollars per job run. Glue reports a run's DPU-seconds only through its API (JobRun.DPUSeconds,
  # ExecutionTime x workers), not as a metric, so a metric math estimate from executor counts would
  # miss the driver, the 1-minute minimum and the FLEX rate; `etl-glue cost --publish` puts the
  # billed numbers (RunCost, DPUSeconds by Env and JobName) into the pipeline's namespace instead.
  cost_widget = {
    type   = "metric"
    width  = 12
    height = 6
    properties = {
      title  = "Cost per job run, dollars (etl-glue cost --publish)"
      region = var.region
      view   = "timeSeries"
      period = 86400
      metrics = [[{
        expression = "SEARCH('{${var.metrics_namespace},Env,JobName} MetricName=\"RunCost\" Env=\"${var.env}\"', 'Sum', 86400)"
        id         = "cost"
      }]]
    }
  }

  alarms_widget = {
    type   = "alarm"
    width  = 24
    height = 3
    properties = {
      title = "Alarms: failed runs, stalled workflow, runs far longer than usual"
      # Built from the names (not the resources' arn attributes) so the dashboard is known at plan.
      alarms = [for name in local.alarm_names : "arn:${var.partition}:cloudwatch:${var.region}:${var.account_id}:alarm:${name}"]
    }
  }
}

resource "aws_cloudwatch_dashboard" "pipeline" {
  dashboard_name = var.name_prefix
  dashboard_body = jsonencode({
    widgets = [
      local.alarms_widget,
      local.job_metric_widget.duration,
      local.job_metric_widget.dpu,
      local.job_metric_widget.records,
      local.quality_widget,
      local.failures_widget,
      local.data_quality_widget,
      local.storage_widget.bytes,
      local.storage_widget.objects,
      local.catalog_widget,
      local.cost_widget,
    ]
  })
}

# ---------------------------------------------------------------------------------------------
# Alarms
# ---------------------------------------------------------------------------------------------
locals {
  failed_runs_alarm = "${var.name_prefix}-failed-runs"
  stalled_alarm     = "${var.name_prefix}-workflow-stalled"
  long_run_alarms   = { for stage, job in var.job_names : stage => "${var.name_prefix}-${stage}-long-run" }
  alarm_names = concat([local.failed_runs_alarm], var.workflow_schedule == null ? [] : [local.stalled_alarm],
  values(local.long_run_alarms))
}

# The workflow's success: its last job SUCCEEDED. The rule needs no target: EventBridge counts the
# events each rule matches in AWS/Events TriggeredRules (dimension RuleName), which the stalled
# alarm reads (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-monitoring.html).
resource "aws_cloudwatch_event_rule" "workflow_succeeded" {
  name        = "${var.name_prefix}-workflow-succeeded"
  description = "The last job of ${var.name_prefix}'s workflow SUCCEEDED (counted for the stalled-workflow alarm)"
  event_pattern = jsonencode({
    source        = ["aws.glue"]
    "detail-type" = ["Glue Job State Change"]
    detail        = { jobName = [var.final_job_name], state = ["SUCCEEDED"] }
  })
}

# Failed runs: the failure rules' matches, as an alarm state on the dashboard. The rules themselves
# send the message (with the job, state, run and error), so this alarm sends nothing more.
resource "aws_cloudwatch_metric_alarm" "failed_runs" {
  alarm_name          = local.failed_runs_alarm
  alarm_description   = "A job or crawler of ${var.name_prefix} failed in the last hour; the alerts topic has its message, `etl-glue status` its run (docs/operations.md)."
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = 1
  evaluation_periods  = 1
  treat_missing_data  = "notBreaching"

  metric_query {
    id          = "failures"
    expression  = "FILL(jobs, 0) + FILL(crawlers, 0)"
    label       = "failed runs"
    return_data = true
  }
  dynamic "metric_query" {
    for_each = { jobs = "job-failed", crawlers = "crawler-failed" }
    content {
      id = metric_query.key
      metric {
        namespace   = "AWS/Events"
        metric_name = "TriggeredRules"
        dimensions  = { RuleName = aws_cloudwatch_event_rule.failure[metric_query.value].name }
        period      = 3600
        stat        = "Sum"
      }
    }
  }
}

# A stalled workflow: no success of its last job in stall_after_hours hours. Every hour without a
# match is missing data, treated as breaching, so the alarm fires when all of the window's hours
# are empty, also when nothing ran at all (a disabled trigger, a stuck crawler, a run still going).
resource "aws_cloudwatch_metric_alarm" "stalled_workflow" {
  count = var.workflow_schedule == null ? 0 : 1

  alarm_name          = local.stalled_alarm
  alarm_description   = "No successful run of ${var.final_job_name} in ${var.stall_after_hours} h although the workflow runs on ${coalesce(var.workflow_schedule, "-")}: see docs/operations.md, a stuck dataset."
  namespace           = "AWS/Events"
  metric_name         = "TriggeredRules"
  dimensions          = { RuleName = aws_cloudwatch_event_rule.workflow_succeeded.name }
  statistic           = "Sum"
  period              = 3600
  evaluation_periods  = var.stall_after_hours
  datapoints_to_alarm = var.stall_after_hours
  comparison_operator = "LessThanThreshold"
  threshold           = 1
  treat_missing_data  = "breaching"
}

# A run far longer than usual: the job's elapsed time (Glue's job metric, growing while the run
# goes on) above CloudWatch's anomaly detection band, trained on the job's past runs.
resource "aws_cloudwatch_metric_alarm" "long_run" {
  for_each = var.job_names

  alarm_name          = local.long_run_alarms[each.key]
  alarm_description   = "A run of ${each.value} is taking far longer than its usual runs (above the ${var.long_run_band_width}-standard-deviation band): `etl-glue status`, then its logs."
  comparison_operator = "GreaterThanUpperThreshold"
  evaluation_periods  = 1
  threshold_metric_id = "usual"
  treat_missing_data  = "notBreaching"

  metric_query {
    id          = "usual"
    expression  = "ANOMALY_DETECTION_BAND(elapsed, ${var.long_run_band_width})"
    label       = "usual run time"
    return_data = true
  }
  metric_query {
    id          = "elapsed"
    return_data = true
    metric {
      namespace   = "Glue"
      metric_name = "glue.driver.aggregate.elapsedTime"
      dimensions  = { JobName = each.value, JobRunId = "ALL", Type = "count" }
      period      = 300
      stat        = "Maximum"
    }
  }
}
