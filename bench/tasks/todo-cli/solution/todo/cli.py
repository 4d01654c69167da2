"""python -m todo [--file PATH] {add,list,done,rm} ..."""

import argparse
import sys

from todo.store import TodoStore


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="todo")
    parser.add_argument("--file", default="todo.json", help="the list (default todo.json)")
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add", help="add an item")
    add.add_argument("text", nargs="+")
    listing = commands.add_parser("list", help="show the items")
    listing.add_argument("--pending", action="store_true", help="only open items")
    for name in ("done", "rm"):
        commands.add_parser(name).add_argument("id", type=int)
    args = parser.parse_args(argv)

    store = TodoStore(args.file)
    try:
        items = store.load()
    except ValueError:
        return fail(f"{args.file} is not a valid todo file")
    if args.command == "add":
        text = " ".join(" ".join(args.text).split())
        if not text:
            return fail("empty text")
        item = store.add(text)
        print(f"added {item.id}: {item.text}")
    elif args.command == "list":
        shown = [item for item in items if not (args.pending and item.done)]
        for item in shown:
            print(f"[{'x' if item.done else ' '}] {item.id} {item.text}")
        if not shown:
            print("nothing to do")
    else:
        action, verb = (store.complete, "done") if args.command == "done" else (store.remove, "removed")
        try:
            item = action(args.id)
        except KeyError:
            return fail(f"no item {args.id}")
        print(f"{verb} {item.id}: {item.text}")
    return 0


def fail(message: str) -> int:
    print(f"todo: {message}", file=sys.stderr)
    return 1
