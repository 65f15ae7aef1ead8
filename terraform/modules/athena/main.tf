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

# The curated tables are Apache Iceberg tables registered in the Data Catalog, which Athena engine
# version 3 reads and whose metadata tables ($snapshots, $partitions, ...) it exposes
# (https://docs.aws.amazon.com/athena/latest/ug/querying-iceberg-table-metadata.html).
locals {
  table_ref = { for name, d in var.datasets : name => "\"${var.curated_database}\".\"${d.curated_table}\"" }
  metadata_ref = {
    for name, d in var.datasets : name => { for t in ["snapshots", "partitions"] : t => format("\"%s\".\"%s$%s\"", var.curated_database, d.curated_table, t) }
  }

  queries = merge(
    {
      for name, d in var.datasets : "${name}-preview" => {
        description = "First 100 rows of ${d.curated_table}"
        sql         = "SELECT * FROM ${local.table_ref[name]} LIMIT 100;"
      }
    },
    {
      for name, d in var.datasets : "${name}-row-count" => {
        description = "Rows of ${d.curated_table} (current snapshot)"
        sql         = "SELECT count(*) AS row_count FROM ${local.table_ref[name]};"
      }
    },
    {
      # Iceberg's own partition statistics, whatever the partition transform (e.g. months(flight_date)).
      for name, d in var.datasets : "${name}-partitions" => {
        description = "Rows and files per partition of ${d.curated_table}"
        sql         = "SELECT * FROM ${local.metadata_ref[name].partitions};"
      }
    },
    {
      # One row per commit: what each load run did (operation, summary), for time travel and rollback.
      for name, d in var.datasets : "${name}-snapshots" => {
        description = "Commits of ${d.curated_table}, newest first"
        sql         = "SELECT committed_at, snapshot_id, operation, summary FROM ${local.metadata_ref[name].snapshots} ORDER BY committed_at DESC LIMIT 50;"
      }
    },
    {
      # A rerun of the load must never duplicate rows: this query returns no row when that holds.
      for name, d in var.datasets : "${name}-duplicate-keys" => {
        description = "Primary-key values of ${d.curated_table} that occur more than once (expect none)"
        sql = join("", [
          "SELECT ${join(", ", d.primary_key)}, count(*) AS copies FROM ${local.table_ref[name]} ",
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
