# No security group rule of the pipeline opens the internet; Glue's self-referencing rule; endpoints.

mock_provider "aws" {
  mock_data "aws_vpc" {
    defaults = { cidr_block = "10.0.0.0/16" }
  }
  mock_data "aws_subnet" {
    defaults = { availability_zone = "us-east-1a" }
  }
  # Every subnet of the test follows the same (looked-up) route table.
  mock_data "aws_route_table" {
    defaults = { id = "rtb-0aaaaaaaaaaaaaaa1" }
  }
}

variables {
  name_prefix            = "etl-glue-pipeline-dev"
  region                 = "us-east-1"
  vpc_id                 = "vpc-0123456789abcdef0"
  private_subnet_ids     = ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0bbbbbbbbbbbbbbb2"]
  source_database_routes = { reference-db = { port = 5432, cidr_blocks = ["10.0.8.0/24"] }, fleet-db = { port = 3306, cidr_blocks = ["10.0.9.0/24", "10.0.10.0/24"] } }
  dynamodb_table_arns    = ["arn:aws:dynamodb:us-east-1:123456789012:table/weather_observations"]
  account_id             = "123456789012"
  bucket_arns            = ["arn:aws:s3:::raw-bucket", "arn:aws:s3:::curated-bucket"]
  kms_key_arn            = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
  secret_arns            = ["arn:aws:secretsmanager:us-east-1:123456789012:secret:loader-AbCdEf"]
}

run "glue_security_group_and_endpoints" {
  command = apply

  module {
    source = "./modules/network"
  }

  assert {
    condition     = aws_vpc_security_group_ingress_rule.glue_self.referenced_security_group_id == aws_security_group.glue.id && aws_vpc_security_group_egress_rule.glue_self.referenced_security_group_id == aws_security_group.glue.id
    error_message = "The Glue security group needs its self-referencing ingress and egress rules."
  }
  assert {
    condition = alltrue([for r in concat(
      [aws_vpc_security_group_ingress_rule.glue_self, aws_vpc_security_group_egress_rule.glue_self, aws_vpc_security_group_egress_rule.glue_s3, aws_vpc_security_group_egress_rule.glue_endpoints],
      values(aws_vpc_security_group_egress_rule.glue_source_db), aws_vpc_security_group_ingress_rule.endpoints_https,
    ) : r.cidr_ipv4 != "0.0.0.0/0" && r.cidr_ipv6 == null])
    error_message = "No rule may open 0.0.0.0/0 or any IPv6 range."
  }
  assert {
    condition = {
      for key, rule in aws_vpc_security_group_egress_rule.glue_source_db : key => [rule.cidr_ipv4, rule.from_port, rule.to_port]
      } == {
      "reference-db:10.0.8.0/24" = ["10.0.8.0/24", 5432, 5432]
      "fleet-db:10.0.9.0/24"     = ["10.0.9.0/24", 3306, 3306]
      "fleet-db:10.0.10.0/24"    = ["10.0.10.0/24", 3306, 3306]
    }
    error_message = "One egress rule per source database and range, on that database's port only."
  }
  assert {
    condition = (aws_vpc_endpoint.dynamodb[0].vpc_endpoint_type == "Gateway"
      && jsondecode(aws_vpc_endpoint.dynamodb[0].policy).Statement[0].Resource == ["arn:aws:dynamodb:us-east-1:123456789012:table/weather_observations", "arn:aws:dynamodb:us-east-1:123456789012:table/weather_observations/export/*"]
    && aws_vpc_security_group_egress_rule.glue_dynamodb[0].from_port == 443)
    error_message = "DynamoDB reads go through a gateway endpoint admitting the configured tables only, reached on 443."
  }
  assert {
    condition     = toset([for e in aws_vpc_endpoint.interface : e.service_name]) == toset([for s in ["glue", "secretsmanager", "logs", "kms", "sts", "monitoring"] : "com.amazonaws.us-east-1.${s}"])
    error_message = "Interface endpoints for Glue, Secrets Manager, Logs, KMS, STS and CloudWatch."
  }
  assert {
    condition     = alltrue([for e in aws_vpc_endpoint.interface : e.private_dns_enabled && e.vpc_endpoint_type == "Interface"])
    error_message = "Interface endpoints need private DNS so the SDKs use them unchanged."
  }
  assert {
    condition     = aws_vpc_endpoint.s3[0].vpc_endpoint_type == "Gateway" && aws_vpc_endpoint.s3[0].route_table_ids == toset(["rtb-0aaaaaaaaaaaaaaa1"]) && output.route_table_ids == tolist(["rtb-0aaaaaaaaaaaaaaa1"])
    error_message = "An S3 gateway endpoint on the route tables looked up from the private subnets (deduplicated)."
  }
  assert {
    condition     = toset(keys(data.aws_route_table.private)) == toset(var.private_subnet_ids)
    error_message = "One route table lookup per subnet the jobs and Redshift use."
  }
  assert {
    condition = toset(jsondecode(aws_vpc_endpoint.s3[0].policy).Statement[0].Resource) == toset([
      "arn:aws:s3:::raw-bucket", "arn:aws:s3:::raw-bucket/*", "arn:aws:s3:::curated-bucket", "arn:aws:s3:::curated-bucket/*",
    ])
    error_message = "The S3 gateway endpoint reaches the pipeline's buckets only."
  }
  assert {
    condition = (
      jsondecode(aws_vpc_endpoint.interface["kms"].policy).Statement[0].Resource == [var.kms_key_arn] &&
      tolist(jsondecode(aws_vpc_endpoint.interface["secretsmanager"].policy).Statement[0].Resource) == var.secret_arns &&
      alltrue([for s in ["glue", "sts", "monitoring"] : jsondecode(aws_vpc_endpoint.interface[s].policy).Statement[0].Condition.StringEquals["aws:PrincipalAccount"] == "123456789012"])
    )
    error_message = "Interface endpoints: the pipeline's key and secrets only; Glue, STS and metrics for this account's principals only."
  }
}

run "existing_endpoints_are_reused" {
  command = plan

  module {
    source = "./modules/network"
  }

  variables {
    create_vpc_endpoints = false
  }

  assert {
    condition     = length(aws_vpc_endpoint.interface) == 0 && length(aws_vpc_endpoint.s3) == 0 && length(aws_security_group.endpoints) == 0
    error_message = "create_vpc_endpoints = false creates no endpoint."
  }
}

run "open_source_database_range_is_rejected" {
  command = plan

  module {
    source = "./modules/network"
  }

  variables {
    source_database_routes = { fleet-db = { port = 3306, cidr_blocks = ["0.0.0.0/0"] } }
  }

  expect_failures = [var.source_database_routes]
}
