output "kms_key_arn" {
  description = "ARN of the pipeline's KMS key."
  value       = aws_kms_key.this.arn
}

output "kms_key_alias" {
  description = "Alias of the pipeline's KMS key."
  value       = aws_kms_alias.this.name
}

output "bucket_names" {
  description = "Bucket name per zone: raw, processed, curated, quarantine, scripts, temp, athena_results, access_logs."
  value       = local.bucket_names
  # The names are known at plan time; depending on the buckets makes consumers wait for them.
  depends_on = [aws_s3_bucket.data, aws_s3_bucket.access_logs]
}

output "bucket_arns" {
  description = "Bucket ARN per zone (same keys as bucket_names)."
  value       = local.bucket_arns
  depends_on  = [aws_s3_bucket.data, aws_s3_bucket.access_logs]
}
