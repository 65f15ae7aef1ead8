output "connection_name" {
  description = "Glue connection to the warehouse, or \"none\" when Redshift is disabled (the load job's --warehouse_connection)."
  value       = var.enabled ? aws_glue_connection.redshift[0].name : "none"
}

output "database_name" {
  description = "Redshift database name."
  value       = var.database_name
}

output "endpoint_address" {
  description = "Hostname of the workgroup endpoint (null when disabled)."
  value       = var.enabled ? aws_redshiftserverless_workgroup.this[0].endpoint[0].address : null
}

output "port" {
  description = "Port of the workgroup endpoint."
  value       = var.port
}

output "admin_secret_arn" {
  description = "Secrets Manager secret of the admin credentials (null when disabled)."
  value       = var.enabled ? aws_redshiftserverless_namespace.this[0].admin_password_secret_arn : null
}

output "secret_arns" {
  description = "Secrets the load job reads through the connection."
  value       = var.enabled ? [aws_redshiftserverless_namespace.this[0].admin_password_secret_arn] : []
}

output "workgroup_name" {
  description = "Workgroup name (null when disabled)."
  value       = var.enabled ? aws_redshiftserverless_workgroup.this[0].workgroup_name : null
}

output "namespace_name" {
  description = "Namespace name (null when disabled)."
  value       = var.enabled ? aws_redshiftserverless_namespace.this[0].namespace_name : null
}
