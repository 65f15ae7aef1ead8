"""Contract: the `awsgluedq` names the stand-in defines and the project's Glue code uses, against AWS's
documented API (AWS publishes no `awsgluedq` package to compare with, unlike `awsglue`).

Documented:
- EvaluateDataQuality.apply(frame, ruleset, publishing_options) and the publishing options
  dataQualityEvaluationContext, enableDataQualityCloudWatchMetrics, enableDataQualityResultsPublishing,
  resultsS3Prefix; rule outcome columns Rule, Outcome, FailureReason, EvaluatedMetrics:
  https://docs.aws.amazon.com/glue/latest/dg/aws-glue-api-crawler-pyspark-transforms-EvaluateDataQuality.html
- additional options performanceTuning.caching, observations.scope, compositeRuleEvaluation.method:
  https://docs.aws.amazon.com/glue/latest/webapi/API_EvaluateDataQualityMultiFrame.html
- EvaluateDataQuality().process_rows(frame=, ruleset=, publishing_options=, additional_options=) with
  additional option dataQualityResultsPublishing.strategy, returning a DynamicFrameCollection with
  ruleOutcomes and rowLevelOutcomes (columns DataQualityRulesPass/Fail/Skip, DataQualityEvaluationResult):
  the job scripts AWS Glue Studio generates for an Evaluate Data Quality node.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import awsgluedq.transforms as stand_in
from etl_pipeline import quality

REPO = Path(__file__).resolve().parents[4]
PROJECT_GLUE_CODE = sorted((REPO / "src" / "glue").glob("*.py")) + sorted((REPO / "src" / "etl_pipeline").rglob("*.py"))

DOCUMENTED_METHODS = {
    "apply": ["frame", "ruleset", "publishing_options"],
    "process_rows": ["frame", "ruleset", "publishing_options", "additional_options"],
}
DOCUMENTED_PUBLISHING_OPTIONS = {"dataQualityEvaluationContext", "enableDataQualityCloudWatchMetrics",
                                 "enableDataQualityResultsPublishing", "resultsS3Prefix"}
DOCUMENTED_ADDITIONAL_OPTIONS = {"performanceTuning.caching", "observations.scope", "compositeRuleEvaluation.method",
                                 "dataQualityResultsPublishing.strategy"}
DOCUMENTED_OUTPUTS = {"ruleOutcomes", "rowLevelOutcomes"}
DOCUMENTED_ROW_COLUMNS = {"DataQualityRulesPass", "DataQualityRulesFail", "DataQualityRulesSkip",
                          "DataQualityEvaluationResult"}
DOCUMENTED_RULE_COLUMNS = {"Rule", "Outcome", "FailureReason", "EvaluatedMetrics"}


def test_the_stand_in_has_the_documented_module_class_and_signatures():
    assert stand_in.EvaluateDataQuality.__module__ == "awsgluedq.transforms"
    for method, parameters in DOCUMENTED_METHODS.items():
        signature = inspect.signature(getattr(stand_in.EvaluateDataQuality(), method))
        assert list(signature.parameters) == parameters, method
        assert all(p.default is not inspect.Parameter.empty for p in signature.parameters.values()
                   if p.name in ("publishing_options", "additional_options"))
    assert isinstance(inspect.getattr_static(stand_in.EvaluateDataQuality, "apply"), classmethod)
    assert set(stand_in.PUBLISHING_OPTIONS) == DOCUMENTED_PUBLISHING_OPTIONS
    assert set(stand_in.ADDITIONAL_OPTIONS) == DOCUMENTED_ADDITIONAL_OPTIONS
    assert {stand_in.RULE_OUTCOMES, stand_in.ROW_LEVEL_OUTCOMES} == DOCUMENTED_OUTPUTS


def _awsgluedq_calls(path: Path):
    """Every call of an EvaluateDataQuality method in a file: (line, method, keywords)."""
    tree = ast.parse(path.read_text())
    imported = {alias.asname or alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                and (node.module or "").startswith("awsgluedq") for alias in node.names}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            receiver = node.func.value
            receiver = receiver.func if isinstance(receiver, ast.Call) else receiver
            if isinstance(receiver, ast.Name) and receiver.id in imported:
                yield node.lineno, node.func.attr, [k.arg for k in node.keywords], len(node.args)


def test_the_project_calls_only_documented_methods_with_documented_keywords():
    calls = [(path.name, *call) for path in PROJECT_GLUE_CODE for call in _awsgluedq_calls(path)]

    assert calls, "the project evaluates its rulesets with awsgluedq"
    for file, line, method, keywords, positional in calls:
        assert method in DOCUMENTED_METHODS, f"{file}:{line}: EvaluateDataQuality.{method} is not documented"
        assert positional == 0, f"{file}:{line}: pass {method}'s arguments by keyword, as AWS's examples do"
        assert set(keywords) <= set(DOCUMENTED_METHODS[method]), f"{file}:{line}: {keywords}"


def test_the_options_outputs_and_columns_the_project_uses_are_documented():
    assert set(quality.publishing_options(_dataset(), "s3://processed/_data_quality")) <= DOCUMENTED_PUBLISHING_OPTIONS
    assert quality.ROW_RULES_FAILED in DOCUMENTED_ROW_COLUMNS
    source = (REPO / "src" / "etl_pipeline" / "quality.py").read_text()
    strings = {node.value for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Constant)
               and isinstance(node.value, str)}
    assert {"ruleOutcomes", "rowLevelOutcomes"} <= strings
    used_columns = {s for s in strings if s in DOCUMENTED_RULE_COLUMNS | DOCUMENTED_ROW_COLUMNS
                    or s.startswith("DataQuality")}
    assert used_columns <= DOCUMENTED_RULE_COLUMNS | DOCUMENTED_ROW_COLUMNS, used_columns


def _dataset():
    from etl_deploy.config_bundle import read_config

    return read_config(REPO / "config").datasets["flights"]
