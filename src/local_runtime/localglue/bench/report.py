"""The benchmark's numbers: per engine and stage the median and spread of wall time, rows per second,
peak memory, files and bytes written; the ratios of the pipeline to the other two; the rerun with
nothing new and the 1% increment as shares of a full run. As JSON, a Markdown table and a PNG chart."""

from __future__ import annotations

import statistics
from collections import defaultdict
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)

from localglue.bench.aws_terms import STARTED_WITH_NOTHING_NEW  # noqa: E402

TOTAL = "total"


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
        stages[stage] = {"seconds": seconds, "rows_per_second": round(rows / seconds["median"]) if seconds["median"] else None,
                         "cpu_seconds": _stats([r["cpu_seconds"] for r in runs]),
                         "peak_memory_gb": round(max(r["peak_rss_bytes"] for r in runs) / 1024 ** 3, 2),
                         "files_written": int(statistics.median(r["files_written"] for r in runs)),
                         "data_files_written": int(statistics.median(r["data_files_written"] for r in runs)),
                         "mb_written": round(statistics.median(r["bytes_written"] for r in runs) / 1024 ** 2, 1)}
    return stages


def _totals(measures: list[dict], rows: int, excluded: tuple[str, ...] = ("land",)) -> dict:
    """One line per repetition summed over its stages (the land step is a copy the others do not make)."""
    per_rep: dict[int, dict] = defaultdict(lambda: {"seconds": 0.0, "cpu_seconds": 0.0, "peak_rss_bytes": 0,
                                                    "files_written": 0, "bytes_written": 0, "data_files_written": 0})
    for measure in measures:
        if measure["stage"] in excluded:
            continue
        total = per_rep[measure["rep"]]
        total["seconds"] += measure["seconds"]
        total["cpu_seconds"] += measure["cpu_seconds"]
        total["peak_rss_bytes"] = max(total["peak_rss_bytes"], measure["peak_rss_bytes"])
        total["files_written"] += measure["files_written"]
        total["bytes_written"] += measure["bytes_written"]
        total["data_files_written"] += measure["data_files_written"]
    return _per_stage([{**t, "stage": TOTAL} for t in per_rep.values()], rows)[TOTAL]


def summarise(measures: list[dict], reruns: dict[str, list], rows: int, pipeline: str, spark_job: str,
              duckdb: str) -> dict:
    engines = {}
    for engine in (pipeline, spark_job, duckdb):
        own = [m for m in measures if m["engine"] == engine]
        engines[engine] = {"stages": _per_stage(own, rows), TOTAL: _totals(own, rows)}
    full = engines[pipeline][TOTAL]["seconds"]["median"]
    rerun_lines = {}
    for name, steps in reruns.items():
        seconds = sum(s.seconds for s in steps if s.stage != "land")
        rerun_lines[name] = {"seconds": round(seconds, 2), "share_of_full_run_pct": round(100 * seconds / full, 1),
                             "stages": {s.stage: round(s.seconds, 2) for s in steps},
                             "cpu_stages": {s.stage: s.cpu_seconds for s in steps}}
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


def markdown_table(results: dict) -> str:
    host = results["machine"]
    lines = [f"TPC-H lineitem, scale factor {results['scale_factor']:g}: {results['rows']:,} rows, "
             f"{results['input_bytes'] / 1024 ** 2:,.0f} MB of CSV; {results['reps']} repetitions per engine. "
             f"Machine: {host['cpus']} CPUs ({host['cpu_model']}), {host['memory_gb']} GB; load average "
             f"{host['load_average_at_start'][0]:.1f} at start, {host['load_average_at_end'][0]:.1f} at end.",
             "",
             "| engine | stage | median wall (s) | min-max (s) | CPU (s) | rows/s | peak memory (GB) | files written (Parquet) | MB written |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for engine, numbers in results["engines"].items():
        stages = numbers["stages"] if len(numbers["stages"]) > 1 else {}
        for stage, line in [*stages.items(), (TOTAL, numbers[TOTAL])]:
            if stage == "land":
                stage = "land (copy into raw, not in total)"
            seconds = line["seconds"]
            lines.append(f"| {engine} | {stage} | {seconds['median']} | {seconds['min']}-{seconds['max']} | "
                         f"{line['cpu_seconds']['median']} | {line['rows_per_second']:,} | {line['peak_memory_gb']} | "
                         f"{line['files_written']} ({line['data_files_written']}) | "
                         f"{line['mb_written']} |")
    ratios = results["ratios"]
    lines += ["", f"P/A wall time {ratios['P/A']}x, P/C {ratios['P/C']}x; CPU seconds P/A {ratios['P/A CPU']}x, "
                  f"P/C {ratios['P/C CPU']}x; P/A peak memory {ratios['P/A peak memory']}x."]
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
        stages = {s: v for s, v in results["engines"][engine]["stages"].items() if s != "land"}
        bottom = 0.0
        for stage, line in stages.items():
            height = line["seconds"]["median"]
            wall.bar(index, height, bottom=bottom, label=stage if stage != "all" else None)
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
