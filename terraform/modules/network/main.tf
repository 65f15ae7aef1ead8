# Network for Glue jobs in private subnets of an existing VPC: the Glue security group (Glue requires
# a self-referencing rule so that the driver and executors talk to each other), an S3 gateway
# endpoint and interface endpoints, so the jobs need no NAT gateway or internet route.

data "aws_vpc" "this" {
  id = var.vpc_id
}

data "aws_subnet" "first" {
  id = var.private_subnet_ids[0]
}

# The route table of each subnet the jobs and Redshift use, looked up from the subnet's explicit
# route table association, so the S3 gateway endpoint is on exactly the routes these subnets
# follow. A subnet that only uses the VPC's main route table has no such association, and the
# lookup fails the plan: associate the private subnets with their route table explicitly.
data "aws_route_table" "private" {
  for_each = toset(var.private_subnet_ids)

  subnet_id = each.value
}

# The S3 prefix list exists whether or not this module creates the gateway endpoint.
data "aws_ec2_managed_prefix_list" "s3" {
  name = "com.amazonaws.${var.region}.s3"
}

resource "aws_security_group" "glue" {
  name        = "${var.name_prefix}-glue"
  description = "Glue jobs of ${var.name_prefix}: self-referencing, egress to S3, endpoints and databases only"
  vpc_id      = var.vpc_id
  tags        = { Name = "${var.name_prefix}-glue" }
}

resource "aws_vpc_security_group_ingress_rule" "glue_self" {
  security_group_id            = aws_security_group.glue.id
  description                  = "Glue driver and executors reach each other (required by Glue)"
  referenced_security_group_id = aws_security_group.glue.id
  ip_protocol                  = "tcp"
  from_port                    = 0
  to_port                      = 65535
}

resource "aws_vpc_security_group_egress_rule" "glue_self" {
  security_group_id            = aws_security_group.glue.id
  description                  = "Glue driver and executors reach each other (required by Glue)"
  referenced_security_group_id = aws_security_group.glue.id
  ip_protocol                  = "tcp"
  from_port                    = 0
  to_port                      = 65535
}

resource "aws_vpc_security_group_egress_rule" "glue_s3" {
  security_group_id = aws_security_group.glue.id
  description       = "HTTPS to S3 through the gateway endpoint"
  prefix_list_id    = data.aws_ec2_managed_prefix_list.s3.id
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}

resource "aws_vpc_security_group_egress_rule" "glue_endpoints" {
  security_group_id = aws_security_group.glue.id
  description       = "HTTPS to the interface endpoints inside the VPC"
  cidr_ipv4         = data.aws_vpc.this.cidr_block
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}

# One rule per source database and address range, on that database's port only.
resource "aws_vpc_security_group_egress_rule" "glue_source_db" {
  for_each = merge([for name, db in var.source_database_routes : {
    for cidr in db.cidr_blocks : "${name}:${cidr}" => { name = name, cidr = cidr, port = db.port }
  }]...)

  security_group_id = aws_security_group.glue.id
  description       = "JDBC source database ${each.value.name}"
  cidr_ipv4         = each.value.cidr
  ip_protocol       = "tcp"
  from_port         = each.value.port
  to_port           = each.value.port
}

resource "aws_vpc_security_group_egress_rule" "glue_dynamodb" {
  count = var.create_vpc_endpoints && length(var.dynamodb_table_arns) > 0 ? 1 : 0

  security_group_id = aws_security_group.glue.id
  description       = "DynamoDB through its gateway endpoint"
  prefix_list_id    = aws_vpc_endpoint.dynamodb[0].prefix_list_id
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}

# ---------------------------------------------------------------------------------------------
# VPC endpoints
# ---------------------------------------------------------------------------------------------
# Endpoint policies narrow what the endpoints carry; the callers' IAM policies still decide what
# each caller may do (https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html).
locals {
  route_table_ids    = sort(distinct([for rt in data.aws_route_table.private : rt.id]))
  arn_prefix         = "arn:${var.partition}"
  account_principals = { "aws:PrincipalAccount" = var.account_id }
  endpoint_statements = {
    # The pipeline's buckets only: Glue code, data zones, TempDir and Spark UI logs, Redshift COPY
    # and UNLOAD under enhanced VPC routing. Everything else in S3 is unreachable from these routes.
    s3 = {
      Sid       = "PipelineBucketsOnly"
      Principal = "*"
      Action = [
        "s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload",
        "s3:ListMultipartUploadParts", "s3:ListBucket", "s3:GetBucketLocation",
      ]
      Resource = flatten([for arn in var.bucket_arns : [arn, "${arn}/*"]])
    }
    kms = {
      Sid       = "PipelineKeyOnly"
      Principal = "*"
      Action    = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"]
      Resource  = [var.kms_key_arn]
    }
    secretsmanager = {
      Sid       = "PipelineSecretsOnly"
      Principal = "*"
      Action    = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
      Resource  = length(var.secret_arns) > 0 ? var.secret_arns : ["${local.arn_prefix}:secretsmanager:${var.region}:${var.account_id}:secret:${var.name_prefix}-*"]
    }
    logs = {
      Sid       = "PipelineLogGroupsOnly"
      Principal = "*"
      Action    = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:AssociateKmsKey", "logs:DescribeLogStreams"]
      Resource  = ["${local.arn_prefix}:logs:${var.region}:${var.account_id}:log-group:/aws-glue/*"]
    }
  }
  # Glue, STS and CloudWatch metrics are called with many resource types (or none); for them the
  # endpoint admits this account's principals only.
  endpoint_policies = {
    for service in concat(["s3"], var.interface_endpoint_services) : service => jsonencode({
      Version = "2012-10-17"
      Statement = [merge(
        { Effect = "Allow" },
        lookup(local.endpoint_statements, service, {
          Sid       = "AccountPrincipalsOnly"
          Principal = "*"
          Action    = "*"
          Resource  = "*"
          Condition = { StringEquals = local.account_principals }
        }),
      )]
    })
  }
}

resource "aws_vpc_endpoint" "s3" {
  count = var.create_vpc_endpoints ? 1 : 0

  vpc_id            = var.vpc_id
  service_name      = "com.amazonaws.${var.region}.s3"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = local.route_table_ids
  policy            = local.endpoint_policies.s3
  tags              = { Name = "${var.name_prefix}-s3" }
}

# DynamoDB is reached from the private subnets through a gateway endpoint, like S3; its policy
# admits reads of the configured tables only (and their exports).
resource "aws_vpc_endpoint" "dynamodb" {
  count = var.create_vpc_endpoints && length(var.dynamodb_table_arns) > 0 ? 1 : 0

  vpc_id            = var.vpc_id
  service_name      = "com.amazonaws.${var.region}.dynamodb"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = local.route_table_ids
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "ConfiguredTablesOnly"
      Effect    = "Allow"
      Principal = "*"
      Action    = ["dynamodb:DescribeTable", "dynamodb:Scan", "dynamodb:ExportTableToPointInTime", "dynamodb:DescribeExport"]
      Resource  = concat(var.dynamodb_table_arns, [for arn in var.dynamodb_table_arns : "${arn}/export/*"])
      Condition = { StringEquals = local.account_principals }
    }]
  })
  tags = { Name = "${var.name_prefix}-dynamodb" }
}

resource "aws_security_group" "endpoints" {
  count = var.create_vpc_endpoints ? 1 : 0

  name        = "${var.name_prefix}-endpoints"
  description = "Interface endpoints of ${var.name_prefix}: HTTPS from the VPC"
  vpc_id      = var.vpc_id
  tags        = { Name = "${var.name_prefix}-endpoints" }
}

resource "aws_vpc_security_group_ingress_rule" "endpoints_https" {
  count = var.create_vpc_endpoints ? 1 : 0

  security_group_id = aws_security_group.endpoints[0].id
  description       = "HTTPS from inside the VPC (Glue jobs, Redshift)"
  cidr_ipv4         = data.aws_vpc.this.cidr_block
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}

resource "aws_vpc_endpoint" "interface" {
  for_each = var.create_vpc_endpoints ? toset(var.interface_endpoint_services) : toset([])

  vpc_id              = var.vpc_id
  service_name        = "com.amazonaws.${var.region}.${each.value}"
  vpc_endpoint_type   = "Interface"
  subnet_ids          = var.private_subnet_ids
  security_group_ids  = [aws_security_group.endpoints[0].id]
  private_dns_enabled = true
  policy              = local.endpoint_policies[each.value]
  tags                = { Name = "${var.name_prefix}-${each.value}" }
}
