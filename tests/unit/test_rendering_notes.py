"""An answer closed by the bot's note: in the last message when it fits, else on its own."""

from __future__ import annotations

from bot.rendering.markdown import format_answer, with_note


def test_a_note_joins_the_last_part_when_it_fits() -> None:
    [part] = with_note(format_answer("**Hi**", 4096), "(Stopped.)", 4096)

    assert part.html == "<b>Hi</b>\n\n<i>(Stopped.)</i>"
    assert part.plain == "Hi\n\n(Stopped.)"


def test_a_note_that_does_not_fit_is_a_message_of_its_own() -> None:
    parts = with_note(format_answer("x" * 95, 100), "(Stopped.)", 100)

    assert [p.plain for p in parts] == ["x" * 95, "(Stopped.)"]


def test_no_note_leaves_the_parts_as_they_are() -> None:
    parts = format_answer("a", 4096)

    assert with_note(parts, "", 4096) == parts
