# The uploaded objects are exactly what `make package` built, at the keys `make upload-scripts` uses.
# Needs ../dist (tf-check.sh builds it with etl_deploy.package before running the tests).

mock_provider "aws" {}

variables {
  dist_dir    = "../dist"
  bucket_name = "scripts-bucket"
  kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
  job_stages  = ["extract", "transform", "load"]
}

run "package_objects" {
  command = plan

  module {
    source = "./modules/code_upload"
  }

  assert {
    condition = toset(keys(aws_s3_object.package)) == setunion(
      ["scripts/extract_job.py", "scripts/transform_job.py", "scripts/load_job.py", "lib/etl_pipeline.zip"],
      ["config/pipeline-config.json"],
    )
    error_message = "The three scripts, the library zip and the config bundle (config/*.yaml as JSON: Glue 5.1 has no YAML parser) are uploaded."
  }
  assert {
    condition     = alltrue([for k, o in aws_s3_object.package : o.source_hash == filemd5("../dist/${k}") && o.metadata["sha256"] == filesha256("../dist/${k}")])
    error_message = "Each object carries its content hash, so a change re-uploads it."
  }
  assert {
    condition     = alltrue([for o in aws_s3_object.package : o.kms_key_id == var.kms_key_arn && o.bucket == "scripts-bucket"])
    error_message = "Objects are encrypted with the key, in the scripts bucket."
  }
  assert {
    condition     = output.script_locations == { for s in var.job_stages : s => "s3://scripts-bucket/scripts/${s}_job.py" } && output.library_uri == "s3://scripts-bucket/lib/etl_pipeline.zip"
    error_message = "Script locations and the library URI follow the bucket layout."
  }
}

run "missing_package_fails_the_plan" {
  command = plan

  module {
    source = "./modules/code_upload"
  }

  variables {
    dist_dir = "./no-such-dist"
  }

  expect_failures = [aws_s3_object.package]
}
