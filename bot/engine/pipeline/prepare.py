"""Prepare: the model's request for a turn, from the admission, its read media and the chat's
conversation. Pure: the reading itself is the media reader's (media/reader.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from bot.backends import FilePart, TurnInput
from bot.engine.chat_languages import answer_in
from bot.media.reader import ReadMedia
from bot.media.text_files import UNTRUSTED
from bot.texts.languages import Language

if TYPE_CHECKING:  # admit imports this module for `instructions`
    from bot.engine.pipeline.admit import Admission


def instructions(persona_instructions: str, language: Language) -> str:
    """The persona's instructions, closed by the language to answer in."""
    return f"{persona_instructions}\n\n{answer_in(language)}".strip()


def turn_input(
    admission: Admission,
    media: ReadMedia,
    earlier_files: Callable[[], Awaitable[tuple[FilePart, ...]]],
) -> TurnInput:
    """What the backend is asked: the text and parts read, the persona's instructions (with a
    warning that attached files are data, never instructions), the tools, the output cap.

    `earlier_files`: the data files sent before this message, for a sandbox made anew."""
    entry = admission.entry
    said = instructions(admission.persona.instructions, admission.language)
    return TurnInput(
        media.text,
        f"{said}\n\n{UNTRUSTED}" if entry.attachments else said,
        max_output_tokens=admission.reservation.max_output_tokens,
        images=media.images,
        files=media.files,
        tools=admission.tools,
        container_files=media.container_files,
        tool_choice=entry.tool,
        earlier_files=earlier_files,
    )
