"""etl-glue: operate the pipeline from a terminal.

    etl-glue [--env dev | --local] [--json] run [--job STAGE] [--datasets all]
    etl-glue status | history [--last N]
    etl-glue rerun --from STAGE
    etl-glue reset-bookmark JOB
    etl-glue logs RUN_ID
    etl-glue cost [--last N] [--prices FILE] [--runs-per-month N] [--publish]

Against AWS through boto3 (credentials, region and AWS_ENDPOINT_URL as the AWS CLI takes them),
or against the local runtime with --local. Names come from config/pipeline.yaml and --env.
Exit codes: 0 done, 1 the run (or an AWS call) failed, 2 a usage error. docs/operations.md is the
runbook, docs/cost.md the cost model.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from etl_deploy.ops.names import PipelineNames, UsageError
from etl_deploy.ops.runs import FAILED_STATES, TERMINAL_JOB_STATES, RunRecord

REPO_ROOT = Path(__file__).resolve().parents[3]
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
TERMINAL_STATES = TERMINAL_JOB_STATES | FAILED_STATES | {"COMPLETED", "NOT_RUN"}


class Output:
    """Human lines on stdout, or one JSON document at the end (--json); progress goes to stderr
    under --json so that stdout stays parseable."""

    def __init__(self, as_json: bool):
        self.as_json = as_json
        self.progress_stream = sys.stderr if as_json else sys.stdout
        # On a terminal the running stage's line is rewritten in place as its elapsed time grows;
        # in a log file a stage gets a line when its state (or its rows) change.
        self.live = self.progress_stream.isatty()
        self._shown: dict[str, tuple] = {}
        self._open_line = False

    def say(self, text: str = "") -> None:
        self._close_line()
        if not self.as_json:
            print(text, flush=True)

    def _close_line(self) -> None:
        if self._open_line:
            print(file=self.progress_stream, flush=True)
            self._open_line = False

    def progress(self, record: RunRecord) -> None:
        """A line per stage: its state, elapsed time and, once its run report exists, its rows."""
        for step in record.steps or [record]:
            key = f"{step.name}/{step.run_id}"
            rows = step.rows.text() if step.rows else ""
            line = f"{step.state:10} {_elapsed(step):>8}  {step.name}  {rows}".rstrip()
            changed = self._shown.get(key, (None, None))[0] != (step.state, rows)
            if self.live and step.state not in TERMINAL_STATES:
                if changed:
                    self._close_line()
                print(f"\r\033[K{line}", end="", file=self.progress_stream, flush=True)
                self._open_line = True
            elif changed:
                self._close_line()
                print(line, file=self.progress_stream, flush=True)
            self._shown[key] = ((step.state, rows), line)

    def document(self, value) -> None:
        if self.as_json:
            print(json.dumps(value, indent=2, sort_keys=True, default=str))


def _elapsed(record: RunRecord) -> str:
    if record.seconds is not None:
        return f"{record.seconds:.1f} s"
    if record.started:
        return f"{(datetime.now(timezone.utc) - record.started).total_seconds():.0f} s"
    return "-"


def _pipeline(args):
    if args.local:
        from etl_deploy.ops.local import LocalPipeline

        return LocalPipeline()
    from etl_deploy.config_bundle import read_config
    from etl_deploy.ops.aws import AwsPipeline

    return AwsPipeline(PipelineNames(read_config(Path(args.config)), args.env), getattr(args, "prices", None))


def _summary(out: Output, run: RunRecord) -> int:
    out.say(f"\n{run.name}: {run.state}" + (f", {run.seconds:.1f} s" if run.seconds is not None else ""))
    for step in run.steps or [run]:
        out.say("  " + step.line())
    failed = next((s for s in run.steps or [run] if s.failed), None)
    if failed:
        out.say(f"\nfailed: {failed.name} ({failed.state}): {failed.error or 'no error message'}")
        if failed.logs:
            out.say(f"logs: {failed.logs}")
        out.say(f"then: etl-glue logs {failed.run_id}; fix; etl-glue rerun --from <stage> (docs/operations.md)")
    out.document(run.to_json())
    if run.failed:
        return EXIT_FAILED
    if run.state not in ("SUCCEEDED", "COMPLETED"):
        out.say(f"still {run.state} after --timeout: follow it with `etl-glue status`")
        return EXIT_FAILED
    return EXIT_OK


def _follow(out: Output, pipeline, stages: list[str] | None, args) -> int:
    """Start the workflow (stages None) or the job stages in order, follow each to its end."""
    if args.local:
        # The job scripts print their per-dataset lines; under --json they join the progress on stderr.
        with contextlib.redirect_stdout(out.progress_stream):
            run = pipeline.run(stages, args.datasets, out.progress)
        return _summary(out, run)
    arguments = {"--datasets": args.datasets} if args.datasets != "all" else None
    if stages is None and arguments:
        raise UsageError("--datasets needs --job or rerun on AWS: a workflow run starts its jobs with their "
                         "own arguments (--datasets all)")
    if stages is None:
        run_id = pipeline.start()
        out.say(f"started {pipeline.names.workflow} run {run_id}")
        return _summary(out, pipeline.follow(None, run_id, out.progress, args.poll, args.timeout))
    run = RunRecord(kind="workflow", name=f"{pipeline.names.prefix} jobs {', '.join(stages)}", run_id="-",
                    state="RUNNING", started=datetime.now(timezone.utc))
    clock = time.monotonic()
    for index, stage in enumerate(stages):
        run_id = pipeline.start(stage, arguments)
        out.say(f"started {pipeline.names.job(stage)} run {run_id}")
        step = pipeline.follow(stage, run_id, out.progress, args.poll, args.timeout)
        run.steps.append(step)
        if step.state != "SUCCEEDED":
            run.steps += [RunRecord(kind="job", name=pipeline.names.job(rest), run_id="-", state="NOT_RUN")
                          for rest in stages[index + 1:]]
            break
    run.seconds = round(time.monotonic() - clock, 1)
    run.state = "SUCCEEDED" if all(s.state == "SUCCEEDED" for s in run.steps) else run.steps[-1].state
    run.cost = sum(s.cost for s in run.steps if s.cost is not None)
    return _summary(out, run)


def cmd_run(args, out: Output) -> int:
    pipeline = _pipeline(args)
    stages = [pipeline.names.stage_of(args.job)] if args.job else None
    return _follow(out, pipeline, stages, args)


def cmd_rerun(args, out: Output) -> int:
    pipeline = _pipeline(args)
    stages = pipeline.names.stages_from(args.from_stage)
    out.say(f"rerunning {', '.join(stages)} (each reads what its bookmark has not yet processed)")
    return _follow(out, pipeline, stages, args)


def _history(pipeline, args, last: int) -> dict[str, list[RunRecord]]:
    runs: dict[str, list[RunRecord]] = {}
    if not args.local:
        runs[pipeline.names.workflow] = pipeline.workflow_runs(last)
        for zone in pipeline.names.crawler_zones:
            runs[pipeline.names.crawler(zone)] = pipeline.crawls(zone, last)
    for stage in pipeline.names.job_stages:
        runs[pipeline.names.job(stage)] = pipeline.job_runs(stage, last)
    return runs


def cmd_history(args, out: Output) -> int:
    pipeline = _pipeline(args)
    last = 1 if args.command == "status" else args.last
    runs = _history(pipeline, args, last)
    for name, records in runs.items():
        out.say(f"\n{name} (last {last}):")
        for record in records:
            out.say("  " + record.line())
        if not records:
            out.say("  no runs")
    out.document({name: [r.to_json() for r in records] for name, records in runs.items()})
    latest = [records[0] for records in runs.values() if records]
    return EXIT_FAILED if args.command == "status" and any(r.failed for r in latest) else EXIT_OK


def cmd_reset_bookmark(args, out: Output) -> int:
    pipeline = _pipeline(args)
    message = pipeline.reset_bookmark(pipeline.names.stage_of(args.job))
    out.say(message)
    out.document({"job": pipeline.names.job(pipeline.names.stage_of(args.job)), "reset": True, "message": message})
    return EXIT_OK


def cmd_logs(args, out: Output) -> int:
    pipeline = _pipeline(args)
    stage = pipeline.names.stage_of(args.job) if args.job else None
    streams = pipeline.logs(args.run_id, stage)
    for group, lines in streams:
        out.say(f"== {group} {args.run_id} ({len(lines)} line(s))")
        for line in lines:
            out.say(line)
    out.document({group: lines for group, lines in streams})
    return EXIT_OK


def cmd_cost(args, out: Output) -> int:
    if args.local:
        raise UsageError("cost reads what AWS bills (DPU-seconds of job runs and crawls, S3 storage); local "
                         "runs use no DPUs: run it against a deployed environment (--env)")
    from etl_deploy.ops.estimate import read_environment, monthly_estimate, runs_per_month

    pipeline = _pipeline(args)
    runs = _history(pipeline, args, args.last)
    jobs = {n: r for n, r in runs.items() if n.endswith("-job")}
    crawls = {n: r for n, r in runs.items() if n.endswith("-crawler")}
    out.say(f"Actual cost of the last {args.last} run(s) per job and crawler "
            f"({pipeline.region} prices: ${pipeline.prices.standard_dpu_hour}/DPU-hour STANDARD, "
            f"${pipeline.prices.flex_dpu_hour} FLEX, {pipeline.prices.job_minimum_seconds} s minimum):")
    actual = 0.0
    for name, records in {**jobs, **crawls}.items():
        dollars = sum(r.cost for r in records if r.cost is not None)
        actual += dollars
        dpu = sum(r.dpu_seconds for r in records if r.dpu_seconds is not None)
        out.say(f"  {name:42} {len(records):3} run(s) {dpu:>10,.0f} DPU-s  ${dollars:,.4f}")
    out.say(f"  {'total':42} ${actual:,.4f}")

    settings = read_environment(Path(args.terraform), pipeline.names.env)
    schedule_runs = runs_per_month(settings.schedule)
    month_runs = args.runs_per_month if args.runs_per_month is not None else schedule_runs
    storage = pipeline.zone_storage(["raw", "processed", "curated", "quarantine"])
    estimate = monthly_estimate(settings, month_runs, jobs, crawls, storage, pipeline.prices)
    basis = "--runs-per-month" if args.runs_per_month is not None else f"schedule {settings.schedule or 'none (ON_DEMAND)'}"
    out.say(f"\nMonthly estimate ({basis}: {month_runs:.1f} runs; settings from {settings.source}):")
    for line in estimate.lines:
        out.say(f"  {line.item:42} ${line.dollars:>9,.2f}  {line.basis:12} {line.detail}")
    low, high = estimate.claimed
    out.say(f"  {'total':42} ${estimate.total:>9,.2f}   vs the product's claim ${low:,.0f}-{high:,.0f}/month "
            f"(what it assumes: docs/cost.md)")
    published = publish_costs(pipeline, jobs) if args.publish else 0
    if args.publish:
        out.say(f"\npublished {published} RunCost/DPUSeconds data point(s) to {pipeline.names.metrics_namespace}")
    out.document({"actual": {n: [r.to_json() for r in rs] for n, rs in {**jobs, **crawls}.items()},
                  "actual_total": actual, "storage": storage, "estimate": estimate.to_json(),
                  "published": published})
    return EXIT_OK


def publish_costs(pipeline, jobs: dict[str, list[RunRecord]]) -> int:
    """Each finished job run's dollars and DPU-seconds as metrics RunCost and DPUSeconds (dimensions
    Env, JobName, timestamped at the run's start), for the dashboard's per-run cost widget."""
    data = []
    for name, records in jobs.items():
        for record in records:
            if record.cost is None or record.started is None:
                continue
            dimensions = [{"Name": "Env", "Value": pipeline.names.env}, {"Name": "JobName", "Value": name}]
            data += [{"MetricName": "RunCost", "Dimensions": dimensions, "Timestamp": record.started,
                      "Value": record.cost, "Unit": "None"},
                     {"MetricName": "DPUSeconds", "Dimensions": dimensions, "Timestamp": record.started,
                      "Value": record.dpu_seconds, "Unit": "Seconds"}]
    client = pipeline.client("cloudwatch")
    for start in range(0, len(data), 500):   # PutMetricData takes up to 1,000 data points a call
        client.put_metric_data(Namespace=pipeline.names.metrics_namespace, MetricData=data[start:start + 500])
    return len(data)


def parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    where = common.add_mutually_exclusive_group()
    where.add_argument("--env", default="dev", help="deployed environment (terraform/envs/<env>.tfvars); default dev")
    where.add_argument("--local", action="store_true", help="the local runtime (GLUE_LOCAL_HOME) instead of AWS")
    common.add_argument("--json", action="store_true", help="one JSON document on stdout (progress on stderr)")
    common.add_argument("--config", default=str(REPO_ROOT / "config"), help="the config folder (names come from it)")

    follow = argparse.ArgumentParser(add_help=False)
    follow.add_argument("--datasets", default="all", help="the datasets to process: all, or a,b (the jobs' --datasets)")
    follow.add_argument("--poll", type=float, default=15.0, help="seconds between status calls on AWS (default 15)")
    follow.add_argument("--timeout", type=float, default=None, help="stop following after this many seconds (exit 1)")

    top = argparse.ArgumentParser(prog="etl-glue", description=__doc__,
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", parents=[common, follow], help="start the workflow (or one job) and follow it")
    run.add_argument("--job", help="one job: extract, transform, load (or its full name)")
    run.set_defaults(handler=cmd_run)

    for name, text in (("status", "the latest run of the workflow, each crawler and each job"),
                       ("history", "the last N runs of the workflow, each crawler and each job")):
        command = commands.add_parser(name, parents=[common], help=text)
        if name == "history":
            command.add_argument("--last", type=int, default=10, help="runs per job (default 10)")
        command.set_defaults(handler=cmd_history)

    rerun = commands.add_parser("rerun", parents=[common, follow], help="run the jobs from STAGE to the end, in order")
    rerun.add_argument("--from", dest="from_stage", required=True, help="the first stage to run again")
    rerun.set_defaults(handler=cmd_rerun)

    reset = commands.add_parser("reset-bookmark", parents=[common], help="forget what a job has processed")
    reset.add_argument("job", help="extract, transform, load (or the job's full name)")
    reset.set_defaults(handler=cmd_reset_bookmark)

    logs = commands.add_parser("logs", parents=[common], help="a job run's CloudWatch output and error logs")
    logs.add_argument("run_id", help="the job run id (jr_...)")
    logs.add_argument("--job", help="the run's job, if known (saves a lookup)")
    logs.set_defaults(handler=cmd_logs)

    cost = commands.add_parser("cost", parents=[common], help="dollars of past runs and a monthly estimate")
    cost.add_argument("--last", type=int, default=30, help="runs per job and crawler to price (default 30)")
    cost.add_argument("--prices", help="JSON price overrides per region (docs/cost.md); default $ETL_GLUE_PRICES")
    cost.add_argument("--runs-per-month", type=float, help="instead of the schedule's count")
    cost.add_argument("--terraform", default=str(REPO_ROOT / "terraform"), help="the Terraform folder (envs/*.tfvars)")
    cost.add_argument("--publish", action="store_true", help="put each run's RunCost and DPUSeconds to CloudWatch")
    cost.set_defaults(handler=cmd_cost)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    out = Output(args.json)
    try:
        return args.handler(args, out)
    except UsageError as error:
        print(f"etl-glue {args.command}: {error}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as error:  # AWS and lookup errors: one line; anything else is a bug, with its trace
        from botocore.exceptions import BotoCoreError, ClientError

        if isinstance(error, (ClientError, BotoCoreError, LookupError, ValueError)):
            one_line = " ".join(str(error).split())   # an HTML error page of an endpoint included
            print(f"etl-glue {args.command}: {type(error).__name__}: {one_line}", file=sys.stderr)
            return EXIT_FAILED
        raise


if __name__ == "__main__":
    sys.exit(main())
