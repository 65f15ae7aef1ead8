"""The local deployment's own copy of the config: what `make upload-scripts` uploads on AWS.

The repository's `config/` (or GLUE_LOCAL_CONFIG_DIR) is what a user edits; the local deployment
reads and uploads `<GLUE_LOCAL_HOME>/config/`, a copy of it refreshed every time a deployment is
opened (every `make demo`, `make run-job`, `make land` ...), so an edit to `config/` always reaches
the next run. The only difference the copy may hold is a change a demo command recorded (`make
demo-evolve` widens flights.distance to bigint there, the way a team would in `config/`, without
editing the user's repository). Such a change is re-applied on each refresh only while `config/`
still holds the value it replaced: once `config/` says something else, the user's value wins and
the demo says so. `make demo-reset` deletes GLUE_LOCAL_HOME, the copy and its changes with it.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import yaml

CHANGES_FILE = "config-changes.json"


@dataclass(frozen=True)
class ConfigChange:
    """One setting of one column that a demo command changed in the copy: `columns[<column>].<setting>`
    of `<file>` (relative to the config folder) from `before` to `after`."""

    file: str
    column: str
    setting: str
    before: str
    after: str
    by: str

    def describe(self) -> str:
        return f"{self.file}: column {self.column} {self.setting} {self.before} -> {self.after} ({self.by})"


@dataclass(frozen=True)
class ChangeOutcome:
    change: ConfigChange
    applied: bool
    found: str | None   # the value config/ holds (None: no such column)

    def describe(self, source: Path) -> str:
        if self.applied:
            return f"{self.change.describe()}, in the copy only"
        holds = f"says {self.change.setting} {self.found}" if self.found is not None else \
            f"has no column {self.change.column}"
        return (f"{self.change.describe()} is not applied: {source / self.change.file} now {holds}, "
                f"and config/ wins")


def recorded_changes(home: Path) -> list[ConfigChange]:
    path = home / CHANGES_FILE
    return [ConfigChange(**entry) for entry in json.loads(path.read_text())] if path.exists() else []


def with_change(changes: list[ConfigChange], change: ConfigChange) -> list[ConfigChange]:
    """The changes with `change` in place of any earlier one of the same setting."""
    return [c for c in changes if (c.file, c.column, c.setting) != (change.file, change.column, change.setting)] \
        + [change]


def record_change(home: Path, change: ConfigChange) -> None:
    """Keep a change for every later refresh of the copy (once: recording it again changes nothing)."""
    home.mkdir(parents=True, exist_ok=True)
    _write(home / CHANGES_FILE,
           json.dumps([asdict(c) for c in with_change(recorded_changes(home), change)], indent=1) + "\n")


def _config_files(folder: Path) -> dict[str, Path]:
    files = [folder / "pipeline.yaml", *(folder / "datasets").glob("*.yaml"), *(folder / "datasets").glob("*.yml")]
    return {path.relative_to(folder).as_posix(): path for path in files if path.is_file()}


def _write(path: Path, text: str) -> None:
    """Write a file whole, unless it holds that text already (a reader never sees half of it)."""
    if path.exists() and path.read_text() == text:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text)
    temporary.replace(path)


def _apply(text: str, changes: list[ConfigChange]) -> tuple[str, list[ChangeOutcome]]:
    """A dataset file's text with the changes whose column still holds the value they replaced."""
    document = yaml.safe_load(text)
    columns = {column.get("name"): column for column in document.get("columns") or [] if isinstance(column, dict)}
    outcomes = []
    for change in changes:
        column = columns.get(change.column)
        found = None if column is None else str(column.get(change.setting))
        applied = found == change.before
        if applied:
            column[change.setting] = change.after
        outcomes.append(ChangeOutcome(change, applied, found))
    applied = [o.change.describe() for o in outcomes if o.applied]
    if not applied:
        return text, outcomes
    header = "".join(f"# Changed in this copy only: {line}\n" for line in applied)
    return header + yaml.safe_dump(document, sort_keys=False, allow_unicode=True), outcomes


def refresh(source: Path, copy: Path, changes: list[ConfigChange]) -> list[ChangeOutcome]:
    """Make `copy` hold `source`'s config files, with the recorded changes that still apply; files
    gone from `source` go from the copy too. Returns what became of each change."""
    if source.resolve() == copy.resolve():
        raise ValueError(f"the config folder {source} is the local deployment's copy of it: point "
                         f"GLUE_LOCAL_CONFIG_DIR at the folder you edit")
    wanted = _config_files(source)
    for name, stale in _config_files(copy).items():
        if name not in wanted:
            stale.unlink()
    outcomes = []
    for name, path in wanted.items():
        text = path.read_text()
        mine = [change for change in changes if change.file == name]
        if mine:
            text, applied = _apply(text, mine)
            outcomes += applied
        _write(copy / name, text)
    outcomes += [ChangeOutcome(c, False, None) for c in changes if c.file not in wanted]
    return outcomes
