from pipeline.memory.sparse import encode_document, encode_query, term_index, tokens


def test_identifiers_split_into_words_and_kept_whole() -> None:
    assert tokens("getUserName") == ["get", "user", "name", "getusernam"]
    assert tokens("HTTPServer") == ["http", "server", "httpserver"]
    assert tokens("snake_case_value")[:3] == ["snake", "case", "valu"]


def test_paths_split_on_separators() -> None:
    assert tokens("pipeline/memory/store.py") == ["pipelin", "memori", "store", "py"]


def test_stop_words_dropped_and_words_stemmed() -> None:
    assert tokens("The retries were failing when connecting") == ["retri", "fail", "connect"]


def test_document_weights_saturate_and_normalise_by_length() -> None:
    once = encode_document([("cache", 1.0)])
    many = encode_document([("cache cache cache cache cache cache", 1.0)])
    cache = term_index("cach")
    weight_once = once.values[once.indices.index(cache)]
    weight_many = many.values[many.indices.index(cache)]
    assert weight_once < weight_many < 2.2  # bounded by k1 + 1
    padded = encode_document([("cache " + " ".join(f"word{i}" for i in range(80)), 1.0)])
    assert padded.values[padded.indices.index(cache)] < weight_once


def test_query_vector_is_sorted_and_unique() -> None:
    query = encode_query("cache cache invalidation")
    assert query.indices == sorted(set(query.indices))
    assert query.values == [1.0] * len(query.indices)


def test_nothing_but_stop_words_gives_an_empty_query() -> None:
    assert encode_query("the and of").indices == []


def test_long_queries_are_capped() -> None:
    long = " ".join(f"term{i}x" for i in range(500))
    assert len(encode_query(long).indices) == 64
