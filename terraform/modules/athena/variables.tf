variable "name_prefix" {
  description = "Prefix of every resource name (<project>-<env>)."
  type        = string
}

variable "results_bucket_name" {
  description = "Bucket for query results."
  type        = string
}

variable "account_id" {
  description = "Expected owner of the results bucket."
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key that encrypts query results."
  type        = string
}

variable "bytes_scanned_cutoff_per_query" {
  description = "Queries that would scan more bytes than this are cancelled (a cost guard; at least 10 MB)."
  type        = number
  default     = 10737418240 # 10 GiB

  validation {
    condition     = var.bytes_scanned_cutoff_per_query >= 10485760
    error_message = "bytes_scanned_cutoff_per_query must be at least 10485760 (10 MB), Athena's minimum."
  }
}

variable "curated_database" {
  description = "Glue database of the curated zone."
  type        = string
}

variable "datasets" {
  description = "Datasets from config/: curated_table and primary_key are used for the named queries."
  type = map(object({
    curated_table = string
    primary_key   = list(string)
  }))
}

variable "force_destroy" {
  description = "Let destroy delete the workgroup with its saved queries and history."
  type        = bool
  default     = false
}
