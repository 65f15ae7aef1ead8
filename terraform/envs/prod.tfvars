# Production environment. Replace the placeholder network IDs with your VPC's before `apply`.
env        = "prod"
aws_region = "us-east-1"

vpc_id               = "vpc-0fedcba9876543210"                                                              # REPLACE
private_subnet_ids   = ["subnet-0ddddddddddddddd1", "subnet-0eeeeeeeeeeeeeee2", "subnet-0fffffffffffffff3"] # REPLACE: three private subnets, distinct AZs
create_vpc_endpoints = true

# Source databases the JDBC datasets read (docs/sources.md), by the connection name in config/datasets.
# Their credentials stay in Secrets Manager (the secret holds username and password). A dataset
# whose database is not listed reads its CSV fallback under reference/ in the raw bucket.
# source_databases = {
#   reference-db = {
#     jdbc_url    = "jdbc:postgresql://reference.example.internal:5432/reference"
#     secret_arn  = "arn:aws:secretsmanager:us-east-1:123456789012:secret:reference-db-AbCdEf"
#     port        = 5432
#     cidr_blocks = ["10.1.8.0/24"]
#     crawl_path  = "reference/reference/%"
#   }
#   fleet-db = {
#     jdbc_url    = "jdbc:mysql://fleet.example.internal:3306/fleet"
#     secret_arn  = "arn:aws:secretsmanager:us-east-1:123456789012:secret:fleet-db-AbCdEf"
#     port        = 3306
#     cidr_blocks = ["10.1.9.0/24"]
#   }
# }

# Predictable start times (no FLEX), more workers, retries, nightly schedule.
job_execution_class = "STANDARD"
# Right-sizing (docs/performance.md, "In AWS terms", measured by `make bench`; the per-row figures are
# extrapolated from a laptop's CPU seconds at SF 1): 10 x G.2X is sized for about a billion rows a run
# (longest job about 11 minutes, about $2.60 a run STANDARD); per row G.1X and G.2X cost the same, so
# choose by memory per task. Around 100 million rows a run, 5 x G.1X costs less (about $0.30); under ~10
# million, 2 x G.1X (the 1-minute minimum is billed on every worker).
job_settings = {
  extract   = { worker_type = "G.2X", number_of_workers = 10, timeout_minutes = 120, max_retries = 1 }
  transform = { worker_type = "G.2X", number_of_workers = 10, timeout_minutes = 120, max_retries = 1 }
  load      = { worker_type = "G.2X", number_of_workers = 10, timeout_minutes = 180, max_retries = 1 }
}
workflow_schedule = "cron(15 2 * * ? *)" # 02:15 UTC daily
# How the workflow starts (terraform/modules/workflow/README.md): "schedule" runs it on workflow_schedule
# (or on demand without one); "event" runs it when files land in the raw bucket, batching up to
# workflow_event_batch_size uploads or workflow_event_batch_window_seconds after the first. The
# warehouse (airports) and DynamoDB (weather) datasets send no upload event: with "event" they need
# workflow_schedule too, or the plan fails naming them.
workflow_start                      = "schedule"
workflow_event_batch_size           = 100
workflow_event_batch_window_seconds = 900

deletion_protection                = true
noncurrent_version_expiration_days = 90
temp_expiration_days               = 7
log_retention_days                 = 731

enable_redshift        = true
redshift_database_name = "dev"
redshift_base_capacity = 32
redshift_max_capacity  = 128
warehouse_schema       = "analytics"

athena_bytes_scanned_cutoff = 107374182400            # 100 GiB per query
alert_email                 = "data-team@example.com" # REPLACE
