# Reads config/ (the one place a user describes the pipeline) and hands every other module the names
# it derives from it, so no dataset, table, prefix or workflow step is written twice.

locals {
  pipeline = yamldecode(file("${var.config_dir}/pipeline.yaml"))

  dataset_documents = {
    for file_name in fileset("${var.config_dir}/datasets", "*.yaml") :
    trimsuffix(file_name, ".yaml") => yamldecode(file("${var.config_dir}/datasets/${file_name}"))
  }

  # Keyed by the dataset's `name` (the file name when absent).
  datasets = {
    for file_key, d in local.dataset_documents : try(d.name, file_key) => {
      source_type  = d.source.type
      connection   = try(d.source.connection, null)
      engine       = try(d.source.engine, d.source.type == "jdbc" ? "postgresql" : null)
      has_fallback = can(d.source.fallback.prefix)
      # DynamoDB sources: the table the jobs (and the sources crawler) read.
      dynamodb_table = d.source.type == "dynamodb" ? d.source.table : null
      # Prefixes in the raw bucket that hold this dataset: the S3 source itself, and the CSV copy a
      # JDBC source falls back to. The raw crawler targets each of them.
      raw_prefixes = compact([
        d.source.type == "s3" ? d.source.prefix : "",
        try(d.source.fallback.prefix, ""),
      ])
      # warehouse_table is null for a dataset without targets.warehouse (the load only merges into
      # the curated table).
      curated_table   = d.targets.curated.table
      warehouse_table = try(d.targets.warehouse.table, null)
      partition_by    = try(d.partition_by, [])
      primary_key     = try(d.primary_key, [])
    }
  }

  # Each dataset's DQDL ruleset, exactly as etl_pipeline.config.DatasetConfig.ruleset writes it
  # (each rule's whitespace collapsed, one rule per line): the text Glue's console shows is the text
  # the transform job evaluates. tests/infra checks the two agree.
  quality_rules = {
    for file_key, d in local.dataset_documents : try(d.name, file_key) => [
      for r in try(d.quality.rules, []) : {
        dqdl    = join(" ", compact(split(" ", replace(replace(replace(r.dqdl, "\r", " "), "\t", " "), "\n", " "))))
        outcome = r.outcome
      }
    ]
  }
  data_quality = {
    for name, rules in local.quality_rules : name => {
      ruleset       = "Rules = [\n${join(",\n", [for r in rules : "  ${r.dqdl}"])}\n]\n"
      curated_table = local.datasets[name].curated_table
      warn_rules    = length([for r in rules : r if r.outcome == "warn"])
    } if length(rules) > 0
  }

  project     = local.pipeline.project
  name_prefix = "${local.project}-${var.env}"
  # Glue database names allow only lowercase letters, digits and underscores.
  db_prefix = replace(local.name_prefix, "-", "_")

  steps = [for s in local.pipeline.workflow : { name = s.name, kind = s.kind }]

  # Name of the Iceberg Spark catalog the jobs' SQL uses (glue_catalog.<database>.<table>).
  iceberg_catalog = try(local.pipeline.iceberg_catalog, "glue_catalog")
}
