"""The docs a newcomer reads: a short README that links pages that exist, every setting named."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SETTING_READERS = (
    "bot/config/__init__.py",
    "bot/config/media_env.py",
    "bot/config/budget_env.py",
    "bot/config/database_env.py",
    "bot/config/webhook_env.py",
    "bot/config/web_env.py",
)


def settings_the_bot_reads() -> set[str]:
    names: set[str] = set()
    for module in SETTING_READERS:
        names |= set(re.findall(r'"([A-Z][A-Z0-9]+_[A-Z0-9_]+)"', (ROOT / module).read_text()))
    return names


def test_every_setting_is_in_the_configuration_docs_and_the_example() -> None:
    docs = " ".join(page.read_text() for page in (ROOT / "docs").glob("*.md"))
    example = (ROOT / ".env.example").read_text()
    settings = settings_the_bot_reads()

    assert len(settings) > 40
    assert sorted(s for s in settings if s not in docs) == []
    assert sorted(s for s in settings if s not in example) == []


def test_the_readme_is_short_and_its_links_lead_somewhere() -> None:
    readme = (ROOT / "README.md").read_text()
    links = re.findall(r"\]\(((?:docs/)?[\w./-]+\.md)(?:#[\w-]+)?\)", readme)

    assert len(readme.encode()) <= 12 * 1024
    assert links and all((ROOT / link).is_file() for link in links)


def test_the_docs_link_to_pages_that_exist() -> None:
    for page in (ROOT / "docs").glob("*.md"):
        for link in re.findall(r"\]\(([\w./-]+\.md)(?:#[\w-]+)?\)", page.read_text()):
            assert (page.parent / link).resolve().is_file(), f"{page.name} → {link}"
