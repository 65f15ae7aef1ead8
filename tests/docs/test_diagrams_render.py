"""Every Mermaid block in the repository's markdown renders.

The blocks of README.md, docs/*.md, diagrams/*.md and terraform/**/README.md are rendered to PNG in
one mermaid-cli run (one browser session) into .local/diagrams/, named after their file and position,
so that a reader can look at them. Only when that run fails is each block rendered on its own, to
name every broken one. mermaid-cli comes from diagrams/tools (`make diagrams-tools`: `npm ci`, no
browser download); the browser is the system Chromium. Neither missing is a reason to skip.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ROOT / "diagrams" / "tools"
MMDC = TOOLS / "node_modules" / ".bin" / "mmdc"
OUT = ROOT / ".local" / "diagrams"
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FENCE = re.compile(r"^\s*(`{3,}|~{3,})\s*mermaid\s*$")


@dataclass(frozen=True)
class Block:
    path: str  # relative to the repository root
    number: int  # 1-based position among the file's Mermaid blocks
    line: int  # line of the opening fence
    text: str

    @property
    def id(self) -> str:
        return f"{self.path}#{self.number}"

    @property
    def image(self) -> str:
        return f"{self.path.removesuffix('.md').replace('/', '__')}-{self.number}.png"


def markdown_files() -> list[Path]:
    found = [ROOT / "README.md", *ROOT.glob("docs/*.md"), *ROOT.glob("diagrams/*.md")]
    found += [p for p in ROOT.glob("terraform/**/README.md") if ".terraform" not in p.parts]
    return sorted(p for p in found if p.is_file())


def mermaid_blocks(path: Path) -> list[Block]:
    blocks: list[Block] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if opening:
            fence = opening.group(1)
            end = next((j for j in range(i + 1, len(lines)) if lines[j].strip().startswith(fence)), len(lines))
            text = "\n".join(lines[i + 1 : end]) + "\n"
            blocks.append(Block(str(path.relative_to(ROOT)), len(blocks) + 1, i + 1, text))
            i = end
        i += 1
    return blocks


BLOCKS = [block for path in markdown_files() for block in mermaid_blocks(path)]


def browser() -> str | None:
    configured = os.environ.get("PUPPETEER_EXECUTABLE_PATH")
    if configured:
        return configured if Path(configured).is_file() else None
    return next((found for name in BROWSERS if (found := shutil.which(name))), None)


def missing_tools_message() -> str | None:
    missing = []
    if not MMDC.is_file():
        missing.append(f"mermaid-cli ({MMDC.relative_to(ROOT)})")
    if not shutil.which("node"):
        missing.append("node")
    if not browser():
        missing.append("Chromium (/usr/bin/chromium or PUPPETEER_EXECUTABLE_PATH)")
    if not missing:
        return None
    if os.environ.get("CI") == "true":
        return (
            f"CI=true but the diagram tools are missing: {', '.join(missing)}. "
            ".ci/run installs them before `make test` (apt-get install chromium; make diagrams-tools)."
        )
    return (
        f"the diagram tools are missing: {', '.join(missing)}. Install them with `make diagrams-tools` "
        "(needs npm), and Chromium with `sudo apt-get install chromium` (or set PUPPETEER_EXECUTABLE_PATH)."
    )


def mmdc(source: Path, output: Path, puppeteer_config: Path) -> subprocess.CompletedProcess[str]:
    command = [str(MMDC), "--quiet", "--puppeteerConfigFile", str(puppeteer_config)]
    command += ["--input", str(source), "--output", str(output), "--outputFormat", "png"]
    if source.suffix == ".md":
        command += ["--jobs", str(min(4, os.cpu_count() or 1))]
    return subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=OUT, check=False)


def first_error(result: subprocess.CompletedProcess[str]) -> str:
    lines = [line.strip() for line in (result.stderr + result.stdout).splitlines() if line.strip()]
    error = next((i for i, line in enumerate(lines) if "Error" in line), None)
    if error is None:
        return lines[-1] if lines else f"mmdc exited with {result.returncode}"
    # A parse error names the line and what was expected on the next three lines.
    detail = [line for line in lines[error + 1 : error + 4] if not line.startswith("at ")]
    return " ".join([lines[error], *detail])


@pytest.fixture(scope="module")
def render_errors() -> dict[str, str | None]:
    """Block id -> None when it rendered, else the renderer's error, in one line."""
    message = missing_tools_message()
    if message:
        pytest.fail(message, pytrace=False)

    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    puppeteer_config = OUT / "puppeteer-config.json"
    # Chromium's sandbox refuses to run as root (CI runs as root); these are the repository's own
    # diagrams, so running them unsandboxed there is acceptable.
    args = ["--no-sandbox"] if os.geteuid() == 0 else []
    puppeteer_config.write_text(json.dumps({"executablePath": browser(), "args": args, "headless": "shell"}))

    batch = OUT / "all-blocks.md"
    batch.write_text("".join(f"```mermaid\n{block.text}```\n\n" for block in BLOCKS), encoding="utf-8")
    result = mmdc(batch, OUT / "all-blocks.out.md", puppeteer_config)
    if result.returncode == 0:
        errors: dict[str, str | None] = {}
        for n, block in enumerate(BLOCKS, start=1):
            image = OUT / f"all-blocks.out-{n}.png"
            if image.is_file():
                image.rename(OUT / block.image)
                errors[block.id] = None
            else:
                errors[block.id] = f"mmdc wrote no image ({image.name})"
        return errors

    # Something failed: render each block alone to name every broken one.
    errors = {}
    for block in BLOCKS:
        source = OUT / block.image.replace(".png", ".mmd")
        source.write_text(block.text, encoding="utf-8")
        alone = mmdc(source, OUT / block.image, puppeteer_config)
        errors[block.id] = None if alone.returncode == 0 else first_error(alone)
    if not any(errors.values()):  # the batch failed for a reason no single block shows
        errors = {block.id: first_error(result) for block in BLOCKS}
    return errors


def test_the_markdown_has_mermaid_blocks():
    assert len(BLOCKS) >= 5, f"found only {[b.id for b in BLOCKS]}: is the fence pattern still right?"


@pytest.mark.parametrize("block", BLOCKS, ids=[block.id for block in BLOCKS])
def test_mermaid_block_renders(block: Block, render_errors: dict[str, str | None]):
    error = render_errors[block.id]
    if error:
        pytest.fail(f"{block.path}:{block.line}: Mermaid block {block.number} does not render: {error}", pytrace=False)
