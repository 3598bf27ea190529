"""The catalogues of user texts: each field valid Telegram HTML with known placeholders, and
every language a faithful copy of English's shape (placeholders, tags, limits), translated."""

from __future__ import annotations

import dataclasses
import re

import pytest

from bot.texts import CATALOGUES, ENGLISH, LANGUAGES, Html, Language, Texts, placeholders, render
from bot.texts.languages import choose, normalise
from tests.fakes.telegram_server import parse_telegram_html

# What each template may be filled with; a template that grows or loses one breaks its caller.
PLACEHOLDERS: dict[str, set[str]] = {
    "start": {"name", "persona"},
    "help": {"example", "username"},
    "not_allowed": {"user_id"},
    "web_link": {"link"},
    "web_logged_out": {"count"},
    "group_not_allowed": {"chat_id"},
    "group_welcome": {"username"},
    "persona_current": {"title", "description"},
    "persona_chosen": {"title", "description"},
    "persona_unknown": {"name", "choices"},
    "persona_choice": {"name", "title", "description"},
    "persona_button": {"title"},
    "persona_button_current": {"title"},
    "language_menu": {"language"},
    "language_menu_automatic": {"language"},
    "language_automatic": {"language"},
    "language_unknown": {"name", "choices"},
    "language_button": {"name"},
    "language_button_current": {"name"},
    "answer_incomplete": {"reason"},
    "answer_timed_out": {"seconds"},
    "answer_timed_out_note": {"seconds"},
    "error_report": {"update_id", "chat_id", "detail"},
    "budget_reached": {"budget", "limit", "reset"},
    "budget_warning": {"budget", "percent", "spent", "limit"},
    "usage_today": {"spent", "answers"},
    "usage_month": {"spent", "answers"},
    "usage_of": {"spent", "limit"},
    "usage_yours": {"day", "month"},
    "usage_conversation": {"tokens"},
    "usage_conversation_budget": {"tokens", "budget"},
    "voice_echo": {"transcript"},
    "voice_too_long": {"duration", "limit"},
    "file_too_big": {"size", "limit"},
    "file_too_big_for_telegram": {"size"},
    "image_format_unsupported": {"format"},
    "file_type_unsupported": {"name"},
    "file_not_text": {"name"},
    "file_truncated": {"name", "chars"},
    "persona_tools": {"tools"},
    "persona_functions": {"tools"},
    "function_unreachable": {"server"},
    "status_asking": {"server"},
    "status_reading": {"library"},
    "persona_knowledge": {"library", "count"},
    "knowledge_unavailable": {"library"},
    "confirm_call": {"tool", "server", "arguments"},
    "tool_failed": {"server"},
    "learn_no_knowledge": {"name", "persona"},
    "learn_not_searchable": {"name", "persona"},
    "learn_unsupported": {"name"},
    "learn_failed": {"name"},
    "learn_added": {"name", "library", "count"},
    "tool_unavailable": {"tool"},
    "spreadsheet_needs_code": {"name"},
    "spreadsheet_unreadable": {"name"},
    "usage_tools": {"items"},
    "usage_tool_item": {"tool", "count"},
    "artifact_gone": {"name"},
}
COMMAND_FIELDS = tuple(name for name in Texts.field_names() if name.startswith("command_"))
# Telegram's limits on the profile texts, and a style limit on button labels.
LENGTH_LIMITS = {"bot_description": 512, "bot_short_description": 120}
BUTTON_FIELDS = ("language_button_automatic", "confirm_yes", "confirm_no")
# Fields meant to read the same in every language: templates of names, markers, the owner's.
SAME_IN_EVERY_LANGUAGE = {
    "persona_choice",
    "persona_button",
    "persona_button_current",
    "language_button",
    "language_button_current",
    "error_report",
    "voice_echo",
    "persona_tools",
    "persona_functions",
    "usage_tool_item",
    "confirm_no",  # "No" in English and Spanish alike
    "confirm_said_no",
}
EVERY_TEXT = [
    (language, name) for language in LANGUAGES for name in Texts.field_names()
]  # fmt: skip


def tags(template: str) -> list[str]:
    return re.findall(r"</?[a-z-]+", template)


@pytest.mark.parametrize(("language", "name"), EVERY_TEXT)
def test_each_text_has_exactly_its_placeholders(language: Language, name: str) -> None:
    assert placeholders(getattr(CATALOGUES[language], name)) == PLACEHOLDERS.get(name, set())


@pytest.mark.parametrize(("language", "name"), EVERY_TEXT)
def test_each_text_renders_to_html_telegram_accepts(language: Language, name: str) -> None:
    template = getattr(CATALOGUES[language], name)
    filled = render(template, **dict.fromkeys(PLACEHOLDERS.get(name, ()), "<x&y>"))

    assert "<x&y>" not in filled  # every value escaped
    parse_telegram_html(filled)  # raises on a tag or entity Telegram would refuse


@pytest.mark.parametrize(("language", "name"), EVERY_TEXT)
def test_each_translation_keeps_englishs_formatting(language: Language, name: str) -> None:
    assert tags(getattr(CATALOGUES[language], name)) == tags(getattr(ENGLISH, name))


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != "en"])
def test_no_text_is_left_in_english_by_mistake(language: Language) -> None:
    texts = CATALOGUES[language]
    untranslated = [
        name
        for name in Texts.field_names()
        if getattr(texts, name) == getattr(ENGLISH, name) and name not in SAME_IN_EVERY_LANGUAGE
    ]
    assert untranslated == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_telegrams_length_limits_hold_in_every_language(language: Language) -> None:
    texts = CATALOGUES[language]
    for name in COMMAND_FIELDS:
        assert 3 <= len(getattr(texts, name)) <= 256, name
    for name, limit in LENGTH_LIMITS.items():
        assert len(getattr(texts, name)) <= limit, name
    for name in BUTTON_FIELDS:
        assert len(getattr(texts, name)) <= 30, name
    assert all(value.strip() for value in dataclasses.astuple(texts))


def test_render_escapes_values_but_keeps_html_it_is_given() -> None:
    assert (
        render("<b>{a}</b> {b}", a="<Bob>", b=Html("<i>ok</i>")) == "<b>&lt;Bob&gt;</b> <i>ok</i>"
    )


@pytest.mark.parametrize(
    ("code", "language"),
    [
        (None, None),
        ("", None),
        ("en", "en"),
        ("en-US", "en"),
        ("pt-br", "pt-BR"),
        ("pt-BR", "pt-BR"),
        ("pt", "pt-BR"),
        ("pt-PT", "pt-BR"),
        ("es", "es"),
        ("es-419", "es"),
        ("es-MX", "es"),
        ("de", None),
        ("zh-hans", None),
        ("!!garbage", None),
    ],
)
def test_telegram_language_codes_map_to_a_catalogue(code: str | None, language: str | None) -> None:
    assert normalise(code) == language


def test_a_chats_choice_beats_the_sender_and_the_group_keeps_its_adders_language() -> None:
    def pick(**given: object) -> str:
        settings = {"chosen": None, "sender": None, "joined": None, "private": True, **given}
        return choose(default="en", **settings)  # type: ignore[arg-type]

    assert pick(chosen="es", sender="pt-BR") == "es"
    assert pick(sender="pt-BR", joined="es") == "pt-BR"  # private: the sender's app language
    assert pick(private=False, sender="pt-BR", joined="es") == "es"  # group: whoever added it
    assert pick(private=False, sender="pt-BR") == "en"  # else the owner's default
    assert pick() == "en"
