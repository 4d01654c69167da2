"""Actions endpoints of the fake GitHub: workflow_dispatch, recorded for tests to follow."""

from __future__ import annotations

from doubles.fake_github.router import HttpError, Reply, Request, route

R = "/repos/{owner}/{repo}"


@route("POST", f"{R}/actions/workflows/{{workflow_id}}/dispatches")
def dispatch(req: Request) -> Reply:
    repo = req.repo()
    ref = req.field("ref")
    inputs = req.field("inputs", dict, required=False) or {}
    if ref not in repo.refs:
        raise HttpError(422, f"No ref found for: {ref}")
    if any(not isinstance(v, str) for v in inputs.values()):
        raise HttpError(422, "Unexpected inputs provided: inputs must be strings")
    req.fake.dispatches.append((repo.full_name, req.params["workflow_id"], ref, dict(inputs)))
    return Reply(204)
