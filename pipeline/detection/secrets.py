"""What counts as a secret in text the factory would publish: the values of the environment's
secret-looking variables, private keys, and the formats of known API keys. Findings name the
kind of secret, never the secret."""

from __future__ import annotations

import re
from collections.abc import Mapping

from pipeline.core.sanitize import redact

_PRIVATE_KEY = re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----")
_SECRET_NAME = re.compile(r"(?:TOKEN|SECRET|PASSWORD|PASSWD|_KEY|APIKEY|CREDENTIALS?)$")


def secret_values(environ: Mapping[str, str]) -> dict[str, str]:
    """Values of the environment's secret-looking variables: never to be posted or pushed."""
    return {name: value for name, value in environ.items()
            if _SECRET_NAME.search(name.upper()) and len(value) >= 6}


def find_secret(text: str, secrets: Mapping[str, str]) -> str | None:
    """What kind of secret text carries (never the secret itself), or None."""
    for name, value in secrets.items():
        if value in text:
            return f"the value of ${name}"
    if _PRIVATE_KEY.search(text):
        return "a private key"
    if redact(text) != text:
        return "a token-shaped string (a known API key format)"
    return None
