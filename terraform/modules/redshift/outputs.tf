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
  description = "Secrets Manager secret of the admin credentials (null when disabled): for the Redshift Data API's --secret-arn and the one-time creation of the load user."
  value       = var.enabled ? local.warehouse.admin_password_secret_arn : null
}

output "loader_secret_arn" {
  description = "Secret of the load job's warehouse user (null when disabled); filled once by the deployment guide's step."
  value       = var.enabled ? aws_secretsmanager_secret.loader[0].arn : null
}

output "loader_username" {
  description = "Redshift user the load job connects as."
  value       = var.loader_username
}

output "secret_arns" {
  description = "Secrets the load job reads through the connection (the load user's, never the admin's)."
  value       = aws_secretsmanager_secret.loader[*].arn
}

output "protected" {
  description = "Whether the namespace (the warehouse's data) is the prevent_destroy one."
  value       = length(aws_redshiftserverless_namespace.protected) == 1
}

output "workgroup_name" {
  description = "Workgroup name (null when disabled)."
  value       = var.enabled ? aws_redshiftserverless_workgroup.this[0].workgroup_name : null
}

output "namespace_name" {
  description = "Namespace name (null when disabled)."
  value       = var.enabled ? local.warehouse.namespace_name : null
}
