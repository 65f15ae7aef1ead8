# Redshift Serverless: private, encrypted, managed password, TLS; and the switch that turns it off.

mock_provider "aws" {
  # Computed by AWS once the workgroup exists; the mock needs a value of the real shape.
  mock_resource "aws_redshiftserverless_workgroup" {
    defaults = {
      endpoint = [{ address = "etl-glue-pipeline-dev-warehouse.123456789012.us-east-1.redshift-serverless.amazonaws.com", port = 5439, vpc_endpoint = [] }]
    }
  }
}

variables {
  enabled                      = true
  name_prefix                  = "etl-glue-pipeline-dev"
  vpc_id                       = "vpc-0123456789abcdef0"
  subnet_ids                   = ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0bbbbbbbbbbbbbbb2", "subnet-0ccccccccccccccc3"]
  connection_subnet_id         = "subnet-0aaaaaaaaaaaaaaa1"
  connection_availability_zone = "us-east-1a"
  glue_security_group_id       = "sg-0aaaaaaaaaaaaaaa1"
  s3_prefix_list_id            = "pl-63a5400a"
  kms_key_arn                  = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
  iam_role_arn                 = "arn:aws:iam::123456789012:role/etl-glue-pipeline-dev-redshift"
  deletion_protection          = false
  log_retention_days           = 30
}

run "warehouse_is_private_and_encrypted" {
  command = apply

  module {
    source = "./modules/redshift"
  }

  assert {
    condition     = aws_redshiftserverless_namespace.disposable[0].manage_admin_password == true && aws_redshiftserverless_namespace.disposable[0].kms_key_id == var.kms_key_arn && aws_redshiftserverless_namespace.disposable[0].admin_password_secret_kms_key_id == var.kms_key_arn
    error_message = "Admin password managed by Secrets Manager; data and secret encrypted with the key."
  }
  assert {
    condition     = aws_redshiftserverless_namespace.disposable[0].default_iam_role_arn == var.iam_role_arn && contains(aws_redshiftserverless_namespace.disposable[0].iam_roles, var.iam_role_arn)
    error_message = "The COPY/UNLOAD role must be attached as the default role."
  }
  assert {
    condition     = aws_redshiftserverless_workgroup.this[0].publicly_accessible == false && aws_redshiftserverless_workgroup.this[0].enhanced_vpc_routing == true && aws_redshiftserverless_workgroup.this[0].subnet_ids == toset(var.subnet_ids)
    error_message = "The workgroup must be private, in the private subnets, with enhanced VPC routing."
  }
  assert {
    condition     = contains([for p in aws_redshiftserverless_workgroup.this[0].config_parameter : "${p.parameter_key}=${p.parameter_value}"], "require_ssl=true")
    error_message = "The workgroup must require TLS."
  }
  assert {
    condition = toset([for p in aws_redshiftserverless_workgroup.this[0].config_parameter : p.parameter_key]) == toset([
      "auto_mv", "datestyle", "enable_case_sensitive_identifier", "enable_user_activity_logging", "max_query_execution_time",
      "query_group", "require_ssl", "search_path", "use_fips_ssl",
    ])
    error_message = "Every parameter the workgroup reports back is configured, so plans show no perpetual diff."
  }
  assert {
    condition = length(aws_redshiftserverless_namespace.protected) == 0 && length(aws_redshiftserverless_namespace.disposable) == 1 && output.protected == false && alltrue([
      for t in aws_redshiftserverless_namespace.disposable[0].log_exports : aws_cloudwatch_log_group.redshift[t].name == "/aws/redshift/serverless/${t}" && aws_cloudwatch_log_group.redshift[t].kms_key_id == var.kms_key_arn && aws_cloudwatch_log_group.redshift[t].retention_in_days == 30
    ])
    error_message = "Without deletion protection the namespace is disposable; each exported log goes to a KMS-encrypted log group with retention."
  }
  assert {
    condition     = aws_vpc_security_group_ingress_rule.redshift_from_glue[0].referenced_security_group_id == var.glue_security_group_id && aws_vpc_security_group_ingress_rule.redshift_from_glue[0].cidr_ipv4 == null
    error_message = "Only the Glue security group may reach the warehouse."
  }
  assert {
    condition     = aws_glue_connection.redshift[0].name == "etl-glue-pipeline-dev-redshift" && aws_glue_connection.redshift[0].connection_properties["JDBC_ENFORCE_SSL"] == "true" && aws_glue_connection.redshift[0].connection_properties["SECRET_ID"] == aws_secretsmanager_secret.loader[0].arn
    error_message = "The Glue connection is etl-glue-pipeline-<env>-redshift, enforces SSL and logs in as the load user (its own secret), not the admin."
  }
  assert {
    condition     = output.secret_arns == [aws_secretsmanager_secret.loader[0].arn] && !contains(output.secret_arns, output.admin_secret_arn) && aws_secretsmanager_secret.loader[0].kms_key_id == var.kms_key_arn
    error_message = "The jobs may read the load user's secret (KMS-encrypted) and never the admin's."
  }
  assert {
    condition     = startswith(aws_glue_connection.redshift[0].connection_properties["JDBC_CONNECTION_URL"], "jdbc:redshift://") && endswith(aws_glue_connection.redshift[0].connection_properties["JDBC_CONNECTION_URL"], ":5439/dev")
    error_message = "The JDBC URL points at the workgroup endpoint and the database."
  }
}

run "prod_namespace_is_protected" {
  command = plan

  module {
    source = "./modules/redshift"
  }

  variables {
    deletion_protection = true
  }

  assert {
    condition     = length(aws_redshiftserverless_namespace.protected) == 1 && length(aws_redshiftserverless_namespace.disposable) == 0 && output.protected == true
    error_message = "With deletion protection the namespace is the prevent_destroy resource."
  }
  assert {
    condition     = alltrue([for g in aws_cloudwatch_log_group.redshift : g.deletion_protection_enabled && g.skip_destroy]) && aws_secretsmanager_secret.loader[0].recovery_window_in_days == 30
    error_message = "With deletion protection the audit log groups are protected and kept, and the load user's secret is recoverable for 30 days."
  }
}

run "switched_off" {
  command = plan

  module {
    source = "./modules/redshift"
  }

  variables {
    enabled = false
  }

  assert {
    condition     = output.connection_name == "none" && length(aws_redshiftserverless_namespace.disposable) == 0 && length(aws_redshiftserverless_workgroup.this) == 0 && length(aws_glue_connection.redshift) == 0 && length(aws_cloudwatch_log_group.redshift) == 0 && output.secret_arns == []
    error_message = "enabled = false creates nothing and reports the connection as none."
  }
}
