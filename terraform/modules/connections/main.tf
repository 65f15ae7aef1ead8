# Glue connections the jobs run with: a NETWORK connection that places every job in the private
# subnet (so all traffic goes through the VPC endpoints), and the optional JDBC connection to the
# reference database the JDBC datasets read. The warehouse connection lives in the redshift module.

locals {
  reference_enabled = var.reference_db_jdbc_url != null
}

resource "aws_glue_connection" "network" {
  name            = "${var.name_prefix}-network"
  description     = "Runs the jobs of ${var.name_prefix} in the private subnet"
  connection_type = "NETWORK"

  physical_connection_requirements {
    subnet_id              = var.subnet_id
    availability_zone      = var.availability_zone
    security_group_id_list = var.security_group_ids
  }
}

resource "aws_glue_connection" "reference_db" {
  count = local.reference_enabled ? 1 : 0

  name            = "${var.name_prefix}-${var.reference_db_connection}"
  description     = "Reference database read by the JDBC datasets of ${var.name_prefix}"
  connection_type = "JDBC"
  connection_properties = {
    JDBC_CONNECTION_URL = var.reference_db_jdbc_url
    SECRET_ID           = var.reference_db_secret_arn
    JDBC_ENFORCE_SSL    = "true"
  }

  physical_connection_requirements {
    subnet_id              = var.subnet_id
    availability_zone      = var.availability_zone
    security_group_id_list = var.security_group_ids
  }

  lifecycle {
    precondition {
      condition     = var.reference_db_secret_arn != null
      error_message = "reference_db_jdbc_url is set: reference_db_secret_arn (the database's credentials) must be set too."
    }
    precondition {
      condition     = alltrue([for name in var.jdbc_connections_in_config : name == var.reference_db_connection])
      error_message = "config/datasets uses a JDBC connection other than '${var.reference_db_connection}'; only that one is provisioned."
    }
  }
}
