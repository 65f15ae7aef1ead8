variable "name_prefix" {
  description = "Prefix of every resource name (<project>-<env>)."
  type        = string
}

variable "env" {
  description = "Environment, passed to the jobs as --env."
  type        = string
}

variable "stages" {
  description = "Job steps of the workflow (from config/pipeline.yaml): extract, transform, load."
  type        = list(string)

  validation {
    condition     = length(var.stages) > 0 && alltrue([for s in var.stages : contains(["extract", "transform", "load"], s)])
    error_message = "Job stages must be among extract, transform and load (the scripts in src/glue/)."
  }
}

variable "role_arn" {
  description = "IAM role of the jobs."
  type        = string
}

variable "script_locations" {
  description = "S3 URI of each stage's script (code_upload output)."
  type        = map(string)
}

variable "library_uri" {
  description = "S3 URI of the library zip, passed as --extra-py-files."
  type        = string
}

variable "config_uri" {
  description = "S3 URI of the uploaded config/ folder, passed as --config_path."
  type        = string
}

variable "bucket_names" {
  description = "Bucket name per zone (raw, processed, curated, quarantine, temp)."
  type        = map(string)
}

variable "curated_database" {
  description = "Glue database of the curated zone (--curated_database)."
  type        = string
}

variable "iceberg_catalog" {
  description = "Name of the Iceberg Spark catalog of the curated tables (config/pipeline.yaml iceberg_catalog)."
  type        = string
  default     = "glue_catalog"

  validation {
    condition     = can(regex("^[a-z_][a-z0-9_]*$", var.iceberg_catalog))
    error_message = "iceberg_catalog must be a lowercase identifier."
  }
}

variable "warehouse_connection" {
  description = "Glue connection to Redshift, or the literal \"none\" when Redshift is disabled (--warehouse_connection)."
  type        = string
}

variable "warehouse_database" {
  description = "Redshift database name (--warehouse_database)."
  type        = string
}

variable "warehouse_schema" {
  description = "Redshift schema the load job writes to (--warehouse_schema)."
  type        = string
}

variable "metrics_namespace" {
  description = "CloudWatch namespace the jobs publish RowsRead/RowsQuarantined/RowsLoaded to (--metrics_namespace)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9._/#:-]{1,255}$", var.metrics_namespace)) && !startswith(var.metrics_namespace, "AWS/")
    error_message = "metrics_namespace must be a valid custom CloudWatch namespace (not starting with AWS/)."
  }
}

variable "network_connection" {
  description = "NETWORK connection every job uses (private subnet)."
  type        = string
}

variable "source_connections" {
  description = "JDBC connections of the source databases the extract job reads."
  type        = list(string)
  default     = []
}

variable "extract_reads_warehouse" {
  description = "Whether a dataset's source is the Redshift warehouse (the extract then uses the warehouse connection)."
  type        = bool
  default     = false
}

variable "fallback_datasets" {
  description = "JDBC datasets whose database is not provisioned: the extract reads their CSV fallback (--source_fallback files:<datasets>)."
  type        = list(string)
  default     = []
}

variable "security_configuration_name" {
  description = "Glue security configuration of every job."
  type        = string
}

variable "glue_version" {
  description = "AWS Glue version (5.1: Spark 3.5.6, Python 3.11)."
  type        = string
  default     = "5.1"

  validation {
    condition     = contains(["5.0", "5.1"], var.glue_version)
    error_message = "glue_version must be 5.0 or 5.1 (the jobs target Spark 3.5 and Python 3.11)."
  }
}

variable "execution_class" {
  description = "STANDARD, or FLEX (spare capacity, cheaper, may start later: for non-urgent runs)."
  type        = string
  default     = "STANDARD"

  validation {
    condition     = contains(["STANDARD", "FLEX"], var.execution_class)
    error_message = "execution_class must be STANDARD or FLEX."
  }
}

variable "job_settings" {
  description = "Per stage: worker_type, number_of_workers (the maximum under auto scaling), timeout_minutes, max_retries. Missing stages get the defaults."
  type = map(object({
    worker_type       = optional(string, "G.1X")
    number_of_workers = optional(number, 2)
    timeout_minutes   = optional(number, 60)
    max_retries       = optional(number, 0)
  }))
  default = {}

  validation {
    condition = alltrue([for s in values(var.job_settings) : contains(
      ["G.1X", "G.2X", "G.4X", "G.8X", "G.12X", "G.16X", "R.1X", "R.2X", "R.4X", "R.8X"], s.worker_type
    )])
    error_message = "worker_type must be one of G.1X, G.2X, G.4X, G.8X, G.12X, G.16X, R.1X, R.2X, R.4X, R.8X."
  }
  validation {
    condition     = alltrue([for s in values(var.job_settings) : s.number_of_workers >= 2 && s.number_of_workers <= 299])
    error_message = "number_of_workers must be between 2 (one driver, one executor) and 299."
  }
  validation {
    condition     = alltrue([for s in values(var.job_settings) : s.timeout_minutes >= 1 && s.timeout_minutes <= 2880])
    error_message = "timeout_minutes must be between 1 and 2880 (48 hours)."
  }
  validation {
    condition     = alltrue([for s in values(var.job_settings) : s.max_retries >= 0 && s.max_retries <= 10])
    error_message = "max_retries must be between 0 and 10."
  }
}

variable "notify_delay_after_minutes" {
  description = "Minutes after which a still-running job run emits a delay notification."
  type        = number
  default     = 30
}
