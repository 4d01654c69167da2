import re

_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*$")


class EnvError(ValueError):
    """A line that is not KEY=VALUE; the message names the line."""


def parse(text: str) -> dict[str, str]:
    values = {}
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.strip()
        if line.startswith("#"):
            continue
        if "=" not in line:
            raise EnvError(f"line {number}: expected KEY=VALUE")
        key, value = line.split("=")
        key = key.strip()
        if not _KEY.match(key):
            raise EnvError(f"line {number}: invalid key {key!r}")
        values[key] = value.strip()
    return values


def load(path) -> dict[str, str]:
    with open(path, encoding="utf-8") as handle:
        return parse(handle.read())
