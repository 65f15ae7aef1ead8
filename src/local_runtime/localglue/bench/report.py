"""The benchmark's numbers: per engine and stage the median and spread of wall time, rows per second,
peak memory, files and bytes written; the ratios of the pipeline to the other two; the rerun with
nothing new and the 1% increment as shares of a full run. As JSON, a Markdown table and a PNG chart.

The pipeline's load job writes two targets, the curated table and the warehouse table; the
references write neither a table nor a warehouse, only Parquet. Its run report times each target
(`curated_seconds`, `warehouse_seconds`): they are lines of their own, parts of the load step, and
the warehouse's seconds are left out of the pipeline's total, so that the ratios compare the same
work (raw CSV to the curated table)."""

from __future__ import annotations

import statistics
from collections import defaultdict
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)

from localglue.bench.aws_terms import STARTED_WITH_NOTHING_NEW  # noqa: E402

TOTAL = "total"
# The load step's parts, timed by the load job itself (its run report): wall time only.
CURATED_PART, WAREHOUSE_PART = "load: curated", "load: warehouse"
LOAD_PARTS = (CURATED_PART, WAREHOUSE_PART)
# Lines not summed into a total: the land step is a copy the references do not make, and the parts
# are inside the load step already.
NOT_IN_TOTAL = ("land", *LOAD_PARTS)


def _stats(values: list[float]) -> dict:
    median = statistics.median(values)
    return {"median": round(median, 2), "min": round(min(values), 2), "max": round(max(values), 2),
            "spread_pct": round(100 * (max(values) - min(values)) / median, 1) if median else 0.0}


def _per_stage(measures: list[dict], rows: int) -> dict:
    by_stage: dict[str, list[dict]] = defaultdict(list)
    for measure in measures:
        by_stage[measure["stage"]].append(measure)
    stages = {}
    for stage, runs in by_stage.items():
        seconds = _stats([r["seconds"] for r in runs])
        stages[stage] = {"seconds": seconds, "rows_per_second": round(rows / seconds["median"]) if seconds["median"] else None}
        if stage in LOAD_PARTS:
            continue  # wall time only: the process's CPU, memory and files are the load step's
        stages[stage].update({
            "cpu_seconds": _stats([r["cpu_seconds"] for r in runs]),
            "peak_memory_gb": round(max(r["peak_rss_bytes"] for r in runs) / 1024 ** 3, 2),
            "files_written": int(statistics.median(r["files_written"] for r in runs)),
            "data_files_written": int(statistics.median(r["data_files_written"] for r in runs)),
            "mb_written": round(statistics.median(r["bytes_written"] for r in runs) / 1024 ** 2, 1)})
    return stages


def seconds_to_curated(steps: list[dict]) -> float:
    """One run's wall time from raw CSV to the curated table: its steps in the total, less the load's
    warehouse part (the references have nothing to compare it with)."""
    return (sum(s["seconds"] for s in steps if s["stage"] not in NOT_IN_TOTAL)
            - sum(s["seconds"] for s in steps if s["stage"] == WAREHOUSE_PART))


def _totals(measures: list[dict], rows: int) -> dict:
    """One line per repetition summed over its steps (`seconds_to_curated` for the wall time)."""
    per_rep: dict[int, list[dict]] = defaultdict(list)
    for measure in measures:
        per_rep[measure["rep"]].append(measure)
    totals = []
    for steps in per_rep.values():
        summed = [s for s in steps if s["stage"] not in NOT_IN_TOTAL]
        totals.append({"stage": TOTAL, "seconds": seconds_to_curated(steps),
                       "peak_rss_bytes": max(s["peak_rss_bytes"] for s in summed),
                       **{key: sum(s[key] for s in summed)
                          for key in ("cpu_seconds", "files_written", "bytes_written", "data_files_written")}})
    return _per_stage(totals, rows)[TOTAL]


def summarise(measures: list[dict], reruns: dict[str, list], rows: int, pipeline: str, spark_job: str,
              duckdb: str) -> dict:
    engines = {}
    for engine in (pipeline, spark_job, duckdb):
        own = [m for m in measures if m["engine"] == engine]
        engines[engine] = {"stages": _per_stage(own, rows), TOTAL: _totals(own, rows)}
    full = engines[pipeline][TOTAL]["seconds"]["median"]
    rerun_lines = {}
    for name, steps in reruns.items():
        seconds = seconds_to_curated([s.as_dict() for s in steps])
        rerun_lines[name] = {"seconds": round(seconds, 2), "share_of_full_run_pct": round(100 * seconds / full, 1),
                             "stages": {s.stage: round(s.seconds, 2) for s in steps},
                             "cpu_stages": {s.stage: s.cpu_seconds for s in steps if s.stage not in LOAD_PARTS}}
    return {"engines": engines,
            "ratios": {"P/A": round(full / engines[spark_job][TOTAL]["seconds"]["median"], 2),
                       "P/C": round(full / engines[duckdb][TOTAL]["seconds"]["median"], 2),
                       # CPU seconds: the work done, which a loaded machine does not stretch as it does wall time
                       "P/A CPU": round(engines[pipeline][TOTAL]["cpu_seconds"]["median"]
                                        / max(engines[spark_job][TOTAL]["cpu_seconds"]["median"], 0.01), 2),
                       "P/C CPU": round(engines[pipeline][TOTAL]["cpu_seconds"]["median"]
                                        / max(engines[duckdb][TOTAL]["cpu_seconds"]["median"], 0.01), 2),
                       "P/A peak memory": round(engines[pipeline][TOTAL]["peak_memory_gb"]
                                                / max(engines[spark_job][TOTAL]["peak_memory_gb"], 0.01), 2)},
            "pipeline_reruns": rerun_lines}


STAGE_LABELS = {"land": "land (copy into raw, not in total)", "load": "load (the job: both targets)",
                CURATED_PART: "load: curated (in load)", WAREHOUSE_PART: "load: warehouse (in load, not in total)"}
TOTAL_TO_CURATED = "total (to curated, without load: warehouse)"
WAREHOUSE_NOTE = (
    "The load job merges into the curated Iceberg table, then loads the warehouse table (PostgreSQL "
    "standing in for Redshift); `load: curated` and `load: warehouse` are the wall seconds of each "
    "inside the job, from its run report (the job's start and listing are in neither). The references "
    "write no warehouse, so the pipeline's total, the ratios and the reruns' shares leave "
    "`load: warehouse` out; CPU seconds and peak memory are the load process's, warehouse write "
    "included.")


def markdown_table(results: dict) -> str:
    host = results["machine"]
    lines = [f"TPC-H lineitem, scale factor {results['scale_factor']:g}: {results['rows']:,} rows, "
             f"{results['input_bytes'] / 1024 ** 2:,.0f} MB of CSV; {results['reps']} repetitions per engine. "
             f"Machine: {host['cpus']} CPUs ({host['cpu_model']}), {host['memory_gb']} GB; load average "
             f"{host['load_average_at_start'][0]:.1f} at start, {host['load_average_at_end'][0]:.1f} at end.",
             "",
             "| engine | stage | median wall (s) | min-max (s) | CPU (s) | rows/s | peak memory (GB) | files written (Parquet) | MB written |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    warehouse = False
    for engine, numbers in results["engines"].items():
        stages = numbers["stages"] if len(numbers["stages"]) > 1 else {}
        warehouse = warehouse or WAREHOUSE_PART in stages
        labels = {**STAGE_LABELS, TOTAL: TOTAL_TO_CURATED if WAREHOUSE_PART in stages else TOTAL}
        for stage, line in [*stages.items(), (TOTAL, numbers[TOTAL])]:
            seconds = line["seconds"]
            process = (f"{line['cpu_seconds']['median']} | {line['rows_per_second']:,} | {line['peak_memory_gb']} | "
                       f"{line['files_written']} ({line['data_files_written']}) | {line['mb_written']}"
                       if "cpu_seconds" in line else f"- | {line['rows_per_second']:,} | - | - | -")
            lines.append(f"| {engine} | {labels.get(stage, stage)} | {seconds['median']} | "
                         f"{seconds['min']}-{seconds['max']} | {process} |")
    ratios = results["ratios"]
    lines += ["", f"P/A wall time {ratios['P/A']}x, P/C {ratios['P/C']}x; CPU seconds P/A {ratios['P/A CPU']}x, "
                  f"P/C {ratios['P/C CPU']}x; P/A peak memory {ratios['P/A peak memory']}x."]
    if warehouse:
        lines.append(WAREHOUSE_NOTE)
    for name, rerun in results["pipeline_reruns"].items():
        label = {"nothing_new": "Rerun with nothing new",
                 STARTED_WITH_NOTHING_NEW: "Rerun with nothing new, every job started anyway (the fixed part)",
                 "increment": f"A 1% increment ({results['increment_rows']:,} rows)"}[name]
        lines.append(f"{label}: {rerun['seconds']} s, {rerun['share_of_full_run_pct']} % of a full pipeline run "
                     f"({', '.join(f'{k} {v} s' for k, v in rerun['stages'].items())}).")
    return "\n".join(lines) + "\n"


def chart(results: dict, path: Path) -> None:
    """Median wall time (the pipeline's stacked by job) and peak memory, per engine."""
    engines = list(results["engines"])
    figure, (wall, memory) = plt.subplots(1, 2, figsize=(11, 4))
    for index, engine in enumerate(engines):
        measured = results["engines"][engine]["stages"]
        stages = {s: line["seconds"]["median"] for s, line in measured.items() if s not in NOT_IN_TOTAL}
        if WAREHOUSE_PART in measured:  # the load's warehouse part on top of the rest of the load
            stages["load"] -= measured[WAREHOUSE_PART]["seconds"]["median"]
            stages[WAREHOUSE_PART] = measured[WAREHOUSE_PART]["seconds"]["median"]
        bottom = 0.0
        for stage, height in stages.items():
            wall.bar(index, height, bottom=bottom, label=stage if stage != "all" else None,
                     hatch="//" if stage == WAREHOUSE_PART else None)
            if len(stages) > 1:
                wall.text(index, bottom + height / 2, stage, ha="center", va="center", fontsize=8)
            bottom += height
        memory.bar(index, results["engines"][engine][TOTAL]["peak_memory_gb"])
    for axis, title in ((wall, "median wall time (s)"), (memory, "peak memory of the process tree (GB)")):
        axis.set_xticks(range(len(engines)), engines, fontsize=8)
        axis.set_title(title)
    figure.suptitle(f"TPC-H lineitem SF {results['scale_factor']:g} ({results['rows']:,} rows), "
                    f"{results['machine']['cpus']} CPUs")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
