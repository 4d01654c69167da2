"""Routes of the fake GitHub, named by the spec's path templates so responses can be checked."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from doubles.fake_github.state import Repo, User

if TYPE_CHECKING:
    from doubles.fake_github.server import FakeGitHub


class HttpError(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None,
                 errors: list[Any] | None = None) -> None:
        """errors: GitHub's details of a 422, strings or objects as the endpoint sends them."""
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}
        self.errors = errors


@dataclass
class Reply:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Request:
    fake: FakeGitHub
    method: str
    template: str
    path: str
    params: dict[str, str]
    query: dict[str, str]
    body: Any
    user: User

    def repo(self) -> Repo:
        full = f"{self.params['owner']}/{self.params['repo']}"
        repo = self.fake.repos.get(full.lower())
        if repo is None:
            raise HttpError(404, "Not Found")
        return repo

    def int_param(self, name: str) -> int:
        return int(self.params[name])

    def field(self, name: str, kind: type = str, required: bool = True) -> Any:
        if not isinstance(self.body, dict):
            raise HttpError(400, "Problems parsing JSON")
        value = self.body.get(name)
        if value is None and not required:
            return None
        if not isinstance(value, kind):
            raise HttpError(422, f"Invalid request.\n\n{name!r} is missing or not a {kind.__name__}.")
        return value

    def page(self, items: list[Any]) -> Reply:
        """One page of items, with the Link header GitHub sends (PyGithub follows `next`)."""
        per_page = min(max(int(self.query.get("per_page", 30)), 1), 100)
        last = max((len(items) + per_page - 1) // per_page, 1)
        number = min(max(int(self.query.get("page", 1)), 1), last + 1)
        chunk = items[(number - 1) * per_page:number * per_page]
        links = {}
        if number < last:
            links["next"], links["last"] = number + 1, last
        if number > 1:
            links["prev"], links["first"] = number - 1, 1
        headers = {}
        if links:
            def href(n: int) -> str:
                query = {**self.query, "per_page": str(per_page), "page": str(n)}
                return f"{self.fake.base_url}{self.path}?{urlencode(query)}"
            headers["Link"] = ", ".join(f'<{href(n)}>; rel="{rel}"' for rel, n in links.items())
        return Reply(200, chunk, headers)


Handler = Callable[[Request], Reply]
_PARAM = re.compile(r"\{(\w+)\}")
_NUMERIC = {"issue_number", "pull_number", "comment_id", "review_id"}
_SLASHED = {"ref", "branch"}
ROUTES: list[tuple[str, str, re.Pattern[str], Handler]] = []
UNCHECKED = {"/graphql"}
"""Routes outside the REST description (its responses cannot be checked against it)."""


def _compile(template: str) -> re.Pattern[str]:
    def group(match: re.Match[str]) -> str:
        name = match.group(1)
        pattern = r"\d+" if name in _NUMERIC else ".+" if name in _SLASHED else "[^/]+"
        return f"(?P<{name}>{pattern})"

    return re.compile("^" + _PARAM.sub(group, re.escape(template).replace(r"\{", "{")
                                       .replace(r"\}", "}")) + "$")


def route(method: str, template: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        ROUTES.append((method, template, _compile(template), handler))
        return handler

    return register


def match(method: str, path: str) -> tuple[str, dict[str, str], Handler] | None:
    for verb, template, pattern, handler in ROUTES:
        found = pattern.match(path)
        if verb == method and found:
            return template, found.groupdict(), handler
    return None
