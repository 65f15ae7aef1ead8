"""Job arguments, resolved the way Glue resolves them (`awsglue.utils.getResolvedOptions`)."""

from __future__ import annotations

import argparse

from awsglue.job import Job


class GlueArgumentError(Exception):
    """A required job argument is missing or malformed (Glue raises this instead of exiting)."""


class GlueArgumentParser(argparse.ArgumentParser):
    def error(self, msg):
        raise GlueArgumentError(msg)


def getResolvedOptions(args, options):
    """Parse `--name value` job arguments; every name in `options` is required.

    Like Glue: unknown arguments are ignored, Glue's reserved arguments are accepted and may not be
    requested, `--job-bookmark-option` defaults to job-bookmark-disable, and TempDir/RedshiftTempDir
    mirror each other. Unlike Glue 5.1 (like Glue 6.0), an abbreviated argument name is not accepted.
    """
    bookmark_flag, *bookmark_choices = Job.job_bookmark_options()
    reserved = [bookmark_flag, *Job.continuation_options()[:1], *Job.job_bookmark_range_options(),
                *Job.id_params()[1:], *Job.encryption_type_options()[:1], *Job.data_lineage_options()]
    for option in options:
        if f"--{option}" in reserved or option in reserved:
            raise RuntimeError(f"Using reserved arguments {option}")

    parser = GlueArgumentParser(allow_abbrev=False)
    parser.add_argument(bookmark_flag, choices=bookmark_choices, required=False)
    continuation_flag, *continuation_choices = Job.continuation_options()
    parser.add_argument(continuation_flag, choices=continuation_choices, required=False)
    for flag in Job.job_bookmark_range_options():
        parser.add_argument(flag, required=False)
    for flag in Job.id_params()[1:]:
        if flag[2:] not in options:
            parser.add_argument(flag, required=False)
    parser.add_argument(Job.encryption_type_options()[0], choices=Job.encryption_type_options()[1:])
    parser.add_argument(Job.data_lineage_options()[0], required=False)
    parser.add_argument("--TempDir", required=False)
    parser.add_argument("--RedshiftTempDir", required=False)
    for option in options:
        if option not in ("TempDir", "RedshiftTempDir"):
            parser.add_argument(f"--{option}", required=True)

    parsed, _unknown = parser.parse_known_args(args[1:])
    resolved = vars(parsed)
    if resolved.get("TempDir") is None:
        resolved["TempDir"] = resolved.get("RedshiftTempDir")
    resolved["RedshiftTempDir"] = resolved["TempDir"]

    continuation = resolved.pop("continuation_option", None)
    if resolved.get("job_bookmark_option") is None:
        if continuation is None:
            resolved["job_bookmark_option"] = Job.job_bookmark_options()[3]
        else:
            index = Job.continuation_options().index(continuation)
            resolved["job_bookmark_option"] = Job.job_bookmark_options()[index]
    return resolved
