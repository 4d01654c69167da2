import pytest

from envfile import EnvError, load, parse


def test_simple_pairs():
    assert parse("DEBUG=1\n# a comment\nNAME = demo") == {"DEBUG": "1", "NAME": "demo"}


def test_last_value_wins():
    assert parse("A=1\nA=2") == {"A": "2"}


def test_invalid_key():
    with pytest.raises(EnvError, match="line 2: invalid key '9LIVES'"):
        parse("A=1\n9LIVES=yes")


def test_load(tmp_path):
    (tmp_path / ".env").write_text("GREETING=grüß dich", encoding="utf-8")
    assert load(tmp_path / ".env") == {"GREETING": "grüß dich"}
