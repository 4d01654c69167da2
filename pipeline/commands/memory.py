"""`factory memory ...`: add, search, list, show, forget, import, export, stats, rebuild."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click
from pydantic import ValidationError

from pipeline.config import settings as config_module
from pipeline.core.errors import BadInput
from pipeline.memory.lesson import Check, Lesson, Source

F = TypeVar("F", bound=Callable[..., Any])
KINDS = ("mistake", "fix", "pattern", "preference")


def common(func: F) -> F:
    func = click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")(func)
    return click.option("--repo", type=click.Path(path_type=Path, file_okay=False),
                        default=Path("."), show_default=True,
                        help="The repository whose lessons to use.")(func)


@contextmanager
def store_for(repo: Path) -> Iterator[Any]:
    from pipeline.memory.store import open_store

    with open_store(repo, config_module.load(repo)) as store:
        yield store


def emit(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True))


def summary(lesson: Lesson) -> str:
    status = "" if lesson.status == "active" else f" [{lesson.status}]"
    return f"{lesson.id}  {lesson.kind:<10} {lesson.trigger}{status}"


@click.group()
def memory() -> None:
    """Lessons the factory learned: kept in .factory/lessons.jsonl, indexed in Qdrant."""


@memory.command()
@click.option("--kind", type=click.Choice(KINDS), required=True)
@click.option("--trigger", required=True, help="When the lesson applies.")
@click.option("--insight", required=True, help="What to do, and why.")
@click.option("--evidence", default="", help="What showed it (a finding, a failing command).")
@click.option("--tag", "tags", multiple=True)
@click.option("--path", "paths", multiple=True, help="Paths or globs the lesson is about.")
@click.option("--check-pattern", help="A regex the commit hook tests on added lines.")
@click.option("--check-files", default="**", show_default=True)
@click.option("--by", help="Who taught it (person or model).")
@common
def add(kind: str, trigger: str, insight: str, evidence: str, tags: tuple[str, ...],
        paths: tuple[str, ...], check_pattern: str | None, check_files: str, by: str | None,
        repo: Path, as_json: bool) -> None:
    """Add one lesson by hand (re-adding the same lesson adds nothing)."""
    try:
        check = Check(pattern=check_pattern, files=check_files) if check_pattern else None
        lesson = Lesson.model_validate({
            "kind": kind, "trigger": trigger, "insight": insight, "evidence": evidence,
            "tags": list(tags), "paths": list(paths), "check": check,
            "source": Source(by=by)})
    except ValidationError as exc:
        first = exc.errors()[0]
        raise BadInput(f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}") from None
    with store_for(repo) as store:
        added = store.add([lesson])
    if as_json:
        emit({"added": added})
    else:
        click.echo(f"added {added[0]}" if added else f"already known: {lesson.id}")


@memory.command()
@click.argument("query")
@click.option("--path", "paths", multiple=True, help="A path the task touches (repeatable).")
@click.option("-k", "--limit", "k", type=click.IntRange(1, 100), default=5, show_default=True)
@click.option("--kind", "kinds", type=click.Choice(KINDS), multiple=True)
@click.option("--all", "include_inactive", is_flag=True, help="Include superseded and retired.")
@common
def search(query: str, paths: tuple[str, ...], k: int, kinds: tuple[str, ...],
           include_inactive: bool, repo: Path, as_json: bool) -> None:
    """The lessons that best match QUERY, with their scores."""
    with store_for(repo) as store:
        found = store.search(query, paths=paths, k=k, kinds=kinds or None,
                             include_inactive=include_inactive)
    if as_json:
        emit([{"score": s.score, "lesson": s.lesson.model_dump(mode="json")} for s in found])
        return
    for item in found:
        click.echo(f"{item.score:8.4f}  {summary(item.lesson)}")
    if not found:
        click.echo("no matching lessons", err=True)


@memory.command(name="list")
@click.option("--status", type=click.Choice(["active", "superseded", "retired", "all"]),
              default="active", show_default=True)
@click.option("--kind", "kinds", type=click.Choice(KINDS), multiple=True)
@click.option("--tag")
@click.option("--path", help="Only lessons about this path.")
@click.option("--source-repo", help="Only lessons that came from this repository.")
@common
def list_(status: str, kinds: tuple[str, ...], tag: str | None, path: str | None,
          source_repo: str | None, repo: Path, as_json: bool) -> None:
    """Lessons in file order."""
    with store_for(repo) as store:
        lessons = store.list(status=None if status == "all" else status, kinds=kinds or None,
                             tag=tag, path=path, repo=source_repo)
    if as_json:
        emit([x.model_dump(mode="json") for x in lessons])
        return
    for lesson in lessons:
        click.echo(summary(lesson))


@memory.command()
@click.argument("lesson_id")
@common
def show(lesson_id: str, repo: Path, as_json: bool) -> None:
    """One lesson in full (an id prefix is enough)."""
    with store_for(repo) as store:
        lesson = store.resolve(lesson_id)
    data = lesson.model_dump(mode="json")
    if as_json:
        emit(data)
        return
    for key, value in data.items():
        if value not in (None, "", [], {}):
            shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            click.echo(f"{key:>14}: {shown}")


@memory.command()
@click.argument("lesson_id")
@click.option("--reason", required=True, help="Why it is wrong or no longer applies.")
@common
def forget(lesson_id: str, reason: str, repo: Path, as_json: bool) -> None:
    """Retire a lesson: it stays in the file with the reason, out of every prompt."""
    with store_for(repo) as store:
        lesson = store.forget(lesson_id, reason)
    if as_json:
        emit(lesson.model_dump(mode="json"))
    else:
        click.echo(f"retired {lesson.id}")


@memory.command(name="import")
@click.argument("source", type=click.Path(path_type=Path, dir_okay=False, allow_dash=True))
@common
def import_(source: Path, repo: Path, as_json: bool) -> None:
    """Add lessons from another repository's lessons.jsonl (`-` reads stdin)."""
    if str(source) == "-":
        text, name = sys.stdin.read(), "<stdin>"
    else:
        if not source.is_file():
            raise BadInput(f"{source}: no such file")
        text, name = source.read_text(encoding="utf-8"), str(source)
    from pipeline.memory.lesson import parse_lines

    lessons = parse_lines(text, name)  # every line checked before the store is touched
    with store_for(repo) as store:
        added = store.add(lessons)
    if as_json:
        emit({"added": added, "read": len(lessons)})
    else:
        click.echo(f"imported {len(added)} new lessons of {len(lessons)} read")


@memory.command()
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False),
              help="Write here instead of stdout.")
@common
def export(output: Path | None, repo: Path, as_json: bool) -> None:
    """Every lesson as JSONL (the format `import` reads)."""
    with store_for(repo) as store:
        text = store.export()
    if output is not None:
        output.write_text(text, encoding="utf-8")
        if as_json:
            emit({"written": str(output), "lessons": text.count("\n")})
    else:
        click.echo(text, nl=False)


@memory.command()
@common
def stats(repo: Path, as_json: bool) -> None:
    """Counts by status and kind, outcomes, and where the index lives."""
    with store_for(repo) as store:
        data = store.stats()
    if as_json:
        emit(data)
        return
    for key, value in data.items():
        click.echo(f"{key:>10}: {value}")


@memory.command()
@common
def rebuild(repo: Path, as_json: bool) -> None:
    """Recreate the Qdrant index from .factory/lessons.jsonl."""
    with store_for(repo) as store:
        count = store.rebuild()
    if as_json:
        emit({"indexed": count})
    else:
        click.echo(f"indexed {count} lessons")
