"""The tree tells the story: every package says what it may import, and does only that; no
import circles; nothing loose at the top of the package; no test double in the wheel."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "pipeline"
ALLOWED_AT_TOP = {"__init__.py", "__main__.py", "cli.py"}
_MAY_IMPORT = re.compile(r"May import:\s*(.+?)(?:\n\n|\Z)", re.S)


def modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        if "sample" in path.relative_to(PACKAGE).parts:
            continue  # the demo's sample project is data
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = modules()


def imported(name: str, path: Path) -> Iterator[str]:
    """The pipeline modules a module imports, eagerly or inside functions."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = name if is_package else name.rpartition(".")[0]
                for _ in range(node.level - 1):
                    package = package.rpartition(".")[0]
                base = f"{package}.{base}" if base else package
            targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
        for target in targets:
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if target and target != name and target != "pipeline":
                yield target


def top_package(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and (PACKAGE / parts[1]).is_dir()) \
        else module


def allowed(package: str) -> set[str] | None:
    """What a top-level package's docstring says it may import; None means anything."""
    doc = ast.get_docstring(ast.parse((PACKAGE / package / "__init__.py").read_text())) or ""
    match = _MAY_IMPORT.search(doc)
    assert match, f"pipeline/{package}/__init__.py must say what it may import ('May import: …')"
    words = match.group(1)
    if words.startswith("anything"):
        return None
    if words.startswith("nothing"):
        return set()
    return {word.strip(" .") for word in re.split(r"[,\s]+", words) if word.strip(" .")}


def test_nothing_loose_at_the_top_of_the_package() -> None:
    loose = {p.name for p in PACKAGE.glob("*.py")} - ALLOWED_AT_TOP
    assert not loose, f"modules at the top of pipeline/: {sorted(loose)}; put them in a package"


def test_every_package_says_what_it_holds() -> None:
    for init in PACKAGE.rglob("__init__.py"):
        if "sample" in init.relative_to(PACKAGE).parts:
            continue
        assert ast.get_docstring(ast.parse(init.read_text())), f"{init} has no docstring"


@pytest.mark.parametrize("package", sorted(p.name for p in PACKAGE.iterdir()
                                           if (p / "__init__.py").is_file()))
def test_packages_import_only_what_their_docstring_allows(package: str) -> None:
    may = allowed(package)
    if may is None:
        return
    unknown = may - {p.name for p in PACKAGE.iterdir() if p.is_dir()}
    assert not unknown, f"pipeline/{package} names packages that do not exist: {unknown}"
    wrong = sorted(
        f"{module} imports {target}"
        for module, path in MODULES.items() if module.startswith(f"pipeline.{package}")
        for target in imported(module, path)
        if top_package(target) not in may | {package})
    assert not wrong, "\n".join(wrong)


def test_no_import_circles() -> None:
    graph = {module: set(imported(module, path)) for module, path in MODULES.items()}
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        stack.append(module)
        for target in graph[module]:
            if state.get(target) == 1:
                circle = [*stack[stack.index(target):], target]
                pytest.fail("import circle: " + " → ".join(circle))
            if target not in state:
                visit(target)
        stack.pop()
        state[module] = 2

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 5000))
    for module in graph:
        if module not in state:
            visit(module)


def test_the_wheel_holds_the_factory_and_no_test_double(tmp_path: Path) -> None:
    pytest.importorskip("hatchling", reason="hatchling builds the wheel (pip install '.[test]')")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(tmp_path), str(ROOT)], check=True, capture_output=True)
    (wheel,) = tmp_path.glob("dark_factory-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "pipeline/cli.py" in names and "pipeline/_prompts/planner.md" in names
    doubles = [n for n in names if re.search(r"fake_github|stub_model|stub_anthropic|"
                                             r"github_cycle|/testing/|^tests/", n)]
    assert not doubles, f"test doubles in the wheel: {doubles}"
