variable "name_prefix" {
  description = "Prefix of every resource name (<project>-<env>)."
  type        = string
}

variable "account_id" {
  description = "AWS account ID."
  type        = string
}

variable "region" {
  description = "AWS region."
  type        = string
}

variable "partition" {
  description = "AWS partition (aws, aws-cn, aws-us-gov)."
  type        = string
}

variable "bucket_arns" {
  description = "Bucket ARN per zone, from the data_lake module (raw, processed, curated, quarantine, scripts, temp, athena_results)."
  type        = map(string)

  validation {
    condition     = alltrue([for zone in ["raw", "processed", "curated", "quarantine", "scripts", "temp"] : contains(keys(var.bucket_arns), zone)])
    error_message = "bucket_arns must hold raw, processed, curated, quarantine, scripts and temp."
  }
}

variable "kms_key_arn" {
  description = "ARN of the pipeline's KMS key."
  type        = string
}

variable "database_names" {
  description = "Glue database name per zone (raw, processed, curated)."
  type        = map(string)
}

variable "raw_prefixes" {
  description = "Key prefixes in the raw bucket that the raw crawler reads (from config/datasets)."
  type        = list(string)
}

variable "glue_connection_names" {
  description = "Names of the Glue connections the jobs use (network, warehouse, JDBC sources)."
  type        = list(string)
}

variable "secret_arns" {
  description = "Secrets Manager secrets the jobs read through their connections (warehouse, JDBC sources)."
  type        = list(string)
  default     = []
}

variable "subnet_ids" {
  description = "Private subnets in which Glue creates the jobs' network interfaces."
  type        = list(string)
}

variable "security_group_ids" {
  description = "Security groups Glue attaches to the jobs' network interfaces."
  type        = list(string)
}

variable "metrics_namespace" {
  description = "CloudWatch namespace of the pipeline's own metrics (rows read, loaded, quarantined)."
  type        = string
}

variable "enable_redshift" {
  description = "Create the Redshift role (COPY/UNLOAD through the temp bucket)."
  type        = bool
}

variable "permissions_boundary_arn" {
  description = "Optional IAM permissions boundary attached to every role (many organisations require one)."
  type        = string
  default     = null
}

variable "enable_table_optimizers" {
  description = "Create the role of the Glue table optimizers (compaction, snapshot retention, orphan file deletion) of the curated Iceberg tables."
  type        = bool
  default     = false
}

variable "catalog_encryption_key_arn" {
  description = "KMS key that encrypts the account's Data Catalog when a platform team manages its encryption (null: the catalog is not encrypted with a customer key, or this stack's key is used)."
  type        = string
  default     = null
}

variable "dynamodb_tables" {
  description = "DynamoDB tables the datasets read: the jobs may scan and export them, the sources crawler sample them."
  type        = list(string)
  default     = []
}

variable "dynamodb_export_prefix" {
  description = "Where in the temp bucket DynamoDB writes the exports the extract asks for: the jobs' --TempDir (glue/) and the extract's dynamodb-export/<dataset>."
  type        = string
  default     = "glue/dynamodb-export/"

  validation {
    condition     = can(regex("^[A-Za-z0-9!_.*'()/-]+/$", var.dynamodb_export_prefix)) && !startswith(var.dynamodb_export_prefix, "/")
    error_message = "dynamodb_export_prefix is a key prefix in the temp bucket ending in /, e.g. glue/dynamodb-export/."
  }
}

variable "crawled_connection_names" {
  description = "Glue connections of the source databases the sources crawler catalogs (jdbc_target)."
  type        = list(string)
  default     = []
}

variable "crawled_secret_arns" {
  description = "Secrets of the crawled source databases."
  type        = list(string)
  default     = []
}
