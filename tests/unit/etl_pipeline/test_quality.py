"""DQDL rules evaluated by EvaluateDataQuality (locally: the awsgluedq stand-in over Deequ): each
rule's outcome applied to the rows and to the batch, and the one-line error of a failed `fail` rule."""

from __future__ import annotations

import pytest
from awsglue.context import GlueContext

from etl_pipeline.columns import ETL_FAILED_RULES, ETL_WARNED_RULES
from etl_pipeline.config import QualityRule, parse_dataset
from etl_pipeline.quality import DataQualityError, RuleOutcome, check_fail_rules, evaluate, rule_key

DATASET = parse_dataset({
    "name": "readings",
    "source": {"type": "s3", "format": "json", "prefix": "readings/"},
    "primary_key": ["sensor"],
    "columns": [{"name": "sensor", "type": "string", "nullable": False}, {"name": "value", "type": "double"}],
    "quality": {"rules": [
        {"name": "value_below_100", "outcome": "quarantine", "dqdl": 'ColumnValues "value" < 100 where "value is not null"'},
        {"name": "value_set", "outcome": "warn", "dqdl": 'IsComplete "value"'},
        {"name": "sensor_known", "outcome": "quarantine", "dqdl": 'ColumnValues "sensor" in ["a", "b", "c"]'},
        {"name": "enough_rows", "outcome": "fail", "dqdl": "RowCount >= 3"},
    ]},
    "targets": {"curated": {"table": "readings"}, "warehouse": {"table": "readings"}},
}, "readings.yaml")


def standardised(spark, rows):
    """Rows as `rows.standardise` hands them on: typed columns, conformance failures and warnings."""
    return spark.createDataFrame([(*row, []) for row in rows],
                                 "sensor string, value double, etl_failed_rules array<string>, etl_warned_rules array<string>")


def test_each_rules_outcome_applies_to_the_rows_that_fail_it(spark, local_home):
    rows = standardised(spark, [("a", 1.0, []), ("b", 150.0, []), ("c", None, []), ("z", 2.0, []),
                                ("a", None, ["value_is_double"])])

    evaluated, outcomes = evaluate(GlueContext(spark), rows, DATASET, {"dataQualityEvaluationContext": "readings"})

    result = sorted(((r["sensor"], r["value"], r[ETL_FAILED_RULES], r[ETL_WARNED_RULES]) for r in evaluated.collect()),
                    key=str)
    assert result == [
        ("a", 1.0, [], []),
        ("a", None, ["value_is_double"], []),  # not conformant: not evaluated, its failures stand
        ("b", 150.0, ["value_below_100"], []),
        ("c", None, [], ["value_set"]),          # warned, goes on
        ("z", 2.0, ["sensor_known"], []),
    ]
    assert [(o.rule.name, o.passed) for o in outcomes] == [
        ("value_below_100", False), ("value_set", False), ("sensor_known", False), ("enough_rows", True)]
    assert outcomes[3].observed == {"Dataset.*.RowCount": 4.0}  # the conformant rows


def test_a_failed_fail_rule_raises_one_line_naming_rule_dataset_and_observed_value(spark, local_home):
    rows = standardised(spark, [("a", 1.0, []), ("b", 2.0, [])])

    _, outcomes = evaluate(GlueContext(spark), rows, DATASET, {})

    with pytest.raises(DataQualityError) as failure:
        check_fail_rules(DATASET, outcomes)
    assert str(failure.value) == (
        "dataset readings: 1 rule(s) with outcome fail failed, the batch is not loaded: enough_rows [RowCount >= 3] "
        "failed: observed Dataset.*.RowCount=2 (Value: 2 does not meet the constraint requirement!). Fix the "
        "source or the rules in config/datasets/readings.yaml, then rerun the transform job.")


def test_warn_and_quarantine_rules_never_stop_the_batch():
    warned = RuleOutcome(QualityRule("w", 'IsComplete "value"', "warn"), False, "x", {})
    quarantined = RuleOutcome(QualityRule("q", 'IsComplete "sensor"', "quarantine"), False, "x", {})

    check_fail_rules(DATASET, [warned, quarantined])


def test_rules_match_the_evaluators_rendering_of_them():
    assert rule_key('ColumnValues  "a" between 1 and 2') == rule_key('ColumnValues "a" between 1 and 2')
    assert rule_key('(ColumnValues "b" >= 0)') == rule_key('ColumnValues "b" >= 0')
    assert rule_key('ColumnValues "b" >= 0') != rule_key('ColumnValues "b" >= 1')
