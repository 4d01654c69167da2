"""The fake GitHub itself: pagination, headers, counting, threads, and loud spec drift."""

from __future__ import annotations

import json
import threading
import urllib.request
from typing import Any

import pytest
from doubles.fake_github import FakeGitHub, SpecError
from doubles.fake_github.spec import Spec

from .conftest import REPO


def _get(fake: FakeGitHub, path: str) -> tuple[int, dict[str, str], Any]:
    request = urllib.request.Request(f"{fake.base_url}{path}",
                                     headers={"Authorization": "token t"})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, dict(response.headers), json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), json.loads(exc.read() or b"null")


def _post(fake: FakeGitHub, path: str, body: Any) -> Any:
    request = urllib.request.Request(f"{fake.base_url}{path}", data=json.dumps(body).encode(),
                                     method="POST", headers={"Authorization": "token t"})
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())


def test_pagination_link_headers(fake: FakeGitHub) -> None:
    _post(fake, f"/repos/{REPO}/issues", {"title": "t"})
    for i in range(5):
        _post(fake, f"/repos/{REPO}/issues/1/comments", {"body": f"c{i}"})
    status, headers, body = _get(fake, f"/repos/{REPO}/issues/1/comments?per_page=2&page=2")
    assert status == 200 and [c["body"] for c in body] == ["c2", "c3"]
    link = headers["Link"]
    assert f'<{fake.base_url}/repos/{REPO}/issues/1/comments?per_page=2&page=3>; rel="next"' in link
    assert 'rel="last"' in link and 'rel="prev"' in link and 'rel="first"' in link
    _, headers, body = _get(fake, f"/repos/{REPO}/issues/1/comments?per_page=2&page=3")
    assert len(body) == 1 and 'rel="next"' not in headers["Link"]


def test_rate_limit_headers_and_counter(fake: FakeGitHub) -> None:
    _, first, _ = _get(fake, f"/repos/{REPO}")
    _, second, _ = _get(fake, f"/repos/{REPO}")
    assert first["X-RateLimit-Limit"] == "5000" and first["X-RateLimit-Resource"] == "core"
    assert int(second["X-RateLimit-Remaining"]) == int(first["X-RateLimit-Remaining"]) - 1
    assert fake.calls == {"GET /repos/{owner}/{repo}": 2}
    assert fake.total_calls == 2


def test_urls_point_back_at_the_fake(fake: FakeGitHub) -> None:
    issue = _post(fake, f"/repos/{REPO}/issues", {"title": "t", "labels": ["factory"]})
    assert issue["url"] == f"{fake.base_url}/repos/{REPO}/issues/1"
    assert issue["labels"][0]["name"] == "factory"


def test_secondary_rate_limit_response(fake: FakeGitHub) -> None:
    fake.secondary_rate_limit(retry_after=5)
    status, headers, body = _get(fake, f"/repos/{REPO}")
    assert status == 403 and headers["Retry-After"] == "5"
    assert body["message"].startswith("You have exceeded a secondary rate limit")
    assert _get(fake, f"/repos/{REPO}")[0] == 200


def test_spec_drift_is_loud(fake: FakeGitHub, monkeypatch: pytest.MonkeyPatch) -> None:
    original = fake.bodies.issue

    def drifted(repo: Any, issue: Any) -> dict[str, Any]:
        body = original(repo, issue)
        del body["title"]
        return body

    monkeypatch.setattr(fake.bodies, "issue", drifted)
    with pytest.raises(urllib.error.HTTPError) as caught:
        _post(fake, f"/repos/{REPO}/issues", {"title": "t"})
    assert caught.value.code == 500
    assert fake.errors and "title" in fake.errors[0]
    fake.errors.clear()


def test_unknown_routes_are_recorded(fake: FakeGitHub) -> None:
    status, _, _ = _get(fake, f"/repos/{REPO}/projects")
    assert status == 404 and fake.errors == [f"no route for GET /repos/{REPO}/projects"]
    fake.errors.clear()


def test_spec_rejects_an_undeclared_success_status(spec: Spec) -> None:
    with pytest.raises(SpecError, match="declares no 202"):
        spec.validate("GET", "/repos/{owner}/{repo}", 202, {})
    spec.validate("PATCH", "/repos/{owner}/{repo}/issues/comments/{comment_id}", 403,
                    {"message": "Must have admin rights to Repository."})
    with pytest.raises(SpecError):
        spec.validate("GET", "/repos/{owner}/{repo}", 418, {"message": 1})


def test_threads_do_not_lose_writes(fake: FakeGitHub) -> None:
    _post(fake, f"/repos/{REPO}/issues", {"title": "t"})
    ids: list[int] = []

    def post(i: int) -> None:
        ids.append(_post(fake, f"/repos/{REPO}/issues/1/comments", {"body": str(i)})["id"])

    threads = [threading.Thread(target=post, args=(i,)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(ids)) == 16 and len(fake.repos[REPO].comments) == 16
