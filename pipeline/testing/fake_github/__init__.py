"""A stateful fake of GitHub's REST API for tests and benchmarks, checked against GitHub's spec."""

from pipeline.testing.fake_github.server import FakeGitHub, Fault
from pipeline.testing.fake_github.spec import SpecError, find_spec

__all__ = ["FakeGitHub", "Fault", "SpecError", "find_spec"]
