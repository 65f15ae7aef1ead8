output "project" {
  description = "Project name from pipeline.yaml (etl-glue-pipeline)."
  value       = local.project
}

output "name_prefix" {
  description = "Prefix of every resource name: <project>-<env>."
  value       = local.name_prefix
}

output "database_names" {
  description = "Glue database name per zone (raw, processed, curated): <project>_<env>_<zone> with underscores."
  value       = { for zone in ["raw", "processed", "curated"] : zone => "${local.db_prefix}_${zone}" }
}

output "workflow_steps" {
  description = "The workflow's steps in run order, as pipeline.yaml lists them: [{name, kind}]."
  value       = local.steps

  precondition {
    condition     = length(local.steps) >= 2 && alltrue([for s in local.steps : contains(["job", "crawler"], s.kind)])
    error_message = "pipeline.yaml: workflow must list at least two steps, each of kind 'job' or 'crawler'."
  }
  precondition {
    condition     = length(distinct([for s in local.steps : "${s.kind}/${s.name}"])) == length(local.steps)
    error_message = "pipeline.yaml: a workflow step appears twice; each step runs once per workflow run."
  }
}

output "job_stages" {
  description = "Names of the job steps in run order (extract, transform, load)."
  value       = [for s in local.steps : s.name if s.kind == "job"]
}

output "crawler_zones" {
  description = "Names of the crawler steps in run order (raw: curated Iceberg tables are registered by the load job)."
  value       = [for s in local.steps : s.name if s.kind == "crawler"]
}

output "datasets" {
  description = "Per dataset: source_type, connection, raw_prefixes, curated_table, warehouse_table, partition_by, primary_key."
  value       = local.datasets

  precondition {
    condition     = length(local.datasets) > 0
    error_message = "config/datasets/ holds no *.yaml dataset definition."
  }
  precondition {
    condition     = alltrue([for d in values(local.datasets) : alltrue([for p in d.raw_prefixes : can(regex("^[A-Za-z0-9_=./-]+/$", p))])])
    error_message = "Every source.prefix and source.fallback.prefix must be a relative key prefix ending in '/' (e.g. flights/)."
  }
}

output "jdbc_connections" {
  description = "Logical names of the RDS (postgresql, mysql) source connections the datasets use, e.g. reference-db; redshift sources read through the warehouse connection."
  value       = distinct(compact([for d in values(local.datasets) : d.source_type == "jdbc" && d.engine != "redshift" ? d.connection : ""]))
}

output "jdbc_datasets" {
  description = "Per JDBC-sourced dataset: its logical connection, engine (postgresql, mysql, redshift) and whether it has a CSV fallback in the raw bucket."
  value = {
    for name, d in local.datasets : name => { connection = d.connection, engine = d.engine, has_fallback = d.has_fallback }
    if d.source_type == "jdbc"
  }
}

output "dynamodb_tables" {
  description = "DynamoDB tables the datasets read (source.type dynamodb)."
  value       = sort(distinct(compact([for d in values(local.datasets) : d.dynamodb_table == null ? "" : d.dynamodb_table])))
}

output "processed_layout" {
  description = "Key prefixes inside the processed bucket (landing, validated, reports)."
  value       = local.pipeline.processed_layout
}

output "iceberg_catalog" {
  description = "Name of the Iceberg Spark catalog of the curated tables (pipeline.yaml iceberg_catalog; default glue_catalog)."
  value       = local.iceberg_catalog

  precondition {
    condition     = can(regex("^[a-z_][a-z0-9_]*$", local.iceberg_catalog))
    error_message = "pipeline.yaml: iceberg_catalog must be a lowercase identifier (it becomes spark.sql.catalog.<name>)."
  }
}

output "data_quality" {
  description = "Per dataset with quality rules: its DQDL ruleset text (as the jobs evaluate it), curated table and number of warn rules."
  value       = local.data_quality
}
