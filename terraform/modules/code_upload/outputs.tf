output "script_locations" {
  description = "S3 URI of each job's script, by stage."
  value       = { for stage, key in local.script_keys : stage => "s3://${aws_s3_object.package[key].bucket}/${key}" }
}

output "library_uri" {
  description = "S3 URI of the library zip (--extra-py-files)."
  value       = "s3://${aws_s3_object.package[local.library_key].bucket}/${local.library_key}"
}

output "config_uri" {
  description = "S3 URI of the uploaded config folder (--config_path)."
  value       = "s3://${var.bucket_name}/config/"
}

output "object_keys" {
  description = "Every key uploaded (the same set etl_deploy.upload puts)."
  value       = sort(local.keys)
}
