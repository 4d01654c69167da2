import pytest

from textkit import slugify
from textkit.slug import slugify as slugify_from_module


def test_exported_from_the_package():
    assert slugify is slugify_from_module


def test_plain_title():
    assert slugify("Hello, World!") == "hello-world"


def test_accents_keep_their_base_letter():
    assert slugify("Crème Brûlée") == "creme-brulee"
    assert slugify("Ångström Über") == "angstrom-uber"


def test_other_non_ascii_is_dropped():
    assert slugify("日本 Tokyo") == "tokyo"
    assert slugify("日本語") == ""


def test_apostrophes_do_not_split_words():
    assert slugify("Don't Panic") == "dont-panic"
    assert slugify("L’été") == "lete"


def test_runs_of_symbols_become_one_separator():
    assert slugify("a -- b__c") == "a-b-c"
    assert slugify("  --leading and trailing--  ") == "leading-and-trailing"


def test_empty_and_symbol_only_input():
    assert slugify("") == ""
    assert slugify("   ") == ""
    assert slugify("!!! ??? ...") == ""


def test_digits_are_kept():
    assert slugify("Top 10 Tips for 2024") == "top-10-tips-for-2024"


def test_custom_separator():
    assert slugify("Hello World", separator="_") == "hello_world"
    assert slugify("a b c", separator="--") == "a--b--c"


def test_empty_separator_is_an_error():
    with pytest.raises(ValueError):
        slugify("a b", separator="")


def test_max_length_cuts_at_a_word_boundary():
    assert slugify("the quick brown fox", max_length=12) == "the-quick"
    assert slugify("the quick brown fox", max_length=9) == "the-quick"
    assert slugify("the quick brown fox", max_length=8) == "the"
    assert slugify("the quick brown fox", max_length=100) == "the-quick-brown-fox"


def test_max_length_counts_a_long_separator():
    assert slugify("ab cd ef", separator="--", max_length=7) == "ab--cd"
    assert slugify("ab cd ef", separator="--", max_length=5) == "ab"


def test_max_length_shorter_than_the_first_word():
    assert slugify("internationalization rocks", max_length=5) == "inter"


def test_max_length_never_ends_with_the_separator():
    for limit in range(1, 25):
        slug = slugify("one two three four", max_length=limit)
        assert len(slug) <= limit
        assert not slug.endswith("-")


@pytest.mark.parametrize("limit", [0, -3])
def test_max_length_below_one_is_an_error(limit):
    with pytest.raises(ValueError):
        slugify("abc", max_length=limit)


@pytest.mark.parametrize("value", [None, 42, b"bytes"])
def test_non_string_is_a_type_error(value):
    with pytest.raises(TypeError):
        slugify(value)
