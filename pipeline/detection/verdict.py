"""The detection verdict: clean, or findings that hold the work for a person. Saved as JSON by
the detect job for the writer, bound to the outputs it judged by their digest, and shown in the
tracking comment."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pipeline.core.errors import BadInput

Kind = Literal["symlink", "embedded-repository", "size", "secret", "protected-path",
               "workflow", "network", "obfuscation", "model"]
SECTION = "detection"
"""The tracking comment's section the verdict is shown in."""


class Finding(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: Kind
    where: str
    """A path (with its line when known) or the change's name."""
    detail: str = Field(max_length=500)


class Verdict(BaseModel):
    model_config = ConfigDict(extra="forbid")
    findings: list[Finding] = Field(default_factory=list)
    checked: list[str] = Field(default_factory=lambda: ["static"])
    """`static`, and `model <name>` when a model read the change too."""
    digest: str = ""
    """sha256 of the outputs judged (outputs.json and commits.bundle), on Actions."""
    spend: dict[str, list[list[Any]]] = Field(default_factory=dict)
    """What the detection model spent (ledger/persisted.py rows by run id): the writer keeps it
    with the judged job's, in the issue's tracking state."""

    @property
    def clean(self) -> bool:
        return not self.findings

    def held_paths(self) -> list[str]:
        return sorted({f.where.split(":")[0] for f in self.findings
                       if f.kind == "protected-path"})

    def merged(self, other: Verdict) -> Verdict:
        findings = list(dict.fromkeys([*self.findings, *other.findings]))
        checked = list(dict.fromkeys([*self.checked, *other.checked]))
        return Verdict(findings=findings, checked=checked, digest=self.digest or other.digest,
                       spend={**self.spend, **other.spend})


def digest_of(*paths: Path) -> str:
    hasher = hashlib.sha256()
    for path in paths:
        hasher.update(path.name.encode() + b"\0")
        hasher.update(path.read_bytes() if path.is_file() else b"(absent)")
    return hasher.hexdigest()


def save(verdict: Verdict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(verdict.model_dump_json(indent=1), encoding="utf-8")


def load(path: Path) -> Verdict:
    try:
        return Verdict.model_validate_json(path.read_text(encoding="utf-8"))
    except OSError:
        raise BadInput(f"{path}: no detection verdict there (the detect job writes it)") from None
    except ValidationError as exc:
        raise BadInput(f"{path}: not a detection verdict ({exc.errors()[0]['msg']})") from None


def render(verdict: Verdict) -> str:
    """The tracking comment's detection section."""
    how = ", ".join(verdict.checked)
    if verdict.clean:
        return f"**Detection: clean** ({how})."
    lines = [f"**Detection: held for a person** ({how}): label `factory:needs-human`; nothing "
             "of this change is merged until a person has looked.", ""]
    lines += [f"- {f.kind}: `{f.where}` — {f.detail}" for f in verdict.findings[:30]]
    if len(verdict.findings) > 30:
        lines.append(f"- … and {len(verdict.findings) - 30} more")
    return "\n".join(lines)
