"""A real browser for the web pages: Playwright (pinned in pyproject) driving Debian's Chromium
headless shell, which `.ci/run` installs (`playwright install` would download a browser, and
these machines reach package registries only).

Without the browser the tests are skipped with the reason, except in CI (CI=true), where a
missing browser fails them: the pages must have been seen working in a browser to land.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

BROWSERS = (
    Path("/usr/lib/chromium/chromium-headless-shell"),  # Debian's chromium-headless-shell
    Path("/usr/bin/chromium"),
)
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
TELEGRAM_SCRIPT = "https://telegram.org/js/telegram-web-app.js*"


def browser_binary() -> Path:
    found = next((b for b in BROWSERS if b.exists()), None)
    if found is None:
        reason = (
            "no Chromium for the browser tests: apt-get install chromium-headless-shell "
            "(as .ci/run does)"
        )
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return found


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    """A fresh headless Chromium per test (launching one takes about half a second)."""
    try:
        from playwright.async_api import async_playwright
    except ImportError:  # pragma: no cover - the test tools include it
        pytest.skip("Playwright is not installed (pip install -e '.[test]')")
    binary = browser_binary()
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=str(binary))
        try:
            yield launched
        finally:
            await launched.close()


async def screenshot(page: Any, name: str) -> Path:
    """Keep a picture of the page (test artifacts: people look at them)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path


def telegram_stub(launch: str, *, dark: bool) -> str:
    """What telegram-web-app.js gives a Mini App, for one launch: its signed launch data, the
    theme of the Telegram app it runs in, and the calls the page makes."""
    theme = (
        {"bg_color": "#17212b", "text_color": "#f5f5f5", "hint_color": "#708499",
         "button_color": "#5288c1", "button_text_color": "#ffffff",
         "secondary_bg_color": "#232e3c", "link_color": "#6ab3f3"}
        if dark
        else {"bg_color": "#ffffff", "text_color": "#000000", "hint_color": "#999999",
              "button_color": "#2481cc", "button_text_color": "#ffffff",
              "secondary_bg_color": "#efeff3", "link_color": "#2481cc"}
    )  # fmt: skip
    web_app = {
        "initData": launch,
        "themeParams": theme,
        "colorScheme": "dark" if dark else "light",
    }
    return (
        f"window.Telegram = {{WebApp: Object.assign({json.dumps(web_app)}, {{"
        "ready() {}, onEvent() {}, showConfirm(text, done) { done(true); }"
        "})};"
    )


@pytest.fixture
def backend() -> str:
    """The pages do not depend on the backend (the HTTP tests cover each one's history)."""
    return "responses"
