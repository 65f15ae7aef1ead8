output "sns_topic_arn" {
  description = "ARN of the alerts topic."
  value       = aws_sns_topic.alerts.arn
}

output "log_group_names" {
  description = "Log groups created."
  value       = [for g in aws_cloudwatch_log_group.glue : g.name]
}

output "dashboard_name" {
  description = "Name of the CloudWatch dashboard."
  value       = aws_cloudwatch_dashboard.pipeline.dashboard_name
}

output "event_rule_names" {
  description = "EventBridge rules that publish failures."
  value       = [for r in aws_cloudwatch_event_rule.failure : r.name]
}

output "alarm_names" {
  description = "CloudWatch alarms: failed runs, stalled workflow (scheduled workflows only), a run far longer than usual per job."
  value       = local.alarm_names
}
