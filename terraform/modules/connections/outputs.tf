output "network_connection_name" {
  description = "Name of the NETWORK connection every job uses."
  value       = aws_glue_connection.network.name
}

output "reference_db_connection_name" {
  description = "Name of the reference database connection (null when no JDBC URL is given)."
  value       = local.reference_enabled ? aws_glue_connection.reference_db[0].name : null
}

output "secret_arns" {
  description = "Secrets behind these connections (the jobs' role may read them)."
  value       = local.reference_enabled ? [var.reference_db_secret_arn] : []
}
