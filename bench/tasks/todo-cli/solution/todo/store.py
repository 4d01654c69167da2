"""Items in a JSON file: a list of {"id", "text", "done"} objects."""

import json
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass
class Item:
    id: int
    text: str
    done: bool = False


class TodoStore:
    def __init__(self, path):
        self.path = Path(path)

    def load(self) -> list[Item]:
        """Every item in id order; a missing file has none. Invalid JSON raises ValueError."""
        if not self.path.exists():
            return []
        return sorted((Item(**raw) for raw in json.loads(self.path.read_text())),
                      key=lambda item: item.id)

    def save(self, items: list[Item]) -> None:
        self.path.write_text(json.dumps([asdict(item) for item in items], indent=2) + "\n")

    def add(self, text: str) -> Item:
        items = self.load()
        item = Item(id=max((item.id for item in items), default=0) + 1, text=text)
        self.save([*items, item])
        return item

    def complete(self, item_id: int) -> Item:
        items = self.load()
        for item in items:
            if item.id == item_id:
                item.done = True
                self.save(items)
                return item
        raise KeyError(item_id)

    def remove(self, item_id: int) -> Item:
        items = self.load()
        for item in items:
            if item.id == item_id:
                self.save([other for other in items if other.id != item_id])
                return item
        raise KeyError(item_id)
