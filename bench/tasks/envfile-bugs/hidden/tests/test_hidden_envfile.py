import pytest

from envfile import EnvError, load, parse


def test_blank_lines_are_ignored():
    assert parse("A=1\n\n   \n\t\nB=2\n") == {"A": "1", "B": "2"}
    assert parse("") == {}
    assert parse("\n\n") == {}


def test_only_the_first_equals_sign_separates():
    assert parse("URL=postgres://db/app?sslmode=require") == {
        "URL": "postgres://db/app?sslmode=require"}
    assert parse("EQ===") == {"EQ": "=="}


def test_export_prefix():
    assert parse("export TOKEN=abc\nexport  SPACED = x") == {"TOKEN": "abc", "SPACED": "x"}
    assert parse("exported=1") == {"exported": "1"}


def test_windows_line_endings():
    assert parse("A=1\r\nB=\"two\"\r\n\r\nC=3 # c\r\n") == {"A": "1", "B": "two", "C": "3"}


def test_double_quotes():
    assert parse('GREETING="hello world"') == {"GREETING": "hello world"}
    assert parse('A = "  padded  "') == {"A": "  padded  "}
    assert parse('A="has # hash"') == {"A": "has # hash"}
    assert parse('A=""') == {"A": ""}


def test_double_quote_escapes():
    assert parse(r'A="line1\nline2"') == {"A": "line1\nline2"}
    assert parse(r'A="say \"hi\""') == {"A": 'say "hi"'}
    assert parse(r'A="back\\slash"') == {"A": "back\\slash"}
    assert parse(r'A="c:\temp"') == {"A": "c:\\temp"}
    assert parse(r'A="\\n"') == {"A": "\\n"}


def test_single_quotes_are_literal():
    assert parse(r"A='x'") == {"A": "x"}
    assert parse(r"A='no \n escapes # here'") == {"A": "no \\n escapes # here"}
    assert parse("A='say \"hi\"'") == {"A": 'say "hi"'}


def test_comment_after_quote():
    assert parse('A="x"   # note\nB=\'y\'#tight') == {"A": "x", "B": "y"}


@pytest.mark.parametrize("line", ['A="x" y', "A='x'y", 'A="x""y"'])
def test_text_after_quote(line):
    with pytest.raises(EnvError) as info:
        parse("OK=1\n" + line)
    assert str(info.value) == "line 2: unexpected text after quote"


@pytest.mark.parametrize("line", ['A="open', "A='open", 'A="escaped at end\\"'])
def test_unterminated_quote(line):
    with pytest.raises(EnvError) as info:
        parse("\n" + line + "\nB=1")
    assert str(info.value) == "line 2: unterminated quote"


def test_quotes_inside_unquoted_values():
    assert parse("A=it's") == {"A": "it's"}
    assert parse('A=say "hi"') == {"A": 'say "hi"'}


def test_inline_comments():
    assert parse("PORT=8080   # web") == {"PORT": "8080"}
    assert parse("PORT=8080\t# tab") == {"PORT": "8080"}
    assert parse("COLOR=#fff") == {"COLOR": "#fff"}
    assert parse("A=b#c") == {"A": "b#c"}
    assert parse("A=b #c #d") == {"A": "b"}


def test_empty_values():
    assert parse("A=\nB=  # nothing\nC=   ") == {"A": "", "B": "", "C": ""}


def test_line_numbers_count_blank_lines():
    with pytest.raises(EnvError) as info:
        parse("A=1\n\n# comment\n\nNOPE\n")
    assert str(info.value) == "line 5: expected KEY=VALUE"
    with pytest.raises(EnvError) as info:
        parse("\n\nexport 1A=2")
    assert str(info.value) == "line 3: invalid key '1A'"


def test_still_a_value_error():
    with pytest.raises(ValueError):
        parse("A B")


def test_load_a_realistic_file(tmp_path):
    (tmp_path / ".env").write_text(
        "# app settings\n"
        "export APP_NAME=\"Dark Factory\"\n"
        "\n"
        "DATABASE_URL=postgres://user:p%40ss@db:5432/app?sslmode=require\n"
        "SECRET='s3cr3t#not-a-comment'\n"
        "DEBUG=false  # switch on locally\n"
        "EMPTY=\n", encoding="utf-8")
    assert load(tmp_path / ".env") == {
        "APP_NAME": "Dark Factory",
        "DATABASE_URL": "postgres://user:p%40ss@db:5432/app?sslmode=require",
        "SECRET": "s3cr3t#not-a-comment",
        "DEBUG": "false",
        "EMPTY": "",
    }
