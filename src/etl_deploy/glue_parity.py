"""What the uploaded code may import: only what AWS Glue 5.1 gives a job.

A job runs in private subnets without PyPI, so an import of anything Glue 5.1 lacks fails the job at
its first line on AWS while it works on a laptop whose virtual environment has it (PyYAML did just
that). Allowed: the standard library, pyspark and py4j, Glue's own `awsglue`/`awsgluedq`, the
uploaded library itself, and the modules in `glue-5.1-python-modules.txt` (AWS's published list).
`make package` refuses a package that breaks this; tests/deploy checks the code on every run.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

GLUE_MODULES_FILE = Path(__file__).with_name("glue-5.1-python-modules.txt")
ALWAYS_PRESENT = {"pyspark", "py4j", "awsglue", "awsgluedq"}
# Distributions whose import name is not their name in lower case with - as _.
IMPORT_NAMES = {
    "python-dateutil": ["dateutil"], "pillow": ["PIL"], "typing_extensions": ["typing_extensions"],
    "charset-normalizer": ["charset_normalizer"], "pygments": ["pygments"], "pyyaml": ["yaml"],
}


@dataclass(frozen=True)
class ForeignImport:
    file: Path
    line: int
    module: str

    def describe(self, root: Path) -> str:
        return f"{self.file.relative_to(root)}:{self.line} imports {self.module}"


def glue_modules(listing: Path = GLUE_MODULES_FILE) -> set[str]:
    """Top-level import names of the distributions in the listing (`name==version` lines)."""
    names = set()
    for line in listing.read_text().splitlines():
        distribution = line.split("==")[0].strip().lower()
        if distribution and not distribution.startswith("#"):
            names.update(IMPORT_NAMES.get(distribution, [distribution.replace("-", "_")]))
    return names


def _imports(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module


def foreign_imports(files: list[Path], own_packages: set[str]) -> list[ForeignImport]:
    """Imports in files of modules that Glue 5.1 does not provide, in file and line order."""
    allowed = ALWAYS_PRESENT | glue_modules() | set(sys.stdlib_module_names) | own_packages
    found = []
    for path in sorted(files):
        for line, module in _imports(ast.parse(path.read_text(), filename=str(path))):
            if module.split(".")[0] not in allowed:
                found.append(ForeignImport(path, line, module))
    return sorted(found, key=lambda f: (str(f.file), f.line))
