# Development environment. Replace the placeholder network IDs with your VPC's before `apply`.
env        = "dev"
aws_region = "us-east-1"

vpc_id               = "vpc-0123456789abcdef0"                                                              # REPLACE
private_subnet_ids   = ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0bbbbbbbbbbbbbbb2", "subnet-0ccccccccccccccc3"] # REPLACE: three private subnets, distinct AZs
create_vpc_endpoints = true

# Optional JDBC reference database (airlines, airports, planes). Without it, extract reads the CSV
# fallback under reference/ in the raw bucket.
# reference_db_jdbc_url    = "jdbc:postgresql://reference.example.internal:5432/reference"
# reference_db_secret_arn  = "arn:aws:secretsmanager:us-east-1:123456789012:secret:reference-db-AbCdEf"
# reference_db_cidr_blocks = ["10.0.8.0/24"]

# Cheap and disposable: FLEX capacity, small workers, short retention, destroy allowed.
job_execution_class = "FLEX"
job_settings = {
  extract   = { worker_type = "G.1X", number_of_workers = 2, timeout_minutes = 60, max_retries = 0 }
  transform = { worker_type = "G.1X", number_of_workers = 2, timeout_minutes = 60, max_retries = 0 }
  load      = { worker_type = "G.1X", number_of_workers = 2, timeout_minutes = 60, max_retries = 0 }
}
workflow_schedule = null # ON_DEMAND: aws glue start-workflow-run --name etl-glue-pipeline-dev-workflow

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
