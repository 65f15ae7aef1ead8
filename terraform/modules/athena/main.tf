# Athena workgroup for the curated zone: its configuration is enforced (clients cannot override the
# result location or encryption), results are SSE-KMS encrypted in the results bucket, each query is
# cut off past a bytes-scanned limit, and named queries give a starting point per curated table.

resource "aws_athena_workgroup" "this" {
  name          = var.name_prefix
  description   = "Queries over the curated zone of ${var.name_prefix}"
  state         = "ENABLED"
  force_destroy = var.force_destroy

  configuration {
    enforce_workgroup_configuration    = true
    publish_cloudwatch_metrics_enabled = true
    bytes_scanned_cutoff_per_query     = var.bytes_scanned_cutoff_per_query
    requester_pays_enabled             = false

    engine_version {
      selected_engine_version = "Athena engine version 3"
    }

    result_configuration {
      output_location       = "s3://${var.results_bucket_name}/results/"
      expected_bucket_owner = var.account_id

      encryption_configuration {
        encryption_option = "SSE_KMS"
        kms_key_arn       = var.kms_key_arn
      }
    }
  }
}

locals {
  queries = merge(
    {
      for name, d in var.datasets : "${name}-preview" => {
        description = "First 100 rows of ${d.curated_table}"
        sql         = "SELECT * FROM \"${var.curated_database}\".\"${d.curated_table}\" LIMIT 100;"
      }
    },
    {
      for name, d in var.datasets : "${name}-row-count" => {
        description = length(d.partition_by) > 0 ? "Rows of ${d.curated_table} per partition (${join(", ", d.partition_by)})" : "Rows of ${d.curated_table}"
        sql = length(d.partition_by) > 0 ? join("", [
          "SELECT ${join(", ", d.partition_by)}, count(*) AS row_count FROM \"${var.curated_database}\".\"${d.curated_table}\" ",
          "GROUP BY ${join(", ", d.partition_by)} ORDER BY ${join(", ", d.partition_by)};",
        ]) : "SELECT count(*) AS row_count FROM \"${var.curated_database}\".\"${d.curated_table}\";"
      }
    },
    {
      # A rerun of the load must never duplicate rows: this query returns no row when that holds.
      for name, d in var.datasets : "${name}-duplicate-keys" => {
        description = "Primary-key values of ${d.curated_table} that occur more than once (expect none)"
        sql = join("", [
          "SELECT ${join(", ", d.primary_key)}, count(*) AS copies FROM \"${var.curated_database}\".\"${d.curated_table}\" ",
          "GROUP BY ${join(", ", d.primary_key)} HAVING count(*) > 1 LIMIT 100;",
        ])
      } if length(d.primary_key) > 0
    },
  )
}

resource "aws_athena_named_query" "curated" {
  for_each = local.queries

  name        = "${var.name_prefix}-${each.key}"
  description = each.value.description
  workgroup   = aws_athena_workgroup.this.id
  database    = var.curated_database
  query       = each.value.sql
}
