"""Where a Spark application's time goes, from its event log (`spark.eventLog.enabled`): jobs, and per
stage its call site, duration, bytes read, shuffled and written."""

from __future__ import annotations

import json
from pathlib import Path

METRICS = {"input_bytes": "internal.metrics.input.bytesRead",
           "shuffle_write_bytes": "internal.metrics.shuffle.write.bytesWritten",
           "shuffle_read_bytes": "internal.metrics.shuffle.read.remoteBytesRead",
           "shuffle_local_read_bytes": "internal.metrics.shuffle.read.localBytesRead",
           "output_bytes": "internal.metrics.output.bytesWritten",
           "spilled_bytes": "internal.metrics.diskBytesSpilled"}


def summarise(log: Path) -> dict:
    """Jobs, stages and bytes of one event log file, with its stages sorted longest first."""
    jobs, stages = 0, []
    with log.open() as events:
        for line in events:
            try:
                event = json.loads(line)
            except json.JSONDecodeError:  # the last line of a log whose JVM was still closing it
                break
            kind = event.get("Event")
            if kind == "SparkListenerJobStart":
                jobs += 1
            elif kind == "SparkListenerStageCompleted":
                info = event["Stage Info"]
                values = {a.get("Name"): a.get("Value") for a in info.get("Accumulables", [])}
                stage = {"name": info.get("Stage Name", ""), "tasks": info.get("Number of Tasks", 0),
                         "seconds": round((info.get("Completion Time", 0) - info.get("Submission Time", 0)) / 1000, 2)}
                stage.update({key: int(values.get(name) or 0) for key, name in METRICS.items()})
                stages.append(stage)
    totals = {key: sum(s[key] for s in stages) for key in METRICS}
    return {"jobs": jobs, "stages": len(stages), **totals,
            "longest_stages": sorted(stages, key=lambda s: -s["seconds"])[:8]}


def summarise_folder(folder: Path) -> dict | None:
    """The summary of the one application logged under `folder`, or None if none was logged.

    A job's Python process can end before its JVM has renamed the log from `<app>.inprogress`: such
    a log is read as it stands."""
    logs = sorted(p for p in folder.glob("*") if p.is_file()) if folder.exists() else []
    return summarise(logs[0]) if len(logs) == 1 else None
