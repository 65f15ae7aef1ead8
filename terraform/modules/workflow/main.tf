# The Glue workflow: a start trigger (SCHEDULED or ON_DEMAND) starts the first step; then one
# CONDITIONAL trigger per following step fires when the step before it SUCCEEDED. The chain is built
# from the `workflow` list in config/pipeline.yaml, the same list the local runner follows
# (localglue.workflow.load_workflow_steps), so the two orders cannot drift apart.

locals {
  # Resource name of each step, e.g. raw/crawler -> <prefix>-raw-crawler.
  resources = [
    for s in var.steps : {
      name     = s.name
      kind     = s.kind
      resource = s.kind == "job" ? lookup(var.job_names, s.name, null) : lookup(var.crawler_names, s.name, null)
    }
  ]
  chain = {
    for i in range(1, length(local.resources)) : format("%02d-%s-%s", i, local.resources[i].name, local.resources[i].kind) => {
      watched = local.resources[i - 1]
      started = local.resources[i]
    }
  }
}

resource "aws_glue_workflow" "this" {
  name                = "${var.name_prefix}-workflow"
  description         = "raw crawler -> extract -> transform -> load, as config/pipeline.yaml lists"
  max_concurrent_runs = var.max_concurrent_runs

  lifecycle {
    precondition {
      condition     = alltrue([for r in local.resources : r.resource != null])
      error_message = "A workflow step in config/pipeline.yaml has no job or crawler: ${join(", ", [for r in local.resources : "${r.name}/${r.kind}" if r.resource == null])}."
    }
  }
}

resource "aws_glue_trigger" "start" {
  name          = "${var.name_prefix}-start"
  description   = var.schedule == null ? "Starts the workflow on demand (start-workflow-run)" : "Starts the workflow on ${var.schedule} (UTC)"
  workflow_name = aws_glue_workflow.this.name
  type          = var.schedule == null ? "ON_DEMAND" : "SCHEDULED"
  schedule      = var.schedule
  # A SCHEDULED trigger must be activated to fire; ON_DEMAND triggers cannot be.
  start_on_creation = var.schedule == null ? null : true

  actions {
    job_name     = local.resources[0].kind == "job" ? local.resources[0].resource : null
    crawler_name = local.resources[0].kind == "crawler" ? local.resources[0].resource : null
  }
}

resource "aws_glue_trigger" "next" {
  for_each = local.chain

  name              = "${var.name_prefix}-after-${each.value.watched.name}-${each.value.watched.kind}"
  description       = "Starts ${each.value.started.resource} when ${each.value.watched.resource} SUCCEEDED"
  workflow_name     = aws_glue_workflow.this.name
  type              = "CONDITIONAL"
  start_on_creation = true

  predicate {
    logical = "AND"
    conditions {
      logical_operator = "EQUALS"
      job_name         = each.value.watched.kind == "job" ? each.value.watched.resource : null
      state            = each.value.watched.kind == "job" ? "SUCCEEDED" : null
      crawler_name     = each.value.watched.kind == "crawler" ? each.value.watched.resource : null
      crawl_state      = each.value.watched.kind == "crawler" ? "SUCCEEDED" : null
    }
  }

  actions {
    job_name     = each.value.started.kind == "job" ? each.value.started.resource : null
    crawler_name = each.value.started.kind == "crawler" ? each.value.started.resource : null
  }
}
