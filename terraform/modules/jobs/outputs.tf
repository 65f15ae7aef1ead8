output "job_names" {
  description = "Job name per stage."
  value       = { for stage, job in aws_glue_job.stage : stage => job.name }
}

output "job_arguments" {
  description = "default_arguments of each job, per stage."
  value       = { for stage, job in aws_glue_job.stage : stage => job.default_arguments }
}
