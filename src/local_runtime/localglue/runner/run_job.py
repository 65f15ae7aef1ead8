"""Run one Glue job script locally with Glue-style arguments.

    python -m localglue.runner.run_job extract                      # the local deployment's arguments
    python -m localglue.runner.run_job load --datasets flights --job-bookmark-option job-bookmark-disable
    python -m localglue.runner.run_job --reset-bookmark transform   # like `aws glue reset-job-bookmark`

Arguments given after the job name replace the local deployment's value of the same name (the
arguments a job gets on AWS are Terraform's default_arguments plus the run's own, likewise).

When the job's bookmarks show that none of its datasets has anything new to read
(localglue.runner.pending_work), it says so and starts no Spark: the run would read nothing, write
nothing and commit an unchanged bookmark. `--always-start` runs the job all the same (as a job run
on AWS always starts: the benchmark measures a job's fixed part with it).
"""

from __future__ import annotations

import argparse
import sys

from localglue.runner.deployment import LocalDeployment, run_script, script_for
from localglue.runner.pending_work import pending_work
from localglue.services.bookmarks import BookmarkStore
from localglue.services.jdbc import is_reachable


def merge_arguments(defaults: list[str], overrides: list[str]) -> list[str]:
    if len(overrides) % 2:
        raise SystemExit(f"job arguments come in pairs (--name value), got: {' '.join(overrides)}")
    merged = dict(zip(defaults[::2], defaults[1::2]))
    for name, value in zip(overrides[::2], overrides[1::2]):
        if not name.startswith("--"):
            raise SystemExit(f"job argument names start with --, got {name!r}")
        merged[name] = value
    return [item for pair in merged.items() for item in pair]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m localglue.runner.run_job", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("job", choices=["extract", "transform", "load"])
    parser.add_argument("--reset-bookmark", action="store_true", help="forget what the job has processed")
    parser.add_argument("--always-start", action="store_true",
                        help="start the job even when its bookmarks show nothing new to read")
    options, job_arguments = parser.parse_known_args(argv)
    pipeline = LocalDeployment()
    if options.reset_bookmark:
        BookmarkStore(pipeline.settings.bookmarks_root).reset(pipeline.job_name(options.job))
        print(f"bookmark of {pipeline.job_name(options.job)} reset")
        return 0
    database = is_reachable(pipeline.postgres())
    pipeline.deploy(with_database=database)
    defaults = pipeline.job_arguments(options.job, warehouse=database,
                                      source_fallback=pipeline.unreachable_sources() or False)
    arguments = merge_arguments(defaults, job_arguments)
    work = [] if options.always_start else pending_work(pipeline, options.job, arguments)
    if work and not any(dataset.pending for dataset in work):
        print(f"{options.job}: nothing new, Spark not started: "
              + "; ".join(f"{dataset.dataset}: {dataset.reason}" for dataset in work), flush=True)
        return 0
    print(f"running {script_for(options.job).name} {' '.join(arguments)}", flush=True)
    run_script(script_for(options.job), arguments)
    return 0


if __name__ == "__main__":
    sys.exit(main())
