"""The catalogue of user texts: each field valid Telegram HTML with known placeholders."""

from __future__ import annotations

import dataclasses

import pytest

from bot.texts import ENGLISH, Html, Texts, placeholders, render
from tests.fakes.telegram_server import parse_telegram_html

# What each template may be filled with; a template that grows or loses one breaks its caller.
PLACEHOLDERS: dict[str, set[str]] = {
    "start": {"name", "persona"},
    "help": {"example", "username"},
    "not_allowed": {"user_id"},
    "group_not_allowed": {"chat_id"},
    "group_welcome": {"username"},
    "persona_current": {"title", "description"},
    "persona_chosen": {"title", "description"},
    "persona_unknown": {"name", "choices"},
    "persona_choice": {"name", "title", "description"},
    "persona_button": {"title"},
    "persona_button_current": {"title"},
    "answer_incomplete": {"reason"},
    "answer_timed_out": {"seconds"},
    "answer_timed_out_note": {"seconds"},
    "error_report": {"update_id", "chat_id", "detail"},
}
COMMAND_FIELDS = ("command_start", "command_help", "command_persona", "command_reset")


@pytest.mark.parametrize("name", Texts.field_names())
def test_each_text_has_exactly_its_placeholders(name: str) -> None:
    assert placeholders(getattr(ENGLISH, name)) == PLACEHOLDERS.get(name, set())


@pytest.mark.parametrize("name", Texts.field_names())
def test_each_text_renders_to_html_telegram_accepts(name: str) -> None:
    filled = render(getattr(ENGLISH, name), **dict.fromkeys(PLACEHOLDERS.get(name, ()), "<x&y>"))

    assert "<x&y>" not in filled  # every value escaped
    parse_telegram_html(filled)  # raises on a tag or entity Telegram would refuse


@pytest.mark.parametrize("name", COMMAND_FIELDS)
def test_command_descriptions_fit_telegrams_menu(name: str) -> None:
    assert 3 <= len(getattr(ENGLISH, name)) <= 256


def test_render_escapes_values_but_keeps_html_it_is_given() -> None:
    assert (
        render("<b>{a}</b> {b}", a="<Bob>", b=Html("<i>ok</i>")) == "<b>&lt;Bob&gt;</b> <i>ok</i>"
    )


def test_no_text_is_empty() -> None:
    assert all(value.strip() for value in dataclasses.astuple(ENGLISH))
