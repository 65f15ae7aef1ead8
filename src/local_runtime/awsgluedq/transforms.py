"""`awsgluedq.transforms.EvaluateDataQuality`, evaluated locally by Deequ's DQDL evaluator.

AWS's API (https://docs.aws.amazon.com/glue/latest/dg/aws-glue-api-crawler-pyspark-transforms-EvaluateDataQuality.html):
- `EvaluateDataQuality.apply(frame, ruleset, publishing_options)` -> a DynamicFrame of rule outcomes
  (Rule, Outcome, FailureReason, EvaluatedMetrics);
- `EvaluateDataQuality().process_rows(frame, ruleset, publishing_options, additional_options)` -> a
  DynamicFrameCollection with `ruleOutcomes` and `rowLevelOutcomes` (the frame's rows plus
  DataQualityRulesPass, DataQualityRulesFail, DataQualityRulesSkip and DataQualityEvaluationResult),
  as the scripts Glue Studio generates call it.
publishing_options: dataQualityEvaluationContext, enableDataQualityCloudWatchMetrics,
enableDataQualityResultsPublishing, resultsS3Prefix.

Locally the ruleset runs in `com.amazon.deequ.dqdl.EvaluateDataQuality` (deequ 2.1.0-spark-3.5,
src/local_runtime/jvm/pom.xml) through py4j direct calls: no PyDeequ, so no Python callback server
that a failing check could leave running. Glue's results go to its Data Quality console and, with
`resultsS3Prefix`, to S3; here the rule outcomes are written as JSON lines under resultsS3Prefix
(the local lake) and CloudWatch metrics are not published (there is no CloudWatch).
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone

from pyspark.sql import DataFrame

from awsglue.dynamicframe import DynamicFrame, DynamicFrameCollection

RULE_OUTCOMES = "ruleOutcomes"
ROW_LEVEL_OUTCOMES = "rowLevelOutcomes"
PUBLISHING_OPTIONS = ("dataQualityEvaluationContext", "enableDataQualityCloudWatchMetrics",
                      "enableDataQualityResultsPublishing", "resultsS3Prefix")
# Glue's additional_options keys for the transform (AWS Glue API, EvaluateDataQualityMultiFrame).
ADDITIONAL_OPTIONS = ("performanceTuning.caching", "observations.scope", "compositeRuleEvaluation.method",
                      "dataQualityResultsPublishing.strategy")
DEFAULT_CONTEXT = "default_context"
# DQDL's CustomSql rules name the evaluated data `primary`, as Glue does.
PRIMARY_VIEW = "primary"


class EvaluateDataQuality(object):
    """Evaluates a DQDL ruleset against a DynamicFrame."""

    @classmethod
    def apply(cls, frame, ruleset, publishing_options={}):
        return cls().__call__(frame, ruleset, publishing_options)

    def __call__(self, frame, ruleset, publishing_options={}):
        outcomes = self.process_rows(frame, ruleset, publishing_options)
        return outcomes.select(RULE_OUTCOMES)

    def process_rows(self, frame, ruleset, publishing_options={}, additional_options={}):
        _check_options(publishing_options, PUBLISHING_OPTIONS, "publishing_options")
        _check_options(additional_options, ADDITIONAL_OPTIONS, "additional_options")
        data = frame.toDF()
        spark = data.sparkSession
        evaluator = _evaluator(spark)
        data.createOrReplaceTempView(PRIMARY_VIEW)
        try:
            results = evaluator.processRows(data._jdf, ruleset)
        except Exception as error:  # py4j's error carries the JVM trace; the first line says what is wrong
            message = str(getattr(error, "java_exception", error)).splitlines()[0]
            raise ValueError(f"the DQDL ruleset could not be evaluated: {message}") from error
        finally:
            spark.catalog.dropTempView(PRIMARY_VIEW)
        rule_outcomes = DataFrame(results.apply(evaluator.RULE_OUTCOMES_KEY()), spark)
        row_level = DataFrame(results.apply(evaluator.ROW_LEVEL_OUTCOMES_KEY()), spark)
        glue_context = frame.glue_ctx
        context = publishing_options.get("dataQualityEvaluationContext", DEFAULT_CONTEXT)
        if publishing_options.get("resultsS3Prefix"):
            _publish(glue_context, rule_outcomes, publishing_options["resultsS3Prefix"], context)
        return DynamicFrameCollection({
            RULE_OUTCOMES: DynamicFrame.fromDF(rule_outcomes, glue_context, f"{context}_{RULE_OUTCOMES}"),
            ROW_LEVEL_OUTCOMES: DynamicFrame.fromDF(row_level, glue_context, f"{context}_{ROW_LEVEL_OUTCOMES}"),
        }, glue_context)


def _evaluator(spark):
    evaluator = spark._jvm.com.amazon.deequ.dqdl.EvaluateDataQuality
    try:
        evaluator.RULE_OUTCOMES_KEY()
    except Exception as error:  # py4j returns a JavaPackage for a class it cannot find
        raise RuntimeError("Deequ's DQDL evaluator is not on the Spark classpath: start Spark through "
                           "localglue (src/local_runtime/jvm/pom.xml lists com.amazon.deequ:deequ)") from error
    return evaluator


def _check_options(options: dict, known: tuple[str, ...], argument: str) -> None:
    unknown = sorted(set(options) - set(known))
    if unknown:
        raise ValueError(f"EvaluateDataQuality {argument}: {unknown} are not options Glue knows ({', '.join(known)})")


def _publish(glue_context, rule_outcomes: DataFrame, prefix: str, context: str) -> None:
    """One JSON document per evaluation under `<resultsS3Prefix>/<context>/`, as Glue writes results there."""
    now = datetime.now(timezone.utc)
    document = {
        "evaluationContext": context,
        "completedOn": now.isoformat(timespec="seconds"),
        "ruleResults": [{"Name": row["Rule"], "Result": "PASS" if row["Outcome"] == "Passed" else "FAIL",
                         "EvaluationMessage": row["FailureReason"],
                         "EvaluatedMetrics": dict(row["EvaluatedMetrics"] or {})}
                        for row in rule_outcomes.collect()],
    }
    name = f"{now:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}.json"
    glue_context._mount_uris(prefix)  # an s3:// prefix resolves to the local lake
    spark = rule_outcomes.sparkSession
    path = spark._jvm.org.apache.hadoop.fs.Path(f"{prefix.rstrip('/')}/{context}/{name}")
    stream = path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()).create(path, True)
    try:
        stream.write(bytearray(json.dumps(document, indent=2, sort_keys=True).encode("utf-8")))
    finally:
        stream.close()
