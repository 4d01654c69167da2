from wordfreq import count_words


def test_counts_are_case_insensitive():
    assert count_words("The cat and the hat") == {"the": 2, "cat": 1, "and": 1, "hat": 1}


def test_apostrophes_and_digits():
    assert count_words("don't stop 42 times") == {"don't": 1, "stop": 1, "times": 1}


def test_other_alphabets():
    assert count_words("Ελλάδα ελλάδα") == {"ελλάδα": 2}
