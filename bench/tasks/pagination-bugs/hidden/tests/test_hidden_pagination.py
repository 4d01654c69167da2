import pytest

from pager import PageError, page_count, paginate


def test_first_page_holds_the_first_items():
    assert paginate(range(35), 1, per_page=10).items == list(range(10))


def test_middle_and_last_pages():
    assert paginate(range(35), 2, per_page=10).items == list(range(10, 20))
    assert paginate(range(35), 4, per_page=10).items == [30, 31, 32, 33, 34]


def test_generator_input():
    page = paginate((x * x for x in range(5)), 2, per_page=2)
    assert page.items == [4, 9] and page.pages == 3 and page.total == 5


@pytest.mark.parametrize(("total", "per_page", "pages"), [
    (0, 10, 1), (1, 10, 1), (9, 10, 1), (10, 10, 1), (11, 10, 2), (20, 10, 2),
    (21, 10, 3), (100, 1, 100), (7, 3, 3),
])
def test_page_count(total, per_page, pages):
    assert page_count(total, per_page) == pages


def test_exact_multiple_has_no_phantom_page():
    assert paginate(range(20), 2, per_page=10).pages == 2
    with pytest.raises(PageError):
        paginate(range(20), 3, per_page=10)


@pytest.mark.parametrize(("number", "message"), [
    (5, "page 5 out of range 1..4"),
    (0, "page 0 out of range 1..4"),
    (-1, "page -1 out of range 1..4"),
])
def test_out_of_range(number, message):
    with pytest.raises(PageError) as info:
        paginate(range(35), number, per_page=10)
    assert str(info.value) == message


def test_page_error_is_a_value_error():
    with pytest.raises(ValueError):
        paginate([1], 2)


def test_empty_list():
    page = paginate([], 1)
    assert page.items == [] and page.pages == 1
    assert not page.has_next and not page.has_prev
    assert page.describe() == "no items"
    with pytest.raises(PageError) as info:
        paginate([], 2)
    assert str(info.value) == "page 2 out of range 1..1"


def test_has_next():
    assert paginate(range(35), 1, per_page=10).has_next
    assert paginate(range(35), 3, per_page=10).has_next
    assert not paginate(range(35), 4, per_page=10).has_next
    assert not paginate(range(10), 1, per_page=10).has_next


def test_describe():
    assert paginate(range(35), 2, per_page=10).describe() == "items 11-20 of 35"
    assert paginate(range(35), 4, per_page=10).describe() == "items 31-35 of 35"
    assert paginate(range(1), 1, per_page=10).describe() == "items 1-1 of 1"
    assert paginate(range(20), 2, per_page=10).describe() == "items 11-20 of 20"


def test_per_page_below_one():
    with pytest.raises(ValueError):
        paginate(range(5), 1, per_page=0)
