variable "name_prefix" {
  description = "Prefix of every resource name (<project>-<env>)."
  type        = string
}

variable "account_id" {
  description = "AWS account ID: part of each bucket name (bucket names are global) and of the key policy."
  type        = string
}

variable "region" {
  description = "AWS region of the deployment (for the CloudWatch Logs service principal)."
  type        = string
}

variable "partition" {
  description = "AWS partition (aws, aws-cn, aws-us-gov)."
  type        = string
}

variable "key_user_role_arns" {
  description = "IAM roles of the pipeline (Glue jobs, crawlers, Redshift) that encrypt and decrypt with the key directly."
  type        = list(string)

  validation {
    condition     = length(var.key_user_role_arns) > 0 && alltrue([for arn in var.key_user_role_arns : can(regex("^arn:[a-z-]+:iam::[0-9]{12}:role/", arn))])
    error_message = "key_user_role_arns must list at least one IAM role ARN."
  }
}

variable "key_via_services" {
  description = "Services (short names, e.g. s3, secretsmanager) through which IAM principals of the account may use the key, when their own IAM policy allows it."
  type        = list(string)
  default     = ["s3", "secretsmanager", "glue", "redshift-serverless", "athena"]
}

variable "log_group_name_patterns" {
  description = "CloudWatch Logs log group names (wildcards allowed) whose data the logs service may encrypt with the key."
  type        = list(string)
}

variable "kms_deletion_window_days" {
  description = "Waiting period before a scheduled key deletion completes (7-30 days)."
  type        = number
  default     = 30

  validation {
    condition     = var.kms_deletion_window_days >= 7 && var.kms_deletion_window_days <= 30
    error_message = "kms_deletion_window_days must be between 7 and 30."
  }
}

variable "force_destroy" {
  description = "Let `terraform destroy` delete buckets that still hold objects. Keep false where data matters (prod)."
  type        = bool
  default     = false
}

variable "raw_events_to_eventbridge" {
  description = "Send the raw bucket's S3 events to Amazon EventBridge (needed when the workflow starts on uploads)."
  type        = bool
  default     = false
}

variable "noncurrent_version_expiration_days" {
  description = "Days after which a replaced or deleted object version is removed for good."
  type        = number
  default     = 90

  validation {
    condition     = var.noncurrent_version_expiration_days >= 1
    error_message = "noncurrent_version_expiration_days must be at least 1."
  }
}

variable "temp_expiration_days" {
  description = "Days after which objects in the temp bucket (Glue TempDir, Spark checkpoints, Redshift staging) expire."
  type        = number
  default     = 7

  validation {
    condition     = var.temp_expiration_days >= 1
    error_message = "temp_expiration_days must be at least 1."
  }
}

variable "athena_results_expiration_days" {
  description = "Days after which Athena query results expire."
  type        = number
  default     = 30

  validation {
    condition     = var.athena_results_expiration_days >= 1
    error_message = "athena_results_expiration_days must be at least 1."
  }
}

variable "access_log_expiration_days" {
  description = "Days after which S3 server access logs expire."
  type        = number
  default     = 365

  validation {
    condition     = var.access_log_expiration_days >= 1
    error_message = "access_log_expiration_days must be at least 1."
  }
}
