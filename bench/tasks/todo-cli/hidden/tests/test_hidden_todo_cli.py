import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def todo(*args, cwd):
    return subprocess.run([sys.executable, "-m", "todo", *args], text=True, capture_output=True,
                          cwd=cwd, timeout=20,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})


def in_process(argv, capsys):
    from todo.cli import main

    status = main(argv)
    out, err = capsys.readouterr()
    return status, out, err


def test_add_list_done_rm(tmp_path, capsys):
    path = str(tmp_path / "list.json")
    assert in_process(["--file", path, "add", "buy", "milk"], capsys) == (0, "added 1: buy milk\n", "")
    assert in_process(["--file", path, "add", "  call   mom "], capsys) == (0, "added 2: call mom\n", "")
    assert in_process(["--file", path, "done", "1"], capsys) == (0, "done 1: buy milk\n", "")
    assert in_process(["--file", path, "done", "1"], capsys) == (0, "done 1: buy milk\n", "")
    assert in_process(["--file", path, "list"], capsys) == (0, "[x] 1 buy milk\n[ ] 2 call mom\n", "")
    assert in_process(["--file", path, "list", "--pending"], capsys) == (0, "[ ] 2 call mom\n", "")
    assert in_process(["--file", path, "rm", "2"], capsys) == (0, "removed 2: call mom\n", "")
    assert in_process(["--file", path, "list", "--pending"], capsys) == (0, "nothing to do\n", "")
    assert json.loads(Path(path).read_text()) == [{"id": 1, "text": "buy milk", "done": True}]


def test_default_file_in_the_current_directory(tmp_path):
    assert todo("add", "water plants", cwd=tmp_path).stdout == "added 1: water plants\n"
    assert json.loads((tmp_path / "todo.json").read_text())[0]["text"] == "water plants"
    done = todo("list", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (0, "[ ] 1 water plants\n")


def test_missing_file_lists_nothing(tmp_path, capsys):
    assert in_process(["--file", str(tmp_path / "none.json"), "list"], capsys) == (0, "nothing to do\n", "")
    assert not (tmp_path / "none.json").exists() or json.loads((tmp_path / "none.json").read_text()) == []


def test_store_remove(tmp_path):
    from todo.store import Item, TodoStore

    store = TodoStore(tmp_path / "t.json")
    store.add("a")
    store.add("b")
    assert store.remove(1) == Item(1, "a")
    assert store.load() == [Item(2, "b")]
    with pytest.raises(KeyError):
        store.remove(1)


@pytest.mark.parametrize("command", ["done", "rm"])
def test_unknown_id(tmp_path, capsys, command):
    path = tmp_path / "todo.json"
    path.write_text('[{"id": 1, "text": "a", "done": false}]')
    before = path.read_text()
    assert in_process(["--file", str(path), command, "7"], capsys) == (1, "", "todo: no item 7\n")
    assert path.read_text() == before


@pytest.mark.parametrize("words", [[""], ["   "], [" ", "  "]])
def test_empty_text(tmp_path, capsys, words):
    path = tmp_path / "todo.json"
    assert in_process(["--file", str(path), "add", *words], capsys) == (1, "", "todo: empty text\n")
    assert not path.exists()


def test_invalid_json(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "broken.json").write_text("{not json")
    message = "todo: broken.json is not a valid todo file\n"
    for args in (["list"], ["add", "x"], ["done", "1"], ["rm", "1"]):
        assert in_process(["--file", "broken.json", *args], capsys) == (1, "", message)
    (tmp_path / "todo.json").write_text("[1, 2")
    assert in_process(["list"], capsys) == (1, "", "todo: todo.json is not a valid todo file\n")
    assert (tmp_path / "broken.json").read_text() == "{not json"


@pytest.mark.parametrize("args", [[], ["frobnicate"], ["done", "one"], ["rm"]])
def test_usage_errors(tmp_path, capsys, args):
    from todo.cli import main

    try:
        status = main(args)
    except SystemExit as stop:  # argparse's way; returning 2 is fine too
        status = stop.code
    assert status == 2
    out, err = capsys.readouterr()
    assert "usage:" in err and out == ""


def test_usage_error_exit_status_of_the_module(tmp_path):
    done = todo("done", "one", cwd=tmp_path)
    assert done.returncode == 2
    assert "usage:" in done.stderr and done.stdout == ""
