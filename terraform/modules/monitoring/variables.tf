variable "name_prefix" {
  description = "Prefix of every resource name (<project>-<env>)."
  type        = string
}

variable "env" {
  description = "Environment (dimension of the pipeline's own metrics)."
  type        = string
}

variable "region" {
  description = "AWS region (dashboard widgets)."
  type        = string
}

variable "account_id" {
  description = "AWS account ID."
  type        = string
}

variable "partition" {
  description = "AWS partition."
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key for log groups and the SNS topic."
  type        = string
}

variable "job_names" {
  description = "Glue job name per stage."
  type        = map(string)
}

variable "crawler_names" {
  description = "Glue crawler name per zone."
  type        = map(string)
}

variable "security_configuration_name" {
  description = "Glue security configuration of the jobs and crawlers (part of the log group names Glue uses)."
  type        = string
}

variable "job_role_name" {
  description = "Role of the Glue jobs (part of their log group names)."
  type        = string
}

variable "crawler_role_name" {
  description = "Role of the crawlers (part of their log group name)."
  type        = string
}

variable "log_retention_days" {
  description = "Retention of the log groups, in days (a value CloudWatch Logs accepts)."
  type        = number
  default     = 90

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a retention CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, ... 3653)."
  }
}

variable "deletion_protection" {
  description = "Protect log groups from deletion (and keep them when the stack is destroyed)."
  type        = bool
  default     = false
}

variable "alert_email" {
  description = "E-mail address subscribed to failure alerts (null: no subscription; confirm the e-mail AWS sends)."
  type        = string
  default     = null

  validation {
    condition     = var.alert_email == null || can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", var.alert_email))
    error_message = "alert_email must be an e-mail address or null."
  }
}

variable "metrics_namespace" {
  description = "CloudWatch namespace of the pipeline's own metrics (RowsRead, RowsLoaded, RowsQuarantined by Env and Dataset)."
  type        = string
}

variable "final_job_name" {
  description = "The workflow's last job (the load): its SUCCEEDED state is the workflow's success, which the stalled-workflow alarm waits for."
  type        = string
}

variable "workflow_schedule" {
  description = "cron() of the workflow's start trigger (null: ON_DEMAND, no stalled-workflow alarm)."
  type        = string
  default     = null
}

variable "stall_after_hours" {
  description = "Hours without a successful run (of final_job_name) after which a scheduled workflow counts as stalled: the schedule's interval plus the run's usual length and some slack (26 for a daily run). CloudWatch evaluates at most 7 days."
  type        = number
  default     = 26

  validation {
    condition     = var.stall_after_hours >= 1 && var.stall_after_hours <= 168 && floor(var.stall_after_hours) == var.stall_after_hours
    error_message = "stall_after_hours must be a whole number of hours from 1 to 168 (a CloudWatch alarm evaluates at most 7 days)."
  }
}

variable "long_run_band_width" {
  description = "Width, in standard deviations, of the anomaly detection band on each job's run time: a run above it alarms as far longer than usual."
  type        = number
  default     = 3
}

variable "zone_bucket_names" {
  description = "Bucket per data lake zone whose S3 storage the dashboard charts (raw, processed, curated, quarantine)."
  type        = map(string)
}

variable "curated_database" {
  description = "Glue database of the curated Iceberg tables (the dashboard's catalog statistics: table optimizer metrics)."
  type        = string
}
