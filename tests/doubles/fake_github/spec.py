"""GitHub's official OpenAPI description: response validation and body templates built from it."""

from __future__ import annotations

import copy
import json
import os
from functools import cache
from pathlib import Path
from typing import Any

SPEC_RELPATH = Path("node_modules/@octokit/openapi/generated/api.github.com.json")
_URI = "urn:github-openapi"
_EPOCH = "2026-01-01T00:00:00Z"


def find_spec(start: Path | None = None) -> Path | None:
    """The spec under FACTORY_OPENAPI_SPEC, or node_modules in start or one of its parents."""
    override = os.environ.get("FACTORY_OPENAPI_SPEC")
    if override:
        return Path(override) if Path(override).is_file() else None
    here = (start or Path(__file__)).resolve()
    for folder in (here, *here.parents):
        if (folder / SPEC_RELPATH).is_file():
            return folder / SPEC_RELPATH
    cwd = Path.cwd() / SPEC_RELPATH
    return cwd if cwd.is_file() else None


class SpecError(AssertionError):
    """A body the fake built does not match GitHub's description: the fake has drifted."""


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


class Spec:
    """One parsed description; validators are made lazily and kept per response schema."""

    def __init__(self, document: dict[str, Any]) -> None:
        from openapi_schema_validator import OAS30Validator
        from referencing import Registry
        from referencing.jsonschema import DRAFT4

        self.document = document
        self._registry: Any = Registry().with_resource(_URI, DRAFT4.create_resource(document))
        self._validator_class: Any = OAS30Validator
        self._validators: dict[str, Any] = {}
        self._templates: dict[str, Any] = {}

    def _resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            node = self.pointer(node["$ref"])
        return node

    def pointer(self, ref: str) -> Any:
        node: Any = self.document
        for part in ref.lstrip("#/").split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    def response_ref(self, method: str, template: str, status: int) -> str | None:
        """JSON pointer to the response body schema, or None when the spec declares no body."""
        operation = self.document["paths"][template][method.lower()]
        responses = operation["responses"]
        if str(status) not in responses:
            # GitHub answers any request with errors the description leaves out (403 for
            # permissions, 404 for private resources): those still have GitHub's error shape.
            if status >= 400:
                return "#/components/schemas/basic-error"
            raise SpecError(f"{method} {template}: the spec declares no {status} response")
        response = responses[str(status)]
        ref = f"#/paths/{_escape(template)}/{method.lower()}/responses/{status}"
        if "$ref" in response:
            ref = response["$ref"]
            response = self._resolve(response)
        if "application/json" not in response.get("content", {}):
            return None
        return f"{ref}/content/application~1json/schema"

    def validate(self, method: str, template: str, status: int, body: Any) -> None:
        ref = self.response_ref(method, template, status)
        if ref is None:
            if body is not None:
                raise SpecError(f"{method} {template} {status}: the spec declares no body")
            return
        validator = self._validators.get(ref)
        if validator is None:
            validator = self._validator_class({"$ref": f"{_URI}{ref}"}, registry=self._registry)
            self._validators[ref] = validator
        from jsonschema.exceptions import best_match

        error = best_match(validator.iter_errors(body))
        if error is not None:
            where = "/".join(str(p) for p in error.absolute_path) or "(root)"
            raise SpecError(f"{method} {template} {status}: at {where}: {error.message[:300]}")

    def template(self, component: str) -> dict[str, Any]:
        """A minimal valid instance of components/schemas/<component>: only required fields."""
        if component not in self._templates:
            self._templates[component] = _synth(self, {"$ref": f"#/components/schemas/{component}"}, 0)
        return copy.deepcopy(self._templates[component])


def _synth(spec: Spec, schema: dict[str, Any], depth: int) -> Any:
    schema = spec._resolve(schema)
    if depth > 12:
        return None
    if "allOf" in schema:
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            value = _synth(spec, part, depth + 1)
            if isinstance(value, dict):
                merged.update(value)
        return merged
    for key in ("oneOf", "anyOf"):
        if key in schema:
            return _synth(spec, schema[key][0], depth + 1)
    if schema.get("nullable"):
        return None
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        return {name: _synth(spec, props.get(name, {}), depth + 1)
                for name in schema.get("required", [])}
    if kind == "array":
        return []
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "number":
        return 0.0
    if kind == "boolean":
        return False
    if kind == "string":
        fmt = schema.get("format")
        if fmt == "date-time":
            return _EPOCH
        if fmt == "uri":
            return "https://github.invalid/"
        if fmt == "email":
            return "octocat@example.com"
        return ""
    return None


@cache
def load(path: Path | None = None) -> Spec:
    """The spec, parsed once per process (13 MB, ~0.2 s)."""
    found = path or find_spec()
    if found is None:
        raise FileNotFoundError(f"{SPEC_RELPATH} not found: run `npm ci` in the repository root")
    return Spec(json.loads(found.read_text(encoding="utf-8")))
