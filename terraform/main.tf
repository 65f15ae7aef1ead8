# Root module: wires the modules together and holds no resources of its own. Names come from
# config/ (through pipeline_config); the job code comes from dist/, built by `make package`.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.region
}

module "config" {
  source     = "./modules/pipeline_config"
  config_dir = "${path.module}/../config"
  env        = var.env
}

module "data_lake" {
  source = "./modules/data_lake"

  name_prefix                        = module.config.name_prefix
  account_id                         = local.account_id
  region                             = local.region
  partition                          = local.partition
  key_user_role_arns                 = module.iam.role_arns
  log_group_name_patterns            = ["/aws-glue/*", "/aws/redshift/serverless/*"]
  force_destroy                      = !var.deletion_protection
  kms_deletion_window_days           = var.deletion_protection ? 30 : 7
  noncurrent_version_expiration_days = var.noncurrent_version_expiration_days
  temp_expiration_days               = var.temp_expiration_days
  raw_events_to_eventbridge          = var.workflow_start == "event"
}

module "iam" {
  source = "./modules/iam"

  name_prefix    = module.config.name_prefix
  account_id     = local.account_id
  region         = local.region
  partition      = local.partition
  bucket_arns    = module.data_lake.bucket_arns
  kms_key_arn    = module.data_lake.kms_key_arn
  database_names = module.config.database_names
  raw_prefixes   = distinct(flatten([for d in values(module.config.datasets) : d.raw_prefixes]))
  glue_connection_names = compact(concat(
    [module.connections.network_connection_name],
    values(module.connections.source_connection_names),
    [module.redshift.connection_name == "none" ? "" : module.redshift.connection_name],
  ))
  secret_arns              = concat(module.connections.secret_arns, module.redshift.secret_arns)
  dynamodb_tables          = module.config.dynamodb_tables
  crawled_connection_names = [for c in local.source_crawl_targets : c.connection_name]
  crawled_secret_arns      = [for name, db in var.source_databases : db.secret_arn if db.crawl_path != null]
  subnet_ids               = var.private_subnet_ids
  security_group_ids       = [module.network.glue_security_group_id]
  metrics_namespace        = module.config.project
  enable_redshift          = var.enable_redshift
  enable_table_optimizers  = var.enable_table_optimizers
  permissions_boundary_arn = var.permissions_boundary_arn
  # The catalog key: the platform team's (catalog_encryption_key_arn), or this stack's when it
  # manages the setting itself (then the pipeline key statement already covers it).
  catalog_encryption_key_arn = var.catalog_encryption_key_arn
}

module "catalog" {
  source = "./modules/catalog"

  name_prefix               = module.config.name_prefix
  database_names            = module.config.database_names
  bucket_names              = module.data_lake.bucket_names
  kms_key_arn               = module.data_lake.kms_key_arn
  manage_catalog_encryption = var.manage_catalog_encryption
  account_id                = local.account_id
  curated_tables            = [for d in values(module.config.datasets) : d.curated_table]
  enable_table_optimizers   = var.enable_table_optimizers
  table_optimizer_role_arn  = module.iam.table_optimizer_role_arn
  snapshot_retention_days   = var.snapshot_retention_days
}

module "network" {
  source = "./modules/network"

  name_prefix            = module.config.name_prefix
  region                 = local.region
  partition              = local.partition
  account_id             = local.account_id
  vpc_id                 = var.vpc_id
  private_subnet_ids     = var.private_subnet_ids
  create_vpc_endpoints   = var.create_vpc_endpoints
  bucket_arns            = [for zone, arn in module.data_lake.bucket_arns : arn if zone != "access_logs"]
  kms_key_arn            = module.data_lake.kms_key_arn
  secret_arns            = concat(module.connections.secret_arns, module.redshift.secret_arns)
  source_database_routes = { for name, db in var.source_databases : name => { port = db.port, cidr_blocks = db.cidr_blocks } }
  dynamodb_table_arns    = [for table in module.config.dynamodb_tables : "arn:${local.partition}:dynamodb:${local.region}:${local.account_id}:table/${table}"]
}

module "connections" {
  source = "./modules/connections"

  name_prefix                = module.config.name_prefix
  subnet_id                  = module.network.first_subnet_id
  availability_zone          = module.network.first_subnet_availability_zone
  security_group_ids         = [module.network.glue_security_group_id]
  jdbc_connections_in_config = module.config.jdbc_connections
  jdbc_datasets              = module.config.jdbc_datasets
  source_databases           = var.source_databases
  warehouse_enabled          = var.enable_redshift
}

locals {
  # Source databases the sources crawler catalogs: those given a crawl_path.
  source_crawl_targets = [
    for name, db in var.source_databases : { connection_name = module.connections.source_connection_names[name], path = db.crawl_path }
    if db.crawl_path != null
  ]
}

module "redshift" {
  source = "./modules/redshift"

  enabled                      = var.enable_redshift
  name_prefix                  = module.config.name_prefix
  vpc_id                       = var.vpc_id
  subnet_ids                   = var.private_subnet_ids
  connection_subnet_id         = module.network.first_subnet_id
  connection_availability_zone = module.network.first_subnet_availability_zone
  glue_security_group_id       = module.network.glue_security_group_id
  s3_prefix_list_id            = module.network.s3_prefix_list_id
  kms_key_arn                  = module.data_lake.kms_key_arn
  iam_role_arn                 = module.iam.redshift_role_arn
  database_name                = var.redshift_database_name
  admin_username               = var.redshift_admin_username
  base_capacity                = var.redshift_base_capacity
  max_capacity                 = var.redshift_max_capacity
  deletion_protection          = var.deletion_protection
  manage_log_groups            = var.manage_redshift_log_groups
  log_retention_days           = var.log_retention_days
}

module "code_upload" {
  source = "./modules/code_upload"

  dist_dir    = "${path.module}/../dist"
  bucket_name = module.data_lake.bucket_names.scripts
  kms_key_arn = module.data_lake.kms_key_arn
  job_stages  = module.config.job_stages
}

module "crawlers" {
  source = "./modules/crawlers"

  name_prefix                 = module.config.name_prefix
  zones                       = module.config.crawler_zones
  database_names              = module.catalog.database_names
  bucket_names                = module.data_lake.bucket_names
  datasets                    = module.config.datasets
  role_arn                    = module.iam.crawler_role_arn
  security_configuration_name = module.catalog.security_configuration_name
  jdbc_targets                = local.source_crawl_targets
  dynamodb_tables             = module.config.dynamodb_tables
}

module "jobs" {
  source = "./modules/jobs"

  name_prefix                 = module.config.name_prefix
  env                         = var.env
  stages                      = module.config.job_stages
  role_arn                    = module.iam.glue_job_role_arn
  script_locations            = module.code_upload.script_locations
  library_uri                 = module.code_upload.library_uri
  config_uri                  = module.code_upload.config_uri
  bucket_names                = module.data_lake.bucket_names
  curated_database            = module.catalog.database_names.curated
  iceberg_catalog             = module.config.iceberg_catalog
  warehouse_connection        = module.redshift.connection_name
  warehouse_database          = module.redshift.database_name
  warehouse_schema            = var.warehouse_schema
  metrics_namespace           = module.config.project
  network_connection          = module.connections.network_connection_name
  source_connections          = values(module.connections.source_connection_names)
  extract_reads_warehouse     = module.connections.extract_reads_warehouse
  fallback_datasets           = module.connections.fallback_datasets
  security_configuration_name = module.catalog.security_configuration_name
  glue_version                = var.glue_version
  execution_class             = var.job_execution_class
  job_settings                = var.job_settings
}

locals {
  # What an upload to the raw bucket announces (workflow_start = event): the S3 datasets and the JDBC
  # datasets that read their CSV fallback there because their database is not provisioned. Every
  # other dataset is read from a database, the warehouse or DynamoDB, which sends no S3 event.
  datasets_read_from_raw = {
    for name, d in module.config.datasets : name => d
    if d.source_type == "s3" || contains(module.connections.fallback_datasets, name)
  }
  datasets_without_s3_events = {
    for name, d in module.config.datasets : name => (
      d.source_type == "dynamodb" ? "DynamoDB table ${d.dynamodb_table}" : "a ${coalesce(d.engine, d.source_type)} database (connection ${coalesce(d.connection, "-")})"
    ) if !contains(keys(local.datasets_read_from_raw), name)
  }
}

module "workflow" {
  source = "./modules/workflow"

  name_prefix                = module.config.name_prefix
  steps                      = module.config.workflow_steps
  job_names                  = module.jobs.job_names
  crawler_names              = module.crawlers.crawler_names
  schedule                   = var.workflow_schedule
  start_mode                 = var.workflow_start
  raw_bucket_name            = module.data_lake.bucket_names.raw
  raw_prefixes               = sort(distinct(flatten([for d in values(local.datasets_read_from_raw) : d.raw_prefixes])))
  datasets_without_s3_events = local.datasets_without_s3_events
  event_batch_size           = var.workflow_event_batch_size
  event_batch_window_seconds = var.workflow_event_batch_window_seconds
  account_id                 = local.account_id
  region                     = local.region
  partition                  = local.partition
  permissions_boundary_arn   = var.permissions_boundary_arn
}

module "athena" {
  source = "./modules/athena"

  name_prefix                    = module.config.name_prefix
  results_bucket_name            = module.data_lake.bucket_names.athena_results
  account_id                     = local.account_id
  kms_key_arn                    = module.data_lake.kms_key_arn
  bytes_scanned_cutoff_per_query = var.athena_bytes_scanned_cutoff
  curated_database               = module.catalog.database_names.curated
  datasets                       = module.config.datasets
  force_destroy                  = !var.deletion_protection
}

module "monitoring" {
  source = "./modules/monitoring"

  name_prefix                 = module.config.name_prefix
  env                         = var.env
  region                      = local.region
  account_id                  = local.account_id
  partition                   = local.partition
  kms_key_arn                 = module.data_lake.kms_key_arn
  job_names                   = module.jobs.job_names
  crawler_names               = module.crawlers.crawler_names
  security_configuration_name = module.catalog.security_configuration_name
  job_role_name               = module.iam.glue_job_role_name
  crawler_role_name           = module.iam.crawler_role_name
  log_retention_days          = var.log_retention_days
  deletion_protection         = var.deletion_protection
  alert_email                 = var.alert_email
  metrics_namespace           = module.config.project
  final_job_name              = module.jobs.job_names[element(module.config.job_stages, length(module.config.job_stages) - 1)]
  workflow_schedule           = var.workflow_schedule
  zone_bucket_names           = { for zone in ["raw", "processed", "curated", "quarantine"] : zone => module.data_lake.bucket_names[zone] }
  curated_database            = module.catalog.database_names.curated
}

module "data_quality" {
  source = "./modules/data_quality"

  name_prefix        = module.config.name_prefix
  rulesets           = module.config.data_quality
  curated_database   = module.catalog.database_names.curated
  transform_job_name = module.jobs.job_names["transform"]
  alerts_topic_arn   = module.monitoring.sns_topic_arn
}
