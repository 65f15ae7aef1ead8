variable "name_prefix" {
  description = "Prefix of every resource name (<project>-<env>)."
  type        = string
}

variable "region" {
  description = "AWS region (endpoint service names)."
  type        = string
}

variable "vpc_id" {
  description = "Existing VPC the jobs run in."
  type        = string

  validation {
    condition     = can(regex("^vpc-[0-9a-f]{8,17}$", var.vpc_id))
    error_message = "vpc_id must look like vpc-0123456789abcdef0."
  }
}

variable "private_subnet_ids" {
  description = "Private subnets (no route to an internet gateway) of that VPC for the jobs, endpoints and Redshift."
  type        = list(string)

  validation {
    condition     = length(var.private_subnet_ids) >= 1 && alltrue([for id in var.private_subnet_ids : can(regex("^subnet-[0-9a-f]{8,17}$", id))])
    error_message = "private_subnet_ids must list at least one subnet ID (subnet-...)."
  }
}

variable "partition" {
  description = "AWS partition (aws, aws-cn, aws-us-gov)."
  type        = string
  default     = "aws"
}

variable "account_id" {
  description = "AWS account ID (endpoint policies)."
  type        = string
}

variable "bucket_arns" {
  description = "ARNs of the pipeline's buckets: the only buckets the S3 gateway endpoint reaches."
  type        = list(string)
}

variable "kms_key_arn" {
  description = "The pipeline's key: the only key the KMS endpoint reaches."
  type        = string
}

variable "secret_arns" {
  description = "Secrets the jobs read: the only secrets the Secrets Manager endpoint reaches (empty: the secrets named <name_prefix>-*)."
  type        = list(string)
  default     = []
}

variable "create_vpc_endpoints" {
  description = "Create the S3 gateway endpoint and the interface endpoints. Turn off when the VPC already has them (two endpoints with private DNS for one service conflict)."
  type        = bool
  default     = true
}

variable "interface_endpoint_services" {
  description = "Services reached through interface endpoints with private DNS."
  type        = list(string)
  default     = ["glue", "secretsmanager", "logs", "kms", "sts", "monitoring"]
}

variable "source_database_routes" {
  description = "Where the jobs may reach the source databases: per logical connection name, {port, cidr_blocks} (empty: none)."
  type        = map(object({ port = number, cidr_blocks = list(string) }))
  default     = {}

  validation {
    condition = alltrue([for db in values(var.source_database_routes) :
    db.port > 0 && db.port < 65536 && alltrue([for cidr in db.cidr_blocks : can(cidrhost(cidr, 0)) && cidr != "0.0.0.0/0"])])
    error_message = "source_database_routes: each port must be a TCP port, and cidr_blocks CIDR blocks other than 0.0.0.0/0."
  }
}

variable "dynamodb_table_arns" {
  description = "DynamoDB tables the jobs read; when any, a DynamoDB gateway endpoint (scoped to them) carries the reads."
  type        = list(string)
  default     = []
}
