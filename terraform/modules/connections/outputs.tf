output "network_connection_name" {
  description = "Name of the NETWORK connection every job uses."
  value       = aws_glue_connection.network.name
}

output "source_connection_names" {
  description = "Glue connection per source database, by logical name."
  value       = { for key, connection in aws_glue_connection.source : key => connection.name }
}

output "fallback_datasets" {
  description = "JDBC datasets whose database is not provisioned: the extract reads their CSV fallback."
  value       = local.fallback_datasets
}

output "secret_arns" {
  description = "Secrets behind these connections (the jobs' and the crawler's roles may read them)."
  value       = [for db in values(var.source_databases) : db.secret_arn]
}

output "extract_reads_warehouse" {
  description = "Whether a dataset reads the Redshift warehouse (the extract job then uses the warehouse connection too)."
  value       = local.reads_warehouse
}
