# The workflow's trigger chain, built from the workflow list in config/pipeline.yaml.

mock_provider "aws" {}

variables {
  name_prefix = "etl-glue-pipeline-dev"
  steps       = [for s in yamldecode(file("../config/pipeline.yaml")).workflow : { name = s.name, kind = s.kind }]
  job_names = {
    extract   = "etl-glue-pipeline-dev-extract-job"
    transform = "etl-glue-pipeline-dev-transform-job"
    load      = "etl-glue-pipeline-dev-load-job"
  }
  crawler_names = {
    raw = "etl-glue-pipeline-dev-raw-crawler"
  }
  account_id      = "123456789012"
  region          = "us-east-1"
  partition       = "aws"
  raw_bucket_name = "etl-glue-pipeline-dev-raw-123456789012"
  raw_prefixes    = ["flights/", "reference/airlines/"]
}

run "on_demand_chain" {
  command = plan

  module {
    source = "./modules/workflow"
  }

  assert {
    condition     = aws_glue_workflow.this.name == "etl-glue-pipeline-dev-workflow"
    error_message = "The workflow must be etl-glue-pipeline-<env>-workflow."
  }
  assert {
    condition     = aws_glue_trigger.start.type == "ON_DEMAND" && aws_glue_trigger.start.actions[0].crawler_name == "etl-glue-pipeline-dev-raw-crawler"
    error_message = "Without a schedule the start trigger is ON_DEMAND and starts the raw crawler."
  }
  assert {
    condition = [for k in sort(keys(aws_glue_trigger.next)) : coalesce(aws_glue_trigger.next[k].actions[0].job_name, aws_glue_trigger.next[k].actions[0].crawler_name)] == [
      "etl-glue-pipeline-dev-extract-job", "etl-glue-pipeline-dev-transform-job", "etl-glue-pipeline-dev-load-job",
    ]
    error_message = "The conditional triggers must start extract, transform, then load (the load registers the Iceberg tables: no curated crawler)."
  }
  assert {
    condition = [for k in sort(keys(aws_glue_trigger.next)) : coalesce(aws_glue_trigger.next[k].predicate[0].conditions[0].job_name, aws_glue_trigger.next[k].predicate[0].conditions[0].crawler_name)] == [
      "etl-glue-pipeline-dev-raw-crawler", "etl-glue-pipeline-dev-extract-job", "etl-glue-pipeline-dev-transform-job",
    ]
    error_message = "Each conditional trigger must watch the step before the one it starts."
  }
  assert {
    condition = alltrue([for t in aws_glue_trigger.next : t.type == "CONDITIONAL" && t.workflow_name == "etl-glue-pipeline-dev-workflow" && coalesce(t.predicate[0].conditions[0].state, t.predicate[0].conditions[0].crawl_state) == "SUCCEEDED"
    ])
    error_message = "Every following trigger is CONDITIONAL on SUCCEEDED, inside the workflow."
  }
}

run "scheduled_start" {
  command = plan

  module {
    source = "./modules/workflow"
  }

  variables {
    schedule = "cron(15 2 * * ? *)"
  }

  assert {
    condition     = aws_glue_trigger.start.type == "SCHEDULED" && aws_glue_trigger.start.schedule == "cron(15 2 * * ? *)" && aws_glue_trigger.start.start_on_creation == true
    error_message = "With a schedule the start trigger is SCHEDULED, activated, on that cron."
  }
  assert {
    condition     = length(aws_glue_trigger.start.event_batching_condition) == 0 && length(aws_cloudwatch_event_rule.start) == 0 && length(aws_cloudwatch_event_target.start) == 0 && length(aws_iam_role.events) == 0 && length(aws_iam_role_policy.events) == 0
    error_message = "start_mode schedule (the default) creates no batching condition, EventBridge rule, target or role."
  }
}

run "event_start_on_uploads" {
  command = plan

  module {
    source = "./modules/workflow"
  }

  variables {
    start_mode                 = "event"
    event_batch_size           = 20
    event_batch_window_seconds = 600
  }

  assert {
    condition     = aws_glue_trigger.start.type == "EVENT" && aws_glue_trigger.start.schedule == null && aws_glue_trigger.start.start_on_creation == true && aws_glue_trigger.start.actions[0].crawler_name == "etl-glue-pipeline-dev-raw-crawler"
    error_message = "start_mode event: the start trigger is an activated EVENT trigger without a cron, starting the raw crawler."
  }
  assert {
    condition     = aws_glue_trigger.start.event_batching_condition[0].batch_size == 20 && aws_glue_trigger.start.event_batching_condition[0].batch_window == 600
    error_message = "The EVENT trigger's batching condition must carry event_batch_size and event_batch_window_seconds."
  }
  assert {
    condition     = keys(aws_cloudwatch_event_rule.start) == ["uploads"] && aws_cloudwatch_event_rule.start["uploads"].schedule_expression == null
    error_message = "Without a schedule, event mode has one EventBridge rule: the uploads."
  }
  assert {
    condition = jsondecode(aws_cloudwatch_event_rule.start["uploads"].event_pattern) == {
      source        = ["aws.s3"]
      "detail-type" = ["Object Created"]
      detail = {
        bucket = { name = ["etl-glue-pipeline-dev-raw-123456789012"] }
        object = { key = [{ prefix = "flights/" }, { prefix = "reference/airlines/" }] }
      }
    }
    error_message = "The uploads rule must match Object Created in the raw bucket under the datasets' prefixes only."
  }
  assert {
    condition     = aws_cloudwatch_event_target.start["uploads"].arn == "arn:aws:glue:us-east-1:123456789012:workflow/etl-glue-pipeline-dev-workflow" && aws_cloudwatch_event_target.start["uploads"].rule == "etl-glue-pipeline-dev-workflow-uploads"
    error_message = "The rule's target must be the workflow's ARN."
  }
  assert {
    condition = jsondecode(aws_iam_role_policy.events[0].policy).Statement == [{
      Sid      = "NotifyThisWorkflow"
      Effect   = "Allow"
      Action   = "glue:notifyEvent"
      Resource = "arn:aws:glue:us-east-1:123456789012:workflow/etl-glue-pipeline-dev-workflow"
    }]
    error_message = "The EventBridge role may only glue:notifyEvent, on this one workflow."
  }
  assert {
    condition     = jsondecode(aws_iam_role.events[0].assume_role_policy).Statement[0].Principal == { Service = "events.amazonaws.com" }
    error_message = "Only EventBridge may assume the workflow's event role."
  }
}

run "event_start_keeps_the_schedule_for_database_sources" {
  command = plan

  module {
    source = "./modules/workflow"
  }

  variables {
    start_mode                 = "event"
    schedule                   = "cron(15 2 * * ? *)"
    datasets_without_s3_events = { weather = "DynamoDB table weather_observations" }
  }

  assert {
    condition     = aws_glue_trigger.start.type == "EVENT" && aws_glue_trigger.start.schedule == null && aws_glue_trigger.start.event_batching_condition[0].batch_size == 100 && aws_glue_trigger.start.event_batching_condition[0].batch_window == 900
    error_message = "With a schedule, event mode keeps one EVENT start trigger (a workflow has one start trigger), batching 100 events or 900 s by default."
  }
  assert {
    condition     = aws_cloudwatch_event_rule.start["schedule"].schedule_expression == "cron(15 2 * * ? *)" && aws_cloudwatch_event_rule.start["schedule"].event_pattern == null
    error_message = "The schedule reaches the EVENT trigger as a scheduled EventBridge rule on the same cron."
  }
  assert {
    condition     = toset([for t in aws_cloudwatch_event_target.start : t.arn]) == toset(["arn:aws:glue:us-east-1:123456789012:workflow/etl-glue-pipeline-dev-workflow"]) && length(aws_cloudwatch_event_target.start) == 2
    error_message = "Both rules (uploads, schedule) target the workflow."
  }
}

run "event_start_without_a_schedule_fails_for_database_sources" {
  command = plan

  module {
    source = "./modules/workflow"
  }

  variables {
    start_mode                 = "event"
    datasets_without_s3_events = { airports = "jdbc redshift connection redshift" }
  }

  expect_failures = [var.start_mode]
}

run "event_start_needs_a_dataset_in_the_raw_bucket" {
  command = plan

  module {
    source = "./modules/workflow"
  }

  variables {
    start_mode   = "event"
    schedule     = "cron(15 2 * * ? *)"
    raw_prefixes = []
  }

  expect_failures = [var.start_mode]
}

run "batching_outside_glue_limits_is_rejected" {
  command = plan

  module {
    source = "./modules/workflow"
  }

  variables {
    start_mode                 = "bucket"
    event_batch_size           = 101
    event_batch_window_seconds = 0
  }

  expect_failures = [var.start_mode, var.event_batch_size, var.event_batch_window_seconds]
}

run "a_step_without_a_job_fails_the_plan" {
  command = plan

  module {
    source = "./modules/workflow"
  }

  variables {
    job_names = { extract = "x-extract-job", transform = "x-transform-job" }
  }

  expect_failures = [aws_glue_workflow.this]
}
