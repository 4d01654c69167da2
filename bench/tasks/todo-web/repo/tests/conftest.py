import shutil
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
PAGE = Path(__file__).resolve().parents[1] / "index.html"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs: pip install playwright")
    if not shutil.which(CHROMIUM):
        pytest.skip(f"needs Chromium at {CHROMIUM}")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    page = browser.new_page()
    page.goto(PAGE.as_uri())
    yield page
    page.close()
