"""The model layer: every call through litellm, with retries, fallbacks, budgets and a ledger.

litellm is imported inside functions only: importing it costs seconds, and commands like
`factory --help` must not pay for it.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt

from pipeline.agent import caching, failures, pricing, tokens, window
from pipeline.agent.budget import BudgetGuard
from pipeline.agent.exceptions import ContextExceeded
from pipeline.config.settings import Config
from pipeline.core.errors import ModelUnavailable
from pipeline.core.sanitize import reveal_everywhere
from pipeline.ledger.store import Call, Event, Ledger


@dataclass
class ToolCall:
    id: str
    name: str
    arguments: dict[str, Any] | None
    raw_arguments: str
    error: str | None = None
    """Set when the arguments are not a JSON object; the loop shows it to the model."""


@dataclass
class ModelReply:
    message: dict[str, Any]
    """The assistant message in OpenAI format, ready to append to the history."""
    content: str | None
    tool_calls: list[ToolCall]
    model: str
    """The model that actually answered (a fallback, perhaps)."""
    cost_usd: float = 0.0
    input_tokens: int = 0
    output_tokens: int = 0
    cached_input_tokens: int = 0
    latency_s: float = 0.0


@dataclass
class _Attempt:
    """What one model in the chain is asked, shared by its retries."""

    model: str
    role: str
    task: str | None
    messages: list[dict[str, Any]]
    tools: list[dict[str, Any]]
    counted_tokens: int = 0
    """The prompt under litellm's tokenizer (the cacheable share is measured with it)."""
    prompt_tokens: int = 0
    """The best count for the budget check: Anthropic's exact one when it was asked."""
    prompt_cost_usd: float = 0.0
    sent: list[dict[str, Any]] = field(default_factory=list)


class _Failed(Exception):
    """This model gave up (after its retries); the next fallback may still answer."""


def parse_tool_call(call_id: str, name: str, raw: str | None) -> ToolCall:
    raw = raw or ""
    if not raw.strip():
        return ToolCall(call_id, name, {}, raw)
    try:
        parsed = json.loads(raw)
    except json.JSONDecodeError as exc:
        return ToolCall(call_id, name, None, raw, f"arguments are not valid JSON: {exc}")
    if not isinstance(parsed, dict):
        kind = type(parsed).__name__
        return ToolCall(call_id, name, None, raw, f"arguments must be a JSON object, not {kind}")
    return ToolCall(call_id, name, parsed, raw)


def _litellm() -> Any:
    import litellm

    litellm.suppress_debug_info = True
    return litellm


class ModelClient:
    """One run's door to the models; safe to share between worker threads."""

    def __init__(
        self,
        config: Config,
        ledger: Ledger,
        *,
        run_id: str,
        issue: int | None = None,
        budget_usd: float | None = None,
        retry_base_s: float | None = None,
    ) -> None:
        self.config, self.ledger, self.run_id, self.issue = config, ledger, run_id, issue
        self.budget = BudgetGuard(
            config.budget, ledger, run_id=run_id, issue=issue, budget_usd=budget_usd
        )
        self.retry_base_s = failures.retry_base_s() if retry_base_s is None else retry_base_s
        self._prefixes = caching.PrefixTracker()
        self.windows = window.Windows(config.limits.context_tokens)
        pricing.register(config.pricing)

    def chain(self, role: str, model: str | None = None) -> list[str]:
        """The model a role's call goes to, then its fallbacks."""
        primary = model or self.config.models.for_role(role)
        return list(dict.fromkeys([primary, *self.config.models.fallbacks_for(role, primary)]))

    def context_limit(self, role: str, model: str | None = None) -> int:
        """The most tokens (as counted here) a request of this role may hold."""
        return self.windows.limit(self.chain(role, model))

    def count(self, role: str, model: str | None, messages: list[dict[str, Any]],
              tools: list[dict[str, Any]]) -> int:
        return tokens.count(self.chain(role, model)[0], messages, tools)

    def note_event(self, role: str, task: str | None, kind: str, detail: str) -> None:
        """Something the ledger should show besides calls: a context reset, a slice's end."""
        self.ledger.record_event(Event(self.run_id, role, kind, detail, issue=self.issue,
                                       task=task))

    def work_for(self, issue: int) -> None:
        """From now on the calls are issue's, and its cap applies (a PR's job learns its issue
        once it has read the PR)."""
        self.issue = self.budget.issue = issue

    def spent(self) -> float:
        return self.ledger.run_totals(self.run_id).cost_usd

    def complete(
        self,
        *,
        role: str,
        messages: list[dict[str, Any]],
        tools: list[dict[str, Any]],
        model: str | None = None,
        task: str | None = None,
    ) -> ModelReply:
        """One assistant turn. Raises BudgetExceeded, ModelUnavailable when every model
        in the chain (the model, then its fallbacks) kept failing, or ContextExceeded when
        the request does not fit a model's window (known, or learned from the refusal)."""
        messages = reveal_everywhere(messages)  # no hidden code point reaches any model
        failed: list[str] = []
        for name in self.chain(role, model):
            try:
                return self._complete_with(_Attempt(name, role, task, messages, tools))
            except _Failed as exc:
                failed.append(f"{name}: {exc}")
        raise ModelUnavailable(f"no model answered for {role}: " + "; ".join(failed))

    def _complete_with(self, attempt: _Attempt) -> ModelReply:
        missing = failures.missing_key(attempt.model)
        if missing:
            raise _Failed(f"no API key: set {missing}")
        self._prepare(attempt)
        retrying = Retrying(
            stop=stop_after_attempt(self.config.models.max_retries + 1),
            retry=retry_if_exception(failures.is_retryable),
            wait=self._wait, reraise=True)
        try:
            return retrying(self._attempt_once, attempt)
        except Exception as exc:
            if not self._is_model_error(exc):
                raise
            if window.is_context_error(exc):
                refused = window.exceeded(exc, attempt.model, attempt.counted_tokens)
                self.windows.learn(refused)
                raise refused from None
            raise _Failed(failures.describe(exc, attempt.model,
                                            self.config.models.request_timeout_s)) from exc

    def _wait(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        assert error is not None, "tenacity waits only after a failed attempt"
        return failures.backoff_s(state.attempt_number - 1, error, self.retry_base_s)

    def _attempt_once(self, attempt: _Attempt) -> ModelReply:
        """One call, budget-checked; a failure is recorded in the ledger before it is raised."""
        self.budget.check(attempt.prompt_cost_usd, attempt.prompt_tokens)
        started = time.monotonic()
        try:
            response = self._call(attempt)
        except Exception as exc:
            if self._is_model_error(exc) and not window.is_context_error(exc):
                reason = failures.describe(exc, attempt.model,
                                           self.config.models.request_timeout_s)
                self._record(attempt, latency=time.monotonic() - started, ok=False,
                             error=reason)
            raise
        return self._reply(attempt, response, time.monotonic() - started)

    @staticmethod
    def _is_model_error(exc: Exception) -> bool:
        import openai

        return isinstance(exc, openai.APIError)

    def _prepare(self, attempt: _Attempt) -> None:
        """Mark the cacheable prefix, count the prompt and price it for the budget check."""
        if caching.uses_prompt_caching(attempt.model):
            attempt.sent = caching.mark_cacheable(attempt.messages)
        else:
            attempt.sent = attempt.messages
        attempt.counted_tokens = tokens.count(attempt.model, attempt.messages, attempt.tools)
        attempt.prompt_tokens = attempt.counted_tokens
        limit = self.windows.get(attempt.model).limit
        if attempt.counted_tokens > limit:
            raise ContextExceeded(attempt.model, f"{attempt.counted_tokens} tokens; the window "
                                  f"holds {limit} as counted here", counted=attempt.counted_tokens)
        price = pricing.input_price(attempt.model)
        attempt.prompt_cost_usd = attempt.prompt_tokens * price
        remaining = self.budget.remaining()
        if price and remaining is not None and remaining < 2 * attempt.prompt_cost_usd:
            exact = tokens.anthropic_exact(attempt.model, attempt.messages, attempt.tools)
            if exact is not None:
                attempt.prompt_tokens, attempt.prompt_cost_usd = exact, exact * price

    def _call(self, attempt: _Attempt) -> Any:
        kwargs: dict[str, Any] = {}
        if attempt.tools:
            kwargs = {"tools": attempt.tools, "tool_choice": "auto"}
        return _litellm().completion(
            model=attempt.model,
            messages=attempt.sent,
            timeout=self.config.models.request_timeout_s,
            num_retries=0,
            **kwargs,
        )

    def _reply(self, attempt: _Attempt, response: Any, latency: float) -> ModelReply:
        message = response.choices[0].message if response.choices else None
        content = getattr(message, "content", None)
        calls = [
            parse_tool_call(c.id, c.function.name, c.function.arguments)
            for c in (getattr(message, "tool_calls", None) or [])
        ]
        history: dict[str, Any] = {"role": "assistant", "content": content}
        if calls:
            history["tool_calls"] = [
                {
                    "id": c.id,
                    "type": "function",
                    "function": {"name": c.name, "arguments": c.raw_arguments},
                }
                for c in calls
            ]
        usage = getattr(response, "usage", None)
        input_tokens = int(getattr(usage, "prompt_tokens", 0) or 0)
        output_tokens = int(getattr(usage, "completion_tokens", 0) or 0)
        details = getattr(usage, "prompt_tokens_details", None)
        cached = int(
            getattr(details, "cached_tokens", 0)
            or getattr(usage, "cache_read_input_tokens", 0)
            or 0
        )
        cost = pricing.cost(attempt.model, response)
        self.windows.observe(attempt.model, attempt.counted_tokens, input_tokens)
        cacheable = self._cacheable(attempt, input_tokens)
        self._record(
            attempt,
            latency=latency,
            ok=True,
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            cached=cached,
            cost=cost,
            cacheable=cacheable,
        )
        return ModelReply(
            message=history,
            content=content,
            tool_calls=calls,
            model=attempt.model,
            cost_usd=cost,
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            cached_input_tokens=cached,
            latency_s=latency,
        )

    def _cacheable(self, attempt: _Attempt, input_tokens: int) -> int:
        key = (attempt.role, attempt.task)
        shared = self._prefixes.shared(key, attempt.messages)
        self._prefixes.remember(key, attempt.messages)
        if not shared and not attempt.tools:
            return 0
        prefix = tokens.count(attempt.model, attempt.messages[:shared], attempt.tools)
        return caching.scaled(input_tokens, prefix, attempt.counted_tokens)

    def _record(
        self,
        attempt: _Attempt,
        *,
        latency: float,
        ok: bool,
        error: str | None = None,
        input_tokens: int = 0,
        output_tokens: int = 0,
        cached: int = 0,
        cost: float = 0.0,
        cacheable: int = 0,
    ) -> None:
        self.ledger.record(
            Call(
                run_id=self.run_id,
                issue=self.issue,
                role=attempt.role,
                task=attempt.task,
                model=attempt.model,
                input_tokens=input_tokens,
                cached_input_tokens=cached,
                output_tokens=output_tokens,
                cost_usd=cost,
                latency_s=latency,
                ok=ok,
                error=error,
                cacheable_prompt_tokens=cacheable,
            )
        )
