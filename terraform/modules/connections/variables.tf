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
  description = "Logical names of the RDS source connections that config/datasets uses (source.connection)."
  type        = list(string)
}

variable "jdbc_datasets" {
  description = "Per JDBC-sourced dataset: {connection, engine, has_fallback} (pipeline_config's jdbc_datasets)."
  type        = map(object({ connection = string, engine = string, has_fallback = bool }))
  default     = {}
}

variable "warehouse_enabled" {
  description = "Whether the Redshift warehouse exists: Redshift-sourced datasets read it, else their CSV fallback."
  type        = bool
  default     = true
}

variable "source_databases" {
  description = "Source databases by logical connection name: {jdbc_url, secret_arn, port, cidr_blocks, crawl_path}. The secret holds username and password."
  type = map(object({
    jdbc_url    = string
    secret_arn  = string
    port        = number
    cidr_blocks = list(string)
    crawl_path  = optional(string)
  }))
  default = {}

  validation {
    condition     = alltrue([for db in values(var.source_databases) : can(regex("^jdbc:(postgresql|mysql)://", db.jdbc_url)) && can(regex("^arn:[a-z-]+:secretsmanager:", db.secret_arn))])
    error_message = "source_databases: jdbc_url must start with jdbc:postgresql:// or jdbc:mysql://, and secret_arn must be a Secrets Manager secret ARN."
  }
}
