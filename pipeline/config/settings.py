"""factory.yaml → an immutable, typed config. Field docstrings are the file's documentation."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from pipeline.core.errors import BadInput

CONFIG_FILE = "factory.yaml"
DEFAULT_MODEL = "anthropic/claude-sonnet-4-5"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class Reviewer(_Strict):
    model: str
    """litellm model string, e.g. `openai/gpt-5` or `gemini/gemini-2.5-pro`."""
    focus: str = "correctness"
    """What this reviewer looks for: correctness, security, tests, spec, ..."""


class Models(_Strict):
    default: str = DEFAULT_MODEL
    """Model used by every role that names none of its own."""
    planner: str | None = None
    generator: str | None = None
    evaluator: str | None = None
    learner: str | None = None
    detector: str | None = None
    """The model of the detection pass (`detection: model`): a cheaper one will do."""
    reviewers: list[Reviewer] = Field(default_factory=list)
    """The review panel; empty means one reviewer on the default model."""
    fallbacks: dict[str, list[str]] = Field(default_factory=dict)
    """Per role (or per model string): models tried in order when the first keeps failing."""
    request_timeout_s: float = 120
    """Seconds before one model call is abandoned and retried."""
    max_retries: int = Field(default=4, ge=0, le=10)
    """Retries with exponential backoff on 429, 5xx and timeouts before a fallback is tried."""

    def for_role(self, role: str) -> str:
        chosen = getattr(self, role, None) if role in {"planner", "generator", "evaluator",
                                                         "learner", "detector"} else None
        return chosen or self.default

    def panel(self) -> list[Reviewer]:
        return list(self.reviewers) or [Reviewer(model=self.default)]

    def fallbacks_for(self, role: str, model: str) -> list[str]:
        return list(self.fallbacks.get(role) or self.fallbacks.get(model) or [])


class Price(_Strict):
    input_per_mtok: float = Field(ge=0)
    """USD per million input tokens."""
    output_per_mtok: float = Field(ge=0)
    """USD per million output tokens."""
    cached_input_per_mtok: float | None = Field(default=None, ge=0)
    """USD per million cached input tokens (defaults to the input price)."""


class Budget(_Strict):
    per_job_usd: float | None = Field(default=5.0, gt=0)
    """Hard cap for one job (one `factory run`, or one role on Actions)."""
    per_issue_usd: float | None = Field(default=20.0, gt=0)
    """Hard cap across every job spent on one issue."""
    per_day_usd: float | None = Field(default=None, gt=0)
    """Hard cap across everything in one UTC day (nightly included)."""
    per_issue_tokens: int | None = Field(default=None, gt=0)
    """Hard cap on the tokens (input and output, every model) spent on one issue: it holds
    whatever the models cost, so models with no known price may run under it. Without it,
    every model needs a price (litellm's, or `pricing:` below): one priced $0 would switch the
    USD caps off."""
    detection_usd: float = Field(default=0.5, gt=0)
    """Hard cap for one detection pass by a model (`detection: model`); past it the change is
    held for a person, never passed."""


class Limits(_Strict):
    max_steps: int = Field(default=40, ge=1)
    """Tool-calling steps one role may take before it is stopped."""
    format_retries: int = Field(default=2, ge=0)
    """How often an empty or off-schema reply is shown its error and retried."""
    eval_rounds: int = Field(default=3, ge=1)
    """Generator rounds per task before a failing task is marked blocked."""
    review_rounds: int = Field(default=2, ge=0)
    """Respond rounds on review findings before the PR is marked blocked."""
    context_tokens: int | None = Field(default=None, ge=1000)
    """The models' input window in tokens; empty: litellm's figure for each model (32,000
    when it has none), lowered when a provider refuses a request as too long."""
    reset_at: float = Field(default=0.6, gt=0.1, le=0.9)
    """Share of the window past which a role's old tool outputs are elided and, if that is
    not enough, the role writes a handoff note and goes on in a fresh conversation."""
    tool_output_chars: int = Field(default=12_000, ge=500)
    """Longer tool output is cut (head and tail kept) with a note to the model."""
    command_timeout_s: float = Field(default=300, gt=0)
    """Seconds before a command the agent runs is killed, with its children."""
    workers: int = Field(default=2, ge=1, le=32)
    """Independent tasks built in parallel (locally, and as parallel build jobs on Actions)."""
    max_tasks: int = Field(default=60, ge=1, le=500)
    """The most tasks a plan may have; a larger plan is refused (with the reason), not cut."""
    slice_minutes: float = Field(default=45, gt=0, le=300)
    """On Actions, a build job works this long on its task (fractions allowed), then commits
    its work in progress, records a handoff and dispatches the workflow again to go on."""
    issue_hours: float | None = Field(default=24, gt=0)
    """Wall-clock limit for one issue's build, across jobs and slices; empty: none."""
    quorum: int = Field(default=1, ge=1)
    """Reviewers that must actually answer for the panel's verdict to count (at most the
    panel's size: a larger number is lowered to it)."""
    max_files: int = Field(default=200, ge=1)
    """Files one change (a task's commit, a branch pushed) may touch."""
    max_file_bytes: int = Field(default=1_000_000, ge=1)
    """Size of any one file a change adds or rewrites."""
    max_patch_bytes: int = Field(default=1_000_000, ge=1)
    """Size of one change's patch."""


class Sandbox(_Strict):
    isolation: Literal["bwrap", "none"] = "bwrap"
    """`bwrap`: agent commands run in bubblewrap (worktree writable, system and tools
    read-only, no home, no network), and the factory refuses to run them if bubblewrap cannot
    start. `none` runs them as plain subprocesses with your user's full access: only by
    explicit choice."""
    env_passthrough: list[str] = Field(default_factory=list)
    """Extra variables passed to agent commands; secret-looking names are refused anyway."""
    read_only: list[str] = Field(default_factory=list)
    """Absolute paths shown read-only inside the sandbox besides the system directories, the
    interpreter and PATH's tools (a toolchain the tests need elsewhere on the disk)."""

    @field_validator("read_only")
    @classmethod
    def _absolute(cls, paths: list[str]) -> list[str]:
        relative = [p for p in paths if not p.startswith("/")]
        if relative:
            raise ValueError(f"must be absolute paths, not {relative[0]!r}")
        return paths


class Memory(_Strict):
    url: str | None = None
    """Qdrant server URL; empty means embedded Qdrant under `.factory/memory`."""
    embedding: str = "none"
    """`none`, a litellm embedding model, or `local:<sentence-transformers model>`."""
    prompt_tokens: int = Field(default=1500, ge=0)
    """Token budget for lessons injected into one role's prompt."""
    top_k: int = Field(default=5, ge=0)


class Config(_Strict):
    models: Models = Field(default_factory=Models)
    budget: Budget = Field(default_factory=Budget)
    limits: Limits = Field(default_factory=Limits)
    sandbox: Sandbox = Field(default_factory=Sandbox)
    memory: Memory = Field(default_factory=Memory)
    pricing: dict[str, Price] = Field(default_factory=dict)
    """Prices for models litellm does not know (local or self-hosted), keyed by model string.
    A model with no known price is refused before anything runs, unless
    `budget.per_issue_tokens` caps every model's tokens."""
    test_command: str = "python -m pytest -q"
    """The command that says whether the repository's tests pass."""
    trigger_label: str = "factory"
    allowed_actors: list[str] = Field(default_factory=list)
    """Bots or users allowed to trigger besides those with write access."""
    auto_merge: bool = False
    """Merge factory PRs into the default branch on GitHub when everything passes."""
    protected_paths: list[str] = Field(
        default_factory=lambda: [".github/**", ".pre-commit-config.yaml",
                                 ".pre-commit-hooks.yaml", "factory.yaml", ".factory/**",
                                 ".gitmodules", ".gitattributes", "CODEOWNERS"])
    """Globs of paths whose change is never merged automatically: the work is held for a
    person (label `factory:needs-human`). Lessons the learner writes are not held."""
    detection: Literal["static", "model"] = "static"
    """What reads every change before it is published: `static` checks (symlinks, caps,
    secrets, protected paths, new workflow steps, network fetches in build scripts, obfuscated
    code), or those and a model (`models.detector`, within `budget.detection_usd`)."""

    @field_validator("test_command")
    @classmethod
    def _command_not_empty(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return value


ENV_OVERRIDES: dict[str, tuple[str, ...]] = {
    "FACTORY_MODEL": ("models", "default"),
    "FACTORY_TEST_COMMAND": ("test_command",),
    "FACTORY_BUDGET_USD": ("budget", "per_job_usd"),
    "FACTORY_WORKERS": ("limits", "workers"),
    "FACTORY_EMBEDDING": ("memory", "embedding"),
    "QDRANT_URL": ("memory", "url"),
}


def _describe(error: ValidationError, source: str) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "(top level)"
    message = "unknown key" if first["type"] == "extra_forbidden" else first["msg"]
    more = f" (and {error.error_count() - 1} more)" if error.error_count() > 1 else ""
    return f"{source}: {where}: {message}{more}"


def _set(data: dict[str, object], path: tuple[str, ...], value: str) -> None:
    node = data
    for key in path[:-1]:
        child = node.setdefault(key, {})
        if not isinstance(child, dict):
            return
        node = child
    node[path[-1]] = value


def load(repo: Path, *, model: str | None = None, environ: dict[str, str] | None = None) -> Config:
    """Read repo/factory.yaml (absent: defaults), apply env overrides, then --model."""
    environ = dict(os.environ) if environ is None else environ
    path = repo / CONFIG_FILE
    data: dict[str, object] = {}
    if path.exists():
        try:
            loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = f" line {mark.line + 1}" if mark is not None else ""
            raise BadInput(f"{path}:{line} is not valid YAML: fix the syntax") from None
        if loaded is not None and not isinstance(loaded, dict):
            raise BadInput(f"{path}: the top level must be a mapping of keys")
        data = loaded or {}
    for variable, key_path in ENV_OVERRIDES.items():
        if environ.get(variable):
            _set(data, key_path, environ[variable])
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        raise BadInput(_describe(exc, str(path))) from None
    if model:
        return with_model_everywhere(config, model)
    if environ.get("FACTORY_MODEL"):
        return with_model_everywhere(config, environ["FACTORY_MODEL"])
    return config


def with_model_everywhere(config: Config, model: str) -> Config:
    """`--model M`: every role on M, the reviewers included (their focus kept)."""
    reviewers = [r.model_copy(update={"model": model}) for r in config.models.panel()]
    models = config.models.model_copy(update={
        "default": model, "planner": None, "generator": None, "evaluator": None,
        "learner": None, "reviewers": reviewers})
    return config.model_copy(update={"models": models})

