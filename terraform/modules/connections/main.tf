# Glue connections the jobs run with: a NETWORK connection that places every job in the private
# subnet (so all traffic goes through the VPC endpoints), and one JDBC connection per source
# database (RDS PostgreSQL, RDS MySQL) that the datasets read. The credentials stay in Secrets
# Manager: a connection names the secret (SECRET_ID), so no password is in the state or in config/.
# The warehouse connection, which Redshift-sourced datasets read too, lives in the redshift module.

resource "aws_glue_connection" "network" {
  name            = "${var.name_prefix}-network"
  description     = "Runs the jobs of ${var.name_prefix} in the private subnet"
  connection_type = "NETWORK"

  physical_connection_requirements {
    subnet_id              = var.subnet_id
    availability_zone      = var.availability_zone
    security_group_id_list = var.security_group_ids
  }

  lifecycle {
    # A JDBC dataset whose database is not provisioned reads its CSV fallback; without one it could not run.
    precondition {
      condition     = length(local.unreadable) == 0
      error_message = "config/datasets: ${join(", ", local.unreadable)} read a connection missing from source_databases and have no source.fallback."
    }
  }
}

resource "aws_glue_connection" "source" {
  for_each = var.source_databases

  name            = "${var.name_prefix}-${each.key}"
  description     = "Source database ${each.key} read by the JDBC datasets of ${var.name_prefix}"
  connection_type = "JDBC"
  connection_properties = {
    JDBC_CONNECTION_URL = each.value.jdbc_url
    SECRET_ID           = each.value.secret_arn
    JDBC_ENFORCE_SSL    = "true"
  }

  physical_connection_requirements {
    subnet_id              = var.subnet_id
    availability_zone      = var.availability_zone
    security_group_id_list = var.security_group_ids
  }

  lifecycle {
    precondition {
      condition     = contains(var.jdbc_connections_in_config, each.key)
      error_message = "source_databases.${each.key}: no dataset in config/datasets reads connection '${each.key}'."
    }
  }
}

locals {
  # A Redshift-sourced dataset reads the warehouse (when there is one); the others their source database.
  provisioned = {
    for name, d in var.jdbc_datasets : name => d.engine == "redshift" ? var.warehouse_enabled : contains(keys(var.source_databases), d.connection)
  }
  fallback_datasets = sort([for name, ready in local.provisioned : name if !ready])
  unreadable        = [for name in local.fallback_datasets : name if !var.jdbc_datasets[name].has_fallback]
  reads_warehouse   = anytrue([for name, d in var.jdbc_datasets : d.engine == "redshift" && local.provisioned[name]])
}
