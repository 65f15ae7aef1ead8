variable "name_prefix" {
  description = "Prefix of every resource name (<project>-<env>)."
  type        = string
}

variable "zones" {
  description = "Crawler steps of the workflow (raw, curated), from config/pipeline.yaml."
  type        = list(string)

  validation {
    condition     = alltrue([for zone in var.zones : contains(["raw", "curated"], zone)])
    error_message = "Crawlers exist for the raw and curated zones only."
  }
}

variable "database_names" {
  description = "Glue database name per zone."
  type        = map(string)
}

variable "bucket_names" {
  description = "Bucket name per zone."
  type        = map(string)
}

variable "datasets" {
  description = "Datasets from config/ (pipeline_config's output): raw_prefixes and curated_table are used."
  type = map(object({
    raw_prefixes  = list(string)
    curated_table = string
  }))
}

variable "role_arn" {
  description = "IAM role of the crawlers."
  type        = string
}

variable "security_configuration_name" {
  description = "Glue security configuration (encrypted CloudWatch logs)."
  type        = string
}
