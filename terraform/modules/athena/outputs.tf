output "workgroup_name" {
  description = "Athena workgroup name."
  value       = aws_athena_workgroup.this.name
}

output "named_queries" {
  description = "Named query names with their SQL."
  value       = { for key, q in aws_athena_named_query.curated : q.name => q.query }
}
