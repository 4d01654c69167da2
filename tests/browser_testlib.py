"""Headless Debian chromium driven by playwright-core (npm), for tests that need a real browser.

Skipped with the reason when /usr/bin/chromium or node_modules is missing; CI installs both."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = Path(__file__).parent / "browser"
CHROMIUM = Path("/usr/bin/chromium")
_MISSING = [what for what, there in (
    ("/usr/bin/chromium (apt-get install chromium)", CHROMIUM.exists()),
    ("node", shutil.which("node") is not None),
    ("node_modules/mermaid and node_modules/playwright-core (npm ci)",
     (ROOT / "node_modules" / "mermaid").is_dir()
     and (ROOT / "node_modules" / "playwright-core").is_dir()),
) if not there]
needs_browser = pytest.mark.skipif(bool(_MISSING), reason="browser tests need " + ", ".join(_MISSING))


def node(script: str, *args: str, timeout: float = 60) -> dict[str, Any]:
    done = subprocess.run(["node", str(SCRIPTS / script), *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)
    assert done.returncode == 0, f"{script} failed:\n{done.stderr}"
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def render_mermaid(charts: list[str], workdir: Path) -> list[dict[str, Any]]:
    source = workdir / "charts.json"
    source.write_text(json.dumps(charts))
    report = node("render_mermaid.cjs", str(source))
    assert not report["pageErrors"], report["pageErrors"]
    results: list[dict[str, Any]] = report["results"]
    return results


def open_page(page: Path, screenshot: Path) -> dict[str, Any]:
    return node("open_page.cjs", str(page), str(screenshot))
