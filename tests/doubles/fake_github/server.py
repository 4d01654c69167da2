"""The fake GitHub REST server: real HTTP on 127.0.0.1, stateful, spec-checked, countable."""

from __future__ import annotations

import json
import shutil
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from doubles.fake_github import (  # noqa: F401  (register routes)
    gitstore,
    routes_actions,
    routes_graphql,
    routes_issues,
    routes_pulls,
)
from doubles.fake_github import spec as spec_module
from doubles.fake_github.bodies import Bodies
from doubles.fake_github.router import UNCHECKED, HttpError, Reply, Request, match
from doubles.fake_github.spec import SpecError
from doubles.fake_github.state import Ids, IssueRec, Label, Repo, User

SECONDARY_LIMIT = ("You have exceeded a secondary rate limit. Please wait a few minutes before "
                   "you try again.")
RATE_LIMIT = 5000


@dataclass
class Fault:
    route: str | None
    """`METHOD /template` as counted in `calls`, or None for any request."""
    status: int | None
    times: int
    retry_after: int | None = None
    latency: float = 0.0
    message: str = "Server Error"


class FakeGitHub:
    """Start with `with FakeGitHub() as gh:`; point PyGithub (or GITHUB_API_URL) at gh.base_url."""

    def __init__(self, *, validate: bool = True, viewer: str = "github-actions[bot]",
                 viewer_type: str = "Bot") -> None:
        self.spec = spec_module.load()
        self.validate = validate
        self.ids = Ids()
        self.lock = threading.RLock()
        self.repos: dict[str, Repo] = {}
        self.viewer = User(viewer, self.ids(), viewer_type)
        self.tokens: dict[str, User] = {}
        self.calls: Counter[str] = Counter()
        self.errors: list[str] = []
        self.dispatches: list[tuple[str, str, str, dict[str, str]]] = []
        """workflow_dispatch requests: (repository, workflow, ref, inputs)."""
        """Responses that failed the spec and requests no route knows: a test must fail on them."""
        self.faults: list[Fault] = []
        self.latency = 0.0
        self.rate_remaining = RATE_LIMIT
        self._httpd: ThreadingHTTPServer | None = None
        self._git_root = tempfile.mkdtemp(prefix="fake-github-")
        self.base_url = ""
        self.bodies = Bodies(self.spec, "", self.association)

    # lifecycle
    def start(self) -> FakeGitHub:
        self._httpd = _Server(("127.0.0.1", 0), _handler_for(self))
        self.base_url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self.bodies = Bodies(self.spec, self.base_url, self.association)
        threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        shutil.rmtree(self._git_root, ignore_errors=True)

    def __enter__(self) -> FakeGitHub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # state helpers for tests
    def add_repo(self, full_name: str, *, default_branch: str = "main") -> Repo:
        """A repository with one commit on default_branch, in a bare git repository of its own."""
        owner_login, name = full_name.split("/")
        owner = User(owner_login, self.ids(), "User")
        git_dir = f"{self._git_root}/{owner_login}/{name}.git"
        gitstore.init(git_dir, default_branch)
        repo = Repo(owner=owner, name=name, id=self.ids(), default_branch=default_branch,
                    git_dir=git_dir)
        self.repos[full_name.lower()] = repo
        self.sync(repo)
        return repo

    def link_git(self, full_name: str, git_dir: str) -> None:
        """Branches come from a real repository (the tests' `origin`), read at every request."""
        repo = self.repos[full_name.lower()]
        repo.git_dir = git_dir
        self.sync(repo)

    def sync(self, repo: Repo) -> None:
        out = gitstore.out(repo.git_dir, "for-each-ref",
                           "--format=%(refname:strip=2) %(objectname)", "refs/heads")
        repo.refs = dict(line.split(" ", 1) for line in out.splitlines() if line)
        for pull in repo.pulls.values():
            if not pull.merged:
                pull.head_sha = repo.refs.get(pull.head, pull.head_sha)
                pull.base_sha = repo.refs.get(pull.base, pull.base_sha)

    def add_token(self, token: str, login: str, user_type: str = "User",
                  association: str | None = None) -> User:
        """A user who can call the API; `association` (NONE, CONTRIBUTOR, ...) makes them an
        outsider to the repository, as a stranger commenting on a public one is."""
        self.tokens[token] = User(login, self.ids(), user_type, association)
        return self.tokens[token]

    def push(self, full_name: str, branch: str, files: dict[str, str | None] | None = None,
             *, sha: str | None = None, start: str | None = None) -> str:
        """What a `git push origin branch` does: a commit of files (a new file by default) on
        branch (made from `start`, else the default branch, if new), or the branch moved to sha."""
        repo = self.repos[full_name.lower()]
        with self.lock:
            if sha is not None:
                gitstore.set_ref(repo.git_dir, branch, sha)
            else:
                tip = gitstore.head(repo.git_dir, branch)
                origin = start or (None if tip else repo.default_branch)
                files = files or {f"{branch.replace('/', '-')}.txt": f"{time.monotonic_ns()}\n"}
                sha = gitstore.commit(repo.git_dir, branch, files, f"Update {branch}",
                                      start=gitstore.head(repo.git_dir, origin) if origin
                                      else None)
            self.sync(repo)
        return sha

    def protect(self, full_name: str, branch: str, contexts: list[str]) -> None:
        """Branch protection: merging into branch needs these statuses `success` on the head."""
        self.repos[full_name.lower()].protected[branch] = list(contexts)

    def add_issue(self, full_name: str, title: str, body: str = "",
                  labels: list[str] | None = None, login: str = "octocat") -> int:
        """An issue as if a person had opened it, without a request (so not counted)."""
        repo = self.repos[full_name.lower()]
        number = repo.next_number()
        names = []
        for name in labels or []:
            repo.labels.setdefault(name.lower(), Label(self.ids(), name))
            names.append(repo.labels[name.lower()].name)
        repo.issues[number] = IssueRec(number=number, id=self.ids(), title=title, body=body,
                                       user=User(login, self.ids()), labels=names,
                                       author_association="MEMBER")
        return number

    def association(self, repo: Repo, user: User) -> str:
        if user.association is not None:
            return user.association
        if user.login == repo.owner.login:
            return "OWNER"
        return "NONE" if user.type == "User" and user not in self.tokens.values() else "MEMBER"

    def inject(self, route: str | None = None, *, status: int | None = 502, times: int = 1,
               retry_after: int | None = None, latency: float = 0.0,
               message: str = "Server Error") -> None:
        """The next `times` requests matching route fail with status (None: only delayed)."""
        with self.lock:
            self.faults.append(Fault(route, status, times, retry_after, latency, message))

    def secondary_rate_limit(self, route: str | None = None, *, retry_after: int = 1,
                             times: int = 1) -> None:
        self.inject(route, status=403, times=times, retry_after=retry_after,
                    message=SECONDARY_LIMIT)

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())

    def reset_calls(self) -> None:
        self.calls.clear()

    # request handling
    def _fault_for(self, key: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.times > 0 and fault.route in (None, key):
                    fault.times -= 1
                    return fault
        return None

    def handle(self, method: str, target: str, headers: dict[str, str],
               raw: bytes) -> tuple[int, Any, dict[str, str]]:
        parts = urlsplit(target)
        found = match(method, parts.path)
        if found is None:
            self.errors.append(f"no route for {method} {parts.path}")
            return 404, {"message": "Not Found"}, {}
        template, params, handler = found
        key = f"{method} {template}"
        with self.lock:
            self.calls[key] += 1
            self.rate_remaining = max(self.rate_remaining - 1, 0)
        fault = self._fault_for(key)
        delay = self.latency + (fault.latency if fault else 0.0)
        if delay:
            time.sleep(delay)
        if fault is not None and fault.status is not None:
            extra = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
            return fault.status, self.bodies.error(fault.message), extra
        try:
            body = json.loads(raw) if raw else None
        except json.JSONDecodeError:
            return 400, self.bodies.error("Problems parsing JSON"), {}
        token = headers.get("authorization", "").split(" ")[-1]
        user = self.tokens.get(token, self.viewer)
        req = Request(self, method, template, parts.path, params,
                      dict(parse_qsl(parts.query)), body, user)
        try:
            with self.lock:
                for repo in self.repos.values():
                    self.sync(repo)
                reply = handler(req)
        except HttpError as exc:
            reply = Reply(exc.status, self.bodies.error(exc.message, exc.errors), exc.headers)
        if self.validate and template not in UNCHECKED:
            try:
                self.spec.validate(method, template, reply.status, reply.body)
            except SpecError as exc:
                self.errors.append(str(exc))
                return 500, self.bodies.error(f"fake GitHub drifted from the spec: {exc}"), {}
        return reply.status, reply.body, reply.headers

    def rate_headers(self) -> dict[str, str]:
        return {"X-RateLimit-Limit": str(RATE_LIMIT),
                "X-RateLimit-Remaining": str(self.rate_remaining),
                "X-RateLimit-Used": str(RATE_LIMIT - self.rate_remaining),
                "X-RateLimit-Reset": str(int(time.time()) + 3600),
                "X-RateLimit-Resource": "core"}


class _Server(ThreadingHTTPServer):
    request_queue_size = 128  # the default 5 resets connections when tests hammer it
    daemon_threads = True


def _handler_for(fake: FakeGitHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Without it each small response waits on delayed ACKs (~40 ms a request).
        disable_nagle_algorithm = True

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, body, extra = fake.handle(self.command, self.path, headers, raw)
            data = b"" if body is None else json.dumps(body).encode()
            self.send_response(status)
            for name, value in {**fake.rate_headers(), **extra}.items():
                self.send_header(name, value)
            if data:
                self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler
