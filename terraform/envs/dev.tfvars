# Development environment. Replace the placeholder network IDs with your VPC's before `apply`.
env        = "dev"
aws_region = "us-east-1"

vpc_id               = "vpc-0123456789abcdef0"                                                              # REPLACE
private_subnet_ids   = ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0bbbbbbbbbbbbbbb2", "subnet-0ccccccccccccccc3"] # REPLACE: three private subnets, distinct AZs
create_vpc_endpoints = true

# Source databases the JDBC datasets read (docs/sources.md), by the connection name in config/datasets.
# Their credentials stay in Secrets Manager (the secret holds username and password). A dataset
# whose database is not listed reads its CSV fallback under reference/ in the raw bucket.
# source_databases = {
#   reference-db = {
#     jdbc_url    = "jdbc:postgresql://reference.example.internal:5432/reference"
#     secret_arn  = "arn:aws:secretsmanager:us-east-1:123456789012:secret:reference-db-AbCdEf"
#     port        = 5432
#     cidr_blocks = ["10.0.8.0/24"]
#     crawl_path  = "reference/reference/%"
#   }
#   fleet-db = {
#     jdbc_url    = "jdbc:mysql://fleet.example.internal:3306/fleet"
#     secret_arn  = "arn:aws:secretsmanager:us-east-1:123456789012:secret:fleet-db-AbCdEf"
#     port        = 3306
#     cidr_blocks = ["10.0.9.0/24"]
#   }
# }

# Cheap and disposable: FLEX capacity, small workers, short retention, destroy allowed.
job_execution_class = "FLEX"
# Right-sizing (docs/performance.md, "In AWS terms", measured by `make bench`): below ~10 million rows
# a run, 2 x G.1X is the cheapest setting: every job pays its 1-minute minimum on every worker, so more
# workers only multiply it. FLEX costs 34 % less; dev does not mind a delayed start.
job_settings = {
  extract   = { worker_type = "G.1X", number_of_workers = 2, timeout_minutes = 60, max_retries = 0 }
  transform = { worker_type = "G.1X", number_of_workers = 2, timeout_minutes = 60, max_retries = 0 }
  load      = { worker_type = "G.1X", number_of_workers = 2, timeout_minutes = 60, max_retries = 0 }
}
workflow_schedule = null # ON_DEMAND: aws glue start-workflow-run --name etl-glue-pipeline-dev-workflow
# How the workflow starts (terraform/modules/workflow/README.md): "schedule" runs it on workflow_schedule
# (or on demand without one); "event" runs it when files land in the raw bucket, batching up to
# workflow_event_batch_size uploads or workflow_event_batch_window_seconds after the first. The
# warehouse (airports) and DynamoDB (weather) datasets send no upload event: with "event" they need
# workflow_schedule too, or the plan fails naming them.
workflow_start                      = "schedule"
workflow_event_batch_size           = 100
workflow_event_batch_window_seconds = 900

deletion_protection                = false
noncurrent_version_expiration_days = 30
temp_expiration_days               = 3
log_retention_days                 = 30

enable_redshift        = true
redshift_database_name = "dev"
redshift_base_capacity = 8
redshift_max_capacity  = 32
warehouse_schema       = "analytics"

athena_bytes_scanned_cutoff = 1073741824 # 1 GiB per query
alert_email                 = null
