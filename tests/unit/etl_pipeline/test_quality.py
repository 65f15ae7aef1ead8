"""Dataset-level rules, evaluated on the metrics the transform observes."""

from __future__ import annotations

from datetime import datetime

import pytest

from etl_pipeline.config import DatasetRule
from etl_pipeline.quality import DataQualityError, check_dataset_rules, evaluate

METRICS = {"rows": 1000, "valid": 960, "quarantined": 30, "duplicate": 10, "complete__carrier": 950,
           "newest__scheduled_departure_utc": datetime(2013, 12, 31, 23, 0)}


@pytest.mark.parametrize("rule, passed, measured", [
    (DatasetRule("enough", "row_count", {"min": 960}), True, 960),
    (DatasetRule("too_many", "row_count", {"max": 959}), False, 960),
    (DatasetRule("carrier", "completeness", {"column": "carrier", "min_ratio": 0.99}), False, round(950 / 960, 6)),
    (DatasetRule("mostly_valid", "valid_ratio", {"min_ratio": 0.95}), True, 0.96),
    (DatasetRule("strict", "valid_ratio", {"min_ratio": 0.97}), False, 0.96),
])
def test_rules_measure_and_compare(rule, passed, measured):
    result = evaluate(rule, METRICS)

    assert (result.passed, result.measured) == (passed, measured)


def test_freshness_compares_the_newest_valid_value_with_now():
    rule = DatasetRule("fresh", "freshness", {"column": "scheduled_departure_utc", "max_age_hours": 24})

    assert evaluate(rule, METRICS, now=datetime(2014, 1, 1, 12, 0)).passed
    assert not evaluate(rule, METRICS, now=datetime(2014, 1, 2, 0, 0)).passed


def test_a_failed_rule_stops_the_batch_naming_every_failure(project_config):
    flights = project_config.datasets["flights"]

    with pytest.raises(DataQualityError, match=r"dataset flights: 1 dataset rule\(s\) failed.*carrier_complete "
                                               r"\(completeness\) FAILED: measured 0.989583"):
        check_dataset_rules(flights, METRICS)
