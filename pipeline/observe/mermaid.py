"""Mermaid chart text for the digest: GitHub renders these blocks, so no image hosting is needed.

Labels are quoted and stripped of what would end a quoted string; values are plain decimals
(Mermaid's parsers reject exponents such as 1e-05)."""

from __future__ import annotations

import re
from collections.abc import Sequence

_UNSAFE = re.compile(r'["\n\r\\#;`]')


def label(text: str, limit: int = 40) -> str:
    cleaned = _UNSAFE.sub(" ", text).strip() or "-"
    return f'"{cleaned[:limit]}"'


def number(value: float, places: int = 4) -> str:
    text = f"{max(value, 0.0):.{places}f}".rstrip("0").rstrip(".")
    return text or "0"


def pie(title: str, slices: Sequence[tuple[str, float]]) -> str | None:
    """A pie of the positive slices; None when there is nothing to draw."""
    shown = [(name, value) for name, value in slices if round(value, 4) > 0]
    if not shown:
        return None
    lines = [f"pie showData title {_UNSAFE.sub(' ', title)}"]
    lines += [f"    {label(name)} : {number(value)}" for name, value in shown]
    return "\n".join(lines)


def bars(title: str, axis: str, points: Sequence[tuple[str, float]],
         line: float | None = None) -> str | None:
    """A bar chart (xychart-beta) of points, with an optional horizontal line such as a cap."""
    if not points:
        return None
    top = max([value for _, value in points] + [line or 0.0])
    upper = number(top * 1.1) if top > 0 else "1"
    lines = ["xychart-beta", f"    title {label(title, 60)}",
             f"    x-axis [{', '.join(label(name, 12) for name, _ in points)}]",
             f"    y-axis {label(axis, 20)} 0 --> {upper}",
             f"    bar [{', '.join(number(value) for _, value in points)}]"]
    if line is not None:
        lines.append(f"    line [{', '.join(number(line) for _ in points)}]")
    return "\n".join(lines)


def block(chart: str | None) -> str:
    """A fenced block GitHub renders, or nothing."""
    return f"```mermaid\n{chart}\n```" if chart else ""
