provider "aws" {
  region = var.aws_region

  default_tags {
    tags = merge(var.tags, {
      project     = module.config.project
      environment = var.env
      managed-by  = "terraform"
    })
  }
}
