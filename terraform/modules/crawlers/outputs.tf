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
