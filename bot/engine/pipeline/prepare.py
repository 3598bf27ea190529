"""Prepare: the model's request for a turn, from the admission, its read media and the chat's
conversation. Pure: the reading itself is the media reader's (media/reader.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from bot.backends import FilePart, TurnInput
from bot.engine.chat_languages import answer_in
from bot.engine.function_calls import TurnFunctions
from bot.media.reader import ReadMedia
from bot.media.text_files import UNTRUSTED
from bot.texts.languages import Language

if TYPE_CHECKING:  # admit imports this module for `instructions`
    from bot.engine.pipeline.admit import Admission


def instructions(persona_instructions: str, language: Language) -> str:
    """The persona's instructions, the warning that what users attach is data, and the language
    to answer in: the same text every turn of a chat, files or not, so the prompt's start
    stays in the cache."""
    return f"{persona_instructions}\n\n{UNTRUSTED}\n\n{answer_in(language)}".strip()


def turn_input(
    admission: Admission,
    media: ReadMedia,
    earlier_files: Callable[[], Awaitable[tuple[FilePart, ...]]],
    functions: TurnFunctions = TurnFunctions(),  # noqa: B008 (a frozen value)
) -> TurnInput:
    """What the backend is asked: the text and parts read, the instructions, the tools, the
    output cap.

    `earlier_files`: the data files sent before this message, for a sandbox made anew;
    `functions`: the owner's tools the persona offers, and their caller."""
    entry = admission.entry
    return TurnInput(
        media.text,
        instructions(admission.persona.instructions, admission.language),
        max_output_tokens=admission.reservation.max_output_tokens,
        images=media.images,
        files=media.files,
        tools=admission.tools,
        container_files=media.container_files,
        tool_choice=entry.tool,
        earlier_files=earlier_files,
        knowledge=admission.knowledge.handle if admission.knowledge else None,
        functions=functions.specs,
        call_function=functions.caller,
    )
