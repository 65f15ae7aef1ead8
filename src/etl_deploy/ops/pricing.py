"""What a run costs: list prices per region, and the billing rules Glue applies to a run.

Sources (us-east-1, on-demand; checked when this table was written, verify before relying on them):
- Glue ETL jobs and crawlers: $0.44 per DPU-hour, billed per second; Spark jobs (Glue 2.0 and later)
  with a 1-minute minimum; crawlers with a 10-minute minimum per run (a crawl's DPUs are Glue's
  choice: its cost is the DPUHour that ListCrawls reports, taken as billed). Data Catalog: the first
  million objects and the first million requests a month free, then $1 per 100,000 objects and $1
  per million requests. https://aws.amazon.com/glue/pricing/ (AWS's price list, service code
  AWSGlue, carries the same $0.44 "per Data Processing Unit-Hour for AWS Glue crawler").
- FLEX execution class: $0.29 per DPU-hour, "up to 34%" below standard
  (https://aws.amazon.com/blogs/big-data/introducing-aws-glue-flex-jobs-cost-savings-on-etl-workloads/,
  https://oneuptime.com/blog/post/2026-02-12-aws-glue-flex-execution-cost-savings/view).
- A job run's DPU-seconds: the JobRun field DPUSeconds, set for FLEX runs and under auto scaling
  (executor time x 1 for G.1X, 2 for G.2X ...); otherwise ExecutionTime x the run's DPUs
  (https://docs.aws.amazon.com/glue/latest/webapi/API_JobRun.html).
- S3 Standard $0.023 per GB-month (first 50 TB), https://aws.amazon.com/s3/pricing/; Redshift
  Serverless $0.375 per RPU-hour with a 60-second minimum, https://aws.amazon.com/redshift/pricing/;
  interface VPC endpoints $0.01 per endpoint-hour per availability zone,
  https://aws.amazon.com/privatelink/pricing/; KMS $1 per key-month; CloudWatch $3 per dashboard-month
  and $0.10 per standard alarm-month (an anomaly detection alarm counts three metrics),
  https://aws.amazon.com/cloudwatch/pricing/.

Another region, or a negotiated rate: `--prices FILE` (or ETL_GLUE_PRICES), a JSON object of
region -> {key: price} whose keys override this table's (tests/deploy/ops/test_pricing.py shows one).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, fields
from pathlib import Path

# DPUs per worker of each worker type (Glue's worker types; G.1X = 1 DPU = 4 vCPU, 16 GB).
WORKER_DPUS = {"G.025X": 0.25, "G.1X": 1.0, "G.2X": 2.0, "G.4X": 4.0, "G.8X": 8.0, "G.12X": 12.0,
               "G.16X": 16.0, "R.1X": 1.0, "R.2X": 2.0, "R.4X": 4.0, "R.8X": 8.0, "Standard": 1.0}


@dataclass(frozen=True)
class Prices:
    region: str
    standard_dpu_hour: float = 0.44
    flex_dpu_hour: float = 0.29
    crawler_dpu_hour: float = 0.44
    job_minimum_seconds: int = 60
    catalog_requests_per_million: float = 1.0
    catalog_free_requests: int = 1_000_000
    s3_standard_gb_month: float = 0.023
    redshift_rpu_hour: float = 0.375
    redshift_minimum_seconds: int = 60
    vpc_endpoint_az_hour: float = 0.01
    kms_key_month: float = 1.0
    dashboard_month: float = 3.0
    alarm_month: float = 0.10

    def dpu_hour(self, execution_class: str | None) -> float:
        return self.flex_dpu_hour if (execution_class or "STANDARD").upper() == "FLEX" else self.standard_dpu_hour


DEFAULT_REGION = "us-east-1"


def load_prices(region: str, path: str | os.PathLike | None = None) -> Prices:
    """The price table for a region: this module's us-east-1 list prices, overridden by the file's
    entry for the region (`--prices`, else $ETL_GLUE_PRICES)."""
    path = path or os.environ.get("ETL_GLUE_PRICES")
    overrides: dict = {}
    if path:
        try:
            document = json.loads(Path(path).read_text())
        except (OSError, json.JSONDecodeError) as error:
            raise ValueError(f"price file {path}: {error}") from error
        overrides = document.get(region, {}) if isinstance(document, dict) else {}
        known = {f.name for f in fields(Prices)} - {"region"}
        unknown = sorted(set(overrides) - known)
        if unknown:
            raise ValueError(f"price file {path}: {region}: unknown price(s) {', '.join(unknown)}; "
                             f"known: {', '.join(sorted(known))}")
    return Prices(region=region, **overrides)


def run_dpus(run: dict) -> float | None:
    """The DPUs a job run was given: workers x DPUs per worker, else MaxCapacity."""
    workers, worker_type = run.get("NumberOfWorkers"), run.get("WorkerType")
    if workers and worker_type in WORKER_DPUS:
        return workers * WORKER_DPUS[worker_type]
    return run.get("MaxCapacity")


def billed_dpu_seconds(run: dict, prices: Prices) -> float | None:
    """DPU-seconds Glue bills for a job run: DPUSeconds when Glue reports it (FLEX, auto scaling),
    else ExecutionTime x DPUs; a run shorter than the minimum is billed as the minimum."""
    dpus = run_dpus(run)
    seconds = run.get("ExecutionTime")
    if run.get("DPUSeconds") is not None:
        measured = float(run["DPUSeconds"])
    elif seconds is not None and dpus:
        measured = float(seconds) * dpus
    else:
        return None
    floor = prices.job_minimum_seconds * dpus if dpus and (seconds or 0) < prices.job_minimum_seconds else 0.0
    return max(measured, floor)


def job_run_cost(dpu_seconds: float | None, execution_class: str | None, prices: Prices) -> float | None:
    if dpu_seconds is None:
        return None
    return dpu_seconds / 3600 * prices.dpu_hour(execution_class)


def crawl_cost(dpu_hours: float | None, prices: Prices) -> float | None:
    """A crawl's dollars from the DPU-hours Glue reports for it (ListCrawls' DPUHour)."""
    return None if dpu_hours is None else dpu_hours * prices.crawler_dpu_hour
