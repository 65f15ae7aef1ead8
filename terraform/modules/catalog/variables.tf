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
  description = "Set the account's Data Catalog encryption settings (one per account and region): turn off when another stack already manages them."
  type        = bool
  default     = true
}
