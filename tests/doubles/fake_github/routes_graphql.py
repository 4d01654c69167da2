"""The one GraphQL mutation the factory needs: a draft pull request marked ready for review
(REST cannot do it, and GitHub refuses to merge a draft)."""

from __future__ import annotations

import re

from doubles.fake_github.router import HttpError, Reply, Request, route

_MUTATION = re.compile(r"\bmutation\b.*?\{\s*(\w+)\s*\(", re.DOTALL)


@route("POST", "/graphql")
def graphql(req: Request) -> Reply:
    if not isinstance(req.body, dict) or not isinstance(req.body.get("query"), str):
        raise HttpError(400, "Problems parsing JSON")
    found = _MUTATION.search(req.body["query"])
    name = found.group(1) if found else None
    if name != "markPullRequestReadyForReview":
        return Reply(200, {"errors": [{"message": f"the fake GitHub does not model {name}"}]})
    node = ((req.body.get("variables") or {}).get("input") or {}).get("pullRequestId")
    for repo in req.fake.repos.values():
        for pull in repo.pulls.values():
            if f"PR_{repo.issues[pull.number].id}" == node:
                pull.draft = False
                return Reply(200, {"data": {name: {"clientMutationId": None,
                                                   "pullRequest": {"isDraft": False}}}})
    return Reply(200, {"errors": [{"type": "NOT_FOUND",
                                   "message": f"Could not resolve to a node with the global id "
                                              f"of '{node}'"}]})
