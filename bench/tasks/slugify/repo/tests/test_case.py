from textkit import snake_case, title_case


def test_snake_case_splits_camel_case_and_acronyms():
    assert snake_case("HTTPServer error") == "http_server_error"
    assert snake_case("parseJSONResponse") == "parse_json_response"


def test_snake_case_of_empty_text():
    assert snake_case("") == ""


def test_title_case_keeps_small_words_lower_inside():
    assert title_case("the lord of the rings") == "The Lord of the Rings"
    assert title_case("what it is for") == "What It Is For"
