"""The static checks: what a change may not carry, read from its files and its added lines.

`commit_findings` are what the factory refuses to commit at all (a model can fix them: an
out-of-tree symlink, an embedded repository, a size cap, a secret); `static_findings` adds
what only a person may let through: protected paths and suspicious additions — a new
workflow step, a network fetch in a build script, obfuscated code.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping

from pipeline.config.settings import Config
from pipeline.core.sanitize import reveal_hidden
from pipeline.detection.changes import GITLINK, SYMLINK, Change
from pipeline.detection.secrets import find_secret
from pipeline.detection.verdict import Finding
from pipeline.precommit.globs import matches

CI_FILES = (".github/workflows/**", ".github/actions/**", "action.yml", "action.yaml",
            ".gitlab-ci.yml", ".circleci/**", "Jenkinsfile", "azure-pipelines.yml",
            ".travis.yml", "bitbucket-pipelines.yml", ".buildkite/**")
BUILD_SCRIPTS = ("setup.py", "setup.cfg", "pyproject.toml", "conftest.py", "noxfile.py",
                 "tox.ini", "Makefile", "GNUmakefile", "*.mk", "CMakeLists.txt", "*.cmake",
                 "build.gradle", "build.gradle.kts", "settings.gradle*", "pom.xml", "build.rs",
                 "Dockerfile", "*.dockerfile", "Containerfile", "package.json", "justfile",
                 "Rakefile", "Gemfile", ".npmrc", ".pre-commit-config.yaml", "*.sh", "*.bash",
                 "scripts/**", ".husky/**")
CODE = ("*.py", "*.js", "*.mjs", "*.cjs", "*.ts", "*.tsx", "*.jsx", "*.sh", "*.bash", "*.zsh",
        "*.rb", "*.php", "*.pl", "*.ps1", "*.lua", *BUILD_SCRIPTS)
_STEP = re.compile(r"^\s*(?:-\s*)?(?:run|uses|script|steps)\s*:")
_FETCH = re.compile(
    r"\b(?:curl|wget|aria2c)\b|Invoke-WebRequest|\biwr\b|\birm\b|urllib\.request|urlopen\("
    r"|\brequests\.(?:get|post|put|request)\(|\bhttpx\.|http\.client|\bfetch\(|/dev/tcp/"
    r"|\bnc\s+-|\bgit\s+clone\b|\bpip3?\s+install\s+\S*(?:https?://|git\+)", re.IGNORECASE)
_DECODE_AND_RUN = re.compile(
    r"\b(?:eval|exec)\s*\(.*(?:b64decode|base64|fromCharCode|atob\(|unhexlify|codecs\.decode"
    r"|zlib\.decompress|marshal\.loads|bytes\.fromhex)|\bexec\s*\(\s*compile\("
    r"|\bnew\s+Function\s*\(|base64\s+(?:-d|--decode)\b.*\|\s*(?:ba|z)?sh\b", re.IGNORECASE)
_BLOB = re.compile(r"[A-Za-z0-9+/]{160,}={0,2}")
_ESCAPES = re.compile(r"(?:\\x[0-9a-fA-F]{2}){16,}|(?:\\u[0-9a-fA-F]{4}){12,}"
                      r"|(?:chr\(\d+\)\s*\+\s*){8,}")


def _any(globs: tuple[str, ...] | list[str], path: str) -> bool:
    return any(matches(glob, path) for glob in globs)


def _escapes_tree(path: str, target: str) -> bool:
    if target.startswith("/"):
        return True
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
    return resolved == ".." or resolved.startswith("../") or resolved.split("/")[0] == ".git"


def commit_findings(change: Change, config: Config,
                    secrets: Mapping[str, str]) -> list[Finding]:
    """What may never be committed: out-of-tree symlinks, embedded repositories, files, patches
    or file counts over the caps, secrets."""
    found: list[Finding] = []
    limits = config.limits
    for file in change.files:
        if file.status == "D":
            continue
        if file.mode == SYMLINK and file.link_target is not None \
                and _escapes_tree(file.path, file.link_target):
            found.append(Finding(kind="symlink", where=file.path,
                                 detail=f"a symlink to {file.link_target[:200]!r}, outside the "
                                        "repository: commit the file itself, or a link inside"))
        elif file.mode == GITLINK:
            found.append(Finding(kind="embedded-repository", where=file.path,
                                 detail="an embedded git repository (a gitlink): commit its "
                                        "files, not the repository"))
        elif file.size > limits.max_file_bytes:
            found.append(Finding(kind="size", where=file.path,
                                 detail=f"{file.size} bytes (limits.max_file_bytes is "
                                        f"{limits.max_file_bytes})"))
    if len(change.files) > limits.max_files:
        found.append(Finding(kind="size", where=change.name,
                             detail=f"changes {len(change.files)} files (limits.max_files is "
                                    f"{limits.max_files})"))
    size = len(change.patch.encode())
    if size > limits.max_patch_bytes:
        found.append(Finding(kind="size", where=change.name,
                             detail=f"a {size}-byte patch (limits.max_patch_bytes is "
                                    f"{limits.max_patch_bytes})"))
    kind = find_secret(change.added_text(), secrets)
    if kind:
        found.append(Finding(kind="secret", where=change.name,
                             detail=f"the added lines carry {kind}: remove it; secrets never "
                                    "go into the repository"))
    return found


def protected_findings(change: Change, config: Config) -> list[Finding]:
    return [Finding(kind="protected-path", where=path,
                    detail="a protected path (protected_paths in factory.yaml): only a person "
                           "merges a change to it")
            for path in change.paths if _any(config.protected_paths, path)]


def _first(change: Change, globs: tuple[str, ...], pattern: re.Pattern[str]
           ) -> dict[str, tuple[int, str]]:
    """Per file matching globs, its first added line matching pattern."""
    hits: dict[str, tuple[int, str]] = {}
    for path, line, text in change.added_lines():
        if path not in hits and _any(globs, path) and pattern.search(text):
            hits[path] = (line, text.strip()[:120])
    return hits


def suspicious_findings(change: Change) -> list[Finding]:
    """Additions a person should look at before they run anywhere with credentials."""
    found: list[Finding] = []
    new_ci = {f.path for f in change.files if f.status == "A" and _any(CI_FILES, f.path)}
    steps = _first(change, CI_FILES, _STEP)
    for path in sorted(new_ci | set(steps)):
        line, text = steps.get(path, (0, "a new CI definition"))
        found.append(Finding(kind="workflow", where=f"{path}:{line}" if line else path,
                             detail=f"adds a CI/workflow step: {text!r}"))
    for path, (line, text) in sorted(_first(change, BUILD_SCRIPTS, _FETCH).items()):
        found.append(Finding(kind="network", where=f"{path}:{line}",
                             detail=f"a build script fetches from the network: {text!r}"))
    for pattern, what in ((_DECODE_AND_RUN, "decodes and runs code"),
                          (_BLOB, "adds a long encoded blob"),
                          (_ESCAPES, "spells code in escapes")):
        for path, (line, _) in sorted(_first(change, CODE, pattern).items()):
            found.append(Finding(kind="obfuscation", where=f"{path}:{line}",
                                 detail=f"{what}: obfuscated code"))
    hidden: dict[str, int] = {}
    for path, line, text in change.added_lines():
        if path not in hidden and reveal_hidden(text)[1]:
            hidden[path] = line
    found += [Finding(kind="obfuscation", where=f"{path}:{line}",
                      detail="hidden Unicode (bidi, zero-width or tag characters) in code")
              for path, line in sorted(hidden.items())]
    return found


def static_findings(change: Change, config: Config,
                    secrets: Mapping[str, str]) -> list[Finding]:
    return [*commit_findings(change, config, secrets), *protected_findings(change, config),
            *suspicious_findings(change)]
