variable "dist_dir" {
  description = "Folder built by `make package` (dist/): scripts/, lib/etl_pipeline.zip, config/."
  type        = string
}

variable "bucket_name" {
  description = "Scripts bucket; keys are the paths below dist_dir."
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key the objects are encrypted with."
  type        = string
}

variable "job_stages" {
  description = "Job steps of the workflow; each needs dist/scripts/<stage>_job.py."
  type        = list(string)
}
