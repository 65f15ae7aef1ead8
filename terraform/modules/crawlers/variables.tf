variable "name_prefix" {
  description = "Prefix of every resource name (<project>-<env>)."
  type        = string
}

variable "zones" {
  description = "Crawler steps of the workflow (raw), from config/pipeline.yaml."
  type        = list(string)

  validation {
    condition     = alltrue([for zone in var.zones : zone == "raw"])
    error_message = "Only the raw zone has a crawler: the curated Iceberg tables are registered by the load job (remove the curated crawler step from config/pipeline.yaml)."
  }
}

variable "database_names" {
  description = "Glue database name per zone."
  type        = map(string)
}

variable "bucket_names" {
  description = "Bucket name per zone."
  type        = map(string)
}

variable "datasets" {
  description = "Datasets from config/ (pipeline_config's output): raw_prefixes is used."
  type = map(object({
    raw_prefixes = list(string)
  }))
}

variable "role_arn" {
  description = "IAM role of the crawlers."
  type        = string
}

variable "security_configuration_name" {
  description = "Glue security configuration (encrypted CloudWatch logs)."
  type        = string
}

variable "jdbc_targets" {
  description = "Source databases to catalog: [{connection_name, path}] (path: database/schema/% or database/%)."
  type        = list(object({ connection_name = string, path = string }))
  default     = []
}

variable "dynamodb_tables" {
  description = "DynamoDB tables to catalog (the datasets' dynamodb sources)."
  type        = list(string)
  default     = []
}
