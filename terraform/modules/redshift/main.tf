# Redshift Serverless warehouse in private subnets: namespace (data encrypted with the pipeline key,
# admin password generated and stored by Secrets Manager under the same key), workgroup (not public,
# enhanced VPC routing so COPY/UNLOAD traffic stays in the VPC, TLS required), its security group,
# and the Glue JDBC connection the load job writes through.

locals {
  count = var.enabled ? 1 : 0
}

resource "aws_redshiftserverless_namespace" "this" {
  count = local.count

  namespace_name                   = "${var.name_prefix}-warehouse"
  db_name                          = var.database_name
  admin_username                   = var.admin_username
  manage_admin_password            = true
  admin_password_secret_kms_key_id = var.kms_key_arn
  kms_key_id                       = var.kms_key_arn
  iam_roles                        = compact([var.iam_role_arn])
  default_iam_role_arn             = var.iam_role_arn
  log_exports                      = ["userlog", "connectionlog", "useractivitylog"]
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

resource "aws_redshiftserverless_workgroup" "this" {
  count = local.count

  workgroup_name       = "${var.name_prefix}-warehouse"
  namespace_name       = aws_redshiftserverless_namespace.this[0].namespace_name
  base_capacity        = var.base_capacity
  max_capacity         = var.max_capacity
  port                 = var.port
  subnet_ids           = var.subnet_ids
  security_group_ids   = [aws_security_group.redshift[0].id]
  publicly_accessible  = false
  enhanced_vpc_routing = true

  config_parameter {
    parameter_key   = "require_ssl"
    parameter_value = "true"
  }
  config_parameter {
    parameter_key   = "enable_user_activity_logging"
    parameter_value = "true"
  }
}

resource "aws_glue_connection" "redshift" {
  count = local.count

  name            = "${var.name_prefix}-redshift"
  description     = "Redshift Serverless warehouse of ${var.name_prefix} (load job)"
  connection_type = "JDBC"
  connection_properties = {
    JDBC_CONNECTION_URL = "jdbc:redshift://${aws_redshiftserverless_workgroup.this[0].endpoint[0].address}:${var.port}/${var.database_name}"
    SECRET_ID           = aws_redshiftserverless_namespace.this[0].admin_password_secret_arn
    JDBC_ENFORCE_SSL    = "true"
  }

  physical_connection_requirements {
    subnet_id              = var.connection_subnet_id
    availability_zone      = var.connection_availability_zone
    security_group_id_list = [var.glue_security_group_id]
  }
}
