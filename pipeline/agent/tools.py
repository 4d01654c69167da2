"""Tools as typed functions: a pydantic model for the arguments, a handler, and a schema for the model."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from pipeline.agent.exceptions import FormatError, Submitted
from pipeline.core.sanitize import reveal_with_warning


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    params: type[BaseModel]
    handler: Callable[[Any], str]

    def schema(self) -> dict[str, Any]:
        parameters = self.params.model_json_schema()
        parameters.pop("title", None)
        return {"type": "function",
                "function": {"name": self.name, "description": self.description,
                             "parameters": parameters}}


def finishing_tool(name: str, description: str, params: type[BaseModel],
                   check: Callable[[Any], None] | None = None) -> Tool:
    """A tool that ends the role: its validated arguments are the role's result. check may
    refuse them: a ValueError is a format error, a ToolError an ordinary tool error."""

    def handler(args: BaseModel) -> str:
        if check is not None:
            try:
                check(args)
            except ValueError as exc:
                raise FormatError(str(exc)) from None
        raise Submitted(args)

    return Tool(name, description, params, handler)


def _validation_message(error: ValidationError) -> str:
    problems = [f"{'.'.join(str(p) for p in e['loc']) or '(arguments)'}: {e['msg']}"
                for e in error.errors()[:8]]
    return "invalid arguments: " + "; ".join(problems)


def truncate(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    half = limit // 2
    cut = len(text) - 2 * half
    return (f"{text[:half]}\n[... {cut} characters cut from the middle; narrow the request "
            f"(a path, a pattern, a line range) to see them ...]\n{text[-half:]}")


class Toolbox:
    def __init__(self, tools: Sequence[Tool], output_limit: int = 12_000) -> None:
        self.tools = {tool.name: tool for tool in tools}
        self.output_limit = output_limit

    @property
    def schemas(self) -> list[dict[str, Any]]:
        return [tool.schema() for tool in self.tools.values()]

    def call(self, name: str, arguments: dict[str, Any] | None, raw: str = "") -> str:
        """Run one tool; Submitted ends the role, FormatError/ToolError go back to the model.
        What the tool returns (files, search hits, command output) is untrusted: hidden
        Unicode in it is shown as visible escapes, with a warning."""
        tool = self.tools.get(name)
        if tool is None:
            raise FormatError(f"unknown tool {name!r}; available: {', '.join(self.tools)}")
        if arguments is None:
            raise FormatError(f"arguments for {name} are not a JSON object: {raw[:200]!r}")
        try:
            args = tool.params.model_validate(arguments)
        except ValidationError as exc:
            raise FormatError(_validation_message(exc)) from None
        return truncate(reveal_with_warning(tool.handler(args)), self.output_limit)
