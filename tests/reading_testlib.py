"""A scripted model for long tasks: it must read every part of a document to finish, and it
keeps what it learned only in its own replies and handoff notes — so it finishes across a
context reset only if the reset hands its knowledge on."""

from __future__ import annotations

import re
from pathlib import Path

from doubles.stub_model import ChatRequest, Reply, call, text_of

SECRET = re.compile(r"part-(\d+)=([a-z]+)")
WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india",
         "juliet", "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo"]
THINKING = ("I read that part through: most of it is minutes of meetings, and the one line "
            "that matters is its secret, which I note here because the file's text will not "
            "stay in view. The next part comes after it; I keep going in order so that nothing "
            "is skipped, and I will write the summary only once every part is accounted for. ")
FILLER = ("The committee met again and reviewed the minutes of the previous session, which "
          "ran long because every item on the agenda drew comments from the floor. ")


def write_parts(root: Path, parts: int, chars: int) -> dict[int, str]:
    """parts files `notes/part-N.txt` of about chars characters, each hiding one secret."""
    (root / "notes").mkdir(parents=True, exist_ok=True)
    secrets = {}
    for number in range(1, parts + 1):
        secrets[number] = WORDS[(number - 1) % len(WORDS)]
        filler = (FILLER * (chars // len(FILLER) + 1))[:chars // 2]
        (root / "notes" / f"part-{number}.txt").write_text(
            f"{filler}\nSECRET part-{number}={secrets[number]}\n{filler}\n")
    return secrets


def summary(secrets: dict[int, str]) -> str:
    return "".join(f"part-{n}={secrets[n]}\n" for n in sorted(secrets))


class Reader:
    """Responder for the role that reads: part after part, then the summary, then finish."""

    def __init__(self, parts: int, finish: Reply, summary_path: str = "SUMMARY.md") -> None:
        self.parts, self.finish, self.summary_path = parts, finish, summary_path
        self.handoffs: list[str] = []

    def known(self, request: ChatRequest) -> dict[int, str]:
        found: dict[int, str] = {}
        for message in request.messages:
            if message.get("role") in ("user", "assistant", "tool"):
                for number, word in SECRET.findall(text_of(message.get("content"))):
                    found[int(number)] = word
        return found

    def __call__(self, request: ChatRequest) -> Reply:
        known = self.known(request)
        if request.tool_names() == {"handoff"}:
            note = "Secrets found so far: " + ", ".join(f"part-{n}={w}"
                                                         for n, w in sorted(known.items()))
            self.handoffs.append(note)
            return call("handoff", note=note)
        last = request.messages[-1]
        learned = SECRET.findall(text_of(last.get("content"))) if last.get("role") == "tool" else []
        said = " ".join(f"Noted part-{n}={w}. {THINKING}" for n, w in learned)
        missing = [n for n in range(1, self.parts + 1) if n not in known]
        if missing:
            return Reply(content=said or None, tool_calls=call(
                "read_file", path=f"notes/part-{missing[0]}.txt").tool_calls)
        wrote = any(c.get("function", {}).get("name") == "write_file"
                    for m in request.messages for c in m.get("tool_calls") or [])
        if not wrote:
            return Reply(content=said or None, tool_calls=call(
                "write_file", path=self.summary_path, content=summary(known)).tool_calls)
        return self.finish
