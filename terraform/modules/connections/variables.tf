variable "name_prefix" {
  description = "Prefix of every resource name (<project>-<env>)."
  type        = string
}

variable "subnet_id" {
  description = "Private subnet in which Glue places the jobs' network interfaces."
  type        = string
}

variable "availability_zone" {
  description = "Availability zone of subnet_id."
  type        = string
}

variable "security_group_ids" {
  description = "Security groups of the jobs' network interfaces."
  type        = list(string)
}

variable "jdbc_connections_in_config" {
  description = "Logical JDBC connection names that config/datasets uses (source.connection)."
  type        = list(string)
}

variable "reference_db_connection" {
  description = "Logical name of the reference database connection in config/datasets."
  type        = string
  default     = "reference-db"
}

variable "reference_db_jdbc_url" {
  description = "JDBC URL of an existing reference database (e.g. jdbc:postgresql://host:5432/db); null: no reference-db connection, the extract job then needs the CSV fallback."
  type        = string
  default     = null

  validation {
    condition     = var.reference_db_jdbc_url == null || can(regex("^jdbc:[a-z0-9]+://", var.reference_db_jdbc_url))
    error_message = "reference_db_jdbc_url must start with jdbc:<engine>:// ."
  }
}

variable "reference_db_secret_arn" {
  description = "Secrets Manager secret (username, password) of the reference database; required with reference_db_jdbc_url."
  type        = string
  default     = null

  validation {
    condition     = var.reference_db_secret_arn == null || can(regex("^arn:[a-z-]+:secretsmanager:", var.reference_db_secret_arn))
    error_message = "reference_db_secret_arn must be a Secrets Manager secret ARN."
  }
}
