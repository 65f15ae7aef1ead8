"""The awsgluedq stand-in on the session Spark: Glue's shapes from Deequ's DQDL evaluator."""

from __future__ import annotations

import json

import pytest
from awsglue.context import GlueContext
from awsglue.dynamicframe import DynamicFrame
from awsgluedq.transforms import EvaluateDataQuality

RULESET = """Rules = [
  IsComplete "carrier",
  ColumnValues "wind" < 250 where "wind is not null",
  CustomSql "select count(*) from primary where wind > 1000" = 0,
  RowCount > 0
]"""


@pytest.fixture
def frame(spark, local_home):
    rows = spark.createDataFrame([("UA", 10.0), (None, 5.0), ("AA", 1048.0), ("DL", None)], "carrier string, wind double")
    return DynamicFrame.fromDF(rows, GlueContext(spark), "weather")


def test_process_rows_gives_rule_outcomes_and_each_rows_passed_failed_and_skipped_rules(frame):
    outcomes = EvaluateDataQuality().process_rows(frame=frame, ruleset=RULESET,
                                                  publishing_options={"dataQualityEvaluationContext": "weather"})

    assert sorted(outcomes.keys()) == ["rowLevelOutcomes", "ruleOutcomes"]
    rules = {r["Rule"]: r["Outcome"] for r in outcomes.select("ruleOutcomes").toDF().collect()}
    assert rules == {'IsComplete "carrier"': "Failed", 'ColumnValues "wind" < 250 where "wind is not null"': "Failed",
                     'CustomSql "select count(*) from primary where wind > 1000" = 0': "Failed",
                     "RowCount > 0": "Passed"}
    rows = outcomes["rowLevelOutcomes"].toDF()
    assert rows.columns == ["carrier", "wind", "DataQualityRulesPass", "DataQualityRulesFail", "DataQualityRulesSkip",
                            "DataQualityEvaluationResult"]
    by_carrier = {r["carrier"]: (sorted(r["DataQualityRulesFail"]), r["DataQualityEvaluationResult"], len(r["DataQualityRulesSkip"]))
                  for r in rows.collect()}
    assert by_carrier == {
        "UA": ([], "Passed", 2), None: (['IsComplete "carrier"'], "Failed", 2),
        "AA": (['ColumnValues "wind" < 250 where "wind is not null"'], "Failed", 2), "DL": ([], "Passed", 2)}


def test_apply_gives_the_rule_outcomes_and_publishes_them_under_the_results_prefix(frame, local_home):
    outcomes = EvaluateDataQuality.apply(frame=frame, ruleset="Rules = [ RowCount = 4 ]", publishing_options={
        "dataQualityEvaluationContext": "weather", "resultsS3Prefix": "s3://processed/_data_quality"})

    assert outcomes.toDF().columns[:4] == ["Rule", "Outcome", "FailureReason", "EvaluatedMetrics"]
    published = list((local_home / "lake" / "processed" / "_data_quality" / "weather").glob("*.json"))
    assert [json.loads(p.read_text())["ruleResults"] for p in published] == [[
        {"Name": "RowCount = 4", "Result": "PASS", "EvaluationMessage": None,
         "EvaluatedMetrics": {"Dataset.*.RowCount": 4.0}}]]


def test_an_unknown_option_or_rule_fails_with_one_line_saying_what(frame):
    with pytest.raises(ValueError, match=r"publishing_options: \['resultsPrefix'\] are not options Glue knows"):
        EvaluateDataQuality().process_rows(frame=frame, ruleset="Rules = [ RowCount > 0 ]",
                                           publishing_options={"resultsPrefix": "s3://x"})
    with pytest.raises(ValueError, match=r"^the DQDL ruleset could not be evaluated: .*Rule Type: Bogus is not valid"):
        EvaluateDataQuality().process_rows(frame=frame, ruleset='Rules = [ Bogus "x" ]')


def test_antlr_version_notes_go_to_the_log_and_anything_else_printed_stays_on_stderr(spark):
    from awsgluedq.transforms import route_jvm_stderr

    jvm = spark._jvm
    stderr = jvm.java.lang.System.err
    note = "ANTLR Tool version 4.7 used for code generation does not match the current runtime version 4.9.3"

    notes, others = route_jvm_stderr(jvm, lambda: [jvm.java.lang.System.err.println(line) for line in (
        note, "ANTLR Runtime version 4.7 used for parser compilation does not match the current runtime version 4.9.3",
        "java.lang.IllegalStateException: a real problem")])

    assert notes == [note, note.replace("Tool", "Runtime").replace("code generation", "parser compilation")]
    assert others == ["java.lang.IllegalStateException: a real problem"]
    assert jvm.java.lang.System.err.equals(stderr)  # restored


def test_the_dqdl_parser_classes_are_loaded_inside_the_capture_once_per_jvm(frame, monkeypatch):
    import awsgluedq.transforms as transforms

    calls = []
    route = transforms.route_jvm_stderr
    monkeypatch.setattr(transforms, "_parser_loaded_in", set())
    monkeypatch.setattr(transforms, "route_jvm_stderr", lambda jvm, action: calls.append(route(jvm, action)))

    for _ in range(2):
        EvaluateDataQuality().process_rows(frame=frame, ruleset="Rules = [ RowCount > 0 ]")

    assert len(calls) == 1
    assert all(not others for _, others in calls)  # nothing but ANTLR's notes was printed
