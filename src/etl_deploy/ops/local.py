"""The pipeline on the local runtime (`--local`): the same commands against localglue.

Runs go through localglue.runner (the workflow runner, or one job script with the arguments the
local deployment gives it, in this process); history comes from the run reports in the local lake's
processed zone, bookmarks from localglue.services.bookmarks. Local runs use no DPUs and cost nothing.
"""

from __future__ import annotations

import json
import time
from datetime import datetime
from typing import Callable

from etl_deploy.ops.names import PipelineNames
from etl_deploy.ops.runs import RunRecord, Rows


class LocalPipeline:
    def __init__(self):
        from localglue.runner.deployment import LocalDeployment

        self.deployment = LocalDeployment()
        self.names = PipelineNames(self.deployment.config, self.deployment.env)

    # ------------------------------------------------------------------ runs
    def _reports_folder(self, stage: str):
        from localglue.services.lake import to_local_path

        return to_local_path(self.deployment.settings.lake_root, self.deployment.zones().reports(stage))

    def _record(self, report: dict) -> RunRecord:
        return RunRecord(
            kind="job", name=report["job_name"], run_id=report["run_id"], state=report["status"],
            started=datetime.fromisoformat(report["started_at"]), seconds=report.get("seconds"),
            worker_type="local", rows=Rows.from_report(report), error=report.get("error"),
            logs=str(self._reports_folder(report["stage"]) / f"{report['run_id']}.json"))

    def report(self, stage: str, run_id: str) -> dict | None:
        path = self._reports_folder(stage) / f"{run_id}.json"
        return json.loads(path.read_text()) if path.exists() else None

    def job_runs(self, stage: str, last: int) -> list[RunRecord]:
        folder = self._reports_folder(stage)
        reports = [json.loads(p.read_text()) for p in folder.glob("*.json")] if folder.exists() else []
        reports.sort(key=lambda r: (r["started_at"], r["run_id"]), reverse=True)
        return [self._record(r) for r in reports[:last]]

    def run(self, stages: list[str] | None, datasets: str,
            on_update: Callable[[RunRecord], None]) -> RunRecord:
        """The workflow (stages None: crawler and jobs, as localglue.runner.workflow runs them) or the
        given job stages in order; stops at the first failure, as the workflow's triggers would."""
        from localglue.services import jdbc
        from localglue.services.environment import configure

        configure()
        database = jdbc.is_reachable(self.deployment.postgres())
        self.deployment.deploy(with_database=database)
        run = RunRecord(kind="workflow", name=self.names.workflow, run_id=f"local-{int(time.time())}",
                        state="RUNNING", started=datetime.now().astimezone())
        started = time.monotonic()
        if stages is None:
            self._run_workflow(run, datasets, database, on_update)
        else:
            self._run_stages(run, stages, datasets, database, on_update)
        run.seconds = round(time.monotonic() - started, 3)
        run.state = "FAILED" if any(step.failed for step in run.steps) else "SUCCEEDED"
        return run

    def _run_workflow(self, run: RunRecord, datasets: str, database: bool, on_update) -> None:
        from localglue.runner.workflow import run_workflow

        def started(step) -> None:
            name = self.names.job(step.name) if step.kind == "job" else self.names.crawler(step.name)
            on_update(RunRecord(kind=step.kind, name=name, run_id="-", state="RUNNING"))

        def finished(step_run) -> None:
            step = step_run.step
            if step.kind == "job" and step_run.report:
                record = self._record(step_run.report)
            else:
                name = self.names.job(step.name) if step.kind == "job" else self.names.crawler(step.name)
                record = RunRecord(kind=step.kind, name=name, run_id="-", state=step_run.status,
                                   seconds=round(step_run.seconds, 3), error=step_run.error)
            run.steps.append(record)
            on_update(record)

        result = run_workflow(self.deployment, datasets=datasets, warehouse=database,
                              source_fallback=not database, on_start=started, on_step=finished)
        for step_run in result.steps[len(run.steps):]:  # the steps after a failure
            name = self.names.job(step_run.step.name) if step_run.step.kind == "job" else self.names.crawler(step_run.step.name)
            run.steps.append(RunRecord(kind=step_run.step.kind, name=name, run_id="-", state="NOT_RUN"))

    def _run_stages(self, run: RunRecord, stages: list[str], datasets: str, database: bool, on_update) -> None:
        from localglue.runner.deployment import argument_value, run_script, script_for

        for index, stage in enumerate(stages):
            arguments = self.deployment.job_arguments(stage, datasets, warehouse=database,
                                                      source_fallback=not database)
            run_id = argument_value(arguments, "--JOB_RUN_ID")
            on_update(RunRecord(kind="job", name=self.names.job(stage), run_id=run_id, state="RUNNING"))
            clock = time.monotonic()
            error = None
            try:
                run_script(script_for(stage), arguments)
            except Exception as failure:  # the run is recorded as FAILED; the next stages do not run
                error = f"{type(failure).__name__}: {failure}"
            report = self.report(stage, run_id)
            record = self._record(report) if report else RunRecord(
                kind="job", name=self.names.job(stage), run_id=run_id, state="FAILED" if error else "SUCCEEDED",
                seconds=round(time.monotonic() - clock, 3), error=error)
            if error and not record.error:
                record.error, record.state = error, "FAILED"
            run.steps.append(record)
            on_update(record)
            if record.failed:
                run.steps += [RunRecord(kind="job", name=self.names.job(rest), run_id="-", state="NOT_RUN")
                              for rest in stages[index + 1:]]
                return

    # ------------------------------------------------------------- recovery
    def reset_bookmark(self, stage: str) -> str:
        from localglue.services.bookmarks import BookmarkStore

        store = BookmarkStore(self.deployment.settings.bookmarks_root)
        job = self.names.job(stage)
        before = store.get(job)
        store.reset(job)
        return (f"bookmark of {job} reset (it was at run {before['Run']}, "
                f"{len(before['Contexts'])} context(s)): its next run reads every source from the start")

    def logs(self, run_id: str, stage: str | None = None) -> list[tuple[str, list[str]]]:
        """Local runs log to the terminal that ran them; what stays is the run report (with its error)."""
        for candidate in ([stage] if stage else self.names.job_stages):
            report = self.report(candidate, run_id)
            if report:
                path = self._reports_folder(candidate) / f"{run_id}.json"
                return [(str(path), json.dumps(report, indent=2, sort_keys=True).splitlines())]
        raise LookupError(f"no run report {run_id}.json under {self._reports_folder('<stage>')}")
