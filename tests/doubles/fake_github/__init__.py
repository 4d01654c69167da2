"""A stateful fake of GitHub's REST API for tests and benchmarks, checked against GitHub's spec."""

from doubles.fake_github.server import FakeGitHub, Fault
from doubles.fake_github.spec import SpecError, find_spec

__all__ = ["FakeGitHub", "Fault", "SpecError", "find_spec"]
