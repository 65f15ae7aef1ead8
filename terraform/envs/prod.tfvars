# Production environment. Replace the placeholder network IDs with your VPC's before `apply`.
env        = "prod"
aws_region = "us-east-1"

vpc_id               = "vpc-0fedcba9876543210"                                                              # REPLACE
private_subnet_ids   = ["subnet-0ddddddddddddddd1", "subnet-0eeeeeeeeeeeeeee2", "subnet-0fffffffffffffff3"] # REPLACE: three private subnets, distinct AZs
create_vpc_endpoints = true

# reference_db_jdbc_url    = "jdbc:postgresql://reference.example.internal:5432/reference"
# reference_db_secret_arn  = "arn:aws:secretsmanager:us-east-1:123456789012:secret:reference-db-AbCdEf"
# reference_db_cidr_blocks = ["10.1.8.0/24"]

# Predictable start times (no FLEX), more workers, retries, nightly schedule.
job_execution_class = "STANDARD"
job_settings = {
  extract   = { worker_type = "G.2X", number_of_workers = 10, timeout_minutes = 120, max_retries = 1 }
  transform = { worker_type = "G.2X", number_of_workers = 10, timeout_minutes = 120, max_retries = 1 }
  load      = { worker_type = "G.2X", number_of_workers = 10, timeout_minutes = 180, max_retries = 1 }
}
workflow_schedule = "cron(15 2 * * ? *)" # 02:15 UTC daily

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
