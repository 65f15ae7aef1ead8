variable "name_prefix" {
  description = "Prefix of every resource name: <project>-<env>."
  type        = string
}

variable "rulesets" {
  description = "Per dataset with quality rules: its DQDL ruleset text, its curated table and how many of its rules only warn (pipeline_config's data_quality output)."
  type = map(object({
    ruleset       = string
    curated_table = string
    warn_rules    = number
  }))

  validation {
    condition     = alltrue([for r in values(var.rulesets) : startswith(r.ruleset, "Rules = [")])
    error_message = "Each ruleset must be DQDL text starting with 'Rules = ['."
  }
}

variable "curated_database" {
  description = "Glue database of the curated Iceberg tables the rulesets describe."
  type        = string
}

variable "transform_job_name" {
  description = "The Glue job that evaluates the rulesets (its name is a dimension of Glue Data Quality's metrics)."
  type        = string
}

variable "alerts_topic_arn" {
  description = "SNS topic the failed-rules alarms notify."
  type        = string
}
