# Network for Glue jobs in private subnets of an existing VPC: the Glue security group (Glue requires
# a self-referencing rule so that the driver and executors talk to each other), an S3 gateway
# endpoint and interface endpoints, so the jobs need no NAT gateway or internet route.

data "aws_vpc" "this" {
  id = var.vpc_id
}

data "aws_subnet" "first" {
  id = var.private_subnet_ids[0]
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

resource "aws_vpc_security_group_egress_rule" "glue_reference_db" {
  for_each = toset(var.reference_db_cidr_blocks)

  security_group_id = aws_security_group.glue.id
  description       = "JDBC reference database"
  cidr_ipv4         = each.value
  ip_protocol       = "tcp"
  from_port         = var.reference_db_port
  to_port           = var.reference_db_port
}

# ---------------------------------------------------------------------------------------------
# VPC endpoints
# ---------------------------------------------------------------------------------------------
resource "aws_vpc_endpoint" "s3" {
  count = var.create_vpc_endpoints ? 1 : 0

  vpc_id            = var.vpc_id
  service_name      = "com.amazonaws.${var.region}.s3"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = var.private_route_table_ids
  tags              = { Name = "${var.name_prefix}-s3" }
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
  tags                = { Name = "${var.name_prefix}-${each.value}" }
}
