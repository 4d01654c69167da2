"""Prices through litellm: factory.yaml's `pricing:` registered, costs read back per call."""

from __future__ import annotations

import logging
import threading
from typing import Any

from pipeline.config.settings import Price

log = logging.getLogger(__name__)

_unpriced: set[str] = set()
_unpriced_lock = threading.Lock()


def _litellm() -> Any:
    import litellm

    litellm.suppress_debug_info = True
    return litellm


def register(pricing: dict[str, Price]) -> None:
    """Teach litellm the configured prices so completion_cost() knows those models."""
    entries = {}
    for model, price in pricing.items():
        cached = (
            price.input_per_mtok
            if price.cached_input_per_mtok is None
            else (price.cached_input_per_mtok)
        )
        entries[model] = {
            "input_cost_per_token": price.input_per_mtok / 1e6,
            "output_cost_per_token": price.output_per_mtok / 1e6,
            "cache_read_input_token_cost": cached / 1e6,
            "litellm_provider": model.split("/", 1)[0] if "/" in model else "openai",
            "mode": "chat",
        }
    if entries:
        _litellm().register_model(entries)


def known(model: str, pricing: dict[str, Price]) -> bool:
    """Whether model has a price: in factory.yaml (even $0: a choice), or litellm's above $0."""
    if model in pricing:
        return True
    try:
        info = _litellm().get_model_info(model)
    except Exception:  # litellm raises for models it has no entry for
        return False
    return bool(info.get("input_cost_per_token") or info.get("output_cost_per_token"))


def input_price(model: str) -> float:
    """USD per input token; 0 for a model litellm has no price for."""
    try:
        info = _litellm().get_model_info(model)
    except Exception:  # litellm raises for models it has no entry for
        return 0.0
    return float(info.get("input_cost_per_token") or 0.0)


def cost(model: str, response: Any) -> float:
    """litellm's price for this response; 0 (noted once per model) when it has none."""
    litellm = _litellm()
    # Our model string first: a server may answer under another name than the one priced.
    for kwargs in ({"model": model}, {}):
        try:
            return float(litellm.completion_cost(completion_response=response, **kwargs))
        except Exception:  # not mapped under this name
            continue
    _note_unpriced(model)
    return 0.0


def _note_unpriced(model: str) -> None:
    with _unpriced_lock:
        if model in _unpriced:
            return
        _unpriced.add(model)
    log.warning(
        "no price known for %s: its calls are counted as $0 (add it under `pricing:` "
        "in factory.yaml)",
        model,
    )
