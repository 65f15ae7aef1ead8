"""Zones: every path of the lake's zones built from the job arguments and the config's layout, and the
error that names the argument a job is missing."""

from __future__ import annotations

import pytest

from etl_pipeline.zones import ZONE_ARGUMENTS, Zones


def test_every_path_follows_the_layout(zones, trips):
    assert zones.raw_files(trips.source) == "s3://raw/trips/"
    assert zones.landing(trips) == "s3://processed/landing/trips/"
    assert zones.landing(trips, "b1") == "s3://processed/landing/trips/batch_id=b1"
    assert zones.validated(trips) == "s3://processed/validated/trips/"
    assert zones.validated(trips, "b1") == "s3://processed/validated/trips/batch_id=b1"
    assert zones.rejected(trips, "b1") == "s3://quarantine/trips/rejected/batch_id=b1"
    assert zones.duplicates(trips, "b1") == "s3://quarantine/trips/duplicates/batch_id=b1"
    assert zones.unreadable(trips, "b1") == "s3://quarantine/trips/unreadable/batch_id=b1"
    assert zones.not_utf8(trips, "b1") == "s3://quarantine/trips/not_utf8/batch_id=b1"
    assert zones.reports("extract") == "s3://processed/_reports/extract"
    assert zones.reports("extract", "jr_1.json") == "s3://processed/_reports/extract/jr_1.json"
    assert zones.temp("redshift") == "s3://temp/redshift"


def test_roots_with_a_trailing_slash_or_a_key_prefix_give_the_same_shape(config, trips):
    zones = Zones.from_arguments(config, {"processed_path": "s3://lake/processed/", "quarantine_path": "s3://q/"})

    assert zones.landing(trips, "b1") == "s3://lake/processed/landing/trips/batch_id=b1"
    assert zones.rejected(trips, "b1") == "s3://q/trips/rejected/batch_id=b1"


def test_only_the_zone_arguments_a_job_was_given_become_roots(config):
    zones = Zones.from_arguments(config, {"processed_path": "s3://processed", "raw_path": "", "env": "dev"})

    assert zones.roots == {"processed": "s3://processed"}


@pytest.mark.parametrize("zone, argument", sorted(ZONE_ARGUMENTS.items()))
def test_a_missing_zone_names_the_job_argument_that_gives_it(config, zone, argument):
    zones = Zones.from_arguments(config, {})

    with pytest.raises(ValueError, match=rf"^this job needs --{argument} \(the {zone} zone's s3:// root\)$"):
        zones.root(zone)


def test_a_path_in_a_missing_zone_fails_naming_the_argument(config, trips):
    zones = Zones.from_arguments(config, {"processed_path": "s3://processed"})

    with pytest.raises(ValueError, match="--quarantine_path"):
        zones.rejected(trips, "b1")
