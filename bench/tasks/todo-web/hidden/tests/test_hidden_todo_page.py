import shutil
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
PAGE = Path(__file__).resolve().parents[1] / "index.html"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def chromium():
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs: pip install playwright")
    if not shutil.which(CHROMIUM):
        pytest.skip(f"needs Chromium at {CHROMIUM}")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def tab(chromium):
    page = chromium.new_page()
    page.set_default_timeout(2000)
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    yield page
    page.close()


@pytest.fixture
def todo(tab):
    """The page freshly loaded (it keeps nothing between loads)."""
    tab.errors.clear()
    tab.goto(PAGE.as_uri())
    yield tab
    assert tab.errors == [], tab.errors


def add(page, *texts):
    for text in texts:
        page.fill("#new-todo", text)
        page.press("#new-todo", "Enter")


def classes(page):
    return page.eval_on_selector_all("#todo-list li.todo", "items => items.map(item => [...item.classList])")


def items(page):
    return page.locator("#todo-list li.todo")


def texts(page, visible_only=False):
    shown = page.eval_on_selector_all(
        "#todo-list li.todo",
        "items => items.map(item => [item.querySelector('.text').textContent,"
        " item.getClientRects().length > 0])")
    return [text for text, visible in shown if visible or not visible_only]


def toggle(page, index):
    items(page).nth(index).locator(".toggle").click()


def test_items_have_the_structure_asked_for(todo):
    add(todo, "buy milk")
    item = items(todo).first
    assert item.locator("input.toggle[type=checkbox]").count() == 1
    assert item.locator("span.text").text_content() == "buy milk"
    assert item.locator("button.delete").count() == 1


def test_text_is_trimmed_and_input_cleared(todo):
    add(todo, "   call mom  ")
    assert texts(todo) == ["call mom"]
    assert todo.input_value("#new-todo") == ""


def test_blank_text_adds_nothing(todo):
    add(todo, "", "    ", "\t")
    assert items(todo).count() == 0
    assert todo.text_content("#count").strip() == "0 items left"


def test_text_is_shown_literally(todo):
    add(todo, "<b>hi</b> & <img src=x>")
    assert texts(todo) == ["<b>hi</b> & <img src=x>"]
    assert todo.locator("#todo-list b, #todo-list img").count() == 0


def test_order_and_counter(todo):
    assert todo.text_content("#count").strip() == "0 items left"
    add(todo, "one")
    assert todo.text_content("#count").strip() == "1 item left"
    add(todo, "two", "three")
    assert texts(todo) == ["one", "two", "three"]
    assert todo.text_content("#count").strip() == "3 items left"


def test_toggle_marks_done_and_back(todo):
    add(todo, "one", "two")
    toggle(todo, 0)
    first, second = classes(todo)
    assert "done" in first and "done" not in second
    assert todo.text_content("#count").strip() == "1 item left"
    toggle(todo, 0)
    assert ["done" in found for found in classes(todo)] == [False, False]
    assert todo.text_content("#count").strip() == "2 items left"


def test_delete(todo):
    add(todo, "one", "two", "three")
    toggle(todo, 2)
    items(todo).nth(1).locator(".delete").click()
    assert texts(todo) == ["one", "three"]
    assert todo.text_content("#count").strip() == "1 item left"
    items(todo).nth(0).locator(".delete").click()
    assert todo.text_content("#count").strip() == "0 items left"


def selected(page):
    return page.evaluate(
        "() => ['all', 'active', 'done'].filter(name =>"
        " document.querySelector('#filter-' + name).classList.contains('selected'))")


def test_filters(todo):
    add(todo, "one", "two", "three")
    toggle(todo, 1)
    assert selected(todo) == ["all"]
    todo.click("#filter-active")
    assert selected(todo) == ["active"]
    assert texts(todo, visible_only=True) == ["one", "three"]
    assert items(todo).count() == 3
    todo.click("#filter-done")
    assert selected(todo) == ["done"]
    assert texts(todo, visible_only=True) == ["two"]
    todo.click("#filter-all")
    assert selected(todo) == ["all"]
    assert texts(todo, visible_only=True) == ["one", "two", "three"]


def test_filter_applies_to_later_changes(todo):
    add(todo, "one", "two")
    todo.click("#filter-active")
    toggle(todo, 0)
    assert texts(todo, visible_only=True) == ["two"]
    todo.click("#filter-done")
    add(todo, "three")
    assert texts(todo, visible_only=True) == ["one"]
    assert texts(todo) == ["one", "two", "three"]


def test_clear_done(todo):
    add(todo, "one", "two", "three", "four")
    toggle(todo, 0)
    toggle(todo, 2)
    todo.click("#clear-done")
    assert texts(todo) == ["two", "four"]
    assert todo.text_content("#count").strip() == "2 items left"
