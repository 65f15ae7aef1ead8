"""Dataset-level data quality rules, checked on each batch after the row rules.

Their measures are collected as Spark observed metrics in the same pass that classifies the rows,
so checking them costs no extra read. A failed rule stops the transform job before the batch
reaches the validated zone, and with it the workflow before anything is loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from pyspark.sql import Column
from pyspark.sql import functions as F

from etl_pipeline.columns import DUPLICATE, ETL_OUTCOME, QUARANTINED, VALID
from etl_pipeline.config import DatasetConfig, DatasetRule


class DataQualityError(RuntimeError):
    """A dataset-level rule failed: the batch is not passed on to the load."""


@dataclass(frozen=True)
class RuleResult:
    name: str
    type: str
    passed: bool
    measured: float | str | None
    expected: str

    def describe(self) -> str:
        verdict = "passed" if self.passed else "FAILED"
        return f"{self.name} ({self.type}) {verdict}: measured {self.measured}, expected {self.expected}"


def _valid() -> Column:
    return F.col(ETL_OUTCOME) == VALID


def batch_metrics(dataset: DatasetConfig) -> list[Column]:
    """Aggregates to observe on the classified rows: outcome counts and each rule's measure."""
    metrics = [
        F.count(F.lit(1)).alias("rows"),
        F.count_if(_valid()).alias(VALID),
        F.count_if(F.col(ETL_OUTCOME) == QUARANTINED).alias(QUARANTINED),
        F.count_if(F.col(ETL_OUTCOME) == DUPLICATE).alias(DUPLICATE),
    ]
    for rule in dataset.dataset_rules:
        if rule.type == "completeness":
            metrics.append(F.count_if(_valid() & F.col(f"`{rule.params['column']}`").isNotNull())
                           .alias(f"complete__{rule.params['column']}"))
        elif rule.type == "freshness":
            metrics.append(F.max(F.when(_valid(), F.col(f"`{rule.params['column']}`")))
                           .alias(f"newest__{rule.params['column']}"))
    return metrics


def evaluate(rule: DatasetRule, metrics: dict, now: datetime | None = None) -> RuleResult:
    valid, rows = metrics[VALID], metrics["rows"]
    if rule.type == "row_count":
        low, high = rule.params.get("min"), rule.params.get("max")
        passed = (low is None or valid >= low) and (high is None or valid <= high)
        return RuleResult(rule.name, rule.type, passed, valid,
                          f"valid rows in [{low if low is not None else '-'}, {high if high is not None else '-'}]")
    if rule.type == "completeness":
        ratio = metrics[f"complete__{rule.params['column']}"] / valid if valid else 1.0
        return RuleResult(rule.name, rule.type, ratio >= rule.params["min_ratio"], round(ratio, 6),
                          f"share of valid rows with {rule.params['column']} set >= {rule.params['min_ratio']}")
    if rule.type == "valid_ratio":
        ratio = valid / rows if rows else 1.0
        return RuleResult(rule.name, rule.type, ratio >= rule.params["min_ratio"], round(ratio, 6),
                          f"valid rows / rows read >= {rule.params['min_ratio']}")
    if rule.type == "freshness":
        newest = metrics[f"newest__{rule.params['column']}"]
        now = now or datetime.now()  # Spark hands timestamps to Python as naive local time
        limit = timedelta(hours=rule.params["max_age_hours"])
        passed = newest is not None and now - newest <= limit
        return RuleResult(rule.name, rule.type, passed, str(newest),
                          f"newest {rule.params['column']} within {rule.params['max_age_hours']} h of {now:%Y-%m-%d %H:%M}")
    raise ValueError(f"unknown dataset rule type {rule.type!r}")


def check_dataset_rules(dataset: DatasetConfig, metrics: dict) -> list[RuleResult]:
    """Evaluate every dataset rule; raise DataQualityError naming each one that failed."""
    results = [evaluate(rule, metrics) for rule in dataset.dataset_rules]
    failed = [r for r in results if not r.passed]
    if failed:
        raise DataQualityError(
            f"dataset {dataset.name}: {len(failed)} dataset rule(s) failed, the batch is not loaded: "
            + "; ".join(r.describe() for r in failed)
            + f". Quarantined rows and their failed rules are in the quarantine zone; fix the source "
              f"or the rules in config/datasets/{dataset.name}.yaml, then rerun the transform job."
        )
    return results
