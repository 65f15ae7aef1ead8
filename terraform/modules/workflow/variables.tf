variable "name_prefix" {
  description = "Prefix of every resource name (<project>-<env>)."
  type        = string
}

variable "steps" {
  description = "The workflow's steps in run order, from config/pipeline.yaml: [{name, kind}] with kind job or crawler."
  type        = list(object({ name = string, kind = string }))

  validation {
    condition     = length(var.steps) >= 2 && alltrue([for s in var.steps : contains(["job", "crawler"], s.kind)])
    error_message = "steps must list at least two steps, each of kind job or crawler."
  }
}

variable "job_names" {
  description = "Glue job name per job step name."
  type        = map(string)
}

variable "crawler_names" {
  description = "Glue crawler name per crawler step name."
  type        = map(string)
}

variable "schedule" {
  description = "cron() expression of the start trigger (e.g. cron(15 2 * * ? *), UTC); null: ON_DEMAND start trigger."
  type        = string
  default     = null

  validation {
    condition     = var.schedule == null || can(regex("^cron\\([^)]+\\)$", var.schedule))
    error_message = "schedule must be a Glue cron expression such as cron(15 2 * * ? *), or null."
  }
}

variable "max_concurrent_runs" {
  description = "Runs of the whole workflow allowed at once."
  type        = number
  default     = 1

  validation {
    condition     = var.max_concurrent_runs >= 1
    error_message = "max_concurrent_runs must be at least 1."
  }
}
