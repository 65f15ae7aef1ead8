# Uploads what `make package` built (python -m etl_deploy.package) to the scripts bucket, at the same
# keys `make upload-scripts` uses. `source_hash` makes Terraform replace an object whenever the file's
# content changes (an ETag cannot serve: under SSE-KMS it is not the content's MD5). The `sha256`
# metadata is what etl_deploy.upload compares, so both tools agree on what is up to date.

locals {
  library_key = "lib/etl_pipeline.zip"
  script_keys = { for stage in var.job_stages : stage => "scripts/${stage}_job.py" }
  # The config as authored (YAML) and as the jobs read it on Glue, which has no PyYAML (JSON).
  # `make package` builds config/pipeline-config.json: config/*.yaml as one JSON document.
  config_keys = [for f in fileset("${var.dist_dir}/config", "*.json") : "config/${f}"]

  keys = concat(values(local.script_keys), [local.library_key], local.config_keys)
  content_types = {
    py   = "text/x-python"
    zip  = "application/zip"
    json = "application/json"
  }
}

resource "aws_s3_object" "package" {
  for_each = toset(local.keys)

  bucket             = var.bucket_name
  key                = each.key
  source             = "${var.dist_dir}/${each.key}"
  source_hash        = fileexists("${var.dist_dir}/${each.key}") ? filemd5("${var.dist_dir}/${each.key}") : null
  metadata           = { sha256 = fileexists("${var.dist_dir}/${each.key}") ? filesha256("${var.dist_dir}/${each.key}") : "" }
  content_type       = local.content_types[regex("[a-z]+$", each.key)]
  kms_key_id         = var.kms_key_arn
  bucket_key_enabled = true

  lifecycle {
    precondition {
      condition     = fileexists("${var.dist_dir}/${each.key}")
      error_message = "${var.dist_dir}/${each.key} does not exist: run `make package` before plan or apply."
    }
  }
}
