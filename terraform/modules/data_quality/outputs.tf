output "ruleset_names" {
  description = "Glue Data Quality ruleset name per dataset."
  value       = { for name, ruleset in aws_glue_data_quality_ruleset.curated : name => ruleset.name }
}

output "alarm_names" {
  description = "Failed-rules alarm name per dataset."
  value       = { for name, alarm in aws_cloudwatch_metric_alarm.rules_failed : name => alarm.alarm_name }
}
