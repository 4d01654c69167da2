import re

_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*$")
_ESCAPES = {"n": "\n", '"': '"', "\\": "\\"}
_INLINE_COMMENT = re.compile(r"\s#.*$")


class EnvError(ValueError):
    """A line that is not KEY=VALUE; the message names the line."""


def parse(text: str) -> dict[str, str]:
    values = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if "=" not in line:
            raise EnvError(f"line {number}: expected KEY=VALUE")
        key, value = line.split("=", 1)
        key = key.strip()
        if key.startswith("export ") or key.startswith("export\t"):
            key = key[len("export"):].strip()
        if not _KEY.match(key):
            raise EnvError(f"line {number}: invalid key {key!r}")
        values[key] = _value(value, number)
    return values


def _value(text: str, number: int) -> str:
    raw = text.strip()
    if not raw or raw[0] not in "\"'":
        return _INLINE_COMMENT.sub("", text).strip()
    quote = raw[0]
    chars = []
    index = 1
    while index < len(raw) and raw[index] != quote:
        char = raw[index]
        if quote == '"' and char == "\\" and raw[index + 1:index + 2] in _ESCAPES:
            char = _ESCAPES[raw[index + 1]]
            index += 1
        chars.append(char)
        index += 1
    if index >= len(raw):
        raise EnvError(f"line {number}: unterminated quote")
    rest = raw[index + 1:].strip()
    if rest and not rest.startswith("#"):
        raise EnvError(f"line {number}: unexpected text after quote")
    return "".join(chars)


def load(path) -> dict[str, str]:
    with open(path, encoding="utf-8") as handle:
        return parse(handle.read())
