import unittest

from wordstats import count_words


class CountWordsTest(unittest.TestCase):
    def test_counts_words(self) -> None:
        self.assertEqual(count_words("The cat, the hat."), 4)

    def test_empty(self) -> None:
        self.assertEqual(count_words(""), 0)
