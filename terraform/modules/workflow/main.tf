# The Glue workflow: a start trigger starts the first step; then one CONDITIONAL trigger per following
# step fires when the step before it SUCCEEDED. The chain is built from the `workflow` list in
# config/pipeline.yaml, the same list the local runner follows (localglue.workflow.load_workflow_steps),
# so the two orders cannot drift apart.
#
# The start trigger (start_mode):
# - "schedule": SCHEDULED on `schedule`, or ON_DEMAND without one (what every deployment had before).
# - "event": an EVENT trigger fed through Amazon EventBridge by the raw bucket's "Object Created"
#   events under the datasets' prefixes, so a day without uploads starts no job (each Glue job run
#   bills at least a minute of its driver). With `schedule` set, a scheduled EventBridge rule feeds
#   the same trigger, for the sources no upload announces (database and DynamoDB datasets).
#   https://docs.aws.amazon.com/glue/latest/dg/starting-workflow-eventbridge.html

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

  event_start        = var.start_mode == "event"
  start_trigger_type = local.event_start ? "EVENT" : (var.schedule == null ? "ON_DEMAND" : "SCHEDULED")
  workflow_name      = "${var.name_prefix}-workflow"
  # Built from its parts (not aws_glue_workflow.this.arn) so the policy is known at plan time and the
  # tests can read it; Glue's ARN format: https://docs.aws.amazon.com/glue/latest/dg/glue-specifying-resource-arns.html
  workflow_arn = "arn:${var.partition}:glue:${var.region}:${var.account_id}:workflow/${local.workflow_name}"

  # EventBridge rules that notify the workflow in event mode: the uploads, and the schedule if any.
  event_rules = local.event_start ? merge(
    {
      uploads = {
        # (The prefixes stay out of the description: EventBridge allows 512 characters there.)
        description = "Object Created in ${var.raw_bucket_name} under a dataset's prefix: starts ${local.workflow_name}"
        # S3 event structure: https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html
        event_pattern = jsonencode({
          source        = ["aws.s3"]
          "detail-type" = ["Object Created"]
          detail = {
            bucket = { name = [var.raw_bucket_name] }
            object = { key = [for p in var.raw_prefixes : { prefix = p }] }
          }
        })
        schedule_expression = null
      }
    },
    var.schedule == null ? {} : {
      schedule = {
        description         = "${var.schedule} (UTC): starts ${local.workflow_name} for the sources no upload announces"
        event_pattern       = null
        schedule_expression = var.schedule
      }
    },
  ) : {}
}

resource "aws_glue_workflow" "this" {
  name                = local.workflow_name
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
  name = "${var.name_prefix}-start"
  description = {
    ON_DEMAND = "Starts the workflow on demand (start-workflow-run)"
    SCHEDULED = "Starts the workflow on ${coalesce(var.schedule, "-")} (UTC)"
    EVENT     = "Starts the workflow after ${var.event_batch_size} EventBridge event(s) or ${var.event_batch_window_seconds} s after the first"
  }[local.start_trigger_type]
  workflow_name = aws_glue_workflow.this.name
  type          = local.start_trigger_type
  # In event mode the schedule reaches the trigger as an EventBridge event (aws_cloudwatch_event_rule.start).
  schedule = local.start_trigger_type == "SCHEDULED" ? var.schedule : null
  # SCHEDULED and EVENT triggers must be activated to fire; ON_DEMAND triggers cannot be.
  start_on_creation = local.start_trigger_type == "ON_DEMAND" ? null : true

  # The run starts when batch_size events arrived or batch_window seconds after the first one,
  # whichever comes first (batch size 1-100, window 1-900 s):
  # https://docs.aws.amazon.com/glue/latest/webapi/API_EventBatchingCondition.html
  # https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/glue_trigger#event_batching_condition
  dynamic "event_batching_condition" {
    for_each = local.event_start ? [1] : []
    content {
      batch_size   = var.event_batch_size
      batch_window = var.event_batch_window_seconds
    }
  }

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

# ---------------------------------------------------------------------------------------------
# Event mode: EventBridge rules and the role they notify the workflow with
# ---------------------------------------------------------------------------------------------
resource "aws_cloudwatch_event_rule" "start" {
  for_each = local.event_rules

  name                = "${var.name_prefix}-workflow-${each.key}"
  description         = each.value.description
  event_pattern       = each.value.event_pattern
  schedule_expression = each.value.schedule_expression
}

# A Glue workflow is an EventBridge target addressed by its ARN; EventBridge calls glue:notifyEvent
# with the role below.
resource "aws_cloudwatch_event_target" "start" {
  for_each = aws_cloudwatch_event_rule.start

  rule      = each.value.name
  target_id = "${var.name_prefix}-workflow"
  arn       = local.workflow_arn
  role_arn  = aws_iam_role.events[0].arn

  # The workflow must exist before EventBridge sends it anything.
  depends_on = [aws_glue_trigger.start]
}

# Plain service trust, as the iam module's roles (its comment says why: a positive condition on a key
# the service does not set would deny every assume); what the role may do is the one action below.
resource "aws_iam_role" "events" {
  count = local.event_start ? 1 : 0

  name        = "${var.name_prefix}-workflow-events"
  description = "EventBridge notifies ${local.workflow_name} of uploads to the raw bucket${var.schedule == null ? "" : " and of its schedule"}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "events.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
  permissions_boundary = var.permissions_boundary_arn
}

resource "aws_iam_role_policy" "events" {
  count = local.event_start ? 1 : 0

  name = "notify-workflow"
  role = aws_iam_role.events[0].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "NotifyThisWorkflow"
      Effect   = "Allow"
      Action   = "glue:notifyEvent"
      Resource = local.workflow_arn
    }]
  })
}
