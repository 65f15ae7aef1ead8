"""`awsglue.utils.getResolvedOptions` of the local runtime: resolves job arguments as Glue does."""

from __future__ import annotations

import pytest

from awsglue.utils import GlueArgumentError, getResolvedOptions

SCRIPT = "script.py"


def test_required_arguments_are_resolved_and_unknown_ones_ignored():
    argv = [SCRIPT, "--JOB_NAME", "extract", "--env", "dev", "--config_path", "s3://scripts/config/",
            "--enable-metrics", "true", "--unknown_flag", "x", "--extra-py-files", "s3://scripts/lib.zip"]

    args = getResolvedOptions(argv, ["JOB_NAME", "env", "config_path"])

    assert args["JOB_NAME"] == "extract"
    assert args["env"] == "dev"
    assert args["config_path"] == "s3://scripts/config/"
    assert "unknown_flag" not in args and "enable_metrics" not in args and "extra_py_files" not in args


def test_arguments_in_equals_form_are_resolved():
    args = getResolvedOptions([SCRIPT, "--env=prod", "--datasets", "flights,weather"], ["env", "datasets"])

    assert args["env"] == "prod"
    assert args["datasets"] == "flights,weather"


def test_missing_required_argument_raises_naming_it():
    with pytest.raises(GlueArgumentError) as raised:
        getResolvedOptions([SCRIPT, "--env", "dev"], ["env", "processed_path"])

    assert "--processed_path" in str(raised.value)
    assert "--env" not in str(raised.value)


def test_bookmark_option_defaults_to_disable():
    args = getResolvedOptions([SCRIPT, "--env", "dev"], ["env"])

    assert args["job_bookmark_option"] == "job-bookmark-disable"


@pytest.mark.parametrize("choice", ["job-bookmark-enable", "job-bookmark-pause", "job-bookmark-disable"])
def test_bookmark_option_takes_the_given_choice(choice):
    args = getResolvedOptions([SCRIPT, "--job-bookmark-option", choice, "--env", "dev"], ["env"])

    assert args["job_bookmark_option"] == choice


def test_invalid_bookmark_option_raises():
    with pytest.raises(GlueArgumentError) as raised:
        getResolvedOptions([SCRIPT, "--job-bookmark-option", "job-bookmark-sometimes"], [])

    assert "job-bookmark-sometimes" in str(raised.value)


@pytest.mark.parametrize("continuation, bookmark", [
    ("continuation-enabled", "job-bookmark-enable"),
    ("continuation-readonly", "job-bookmark-pause"),
    ("continuation-ignore", "job-bookmark-disable"),
])
def test_continuation_option_maps_to_the_bookmark_option(continuation, bookmark):
    args = getResolvedOptions([SCRIPT, "--continuation-option", continuation], [])

    assert args["job_bookmark_option"] == bookmark
    assert "continuation_option" not in args


def test_explicit_bookmark_option_wins_over_continuation_option():
    args = getResolvedOptions([SCRIPT, "--continuation-option", "continuation-enabled",
                               "--job-bookmark-option", "job-bookmark-disable"], [])

    assert args["job_bookmark_option"] == "job-bookmark-disable"


def test_temp_dir_mirrors_redshift_temp_dir_both_ways():
    from_temp = getResolvedOptions([SCRIPT, "--TempDir", "s3://tmp/a/"], [])
    from_redshift = getResolvedOptions([SCRIPT, "--RedshiftTempDir", "s3://tmp/b/"], [])
    neither = getResolvedOptions([SCRIPT], [])

    assert (from_temp["TempDir"], from_temp["RedshiftTempDir"]) == ("s3://tmp/a/", "s3://tmp/a/")
    assert (from_redshift["TempDir"], from_redshift["RedshiftTempDir"]) == ("s3://tmp/b/", "s3://tmp/b/")
    assert (neither["TempDir"], neither["RedshiftTempDir"]) == (None, None)


def test_temp_dir_can_be_requested_and_is_none_when_absent_as_on_glue():
    args = getResolvedOptions([SCRIPT, "--TempDir", "s3://tmp/x/", "--env", "dev"], ["env", "TempDir"])
    absent = getResolvedOptions([SCRIPT, "--env", "dev"], ["env", "TempDir"])

    assert args["TempDir"] == "s3://tmp/x/"
    assert absent["TempDir"] is None


def test_job_name_is_only_resolved_when_requested():
    assert "JOB_NAME" not in getResolvedOptions([SCRIPT, "--JOB_NAME", "x"], [])


def test_reserved_ids_are_accepted_without_being_requested():
    args = getResolvedOptions([SCRIPT, "--JOB_ID", "j_1", "--JOB_RUN_ID", "jr_2", "--JOB_NAME", "load"],
                              ["JOB_NAME"])

    assert (args["JOB_ID"], args["JOB_RUN_ID"], args["JOB_NAME"]) == ("j_1", "jr_2", "load")


def test_abbreviated_argument_name_is_not_accepted():
    """Glue 6.0 rejects `--conf` for `--config_path`; the local runtime behaves the same."""
    with pytest.raises(GlueArgumentError) as raised:
        getResolvedOptions([SCRIPT, "--conf", "s3://scripts/config/"], ["config_path"])

    assert "--config_path" in str(raised.value)


def test_abbreviated_name_does_not_fill_a_required_argument_when_full_name_also_given():
    args = getResolvedOptions([SCRIPT, "--conf", "wrong", "--config_path", "right"], ["config_path"])

    assert args["config_path"] == "right"


@pytest.mark.parametrize("reserved", ["job-bookmark-option", "continuation-option", "job-bookmark-from",
                                      "job-bookmark-to"])
def test_requesting_a_reserved_name_raises(reserved):
    with pytest.raises(RuntimeError) as raised:
        getResolvedOptions([SCRIPT, f"--{reserved}", "x"], ["env", reserved])

    assert reserved in str(raised.value)
