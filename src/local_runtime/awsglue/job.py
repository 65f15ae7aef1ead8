"""`awsglue.job.Job`: a job run's lifecycle, with job bookmarks kept by the local runtime."""

from __future__ import annotations

import uuid


class Job:
    @classmethod
    def continuation_options(cls):
        return ["--continuation-option", "continuation-enabled", "continuation-readonly", "continuation-ignore"]

    @classmethod
    def job_bookmark_options(cls):
        return ["--job-bookmark-option", "job-bookmark-enable", "job-bookmark-pause", "job-bookmark-disable"]

    @classmethod
    def job_bookmark_range_options(cls):
        return ["--job-bookmark-from", "--job-bookmark-to"]

    @classmethod
    def id_params(cls):
        return ["--JOB_NAME", "--JOB_ID", "--JOB_RUN_ID", "--SECURITY_CONFIGURATION"]

    @classmethod
    def encryption_type_options(cls):
        return ["--encryption-type", "sse-s3"]

    @classmethod
    def data_lineage_options(cls):
        return ["--enable-data-lineage"]

    def __init__(self, glue_context_or_spark_session):
        from pyspark.sql import SparkSession

        from awsglue.context import GlueContext

        if isinstance(glue_context_or_spark_session, GlueContext):
            self._glue_context = glue_context_or_spark_session
        elif isinstance(glue_context_or_spark_session, SparkSession):
            self._glue_context = GlueContext(glue_context_or_spark_session.sparkContext)
        else:
            raise Exception("cannot init Job instance given input parameter type: "
                            + str(type(glue_context_or_spark_session)))
        self._session = None

    def init(self, job_name, args={}):
        """Start the run: from here on, reads with a transformation_ctx honour the job's bookmark."""
        from localglue.services import job_runs
        from localglue.services.bookmarks import BookmarkSession, BookmarkStore

        if args.get("job_bookmark_from") or args.get("job_bookmark_to"):
            raise NotImplementedError(
                "--job-bookmark-from/--job-bookmark-to (rewinding to earlier runs) are not emulated locally; "
                "reset the job's bookmark instead (python -m localglue.runner.run_job --reset-bookmark JOB)"
            )
        context = self._glue_context
        self._run_slot = job_runs.start_run(context._local_settings.runs_root, job_name)
        self._session = BookmarkSession(
            store=BookmarkStore(context._local_settings.bookmarks_root),
            job_name=job_name,
            run_id=args.get("JOB_RUN_ID") or f"jr_local_{uuid.uuid4().hex}",
            option=args.get("job_bookmark_option") or self.job_bookmark_options()[3],
        )
        context._bookmarks = self._session

    def isInitialized(self):
        return self._session is not None

    def commit(self):
        """Persist what this run read (job-bookmark-enable only); ends the run's bookmark session."""
        if self._session is None:
            raise RuntimeError("Job.commit() called before Job.init()")
        from localglue.services import job_runs

        self._session.commit()
        self._glue_context._bookmarks = None
        self._session = None
        job_runs.end_run(self._run_slot)
