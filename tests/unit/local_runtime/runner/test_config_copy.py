"""The local deployment's copy of the config: refreshed from the folder the user edits on every open,
with the changes a demo command recorded applied only while that folder still holds what they replaced."""

from __future__ import annotations

import shutil

import pytest
import yaml

from etl_pipeline.config import ConfigError
from localglue.runner import demo_data
from localglue.runner.config_copy import ConfigChange, recorded_changes
from localglue.runner.deployment import LocalDeployment
from localglue.services.environment import LocalSettings, REPO_ROOT


@pytest.fixture
def edited(tmp_path):
    """A copy of the repository's config/ that the test edits as a user would."""
    folder = tmp_path / "config"
    shutil.copytree(REPO_ROOT / "config", folder)
    return folder


def deployment(tmp_path, config_dir) -> LocalDeployment:
    return LocalDeployment(LocalSettings(tmp_path / "home", "postgresql://127.0.0.1/none", tmp_path / "jars"),
                           config_dir)


def distance(pipeline: LocalDeployment) -> str:
    return next(c.type for c in pipeline.config.datasets["flights"].columns if c.name == "distance")


def test_the_deployment_runs_on_a_copy_that_follows_the_users_edits(tmp_path, edited):
    pipeline = deployment(tmp_path, edited)
    assert pipeline.deployed_config_dir == tmp_path / "home" / "config"
    assert (pipeline.deployed_config_dir / "datasets" / "flights.yaml").read_text() == \
        (edited / "datasets" / "flights.yaml").read_text()
    assert pipeline.config_changes == []

    # An edit to the user's folder, a dataset removed from it: the next deployment opened sees both.
    flights = edited / "datasets" / "flights.yaml"
    flights.write_text(flights.read_text().replace("max_length: 8}", "max_length: 9}"))
    (edited / "datasets" / "weather.yaml").unlink()
    again = deployment(tmp_path, edited)
    tailnum = next(c for c in again.config.datasets["flights"].columns if c.name == "tailnum")
    assert tailnum.max_length == 9
    assert "weather" not in again.config.datasets
    assert not (again.deployed_config_dir / "datasets" / "weather.yaml").exists()


def test_demo_evolve_widens_distance_in_the_copy_only_and_every_later_refresh_keeps_it(tmp_path, edited):
    before = (edited / "datasets" / "flights.yaml").read_text()
    pipeline = deployment(tmp_path, edited)

    outcome = pipeline.change_config(demo_data.EVOLVED_CONFIG)

    assert outcome.applied and distance(pipeline) == "bigint"
    assert (edited / "datasets" / "flights.yaml").read_text() == before          # the user's file is untouched
    assert distance(LocalDeployment(pipeline.settings, edited)) == "bigint"      # the next run has it too
    copy = (pipeline.deployed_config_dir / "datasets" / "flights.yaml").read_text()
    assert copy.startswith("# Changed in this copy only: datasets/flights.yaml: column distance type int -> bigint")
    assert yaml.safe_load(copy)["quality"] == yaml.safe_load(before)["quality"]  # nothing else changed
    # Recording it twice keeps one change.
    pipeline.change_config(demo_data.EVOLVED_CONFIG)
    assert recorded_changes(pipeline.settings.home) == [demo_data.EVOLVED_CONFIG]

    # The user edits config/ meanwhile: the edit reaches the copy, beside the demo's change.
    flights = edited / "datasets" / "flights.yaml"
    flights.write_text(flights.read_text().replace("{name: air_time, type: double}", "{name: air_time, type: 'decimal(6,1)'}"))
    edited_run = LocalDeployment(pipeline.settings, edited)
    assert distance(edited_run) == "bigint"
    assert next(c.type for c in edited_run.config.datasets["flights"].columns if c.name == "air_time") == "decimal(6,1)"


def test_a_setting_the_user_changed_in_config_wins_over_the_demos_change_and_says_so(tmp_path, edited):
    pipeline = deployment(tmp_path, edited)
    pipeline.change_config(demo_data.EVOLVED_CONFIG)
    flights = edited / "datasets" / "flights.yaml"
    flights.write_text(flights.read_text().replace("{name: distance, type: int, nullable: false}",
                                                   "{name: distance, type: double, nullable: false}"))

    later = LocalDeployment(pipeline.settings, edited)

    assert distance(later) == "double"
    [outcome] = later.config_changes
    assert not outcome.applied and outcome.found == "double"
    assert outcome.describe(edited) == (
        f"datasets/flights.yaml: column distance type int -> bigint (make demo-evolve) is not applied: "
        f"{edited}/datasets/flights.yaml now says type double, and config/ wins")
    assert (later.deployed_config_dir / "datasets" / "flights.yaml").read_text() == flights.read_text()


def test_the_copy_checks_as_the_jobs_check_and_names_the_users_file(tmp_path, edited):
    change = ConfigChange(file="datasets/flights.yaml", column="distance", setting="type", before="int",
                          after="varchar", by="a test")
    pipeline = deployment(tmp_path, edited)
    with pytest.raises(ConfigError, match=r"config/datasets/flights.yaml.*varchar"):
        pipeline.change_config(change)
    # Refused: not kept, and the copy is the user's config again.
    assert recorded_changes(pipeline.settings.home) == []
    assert distance(LocalDeployment(pipeline.settings, edited)) == "int"


def test_the_copy_cannot_be_the_folder_it_copies(tmp_path):
    settings = LocalSettings(tmp_path / "home", "postgresql://127.0.0.1/none", tmp_path / "jars")
    shutil.copytree(REPO_ROOT / "config", tmp_path / "home" / "config")
    with pytest.raises(ValueError, match="is the local deployment's copy of it"):
        LocalDeployment(settings, tmp_path / "home" / "config")


def test_make_demo_evolve_lands_the_later_file_and_says_which_config_it_changed(tmp_path, edited, capsys):
    from localglue.runner import demo

    pipeline = deployment(tmp_path, edited)

    assert demo.land_evolved(pipeline) == 0

    said = capsys.readouterr().out
    assert "flights_2014_01.csv: 27,004 flights of January 2014 with a new column 'seats'" in said
    assert (f"config: datasets/flights.yaml: column distance type int -> bigint (make demo-evolve), in the copy "
            f"only ({pipeline.deployed_config_dir}/datasets/flights.yaml; {edited} is not touched)") in said
    demo.print_config(LocalDeployment(pipeline.settings, edited))
    assert capsys.readouterr().out.splitlines() == [
        f"Config: {edited}, run from this deployment's copy {pipeline.deployed_config_dir} (refreshed from it on every run)",
        "  datasets/flights.yaml: column distance type int -> bigint (make demo-evolve), in the copy only; "
        "`make demo-reset` drops it"]
