"""A monthly cost estimate: the environment's settings (terraform/envs/<env>.tfvars), its schedule,
the cost of its recent runs, and its storage, against the product's "$200-400/month".

Every line says what it rests on: `measured` (this account's runs and buckets), `extrapolated`
(a measured number times the schedule's runs per month) or `assumed` (a setting, not a measurement).
docs/cost.md explains the model.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from statistics import mean

from etl_deploy.ops.pricing import Prices
from etl_deploy.ops.runs import RunRecord

CLAIMED_MONTHLY = (200.0, 400.0)   # the product description's estimate, in dollars a month
HOURS_PER_MONTH = 730
DAYS_PER_MONTH = 30.4
CRON_FIELDS = ("minutes", "hours", "day-of-month", "month", "day-of-week", "year")


class ScheduleError(ValueError):
    """A workflow_schedule this estimate cannot count."""


# Glue's (EventBridge's) cron names: day-of-week 1-7 is SUN-SAT, month 1-12 is JAN-DEC.
CRON_NAMES = {name: number for names in (("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"),
                                         ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT",
                                          "NOV", "DEC"))
              for number, name in enumerate(names, start=1)}


def _value(text: str, low: int) -> int:
    """A cron value: a number or a day/month name; L, W and # forms count as one value at `low`."""
    text = text.upper()
    return int(text) if text.isdigit() else CRON_NAMES.get(text, low)


def _count(field_text: str, low: int, high: int) -> int:
    """How many values a cron field matches: *, ?, lists, ranges and steps."""
    if field_text in ("*", "?"):
        return high - low + 1
    total = 0
    for part in field_text.split(","):
        base, _, step = part.partition("/")
        if base in ("*", ""):
            start, end = low, high
        elif "-" in base:
            start, end = (_value(v, low) for v in base.split("-", 1))
        else:
            start = end = _value(base, low)
            if step:
                end = high
        total += len(range(start, end + 1, int(step) if step else 1))
    return total


def runs_per_month(schedule: str | None) -> float:
    """Runs a month of a Glue `cron(minutes hours day-of-month month day-of-week year)`; 0 for none
    (ON_DEMAND). Day-of-month and day-of-week: one of them is `?` in Glue's cron."""
    if not schedule:
        return 0.0
    match = re.fullmatch(r"cron\((.+)\)", schedule.strip())
    parts = match.group(1).split() if match else []
    if len(parts) != len(CRON_FIELDS):
        raise ScheduleError(f"workflow_schedule {schedule!r}: expected cron(<{'> <'.join(CRON_FIELDS)}>)")
    minutes, hours, day_of_month, month, day_of_week, _year = parts
    per_day = _count(minutes, 0, 59) * _count(hours, 0, 23)
    if day_of_month not in ("*", "?"):
        days = _count(day_of_month, 1, 31)
    elif day_of_week not in ("*", "?"):
        days = _count(day_of_week, 1, 7) * DAYS_PER_MONTH / 7
    else:
        days = DAYS_PER_MONTH
    return per_day * days * _count(month, 1, 12) / 12


@dataclass
class EnvironmentSettings:
    """What terraform/envs/<env>.tfvars and the network module's defaults say about the cost."""

    schedule: str | None = None
    execution_class: str = "STANDARD"
    availability_zones: int = 0
    vpc_endpoints: int = 0
    redshift: bool = False
    redshift_base_rpus: int = 8
    source: str = "defaults"


def _tfvar(text: str, name: str) -> str | None:
    match = re.search(rf'^\s*{name}\s*=\s*(.+?)\s*(?:#.*)?$', text, re.MULTILINE)
    return match.group(1).strip() if match else None


def read_environment(terraform_dir: Path, env: str) -> EnvironmentSettings:
    """The settings of terraform/envs/<env>.tfvars that decide the bill (a line-based reading of
    the plain `name = value` lines those files hold)."""
    tfvars = terraform_dir / "envs" / f"{env}.tfvars"
    if not tfvars.is_file():
        return EnvironmentSettings(source=f"no {tfvars}: defaults")
    text = tfvars.read_text()
    schedule = _tfvar(text, "workflow_schedule")
    subnets = _tfvar(text, "private_subnet_ids") or "[]"
    services_default = re.search(r'variable "interface_endpoint_services".*?default\s*=\s*\[([^\]]*)\]',
                                 (terraform_dir / "modules" / "network" / "variables.tf").read_text(), re.S)
    endpoints = len(re.findall(r'"[^"]+"', services_default.group(1))) if services_default else 0
    return EnvironmentSettings(
        schedule=None if schedule in (None, "null") else schedule.strip('"'),
        execution_class=(_tfvar(text, "job_execution_class") or '"STANDARD"').strip('"'),
        availability_zones=len(re.findall(r'"subnet-[^"]+"', subnets)),
        vpc_endpoints=endpoints if (_tfvar(text, "create_vpc_endpoints") or "true") == "true" else 0,
        redshift=(_tfvar(text, "enable_redshift") or "true") == "true",
        redshift_base_rpus=int(_tfvar(text, "redshift_base_capacity") or 8),
        source=str(tfvars),
    )


@dataclass
class Line:
    item: str
    dollars: float
    basis: str      # measured | extrapolated | assumed
    detail: str


@dataclass
class MonthlyEstimate:
    runs_per_month: float
    lines: list[Line] = field(default_factory=list)
    claimed: tuple[float, float] = CLAIMED_MONTHLY

    @property
    def total(self) -> float:
        return sum(line.dollars for line in self.lines)

    def to_json(self) -> dict:
        return {"runs_per_month": self.runs_per_month, "total": self.total, "claimed": list(self.claimed),
                "lines": [asdict(line) for line in self.lines]}


def _mean_cost(runs: list[RunRecord]) -> float | None:
    costs = [r.cost for r in runs if r.cost is not None and r.state in ("SUCCEEDED", "COMPLETED")]
    return mean(costs) if costs else None


def monthly_estimate(settings: EnvironmentSettings, runs_month: float, job_runs: dict[str, list[RunRecord]],
                     crawls: dict[str, list[RunRecord]], storage: dict[str, dict], prices: Prices) -> MonthlyEstimate:
    estimate = MonthlyEstimate(runs_month)
    for name, runs in {**job_runs, **crawls}.items():
        per_run = _mean_cost(runs)
        if per_run is None:
            estimate.lines.append(Line(name, 0.0, "assumed", "no successful run to measure: $0 until one runs"))
        else:
            measured = len([r for r in runs if r.cost is not None])
            estimate.lines.append(Line(name, per_run * runs_month, "extrapolated",
                                       f"${per_run:.4f} a run (mean of {measured} run(s)) x {runs_month:.1f} runs"))
    for zone, size in storage.items():
        gigabytes = size["bytes"] / 1024 ** 3
        estimate.lines.append(Line(f"S3 {zone}", gigabytes * prices.s3_standard_gb_month, "measured",
                                   f"{gigabytes:,.3f} GB in {size['objects']:,} objects ({size['source']}), today's size"))
    estimate.lines.append(Line("Data Catalog requests", 0.0, "assumed",
                               f"a run makes hundreds of catalog calls: inside the {prices.catalog_free_requests:,} "
                               f"free requests a month (then ${prices.catalog_requests_per_million}/million)"))
    if settings.redshift:
        loads = [r for r in job_runs.get(next((k for k in job_runs if k.endswith("-load-job")), ""), [])
                 if r.seconds is not None and r.state == "SUCCEEDED"]
        seconds = max(mean(r.seconds for r in loads), prices.redshift_minimum_seconds) if loads else None
        if seconds is None:
            estimate.lines.append(Line("Redshift Serverless", 0.0, "assumed", "no load run to measure"))
        else:
            dollars = settings.redshift_base_rpus * seconds / 3600 * prices.redshift_rpu_hour * runs_month
            estimate.lines.append(Line("Redshift Serverless", dollars, "extrapolated",
                                       f"{settings.redshift_base_rpus} RPUs busy for the load's {seconds:.0f} s "
                                       f"x {runs_month:.1f} runs (idle workgroups cost nothing)"))
    if settings.vpc_endpoints:
        hours = settings.vpc_endpoints * max(settings.availability_zones, 1) * HOURS_PER_MONTH
        estimate.lines.append(Line("VPC interface endpoints", hours * prices.vpc_endpoint_az_hour, "assumed",
                                   f"{settings.vpc_endpoints} endpoints x {max(settings.availability_zones, 1)} "
                                   f"AZ x {HOURS_PER_MONTH} h, always on"))
    estimate.lines.append(Line("KMS key, dashboard, alarms", prices.kms_key_month + prices.dashboard_month
                               + ALARM_METRICS * prices.alarm_month, "assumed",
                               f"1 key, 1 dashboard, {ALARM_METRICS} alarm metrics (terraform/modules/monitoring)"))
    return estimate


# Alarm metrics terraform/modules/monitoring creates, as CloudWatch bills them: failed runs (a metric
# math alarm over two metrics), the stalled workflow (one), and an anomaly detection alarm per job
# (three each: the metric and the band's two bounds).
ALARM_METRICS = 2 + 1 + 3 * 3
