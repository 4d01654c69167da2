"""A lesson's `files` glob: `**` spans directories, `*` and `?` stay inside one, `{a,b}`
picks one. A glob with a slash is relative to the repository root; one without matches the
file name at any depth, as in .gitignore."""

from __future__ import annotations

import re
from functools import lru_cache


def _translate(glob: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(glob):
        char = glob[i]
        if glob.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif glob.startswith("**", i):
            out.append(".*")
            i += 2
        elif char == "*":
            out.append("[^/]*")
            i += 1
        elif char == "?":
            out.append("[^/]")
            i += 1
        elif char == "[" and (end := glob.find("]", i + 2)) != -1:
            body = glob[i + 1 : end].replace("\\", "\\\\")
            out.append("[^" + body[1:] + "]" if body.startswith("!") else "[" + body + "]")
            i = end + 1
        elif char == "{" and (end := glob.find("}", i)) != -1:
            options = glob[i + 1 : end].split(",")
            out.append("(?:" + "|".join(_translate(option) for option in options) + ")")
            i = end + 1
        else:
            out.append(re.escape(char))
            i += 1
    return "".join(out)


@lru_cache(maxsize=4096)
def compile_glob(glob: str) -> re.Pattern[str]:
    glob = glob.strip()
    if glob.endswith("/"):
        glob += "**"
    anchored = "/" in glob
    glob = glob.lstrip("/") or "**"
    prefix = "" if anchored else "(?:.*/)?"
    return re.compile(prefix + _translate(glob) + r"\Z")


def matches(glob: str, path: str) -> bool:
    return compile_glob(glob).match(path) is not None
