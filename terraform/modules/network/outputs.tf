output "glue_security_group_id" {
  description = "Security group of the Glue jobs' network interfaces."
  value       = aws_security_group.glue.id
}

output "private_subnet_ids" {
  description = "The private subnets (passed through)."
  value       = var.private_subnet_ids
}

output "route_table_ids" {
  description = "Route tables of the private subnets (looked up from them); the S3 gateway endpoint is on each."
  value       = local.route_table_ids
}

output "first_subnet_id" {
  description = "Subnet the Glue connections place the jobs in."
  value       = data.aws_subnet.first.id
}

output "first_subnet_availability_zone" {
  description = "Availability zone of first_subnet_id (Glue connections need it)."
  value       = data.aws_subnet.first.availability_zone
}

output "vpc_cidr_block" {
  description = "CIDR block of the VPC."
  value       = data.aws_vpc.this.cidr_block
}

output "s3_prefix_list_id" {
  description = "Managed prefix list of S3 in the region (for egress rules)."
  value       = data.aws_ec2_managed_prefix_list.s3.id
}

output "vpc_endpoint_ids" {
  description = "IDs of the endpoints this module created, by service."
  value = merge(
    { for service, endpoint in aws_vpc_endpoint.interface : service => endpoint.id },
    var.create_vpc_endpoints ? { s3 = aws_vpc_endpoint.s3[0].id } : {},
  )
}
