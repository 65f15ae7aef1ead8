output "workflow_name" {
  description = "Name of the Glue workflow."
  value       = aws_glue_workflow.this.name
}

output "trigger_chain" {
  description = "Resources in the order the triggers start them (start trigger first)."
  value       = [for r in local.resources : r.resource]
}

output "start_trigger_type" {
  description = "SCHEDULED, ON_DEMAND or EVENT."
  value       = aws_glue_trigger.start.type
}

output "start_events" {
  description = "start_mode event: what starts the workflow, per EventBridge rule name: its event pattern (JSON) or its schedule. Empty in schedule mode."
  value       = { for rule in aws_cloudwatch_event_rule.start : rule.name => coalesce(rule.event_pattern, rule.schedule_expression) }
}
