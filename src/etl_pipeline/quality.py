"""Data quality: each dataset's DQDL ruleset, evaluated by Glue Data Quality's EvaluateDataQuality.

The rules are DQDL (config `quality.rules`, docs/data-quality.md). `process_rows` evaluates the
ruleset on the rows that passed conformance (type, not-null, length: `rows.standardise`) and gives
every rule's outcome for the batch and, for row-level rule types, every row's passed and failed
rules. Then each rule's configured outcome applies:
- quarantine: the rows that fail it get its name in `etl_failed_rules` and go to the quarantine zone;
- fail: if the rule fails for the batch, the transform stops before anything reaches the load;
- warn: the rows that fail it get its name in `etl_warned_rules`, are counted in the run report,
  and go on as usual.
On AWS `awsgluedq` is Glue's; locally it is the stand-in in src/local_runtime/awsgluedq, which runs the
same ruleset in Deequ's DQDL evaluator. Results are published per dataset (evaluation context = the
dataset's name) to `resultsS3Prefix` and, on AWS, to Glue Data Quality's CloudWatch metrics.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from awsglue.dynamicframe import DynamicFrame
from awsgluedq.transforms import EvaluateDataQuality
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from etl_pipeline.columns import ETL_FAILED_RULES, ETL_WARNED_RULES
from etl_pipeline.config import DatasetConfig, QualityRule

# Glue's row-level outcome column listing the rules a row failed (beside DataQualityRulesPass,
# DataQualityRulesSkip and DataQualityEvaluationResult).
ROW_RULES_FAILED = "DataQualityRulesFail"
PASSED = "Passed"


class DataQualityError(RuntimeError):
    """A rule with outcome `fail` failed: the batch is not passed on to the load."""


@dataclass(frozen=True)
class RuleOutcome:
    rule: QualityRule
    passed: bool
    reason: str | None
    observed: dict[str, float]

    def describe(self) -> str:
        observed = ", ".join(f"{k}={v:g}" for k, v in sorted(self.observed.items())) or "no metric"
        reason = f" ({self.reason.splitlines()[0]})" if self.reason else ""
        return f"{self.rule.name} [{self.rule.dqdl}] failed: observed {observed}{reason}"


def rule_key(dqdl: str) -> str:
    """The evaluator echoes each rule re-rendered (spacing, parentheses): compare without them."""
    return re.sub(r"[\s()]", "", dqdl)


def _rule_key_column(name: str) -> Column:
    return F.regexp_replace(name, r"[\s()]", "")


def publishing_options(dataset: DatasetConfig, results_prefix: str) -> dict:
    return {
        "dataQualityEvaluationContext": dataset.name,
        "enableDataQualityCloudWatchMetrics": True,
        "enableDataQualityResultsPublishing": True,
        "resultsS3Prefix": results_prefix,
    }


def evaluate(glue_context, standardised: DataFrame, dataset: DatasetConfig,
             options: dict) -> tuple[DataFrame, list[RuleOutcome]]:
    """The rows with the DQDL failures added to `etl_failed_rules` / `etl_warned_rules`, and each rule's outcome."""
    if not dataset.quality_rules:
        return standardised, []
    conformant = F.size(ETL_FAILED_RULES) == 0
    results = EvaluateDataQuality().process_rows(
        frame=DynamicFrame.fromDF(standardised.where(conformant), glue_context, f"dq_{dataset.name}"),
        ruleset=dataset.ruleset, publishing_options=options)
    outcomes = _rule_outcomes(results.select("ruleOutcomes").toDF(), dataset)

    def names(outcome: str) -> Column:
        by_text = {rule_key(r.dqdl): r.name for r in dataset.quality_rules if r.outcome == outcome}
        if not by_text:
            return F.array().cast("array<string>")
        lookup = F.create_map(*[F.lit(x) for pair in by_text.items() for x in pair])
        return F.filter(F.transform(ROW_RULES_FAILED, lambda rule: F.element_at(lookup, _rule_key_column(rule))),
                        lambda name: name.isNotNull())

    rows = results.select("rowLevelOutcomes").toDF()
    evaluated = rows.select(
        *[F.col(f"`{c}`") for c in standardised.columns if c not in (ETL_FAILED_RULES, ETL_WARNED_RULES)],
        F.array_union(ETL_FAILED_RULES, names("quarantine")).alias(ETL_FAILED_RULES),
        F.array_union(ETL_WARNED_RULES, names("warn")).alias(ETL_WARNED_RULES))
    return evaluated.unionByName(standardised.where(~conformant)), outcomes


def _rule_outcomes(rule_outcomes: DataFrame, dataset: DatasetConfig) -> list[RuleOutcome]:
    rows = {rule_key(row["Rule"]): row for row in rule_outcomes.collect()}
    missing = [r.dqdl for r in dataset.quality_rules if rule_key(r.dqdl) not in rows]
    if missing:
        raise DataQualityError(
            f"dataset {dataset.name}: the evaluator returned no outcome for {missing} (it reported "
            f"{sorted(row['Rule'] for row in rows.values())}); check these rules in config/datasets/{dataset.name}.yaml")
    outcomes = []
    for rule in dataset.quality_rules:
        row = rows[rule_key(rule.dqdl)]
        outcomes.append(RuleOutcome(rule, row["Outcome"] == PASSED, row["FailureReason"],
                                    {k: float(v) for k, v in (row["EvaluatedMetrics"] or {}).items()}))
    return outcomes


def check_fail_rules(dataset: DatasetConfig, outcomes: list[RuleOutcome]) -> None:
    """Raise DataQualityError naming each `fail` rule that failed, with what it observed."""
    failed = [o for o in outcomes if o.rule.outcome == "fail" and not o.passed]
    if failed:
        raise DataQualityError(
            f"dataset {dataset.name}: {len(failed)} rule(s) with outcome fail failed, the batch is not loaded: "
            + "; ".join(o.describe() for o in failed)
            + f". Fix the source or the rules in config/datasets/{dataset.name}.yaml, then rerun the transform job."
        )


def report(outcomes: list[RuleOutcome]) -> dict[str, dict]:
    return {o.rule.name: {"dqdl": o.rule.dqdl, "outcome": o.rule.outcome, "passed": o.passed,
                          "observed": o.observed, "reason": o.reason}
            for o in outcomes}
