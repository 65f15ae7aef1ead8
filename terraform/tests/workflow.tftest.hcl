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
