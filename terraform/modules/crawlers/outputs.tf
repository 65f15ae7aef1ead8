output "crawler_names" {
  description = "Crawler name per zone (raw)."
  value       = { for zone, crawler in aws_glue_crawler.zone : zone => crawler.name }
}

output "crawler_targets" {
  description = "S3 paths each crawler reads, per zone."
  value       = { for zone in var.zones : zone => local.targets[zone] }
}

output "sources_crawler_name" {
  description = "The crawler of the source databases and DynamoDB tables (null when there are none)."
  value       = length(aws_glue_crawler.sources) > 0 ? aws_glue_crawler.sources[0].name : null
}

output "sources_crawler_dynamodb_targets" {
  description = "The DynamoDB tables the sources crawler samples (its dynamodb_target paths)."
  value       = length(aws_glue_crawler.sources) > 0 ? [for t in aws_glue_crawler.sources[0].dynamodb_target : t.path] : []
}
