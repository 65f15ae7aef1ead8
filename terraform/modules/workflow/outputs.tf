output "workflow_name" {
  description = "Name of the Glue workflow."
  value       = aws_glue_workflow.this.name
}

output "trigger_chain" {
  description = "Resources in the order the triggers start them (start trigger first)."
  value       = [for r in local.resources : r.resource]
}

output "start_trigger_type" {
  description = "SCHEDULED or ON_DEMAND."
  value       = aws_glue_trigger.start.type
}
