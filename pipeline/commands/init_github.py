"""What `factory init` adds for GitHub: the workflow, and the settings only a person can make."""

from __future__ import annotations

from pathlib import Path

from pipeline.config import settings as config_module
from pipeline.templates import WORKFLOW_PATH, workflow


def install_workflow(repo: Path) -> str:
    """Write the factory workflow; an existing different file is left as it is, and said so."""
    path = repo / WORKFLOW_PATH
    shipped = workflow()
    if path.exists():
        if path.read_text(encoding="utf-8") == shipped:
            return f"{WORKFLOW_PATH} is up to date"
        return (f"{WORKFLOW_PATH} exists and differs from this version's: left as it is "
                "(move it away and run `factory init` again to take the new one)")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(shipped, encoding="utf-8")
    return f"wrote {WORKFLOW_PATH} (router, one job per role, the review panel, the writer)"


def model_keys(repo: Path) -> list[str]:
    from pipeline.agent.failures import key_variable
    from pipeline.steps.setup import models_in_use

    config = config_module.load(repo, environ={})
    return sorted({key_variable(model) for model in models_in_use(config)})


def settings_text(repo: Path) -> str:
    """The secrets, variables and settings to create on GitHub, for this factory.yaml."""
    keys = ", ".join(model_keys(repo))
    return "\n".join([
        "On GitHub (Settings of the repository):",
        f"- Secrets (Secrets and variables → Actions): {keys}; QDRANT_API_KEY if memory uses a "
        "Qdrant server.",
        "- Variables: QDRANT_URL (optional: a shared Qdrant for memory); FACTORY_ENABLED=false "
        "stops every factory job at once; FACTORY_PIP_SPEC (optional: where to install the "
        "factory from).",
        "- Optional GitHub App (so factory PRs start your CI): variable FACTORY_APP_ID and secret "
        "FACTORY_APP_PRIVATE_KEY; without it the factory dispatches its own jobs explicitly.",
        "- Actions → General → Workflow permissions: allow GitHub Actions to create and approve "
        "pull requests.",
        "- Label an issue `factory` to start; factory PRs are drafts, merged only with "
        "`auto_merge: true` in factory.yaml.",
    ])
