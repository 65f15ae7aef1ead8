# S3 backend of the dev state: terraform init -reconfigure -backend-config=envs/backend-dev.hcl
# Create the bucket once beforehand (see docs/deployment-guide.md, "State backend bootstrap").
bucket       = "REPLACE-terraform-state-123456789012" # a versioned, encrypted bucket you own
key          = "etl-glue-pipeline/dev/terraform.tfstate"
region       = "us-east-1"
encrypt      = true
use_lockfile = true # S3-native state locking (Terraform >= 1.10), no DynamoDB table needed
