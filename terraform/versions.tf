terraform {
  required_version = ">= 1.10.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 6.0, < 7.0"
    }
  }

  # Partial configuration: the bucket, key and region come from envs/backend-<env>.hcl:
  #   terraform init -backend-config=envs/backend-dev.hcl
  # Checks that need no state run with `terraform init -backend=false`.
  backend "s3" {}
}
