import pytest

from todo.store import Item, TodoStore


def test_add_assigns_increasing_ids(tmp_path):
    store = TodoStore(tmp_path / "todo.json")
    assert store.add("one") == Item(1, "one")
    assert store.add("two") == Item(2, "two")
    assert store.load() == [Item(1, "one"), Item(2, "two")]


def test_complete(tmp_path):
    store = TodoStore(tmp_path / "todo.json")
    store.add("one")
    assert store.complete(1).done
    assert store.load() == [Item(1, "one", True)]


def test_complete_unknown(tmp_path):
    with pytest.raises(KeyError):
        TodoStore(tmp_path / "todo.json").complete(3)
