variable "name_prefix" {
  description = "Prefix of every resource name (<project>-<env>)."
  type        = string
}

variable "database_names" {
  description = "Glue database name per zone (raw, processed, curated)."
  type        = map(string)

  validation {
    condition     = alltrue([for name in values(var.database_names) : can(regex("^[a-z0-9_]{1,255}$", name))])
    error_message = "Glue database names may hold only lowercase letters, digits and underscores."
  }
}

variable "bucket_names" {
  description = "Bucket name per zone; each database's location is its zone's bucket."
  type        = map(string)
}

variable "kms_key_arn" {
  description = "KMS key for the catalog, connection passwords, and the security configuration."
  type        = string
}

variable "manage_catalog_encryption" {
  description = "Set the account's Data Catalog encryption settings (one per account and region) with this environment's key. Off by default: a platform team manages them once per account with a long-lived key."
  type        = bool
  default     = false
}

variable "account_id" {
  description = "AWS account ID (the Data Catalog's ID, for table optimizers)."
  type        = string
}

variable "curated_tables" {
  description = "Names of the curated Iceberg tables (config/datasets targets.curated.table)."
  type        = list(string)
  default     = []
}

variable "enable_table_optimizers" {
  description = "Run Glue's compaction, snapshot retention and orphan file deletion on the curated tables. Turn on after the first load created them."
  type        = bool
  default     = false
}

variable "table_optimizer_role_arn" {
  description = "Role the table optimizers run with (iam module); required with enable_table_optimizers."
  type        = string
  default     = null
}

variable "snapshot_retention_days" {
  description = "Days an Iceberg snapshot is kept for time travel and rollback before the retention optimizer expires it."
  type        = number
  default     = 7

  validation {
    condition     = var.snapshot_retention_days >= 1
    error_message = "snapshot_retention_days must be at least 1."
  }
}

variable "orphan_file_retention_days" {
  description = "Days a file that no snapshot references is kept before the orphan file deletion optimizer removes it."
  type        = number
  default     = 3

  validation {
    condition     = var.orphan_file_retention_days >= 1
    error_message = "orphan_file_retention_days must be at least 1."
  }
}
