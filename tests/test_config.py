from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pipeline.config import template as config_template
from pipeline.config.settings import Config, load
from pipeline.core.errors import BadInput


def test_defaults_without_a_file(tmp_path: Path) -> None:
    config = load(tmp_path, environ={})
    assert config.models.for_role("generator") == config.models.default
    assert [r.model for r in config.models.panel()] == [config.models.default]


def test_unknown_key_is_named(tmp_path: Path) -> None:
    (tmp_path / "factory.yaml").write_text("limits:\n  max_stepz: 3\n")
    with pytest.raises(BadInput) as error:
        load(tmp_path, environ={})
    assert "limits.max_stepz: unknown key" in error.value.message
    assert "\n" not in error.value.message


def test_bad_value_is_named(tmp_path: Path) -> None:
    (tmp_path / "factory.yaml").write_text("budget:\n  per_job_usd: -1\n")
    with pytest.raises(BadInput, match=r"budget\.per_job_usd"):
        load(tmp_path, environ={})


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    (tmp_path / "factory.yaml").write_text("models:\n  default: [unclosed\n")
    with pytest.raises(BadInput, match="line"):
        load(tmp_path, environ={})


def test_env_overrides_and_model_everywhere(tmp_path: Path) -> None:
    (tmp_path / "factory.yaml").write_text(yaml.safe_dump({
        "models": {"generator": "anthropic/x", "reviewers": [{"model": "gemini/y",
                                                              "focus": "security"}]}}))
    config = load(tmp_path, environ={"FACTORY_TEST_COMMAND": "make test", "FACTORY_WORKERS": "3"})
    assert config.test_command == "make test" and config.limits.workers == 3
    assert config.models.for_role("generator") == "anthropic/x"

    everywhere = load(tmp_path, model="openai/z", environ={})
    assert {everywhere.models.for_role(r) for r in ("planner", "generator", "evaluator")} == {"openai/z"}
    assert [(r.model, r.focus) for r in everywhere.models.panel()] == [("openai/z", "security")]


def test_config_is_immutable(tmp_path: Path) -> None:
    config = load(tmp_path, environ={})
    with pytest.raises(ValueError):
        config.test_command = "rm -rf /"  # type: ignore[misc]


def test_commented_template_is_valid_and_documents_every_section() -> None:
    text = config_template.render()
    parsed = Config.model_validate(yaml.safe_load(text))
    assert len(parsed.models.reviewers) == 3
    assert "# Hard cap for one job" in text and "# Generator rounds per task" in text
