"""Rate limits and server errors: what is retried, how long it waits, what is never repeated."""

from __future__ import annotations

import socket

import pytest
from doubles.fake_github import FakeGitHub

from pipeline.forge.backoff import Backoff, wait_for
from pipeline.forge.github import ForgeError, GitHubForge

COMMENTS = "POST /repos/{owner}/{repo}/issues/{issue_number}/comments"
ISSUE = "GET /repos/{owner}/{repo}/issues/{issue_number}"


def test_wait_for_rules() -> None:
    assert wait_for(403, "You have exceeded a secondary rate limit", {"Retry-After": "7"}, 1,
                    idempotent=False) == 7
    assert wait_for(429, "", {"retry-after": "3"}, 1, idempotent=False) == 3
    assert wait_for(403, "You have exceeded a secondary rate limit", {}, 2,
                    idempotent=False) == 120
    primary = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1100"}
    assert wait_for(403, "API rate limit exceeded", primary, 1, idempotent=True,
                    now=1000) == 101
    assert wait_for(403, "Resource not accessible by integration", {}, 1, idempotent=True) is None
    assert wait_for(502, "", {}, 3, idempotent=True) == 4
    assert wait_for(502, "", {}, 1, idempotent=False) is None
    assert wait_for(404, "", {}, 1, idempotent=True) is None


def test_secondary_limit_honours_retry_after(forge: GitHubForge, fake: FakeGitHub,
                                             sleeps: list[float]) -> None:
    number = forge.create_issue("t", "b").number
    fake.secondary_rate_limit(COMMENTS, retry_after=7)
    forge.post_comment(number, "hello")
    assert sleeps == [7]
    assert fake.calls[COMMENTS] == 2
    assert len(forge.comments(number)) == 1


def test_secondary_limit_without_retry_after_waits_a_minute(
        forge: GitHubForge, fake: FakeGitHub, sleeps: list[float]) -> None:
    number = forge.create_issue("t", "b").number
    fake.inject(COMMENTS, status=403, message="You have exceeded a secondary rate limit.")
    forge.post_comment(number, "hello")
    assert sleeps == [60]


def test_429_is_retried(forge: GitHubForge, fake: FakeGitHub, sleeps: list[float]) -> None:
    number = forge.create_issue("t", "b").number
    fake.inject(ISSUE, status=429, retry_after=2, message="Too Many Requests")
    assert forge.get_issue(number).number == number
    assert sleeps == [2]


def test_server_errors_retry_reads_not_writes(forge: GitHubForge, fake: FakeGitHub,
                                              sleeps: list[float]) -> None:
    number = forge.create_issue("t", "b").number
    fake.inject(ISSUE, status=502, times=2)
    assert forge.get_issue(number).number == number
    assert sleeps == [1, 2]
    fake.inject(COMMENTS, status=500)
    with pytest.raises(ForgeError, match=r"\(500\)"):
        forge.post_comment(number, "maybe applied")
    assert fake.calls[COMMENTS] == 1


def test_gives_up_after_attempts_and_on_long_waits(fake: FakeGitHub) -> None:
    slept: list[float] = []
    forge = GitHubForge("octo/widgets", "t", fake.base_url, throttle=False,
                        backoff=Backoff(attempts=3, max_wait=30, sleep=slept.append))
    number = forge.create_issue("t", "b").number
    fake.inject(ISSUE, status=503, times=5)
    with pytest.raises(ForgeError, match=r"read issue #1 on octo/widgets failed \(503\)"):
        forge.get_issue(number)
    assert slept == [1, 2] and fake.calls[ISSUE] == 3
    fake.faults.clear()
    fake.secondary_rate_limit(ISSUE, retry_after=3600)
    with pytest.raises(ForgeError, match="secondary rate limit"):
        forge.get_issue(number)


def test_no_connection_is_a_clear_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    slept: list[float] = []
    forge = GitHubForge("octo/widgets", "t", f"http://127.0.0.1:{port}", throttle=False,
                        backoff=Backoff(attempts=2, sleep=slept.append))
    with pytest.raises(ForgeError, match="no connection"):
        forge.get_issue(1)
    assert slept == [1]
