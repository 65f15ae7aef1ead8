output "database_names" {
  description = "Glue database name per zone."
  value       = { for zone, db in aws_glue_catalog_database.zone : zone => db.name }
}

output "security_configuration_name" {
  description = "Name of the Glue security configuration."
  value       = aws_glue_security_configuration.this.name
}

output "table_optimizers" {
  description = "Table optimizers created, as <table>/<type>."
  value       = keys(aws_glue_catalog_table_optimizer.curated)
}
