# S3 backend of the prod state: terraform init -reconfigure -backend-config=envs/backend-prod.hcl
bucket       = "REPLACE-terraform-state-123456789012"
key          = "etl-glue-pipeline/prod/terraform.tfstate"
region       = "us-east-1"
encrypt      = true
use_lockfile = true
