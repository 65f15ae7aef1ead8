"""The pipeline's measured run in AWS terms: DPU-seconds and dollars per million rows and per GB of
input, on G.1X and G.2X workers, STANDARD and FLEX, and the cheapest worker setting per data size.

What is measured and what is not, so that every number says which it is:
- **measured**: per job, the CPU seconds of its process tree in the full run (the work that grows with
  the rows) and the wall time of the rerun with nothing new with the job started anyway (JVM start,
  session, listing: the part that does not grow; run_job would skip such a run, a job run on AWS
  cannot). CPU seconds, not wall time x cores: a loaded machine stretches wall time, it
  does not add work.
- **extrapolated**: the work grows linearly with the rows; a Glue vCPU does what one core of the
  measuring machine does; the work spreads evenly over the executors' vCPUs.
- **assumed**: one worker of a job hosts the Spark driver and runs no tasks (on G.1X and G.2X each
  worker runs one executor, https://docs.aws.amazon.com/glue/latest/dg/worker-types.html); a job's
  fixed part on Glue is the fixed part measured here.

Billing (`etl_deploy.ops.pricing`): DPU-seconds = the run's wall time x workers x DPUs per worker,
with a 1-minute minimum per job run; STANDARD $0.44 and FLEX $0.29 per DPU-hour in us-east-1.
"""

from __future__ import annotations

from dataclasses import dataclass

from etl_deploy.ops.pricing import DEFAULT_REGION, WORKER_DPUS, Prices, load_prices

# vCPUs of one DPU (https://docs.aws.amazon.com/glue/latest/dg/worker-types.html: "4 vCPUs of
# compute capacity and 16 GB of memory").
VCPUS_PER_DPU = 4
EXECUTION_CLASSES = ("STANDARD", "FLEX")
# The settings compared: the envs' own (dev G.1X x 2, prod G.2X x 10) and steps between them.
WORKER_SETTINGS = (("G.1X", 2), ("G.1X", 5), ("G.1X", 10), ("G.2X", 10), ("G.2X", 20), ("G.2X", 50))
DATA_SIZES_ROWS = (1_000_000, 10_000_000, 100_000_000, 1_000_000_000)
# The longest a job may take at a data size for a setting to be recommended (a nightly run's
# three jobs then fit well inside a couple of hours).
TARGET_JOB_MINUTES = 30
# The benchmark's rerun that measures each job's fixed part: nothing new, every job started anyway.
STARTED_WITH_NOTHING_NEW = "nothing_new_started"


@dataclass(frozen=True)
class JobWork:
    """One job of the pipeline as measured: CPU seconds per row that grow with the data, and the
    seconds of wall time that do not."""
    job: str
    cpu_seconds_per_row: float
    fixed_seconds: float


def measured_work(results: dict, pipeline: str, jobs: tuple[str, ...]) -> list[JobWork]:
    """Each job's work from the benchmark's results: the full run's median CPU seconds less those of
    the rerun with nothing new that started every job (what a run costs before it reads a row), per
    generated row."""
    stages = results["engines"][pipeline]["stages"]
    nothing_new = results.get("pipeline_reruns", {}).get(STARTED_WITH_NOTHING_NEW, {})
    fixed_wall = nothing_new.get("stages", {})
    fixed_cpu = nothing_new.get("cpu_stages", {})
    return [JobWork(job=job,
                    cpu_seconds_per_row=max(stages[job]["cpu_seconds"]["median"] - fixed_cpu.get(job, 0.0), 0.0)
                    / results["rows"],
                    fixed_seconds=fixed_wall.get(job, 0.0))
            for job in jobs]


def job_run_on_glue(work: JobWork, rows: int, worker_type: str, workers: int, prices: Prices) -> dict:
    """One job run over `rows` rows: its wall time on `workers` workers, the DPU-seconds billed and the
    dollars for each execution class."""
    dpus_per_worker = WORKER_DPUS[worker_type]
    executor_vcpus = (workers - 1) * dpus_per_worker * VCPUS_PER_DPU
    seconds = work.fixed_seconds + work.cpu_seconds_per_row * rows / executor_vcpus
    billed_dpu_seconds = max(seconds, prices.job_minimum_seconds) * workers * dpus_per_worker
    return {"seconds": seconds, "dpu_seconds": billed_dpu_seconds,
            **{execution: billed_dpu_seconds / 3600 * prices.dpu_hour(execution) for execution in EXECUTION_CLASSES}}


def pipeline_run_on_glue(work: list[JobWork], rows: int, worker_type: str, workers: int, prices: Prices) -> dict:
    """The three jobs over `rows` rows, each on the same setting: summed DPU-seconds and dollars, and
    the longest job's wall time (what decides whether a setting is fast enough)."""
    runs = [job_run_on_glue(job, rows, worker_type, workers, prices) for job in work]
    return {"worker_type": worker_type, "workers": workers,
            "longest_job_minutes": round(max(r["seconds"] for r in runs) / 60, 1),
            "total_minutes": round(sum(r["seconds"] for r in runs) / 60, 1),
            "dpu_seconds": round(sum(r["dpu_seconds"] for r in runs)),
            **{execution: round(sum(r[execution] for r in runs), 2) for execution in EXECUTION_CLASSES}}


def recommend(runs: list[dict]) -> dict:
    """The cheapest setting whose longest job ends within TARGET_JOB_MINUTES; if none does, the fastest."""
    in_time = [r for r in runs if r["longest_job_minutes"] <= TARGET_JOB_MINUTES]
    if in_time:
        return min(in_time, key=lambda r: (r["STANDARD"], r["longest_job_minutes"]))
    return min(runs, key=lambda r: r["longest_job_minutes"])


def aws_terms(results: dict, pipeline: str, jobs: tuple[str, ...], region: str = DEFAULT_REGION) -> dict:
    """Per million rows and per GB of input for every setting (at a billion rows, where the fixed part
    and the 1-minute minimum no longer count), and per data size every setting with a recommendation."""
    prices = load_prices(region)
    work = measured_work(results, pipeline, jobs)
    bytes_per_row = results["input_bytes"] / results["rows"]
    large = DATA_SIZES_ROWS[-1]
    marginal = []
    for worker_type, workers in WORKER_SETTINGS:
        run = pipeline_run_on_glue(work, large, worker_type, workers, prices)
        per_million = 1_000_000 / large
        per_gb = 1024 ** 3 / bytes_per_row / large
        marginal.append({"worker_type": worker_type, "workers": workers,
                         "dpu_seconds_per_million_rows": round(run["dpu_seconds"] * per_million, 1),
                         **{f"{execution}_per_million_rows": round(run[execution] * per_million, 4)
                            for execution in EXECUTION_CLASSES},
                         **{f"{execution}_per_gb": round(run[execution] * per_gb, 4) for execution in EXECUTION_CLASSES}})
    sizes = []
    for rows in DATA_SIZES_ROWS:
        runs = [pipeline_run_on_glue(work, rows, worker_type, workers, prices) for worker_type, workers in WORKER_SETTINGS]
        sizes.append({"rows": rows, "input_gb": round(rows * bytes_per_row / 1024 ** 3, 2), "settings": runs,
                      "recommended": recommend(runs)})
    return {"region": region, "measured_cpu_seconds_per_million_rows":
                {job.job: round(job.cpu_seconds_per_row * 1_000_000, 1) for job in work},
            "measured_fixed_seconds": {job.job: round(job.fixed_seconds, 1) for job in work},
            "target_job_minutes": TARGET_JOB_MINUTES, "per_million_rows_and_gb": marginal, "data_sizes": sizes}


def markdown(terms: dict) -> str:
    """The two tables docs/performance.md carries: cost per million rows and per GB, and the
    recommendation per data size."""
    cpu = ", ".join(f"{job} {seconds} s" for job, seconds in terms["measured_cpu_seconds_per_million_rows"].items())
    fixed = ", ".join(f"{job} {seconds} s" for job, seconds in terms["measured_fixed_seconds"].items())
    lines = [f"Measured CPU seconds per million rows: {cpu}; fixed wall time per job run (the rerun with "
             f"nothing new): {fixed}. Prices: {terms['region']} list prices.", "",
             "| workers | DPU-s per million rows | STANDARD $ per million rows | FLEX $ per million rows "
             "| STANDARD $ per GB | FLEX $ per GB |",
             "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for line in terms["per_million_rows_and_gb"]:
        lines.append(f"| {line['workers']} x {line['worker_type']} | {line['dpu_seconds_per_million_rows']} | "
                     f"{line['STANDARD_per_million_rows']} | {line['FLEX_per_million_rows']} | "
                     f"{line['STANDARD_per_gb']} | {line['FLEX_per_gb']} |")
    lines += ["", f"| rows per run | input | recommended (longest job <= {terms['target_job_minutes']} min, cheapest) "
                  "| longest job | DPU-s | STANDARD $ | FLEX $ |",
              "| ---: | ---: | --- | ---: | ---: | ---: | ---: |"]
    for size in terms["data_sizes"]:
        best = size["recommended"]
        lines.append(f"| {size['rows']:,} | {size['input_gb']} GB | {best['workers']} x {best['worker_type']} | "
                     f"{best['longest_job_minutes']} min | {best['dpu_seconds']:,} | {best['STANDARD']} | {best['FLEX']} |")
    return "\n".join(lines) + "\n"
