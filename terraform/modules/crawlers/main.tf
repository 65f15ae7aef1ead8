# The crawler of the raw zone. It runs only as a workflow step (no schedule of its own). Targets come
# from config/datasets: each dataset's source prefix (and the CSV fallback of a JDBC source).
#
# There is no curated crawler: the curated tables are Apache Iceberg tables that the load job
# creates and commits through the Iceberg GlueCatalog, so the Data Catalog always points at their
# current metadata file. A crawler over them could only lag behind the commits (or, as a Parquet
# crawl, register the data files as a second, wrong table).

locals {
  targets = {
    raw = sort(distinct(flatten([
      for d in values(var.datasets) : [for prefix in d.raw_prefixes : "s3://${var.bucket_names.raw}/${prefix}"]
    ])))
  }

  policies = {
    # Raw: the schema of what source systems deliver is discovered here, and drift is the signal the
    # pipeline's "evolve" step reacts to. So a changed schema updates the table (UPDATE_IN_DATABASE),
    # a vanished source folder only deprecates its table (DEPRECATE_IN_DATABASE: history and
    # downstream references stay readable, nothing is dropped silently), and every run crawls
    # everything, because sources add files to existing folders, which an incremental crawl
    # (CRAWL_NEW_FOLDERS_ONLY) would not look at.
    raw = {
      update_behavior  = "UPDATE_IN_DATABASE"
      delete_behavior  = "DEPRECATE_IN_DATABASE"
      recrawl_behavior = "CRAWL_EVERYTHING"
    }
  }
}

resource "aws_glue_crawler" "zone" {
  for_each = toset(var.zones)

  name                   = "${var.name_prefix}-${each.key}-crawler"
  description            = "Catalogs the ${each.key} zone of ${var.name_prefix} (targets from config/datasets)"
  database_name          = var.database_names[each.key]
  role                   = var.role_arn
  security_configuration = var.security_configuration_name

  dynamic "s3_target" {
    for_each = local.targets[each.key]
    content {
      path = s3_target.value
      # Spark's marker and checksum files are not data.
      exclusions = ["**/_SUCCESS", "**/*.crc", "**/_temporary/**"]
    }
  }

  schema_change_policy {
    update_behavior = local.policies[each.key].update_behavior
    delete_behavior = local.policies[each.key].delete_behavior
  }

  recrawl_policy {
    recrawl_behavior = local.policies[each.key].recrawl_behavior
  }

  # Compatible files below one target folder form one table; new columns are merged into the table
  # (never removed), and partitions inherit the table's schema, so a partition never drifts from
  # the table.
  configuration = jsonencode({
    Version  = 1.0
    Grouping = { TableGroupingPolicy = "CombineCompatibleSchemas" }
    CrawlerOutput = {
      Partitions = { AddOrUpdateBehavior = "InheritFromTable" }
      Tables     = { AddOrUpdateBehavior = "MergeNewColumns" }
    }
  })

  lineage_configuration {
    crawler_lineage_settings = "DISABLE"
  }
}

# The sources crawler: catalogs the source databases (jdbc_target, through their Glue connections)
# and the DynamoDB tables (dynamodb_target) the datasets read, as tables named source_* in the raw
# database, so their schemas are visible (and their drift shows) before the extract reads them. It
# runs on demand, not in the workflow: the extract reads the sources directly. DynamoDB is sampled
# (scan_all false) at half the table's read capacity, so a crawl never starves the application.
resource "aws_glue_crawler" "sources" {
  count = length(var.jdbc_targets) + length(var.dynamodb_tables) > 0 ? 1 : 0

  name                   = "${var.name_prefix}-sources-crawler"
  description            = "Catalogs the source databases and DynamoDB tables of ${var.name_prefix} (source_* tables)"
  database_name          = var.database_names["raw"]
  table_prefix           = "source_"
  role                   = var.role_arn
  security_configuration = var.security_configuration_name

  dynamic "jdbc_target" {
    for_each = var.jdbc_targets
    content {
      connection_name = jdbc_target.value.connection_name
      path            = jdbc_target.value.path
    }
  }

  dynamic "dynamodb_target" {
    for_each = var.dynamodb_tables
    content {
      path      = dynamodb_target.value
      scan_all  = false
      scan_rate = 0.5
    }
  }

  schema_change_policy {
    update_behavior = "UPDATE_IN_DATABASE"
    delete_behavior = "DEPRECATE_IN_DATABASE"
  }

  lineage_configuration {
    crawler_lineage_settings = "DISABLE"
  }
}
