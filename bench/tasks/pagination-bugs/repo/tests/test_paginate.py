import pytest

from pager import Page, page_count, paginate


def test_page_count_rounds_up():
    assert page_count(25, 10) == 3
    assert page_count(1, 10) == 1


def test_empty_list_has_one_page():
    assert page_count(0, 10) == 1


def test_per_page_must_be_positive():
    with pytest.raises(ValueError):
        page_count(10, 0)


def test_page_knows_its_number_and_neighbours():
    page = paginate(range(35), 2, per_page=10)
    assert page.number == 2 and page.pages == 4
    assert page.has_prev


def test_describe_a_full_page():
    page = Page(items=list(range(10, 20)), number=2, pages=4, total=35, per_page=10)
    assert page.describe() == "items 11-20 of 35"
