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
  description = "cron() expression (UTC), e.g. cron(15 2 * * ? *): the SCHEDULED start trigger (start_mode schedule; null: ON_DEMAND), or a scheduled EventBridge event into the EVENT trigger (start_mode event)."
  type        = string
  default     = null

  validation {
    condition     = var.schedule == null || can(regex("^cron\\([^)]+\\)$", var.schedule))
    error_message = "schedule must be a Glue cron expression such as cron(15 2 * * ? *), or null."
  }
}

variable "start_mode" {
  description = "How the workflow starts: schedule (SCHEDULED on `schedule`, ON_DEMAND without one) or event (EVENT trigger fed by the raw bucket's uploads, plus `schedule` if set)."
  type        = string
  default     = "schedule"

  validation {
    condition     = contains(["schedule", "event"], var.start_mode)
    error_message = "start_mode must be schedule or event."
  }
  # Only a read tells whether a database or DynamoDB table has new rows: without a schedule such a
  # dataset would be read only when some file happens to land.
  validation {
    condition     = var.start_mode != "event" || var.schedule != null || length(var.datasets_without_s3_events) == 0
    error_message = "workflow start event: ${join(", ", [for name, source in var.datasets_without_s3_events : "dataset ${name} reads ${source}"])}, which no upload announces: set workflow_schedule too (its runs read them) or keep workflow_start = \"schedule\" in terraform/envs/<env>.tfvars."
  }
  validation {
    condition     = var.start_mode != "event" || (var.raw_bucket_name != null && length(var.raw_prefixes) > 0)
    error_message = "workflow start event: no dataset reads the raw bucket (raw_bucket_name/raw_prefixes empty), so no upload can start the workflow: keep workflow_start = \"schedule\" in terraform/envs/<env>.tfvars."
  }
}

variable "raw_bucket_name" {
  description = "Raw bucket whose Object Created events start the workflow (start_mode event; the bucket must send its events to EventBridge)."
  type        = string
  default     = null
}

variable "raw_prefixes" {
  description = "Key prefixes in the raw bucket the datasets read (each ending in /): an upload under one of them starts the workflow (start_mode event)."
  type        = list(string)
  default     = []
}

variable "datasets_without_s3_events" {
  description = "Datasets no upload to the raw bucket announces (database, warehouse or DynamoDB sources): dataset name -> what it reads. With start_mode event they need `schedule`."
  type        = map(string)
  default     = {}
}

variable "event_batch_size" {
  description = "start_mode event: EventBridge events (uploads, scheduled ticks) that start a run at once (1-100)."
  type        = number
  default     = 100

  validation {
    condition     = var.event_batch_size >= 1 && var.event_batch_size <= 100 && floor(var.event_batch_size) == var.event_batch_size
    error_message = "event_batch_size must be a whole number from 1 to 100 (Glue EventBatchingCondition.BatchSize)."
  }
}

variable "event_batch_window_seconds" {
  description = "start_mode event: seconds after the first event at which a run starts even if event_batch_size was not reached (1-900)."
  type        = number
  default     = 900

  validation {
    condition     = var.event_batch_window_seconds >= 1 && var.event_batch_window_seconds <= 900 && floor(var.event_batch_window_seconds) == var.event_batch_window_seconds
    error_message = "event_batch_window_seconds must be a whole number from 1 to 900 (Glue EventBatchingCondition.BatchWindow)."
  }
}

variable "account_id" {
  description = "AWS account of the workflow (its ARN, the EventBridge target)."
  type        = string
}

variable "region" {
  description = "AWS region of the workflow (its ARN, the EventBridge target)."
  type        = string
}

variable "partition" {
  description = "AWS partition (aws, aws-cn, aws-us-gov)."
  type        = string
}

variable "permissions_boundary_arn" {
  description = "Optional IAM permissions boundary of the EventBridge role (start_mode event)."
  type        = string
  default     = null
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
