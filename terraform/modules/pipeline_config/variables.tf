variable "config_dir" {
  description = "Folder holding pipeline.yaml and datasets/*.yaml (the repository's config/)."
  type        = string
}

variable "env" {
  description = "Environment name, part of every resource name (dev, staging, prod)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,9}$", var.env))
    error_message = "env must be 2-10 lowercase letters or digits, starting with a letter (e.g. dev, prod)."
  }
}
