output "glue_job_role_arn" {
  description = "ARN of the Glue jobs' role."
  value       = aws_iam_role.glue_job.arn
}

output "glue_job_role_name" {
  description = "Name of the Glue jobs' role."
  value       = aws_iam_role.glue_job.name
}

output "crawler_role_arn" {
  description = "ARN of the raw crawler's role."
  value       = aws_iam_role.crawler.arn
}

output "crawler_role_name" {
  description = "Name of the crawlers' role."
  value       = aws_iam_role.crawler.name
}

output "redshift_role_arn" {
  description = "ARN of the Redshift role (null when Redshift is disabled)."
  value       = var.enable_redshift ? aws_iam_role.redshift[0].arn : null
}

output "table_optimizer_role_arn" {
  description = "ARN of the table optimizers' role (null unless enable_table_optimizers)."
  value       = var.enable_table_optimizers ? aws_iam_role.table_optimizer[0].arn : null
}

output "role_arns" {
  description = "All roles of the pipeline (the key policy lets exactly these use the key)."
  value       = concat([aws_iam_role.glue_job.arn, aws_iam_role.crawler.arn], aws_iam_role.redshift[*].arn, aws_iam_role.table_optimizer[*].arn)
}

output "dynamodb_statements" {
  description = "The jobs' policy statements for the DynamoDB sources (reads, exports and the export prefix), for tests and reviews."
  value       = local.dynamodb_statements
}
