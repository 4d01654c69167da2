def test_adding_an_item_lists_it(page):
    page.fill("#new-todo", "buy milk")
    page.press("#new-todo", "Enter")
    items = page.locator("#todo-list li")
    assert items.count() == 1
    assert "buy milk" in items.first.text_content()
    assert page.input_value("#new-todo") == ""
