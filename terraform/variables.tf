# ----------------------------------------------------------------------------------------------
# Environment
# ----------------------------------------------------------------------------------------------
variable "env" {
  description = "Environment name: part of every resource name (etl-glue-pipeline-<env>-...)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,9}$", var.env))
    error_message = "env must be 2-10 lowercase letters or digits, starting with a letter (dev, staging, prod)."
  }
}

variable "aws_region" {
  description = "AWS region to deploy to."
  type        = string
  default     = "us-east-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.aws_region))
    error_message = "aws_region must be a region name such as us-east-1."
  }
}

variable "tags" {
  description = "Tags on every resource that takes tags, through the provider's default_tags (with project, environment and managed-by, which are always set): the one map to add e.g. cost-center or owner."
  type        = map(string)
  default     = {}
}

variable "deletion_protection" {
  description = "Protect data from `terraform destroy`: the Redshift namespace cannot be destroyed or replaced (prevent_destroy), buckets must be empty to go, 30-day key deletion window, log groups protected and kept, Athena history kept. true in prod."
  type        = bool
  default     = true
}

variable "permissions_boundary_arn" {
  description = "Optional IAM permissions boundary for every role the pipeline creates."
  type        = string
  default     = null

  validation {
    condition     = var.permissions_boundary_arn == null || can(regex("^arn:[a-z-]+:iam::[0-9]{12}:policy/", var.permissions_boundary_arn))
    error_message = "permissions_boundary_arn must be an IAM policy ARN or null."
  }
}

# ----------------------------------------------------------------------------------------------
# Network (an existing VPC)
# ----------------------------------------------------------------------------------------------
variable "vpc_id" {
  description = "Existing VPC the jobs and Redshift run in."
  type        = string

  validation {
    condition     = can(regex("^vpc-[0-9a-f]{8,17}$", var.vpc_id))
    error_message = "vpc_id must look like vpc-0123456789abcdef0."
  }
}

variable "private_subnet_ids" {
  description = "Private subnets of that VPC (Redshift Serverless needs three, in distinct availability zones). Their route tables are looked up from them for the S3 gateway endpoint."
  type        = list(string)

  validation {
    condition     = length(var.private_subnet_ids) >= 1 && alltrue([for id in var.private_subnet_ids : can(regex("^subnet-[0-9a-f]{8,17}$", id))])
    error_message = "private_subnet_ids must list subnet IDs (subnet-...)."
  }
}

variable "create_vpc_endpoints" {
  description = "Create the S3 gateway and the Glue, Secrets Manager, Logs, KMS, STS and CloudWatch interface endpoints (false when the VPC has them)."
  type        = bool
  default     = true
}

# ----------------------------------------------------------------------------------------------
# Source databases (RDS PostgreSQL, RDS MySQL) the JDBC datasets read (optional)
# ----------------------------------------------------------------------------------------------
variable "source_databases" {
  description = <<-EOT
    The RDS (or other JDBC) databases the datasets read, by the logical connection name that
    config/datasets uses (source.connection, e.g. reference-db, fleet-db): the JDBC URL
    (jdbc:postgresql://host:5432/db or jdbc:mysql://host:3306/db), the Secrets Manager secret that
    holds its username and password (created outside Terraform: no password in state or config),
    its port and the address ranges the jobs may reach it in, and optionally crawl_path
    (database/schema/% or database/%) for the sources crawler. A JDBC dataset whose connection is
    not listed reads its CSV fallback from the raw bucket.
  EOT
  type = map(object({
    jdbc_url    = string
    secret_arn  = string
    port        = number
    cidr_blocks = list(string)
    crawl_path  = optional(string)
  }))
  # Validated where each part is used: URL and secret by the connections module, port and
  # address ranges by the network module.
  default = {}
}

# ----------------------------------------------------------------------------------------------
# Glue jobs and workflow
# ----------------------------------------------------------------------------------------------
variable "glue_version" {
  description = "AWS Glue version of the jobs."
  type        = string
  default     = "5.1"

  validation {
    condition     = contains(["5.0", "5.1"], var.glue_version)
    error_message = "glue_version must be 5.0 or 5.1."
  }
}

variable "job_execution_class" {
  description = "STANDARD, or FLEX (spare capacity, cheaper, may start later; for dev and non-urgent runs)."
  type        = string
  default     = "STANDARD"

  validation {
    condition     = contains(["STANDARD", "FLEX"], var.job_execution_class)
    error_message = "job_execution_class must be STANDARD or FLEX."
  }
}

variable "job_settings" {
  description = "Per job stage (extract, transform, load): worker_type, number_of_workers (maximum under auto scaling), timeout_minutes, max_retries."
  type = map(object({
    worker_type       = optional(string, "G.1X")
    number_of_workers = optional(number, 2)
    timeout_minutes   = optional(number, 60)
    max_retries       = optional(number, 0)
  }))
  default = {}

  validation {
    condition     = alltrue([for stage in keys(var.job_settings) : contains(["extract", "transform", "load"], stage)])
    error_message = "job_settings keys must be job stages: extract, transform, load."
  }
}

variable "workflow_schedule" {
  description = "cron() of the workflow's start trigger in UTC, e.g. cron(15 2 * * ? *); null: ON_DEMAND."
  type        = string
  default     = null

  validation {
    condition     = var.workflow_schedule == null || can(regex("^cron\\([^)]+\\)$", var.workflow_schedule))
    error_message = "workflow_schedule must be a cron(...) expression or null."
  }
}

variable "workflow_start" {
  description = "How the workflow starts: schedule (workflow_schedule, or on demand without one) or event (on uploads to the raw bucket, through EventBridge; database and DynamoDB datasets then need workflow_schedule too). See terraform/modules/workflow/README.md."
  type        = string
  default     = "schedule"

  validation {
    condition     = contains(["schedule", "event"], var.workflow_start)
    error_message = "workflow_start must be \"schedule\" or \"event\"."
  }
}

variable "workflow_event_batch_size" {
  description = "workflow_start = event: EventBridge events (uploads, scheduled ticks) that start a run at once, 1-100."
  type        = number
  default     = 100

  validation {
    condition     = var.workflow_event_batch_size >= 1 && var.workflow_event_batch_size <= 100 && floor(var.workflow_event_batch_size) == var.workflow_event_batch_size
    error_message = "workflow_event_batch_size must be a whole number from 1 to 100."
  }
}

variable "workflow_event_batch_window_seconds" {
  description = "workflow_start = event: seconds after the first event at which a run starts anyway, 1-900."
  type        = number
  default     = 900

  validation {
    condition     = var.workflow_event_batch_window_seconds >= 1 && var.workflow_event_batch_window_seconds <= 900 && floor(var.workflow_event_batch_window_seconds) == var.workflow_event_batch_window_seconds
    error_message = "workflow_event_batch_window_seconds must be a whole number from 1 to 900."
  }
}

# ----------------------------------------------------------------------------------------------
# Data lake
# ----------------------------------------------------------------------------------------------
variable "noncurrent_version_expiration_days" {
  description = "Days after which replaced or deleted object versions are removed."
  type        = number
  default     = 90

  validation {
    condition     = var.noncurrent_version_expiration_days >= 1
    error_message = "noncurrent_version_expiration_days must be at least 1."
  }
}

variable "temp_expiration_days" {
  description = "Days after which temp bucket objects expire."
  type        = number
  default     = 7

  validation {
    condition     = var.temp_expiration_days >= 1
    error_message = "temp_expiration_days must be at least 1."
  }
}

variable "manage_catalog_encryption" {
  description = "Set the account-wide (per region) Glue Data Catalog encryption settings with this environment's key. Off by default: they affect every team's catalog objects and outlive this environment; a platform team manages them once per account (docs/security.md)."
  type        = bool
  default     = false
}

variable "catalog_encryption_key_arn" {
  description = "ARN of the long-lived KMS key a platform team encrypts this account's Data Catalog with (null: none). The pipeline's roles get kms:Decrypt/Encrypt/GenerateDataKey on it through Glue only."
  type        = string
  default     = null

  validation {
    condition     = var.catalog_encryption_key_arn == null || can(regex("^arn:[a-z-]+:kms:[a-z0-9-]+:[0-9]{12}:key/", var.catalog_encryption_key_arn))
    error_message = "catalog_encryption_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>) or null."
  }
}

variable "enable_table_optimizers" {
  description = "Glue table optimizers (compaction, snapshot retention, orphan file deletion) on the curated Iceberg tables. The tables exist only after the first load: turn on in a second apply (docs/deployment-guide.md)."
  type        = bool
  default     = false
}

variable "snapshot_retention_days" {
  description = "Days an Iceberg snapshot of a curated table stays available for time travel and rollback (with enable_table_optimizers)."
  type        = number
  default     = 7
}

# ----------------------------------------------------------------------------------------------
# Warehouse (Redshift Serverless)
# ----------------------------------------------------------------------------------------------
variable "enable_redshift" {
  description = "Create the Redshift Serverless warehouse; false: the load job writes the curated zone only (--warehouse_connection none)."
  type        = bool
  default     = true
}

variable "redshift_database_name" {
  description = "Redshift database the load job writes to (--warehouse_database)."
  type        = string
  default     = "dev"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,63}$", var.redshift_database_name))
    error_message = "redshift_database_name must be lowercase letters, digits or underscores."
  }
}

variable "redshift_admin_username" {
  description = "Admin user of the Redshift namespace (password managed by Secrets Manager)."
  type        = string
  default     = "etl_admin"
}

variable "redshift_base_capacity" {
  description = "Base RPUs of the workgroup (multiple of 8, 8-512)."
  type        = number
  default     = 8

  validation {
    condition     = var.redshift_base_capacity >= 8 && var.redshift_base_capacity <= 512 && var.redshift_base_capacity % 8 == 0
    error_message = "redshift_base_capacity must be a multiple of 8 between 8 and 512."
  }
}

variable "manage_redshift_log_groups" {
  description = "Create the account's /aws/redshift/serverless/* audit log groups (KMS, retention); false in the second environment of an account."
  type        = bool
  default     = true
}

variable "redshift_max_capacity" {
  description = "Most RPUs the workgroup may scale to (cost cap); null: no cap."
  type        = number
  default     = null
}

variable "warehouse_schema" {
  description = "Redshift schema the load job writes to (--warehouse_schema)."
  type        = string
  default     = "analytics"

  validation {
    condition     = can(regex("^[a-z_][a-z0-9_]{0,126}$", var.warehouse_schema))
    error_message = "warehouse_schema must be a lowercase SQL identifier."
  }
}

# ----------------------------------------------------------------------------------------------
# Athena and monitoring
# ----------------------------------------------------------------------------------------------
variable "athena_bytes_scanned_cutoff" {
  description = "Bytes a single Athena query may scan before it is cancelled (at least 10 MB)."
  type        = number
  default     = 10737418240

  validation {
    condition     = var.athena_bytes_scanned_cutoff >= 10485760
    error_message = "athena_bytes_scanned_cutoff must be at least 10485760 (10 MB)."
  }
}

variable "log_retention_days" {
  description = "Retention of the Glue log groups in days (a value CloudWatch Logs accepts: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, ...)."
  type        = number
  default     = 90
}

variable "alert_email" {
  description = "E-mail address for failure alerts (null: none; confirm the subscription e-mail)."
  type        = string
  default     = null
}
