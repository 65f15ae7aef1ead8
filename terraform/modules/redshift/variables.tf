variable "enabled" {
  description = "Create the Redshift Serverless warehouse and its Glue connection."
  type        = bool
}

variable "name_prefix" {
  description = "Prefix of every resource name (<project>-<env>)."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the workgroup."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets of the workgroup (Redshift Serverless needs at least three, in different availability zones)."
  type        = list(string)
}

variable "connection_subnet_id" {
  description = "Subnet the Glue connection places the load job in."
  type        = string
}

variable "connection_availability_zone" {
  description = "Availability zone of connection_subnet_id."
  type        = string
}

variable "glue_security_group_id" {
  description = "Security group of the Glue jobs; it may reach the warehouse on its port."
  type        = string
}

variable "s3_prefix_list_id" {
  description = "S3 managed prefix list (COPY/UNLOAD through the gateway endpoint under enhanced VPC routing)."
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key for the namespace's data and the admin password secret."
  type        = string
}

variable "iam_role_arn" {
  description = "Role Redshift uses for COPY/UNLOAD (the namespace's default role)."
  type        = string
  default     = null
}

variable "database_name" {
  description = "Name of the Redshift database (--warehouse_database)."
  type        = string
  default     = "dev"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,63}$", var.database_name))
    error_message = "database_name must be lowercase letters, digits or underscores, starting with a letter."
  }
}

variable "admin_username" {
  description = "Admin user of the namespace; its password is generated and kept by Secrets Manager."
  type        = string
  default     = "etl_admin"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,127}$", var.admin_username)) && var.admin_username != "admin"
    error_message = "admin_username must be lowercase letters, digits or underscores, and not 'admin' (reserved)."
  }
}

variable "base_capacity" {
  description = "Base capacity of the workgroup in RPUs (8 to 512, in steps of 8)."
  type        = number
  default     = 8

  validation {
    condition     = var.base_capacity >= 8 && var.base_capacity <= 512 && var.base_capacity % 8 == 0
    error_message = "base_capacity must be a multiple of 8 between 8 and 512."
  }
}

variable "max_capacity" {
  description = "Upper limit of RPUs the workgroup may scale to (a cost cap); null: no limit."
  type        = number
  default     = null
}

variable "port" {
  description = "Port of the workgroup endpoint."
  type        = number
  default     = 5439
}

variable "deletion_protection" {
  description = "Protect the warehouse's data: the namespace cannot be destroyed or replaced by Terraform (prevent_destroy), its log groups are protected and kept, the load user's secret has a 30-day recovery window."
  type        = bool
  default     = true
}

variable "manage_log_groups" {
  description = "Create the account's /aws/redshift/serverless/<log type> log groups (KMS, retention). One environment per account and region manages them."
  type        = bool
  default     = true
}

variable "log_retention_days" {
  description = "Retention of the Redshift audit log groups, in days (a value CloudWatch Logs accepts)."
  type        = number
  default     = 365
}

variable "loader_username" {
  description = "Redshift user the load job connects as (its secret is <name_prefix>-redshift-<user>)."
  type        = string
  default     = "etl_loader"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,62}$", var.loader_username))
    error_message = "loader_username must be lowercase letters, digits or underscores, starting with a letter."
  }
}
