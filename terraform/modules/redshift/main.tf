# Redshift Serverless warehouse in private subnets: namespace (data encrypted with the pipeline key,
# admin password generated and stored by Secrets Manager under the same key, audit logs exported to
# KMS-encrypted log groups with retention), workgroup (not public, enhanced VPC routing so
# COPY/UNLOAD traffic stays in the VPC, TLS required), its security group, the secret of the
# dedicated load user, and the Glue JDBC connection the load job writes through as that user.

locals {
  count       = var.enabled ? 1 : 0
  log_exports = ["userlog", "connectionlog", "useractivitylog"]

  # The namespace holds the data (the workgroup is only compute). Terraform's prevent_destroy cannot
  # depend on a variable, so the namespace is one of two resources with the same arguments: with
  # deletion_protection it is "protected" and any plan that would destroy or replace it fails
  # (a prod `terraform destroy` included); without, it is "disposable".
  namespace = {
    name       = "${var.name_prefix}-warehouse"
    protected  = var.enabled && var.deletion_protection
    disposable = var.enabled && !var.deletion_protection
    iam_roles  = compact([var.iam_role_arn])
  }
  warehouse = one(concat(aws_redshiftserverless_namespace.protected, aws_redshiftserverless_namespace.disposable))
}

resource "aws_redshiftserverless_namespace" "protected" {
  count = local.namespace.protected ? 1 : 0

  namespace_name                   = local.namespace.name
  db_name                          = var.database_name
  admin_username                   = var.admin_username
  manage_admin_password            = true
  admin_password_secret_kms_key_id = var.kms_key_arn
  kms_key_id                       = var.kms_key_arn
  iam_roles                        = local.namespace.iam_roles
  default_iam_role_arn             = var.iam_role_arn
  log_exports                      = local.log_exports

  depends_on = [aws_cloudwatch_log_group.redshift]

  lifecycle {
    prevent_destroy = true
  }
}

resource "aws_redshiftserverless_namespace" "disposable" {
  count = local.namespace.disposable ? 1 : 0

  namespace_name                   = local.namespace.name
  db_name                          = var.database_name
  admin_username                   = var.admin_username
  manage_admin_password            = true
  admin_password_secret_kms_key_id = var.kms_key_arn
  kms_key_id                       = var.kms_key_arn
  iam_roles                        = local.namespace.iam_roles
  default_iam_role_arn             = var.iam_role_arn
  log_exports                      = local.log_exports

  depends_on = [aws_cloudwatch_log_group.redshift]
}

# Redshift Serverless exports each log type to /aws/redshift/serverless/<log type> and uses the log
# group when it exists, else creates one that never expires
# (https://docs.aws.amazon.com/redshift/latest/mgmt/serverless-audit-logging.html). Creating them
# first gives them the key and a retention. They are per account and region, not per namespace:
# with two environments in one account, let one of them manage them (manage_log_groups).
resource "aws_cloudwatch_log_group" "redshift" {
  for_each = var.enabled && var.manage_log_groups ? toset(local.log_exports) : toset([])

  name                        = "/aws/redshift/serverless/${each.key}"
  retention_in_days           = var.log_retention_days
  kms_key_id                  = var.kms_key_arn
  deletion_protection_enabled = var.deletion_protection
  skip_destroy                = var.deletion_protection
}

resource "aws_security_group" "redshift" {
  count = local.count

  name        = "${var.name_prefix}-redshift"
  description = "Redshift Serverless of ${var.name_prefix}: reachable from the Glue jobs only"
  vpc_id      = var.vpc_id
  tags        = { Name = "${var.name_prefix}-redshift" }
}

resource "aws_vpc_security_group_ingress_rule" "redshift_from_glue" {
  count = local.count

  security_group_id            = aws_security_group.redshift[0].id
  description                  = "JDBC from the Glue jobs"
  referenced_security_group_id = var.glue_security_group_id
  ip_protocol                  = "tcp"
  from_port                    = var.port
  to_port                      = var.port
}

resource "aws_vpc_security_group_egress_rule" "redshift_to_s3" {
  count = local.count

  security_group_id = aws_security_group.redshift[0].id
  description       = "COPY/UNLOAD to S3 through the gateway endpoint (enhanced VPC routing)"
  prefix_list_id    = var.s3_prefix_list_id
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}

resource "aws_vpc_security_group_egress_rule" "glue_to_redshift" {
  count = local.count

  security_group_id            = var.glue_security_group_id
  description                  = "Load job to the Redshift workgroup"
  referenced_security_group_id = aws_security_group.redshift[0].id
  ip_protocol                  = "tcp"
  from_port                    = var.port
  to_port                      = var.port
}

# Every parameter the service reports back is set here, with its default unless said otherwise:
# the API returns the whole set, and a configuration naming only some of them shows a diff on every
# plan (hashicorp/terraform-provider-aws#27973, #33692).
locals {
  config_parameters = {
    auto_mv                          = "true"
    datestyle                        = "ISO, MDY"
    enable_case_sensitive_identifier = "false"
    enable_user_activity_logging     = "true" # the useractivitylog export needs it
    max_query_execution_time         = "14400"
    query_group                      = "default"
    require_ssl                      = "true" # TLS only
    search_path                      = "$user, public"
    use_fips_ssl                     = "false"
  }
}

resource "aws_redshiftserverless_workgroup" "this" {
  count = local.count

  workgroup_name       = "${var.name_prefix}-warehouse"
  namespace_name       = local.warehouse.namespace_name
  base_capacity        = var.base_capacity
  max_capacity         = var.max_capacity
  port                 = var.port
  subnet_ids           = var.subnet_ids
  security_group_ids   = [aws_security_group.redshift[0].id]
  publicly_accessible  = false
  enhanced_vpc_routing = true

  dynamic "config_parameter" {
    for_each = local.config_parameters
    content {
      parameter_key   = config_parameter.key
      parameter_value = config_parameter.value
    }
  }
}

# The load job's own warehouse user (not the admin): Terraform creates the secret, the deployment
# guide's one-time step puts a generated password into it and creates the user with exactly the
# privileges the load needs (docs/deployment-guide.md, "Create the warehouse load user").
resource "aws_secretsmanager_secret" "loader" {
  #checkov:skip=CKV2_AWS_57:Rotating a Redshift user's password needs a rotation Lambda in the VPC, which this stack does not run; rotate by repeating the guide's step (put a new password, ALTER USER). The admin password is rotated by Redshift itself (manage_admin_password).
  count = local.count

  name                    = "${var.name_prefix}-redshift-${var.loader_username}"
  description             = "Redshift user ${var.loader_username} of ${var.name_prefix}: the load job's warehouse login ({\"username\", \"password\"})"
  kms_key_id              = var.kms_key_arn
  recovery_window_in_days = var.deletion_protection ? 30 : 0
}

resource "aws_glue_connection" "redshift" {
  count = local.count

  name            = "${var.name_prefix}-redshift"
  description     = "Redshift Serverless warehouse of ${var.name_prefix} (load job)"
  connection_type = "JDBC"
  connection_properties = {
    JDBC_CONNECTION_URL = "jdbc:redshift://${aws_redshiftserverless_workgroup.this[0].endpoint[0].address}:${var.port}/${var.database_name}"
    SECRET_ID           = aws_secretsmanager_secret.loader[0].arn
    JDBC_ENFORCE_SSL    = "true"
  }

  physical_connection_requirements {
    subnet_id              = var.connection_subnet_id
    availability_zone      = var.connection_availability_zone
    security_group_id_list = [var.glue_security_group_id]
  }
}
