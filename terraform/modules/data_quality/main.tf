# Glue Data Quality for the curated tables: each dataset's DQDL ruleset (config/datasets/<name>.yaml,
# quality.rules, the same text the transform job evaluates) registered on its curated table, so the
# Glue console's Data Quality tab shows it, and an alarm per dataset on the rules that failed in the
# transform job's evaluation, to the pipeline's alerts topic.

resource "aws_glue_data_quality_ruleset" "curated" {
  for_each = var.rulesets

  name        = "${var.name_prefix}-${each.key}"
  description = "Data quality rules of dataset ${each.key} (config/datasets/${each.key}.yaml), evaluated by the transform job."
  ruleset     = each.value.ruleset

  target_table {
    database_name = var.curated_database
    table_name    = each.value.curated_table
  }
}

# The transform job publishes Glue Data Quality's CloudWatch metrics per evaluation context (the
# dataset's name), under the dimensions EvaluationContext and JobName. Rules with outcome `warn`
# are expected to fail at times (e.g. diverted flights) and count among the failed rules too, so
# the alarm fires when more rules fail than the dataset has warn rules. A failed `fail` rule also
# fails the job, which the monitoring module's job-failure rule reports.
resource "aws_cloudwatch_metric_alarm" "rules_failed" {
  for_each = var.rulesets

  alarm_name          = "${var.name_prefix}-${each.key}-data-quality-rules-failed"
  alarm_description   = "Data quality rules of dataset ${each.key} failed in ${var.transform_job_name} beyond its ${each.value.warn_rules} warn rule(s): see the transform run report and the quarantine zone."
  namespace           = "Glue Data Quality"
  metric_name         = "glue.data.quality.rules.failed"
  dimensions          = { JobName = var.transform_job_name, EvaluationContext = each.key }
  statistic           = "Maximum"
  period              = 3600
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = each.value.warn_rules
  treat_missing_data  = "notBreaching"
  alarm_actions       = [var.alerts_topic_arn]
}
