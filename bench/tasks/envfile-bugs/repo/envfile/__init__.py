"""Reads .env files into a dict."""

from envfile.parser import EnvError, load, parse

__all__ = ["EnvError", "load", "parse"]
