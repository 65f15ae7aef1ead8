output "bucket_names" {
  description = "Bucket name per zone (raw, processed, curated, quarantine, scripts, temp, athena_results, access_logs)."
  value       = module.data_lake.bucket_names
}

output "scripts_bucket_name" {
  description = "Scripts bucket (make upload-scripts reads this output)."
  value       = module.data_lake.bucket_names.scripts
}

output "raw_bucket_name" {
  description = "Raw zone bucket: where source systems (or you) put the raw files."
  value       = module.data_lake.bucket_names.raw
}

output "curated_bucket_name" {
  description = "Curated zone bucket: the Iceberg warehouse (data and metadata of the curated tables)."
  value       = module.data_lake.bucket_names.curated
}

output "kms_key_arn" {
  description = "The pipeline's KMS key."
  value       = module.data_lake.kms_key_arn
}

output "job_names" {
  description = "Glue job name per stage."
  value       = module.jobs.job_names
}

output "iceberg_catalog" {
  description = "Iceberg Spark catalog name of the curated tables (the jobs' --conf)."
  value       = module.config.iceberg_catalog
}

output "table_optimizers" {
  description = "Glue table optimizers of the curated tables (<table>/<type>; empty unless enable_table_optimizers)."
  value       = module.catalog.table_optimizers
}

output "private_route_table_ids" {
  description = "Route tables of the private subnets, looked up from them (the S3 gateway endpoint is on each)."
  value       = module.network.route_table_ids
}

output "crawler_names" {
  description = "Glue crawler name per zone (raw)."
  value       = module.crawlers.crawler_names
}

output "workflow_name" {
  description = "Glue workflow name (aws glue start-workflow-run --name ...)."
  value       = module.workflow.workflow_name
}

output "workflow_trigger_chain" {
  description = "Jobs and crawlers in the order the workflow's triggers start them."
  value       = module.workflow.trigger_chain
}

output "workflow_start_events" {
  description = "workflow_start = event: per EventBridge rule, the event pattern (JSON) or schedule that starts the workflow; empty otherwise."
  value       = module.workflow.start_events
}

output "database_names" {
  description = "Glue database per zone."
  value       = module.catalog.database_names
}

output "redshift_endpoint" {
  description = "Redshift Serverless endpoint address (null when disabled)."
  value       = module.redshift.endpoint_address
}

output "redshift_workgroup_name" {
  description = "Redshift Serverless workgroup (null when disabled)."
  value       = module.redshift.workgroup_name
}

output "redshift_admin_secret_arn" {
  description = "Secrets Manager secret with the Redshift admin credentials (null when disabled): aws redshift-data execute-statement --secret-arn ..."
  value       = module.redshift.admin_secret_arn
}

output "redshift_loader_secret_arn" {
  description = "Secret of the load job's warehouse user (null when disabled): filled once, see docs/deployment-guide.md."
  value       = module.redshift.loader_secret_arn
}

output "redshift_loader_username" {
  description = "Redshift user the load job connects as."
  value       = module.redshift.loader_username
}

output "redshift_namespace_protected" {
  description = "true when the warehouse namespace is under prevent_destroy (deletion_protection)."
  value       = module.redshift.protected
}

output "warehouse_connection_name" {
  description = "Glue connection of the warehouse, or none."
  value       = module.redshift.connection_name
}

output "athena_workgroup_name" {
  description = "Athena workgroup for the curated zone."
  value       = module.athena.workgroup_name
}

output "sns_topic_arn" {
  description = "SNS topic receiving job and crawler failure alerts."
  value       = module.monitoring.sns_topic_arn
}

output "dashboard_name" {
  description = "CloudWatch dashboard of the pipeline."
  value       = module.monitoring.dashboard_name
}

output "crawler_targets" {
  description = "S3 paths each crawler reads (from config/datasets), per zone."
  value       = module.crawlers.crawler_targets
}
