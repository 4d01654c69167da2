import re

WORD = re.compile(r"[A-Za-z']+")


def words(text: str) -> list[str]:
    return [word.lower() for word in WORD.findall(text)]


def count_words(text: str) -> int:
    return len(words(text))
