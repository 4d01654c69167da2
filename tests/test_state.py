"""The run state as the tracking comment keeps it: a 60-task plan mid-build still fits one
GitHub comment (the tasks' specs are stored once, in the plan), and loads back whole."""

from __future__ import annotations

import random
from pathlib import Path

from pipeline.actions.outputs.checks import Limits
from pipeline.forge.local import LocalForge
from pipeline.roles.schemas import Criterion, Plan, PlannedTask
from pipeline.steps.state import Checkpoint, RunState, load, save

VOCABULARY = ["track", "clip", "mixer", "channel", "gain", "pan", "mute", "solo", "tempo",
              "bar", "beat", "loop", "sample", "waveform", "zoom", "scroll", "record",
              "playback", "export", "import", "render", "buffer", "latency", "node", "graph",
              "effect", "reverb", "delay", "filter", "envelope", "knob", "slider", "meter",
              "peak", "undo", "redo", "history", "project", "file", "save", "load", "timeline",
              "marker", "region", "selection", "grid", "snap", "quantize", "midi", "note",
              "velocity", "keyboard", "shortcut", "panel", "toolbar", "menu", "dialog", "test",
              "unit", "module", "function", "class", "state", "store", "event", "handler",
              "worker", "audio", "context", "scheduler", "clock", "transport", "metronome",
              "count", "input", "output", "device"]
rng = random.Random(13)


def words(characters: int) -> str:
    """Prose-like text that compresses like a plan's prose does (not like one word repeated)."""
    text = ""
    while len(text) < characters:
        text += rng.choice(VOCABULARY) + rng.choice([" ", " ", " ", ", ", ". "])
    return text[:characters]


def big_plan(tasks: int = 60) -> Plan:
    criteria = [Criterion(id=f"AC{n}", text=words(160)) for n in range(1, 13)]
    return Plan(spec=words(4000), acceptance_criteria=criteria,
                tasks=[PlannedTask(id=f"T{n}", title=words(50), description=words(400),
                                   depends_on=[f"T{n - 1}"] if n > 1 else [],
                                   criteria=[f"AC{1 + n % 12}"],
                                   checks=[words(150), words(100)])
                       for n in range(1, tasks + 1)])


def test_a_sixty_task_state_mid_build_fits_one_comment(tmp_path: Path) -> None:
    forge = LocalForge(tmp_path / "forge.db")
    issue = forge.create_issue("audio workstation", "brief").number
    state = RunState(issue=issue, brief=words(3000), base_branch="main", base_commit="0" * 40)
    state.set_plan(big_plan())
    for number, task in enumerate(state.tasks.values()):
        task.status = "passed" if number < 40 else "pending"
        task.summary = words(400)
        task.verdicts = {"AC1": True, f"{task.spec.id}-check1": True}
        task.commit = f"{number:040x}"
        if number >= 40:  # the wave's tasks whose slice ran out
            task.status = "building"
            task.checkpoint = Checkpoint(round=2, feedback=words(8000))
    state.runs = [f"build-{n:08x}" for n in range(200)]

    save(forge, state)

    [comment] = forge.comments(issue)
    assert len(comment.body) < Limits().body_chars, len(comment.body)
    loaded = load(forge, issue)
    assert loaded is not None
    assert loaded.tasks["T60"].spec.model_dump() == state.tasks["T60"].spec.model_dump()
    assert loaded.tasks["T50"].checkpoint == state.tasks["T50"].checkpoint
    assert len(loaded.runs) == 30 and loaded.runs[-1] == "build-000000c7"
    print(f"a 60-task state mid-build: {len(comment.body)} characters")


def test_a_compressed_state_that_would_inflate_past_any_real_one_is_not_trusted() -> None:
    import base64
    import zlib

    from pipeline.forge import tracking

    bomb = base64.b64encode(zlib.compress(b'{"a":"' + b"x" * 50_000_000 + b'"}')).decode()
    assert tracking.parse_state(f"<!-- factory:state z:{bomb} -->") is None
    small = tracking.render("body", {"tasks": ["x" * 20_000]})
    assert " z:" in small and tracking.parse_state(small) == {"tasks": ["x" * 20_000]}
