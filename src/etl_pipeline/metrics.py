"""The pipeline's own CloudWatch metrics: rows read, quarantined, loaded, per environment and dataset.

The monitoring dashboard (terraform/modules/monitoring) charts them from the namespace the jobs get
as --metrics_namespace; `none` (the local runtime) publishes nothing. Publishing is best effort:
a metrics outage is logged and never fails a run that moved the data correctly.
"""

from __future__ import annotations

import logging

DISABLED = "none"

# Which report numbers each stage publishes, under which metric name.
STAGE_METRICS = {
    "extract": {"rows_read": "RowsRead"},
    # SchemaChanges: what a source file's columns or the config changed (docs/schema-evolution.md);
    # the transform counts file-level changes, the load the DDL it ran on the curated and warehouse tables.
    "transform": {"rows_quarantined": "RowsQuarantined", "duplicates_removed": "DuplicatesRemoved",
                  "schema_change_count": "SchemaChanges"},
    "load": {"rows_loaded": "RowsLoaded", "schema_change_count": "SchemaChanges"},
}

logger = logging.getLogger("etl_pipeline")


def metric_data(stage: str, env: str, dataset: str, numbers: dict) -> list[dict]:
    dimensions = [{"Name": "Env", "Value": env}, {"Name": "Dataset", "Value": dataset}]
    return [{"MetricName": metric, "Dimensions": dimensions, "Value": float(numbers[key]), "Unit": "Count"}
            for key, metric in STAGE_METRICS.get(stage, {}).items() if key in numbers]


def publish(namespace: str, stage: str, env: str, dataset: str, numbers: dict, client=None) -> int:
    """Put the stage's numbers for one dataset; returns how many data points were sent."""
    if namespace == DISABLED:
        return 0
    data = metric_data(stage, env, dataset, numbers)
    if not data:
        return 0
    try:
        if client is None:
            import boto3

            client = boto3.client("cloudwatch")
        client.put_metric_data(Namespace=namespace, MetricData=data)
    except Exception as error:  # noqa: BLE001 - metrics must not fail a correct run
        logger.warning("could not publish %s metrics for %s to %s: %s", stage, dataset, namespace, error)
        print(f"[{stage}] warning: metrics for {dataset} not published to CloudWatch {namespace}: {error}")
        return 0
    return len(data)
