"""Admit: whether a message's turn runs at all, decided before anything is downloaded or paid.

A replayed answer, attachments the bot cannot read, a paused credit and a budget used up each
end the message here, as the Outcome the user is told.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from bot.engine.conversations import Conversations
from bot.engine.knowledge import Knowledge, Library
from bot.engine.outcome import Outcome
from bot.engine.pipeline.prepare import instructions
from bot.media.reader import MediaReader
from bot.personas import Persona
from bot.texts import Texts
from bot.texts.languages import Language, known
from bot.usage.budgets import BudgetHit
from bot.usage.meter import CostMeter, Reservation
from bot.usage.notices import budget_reached
from bot.usage.quota_pause import QuotaPause
from storage import InboxEntry, Tool

logger = logging.getLogger(__name__)

CODE = "code_interpreter"


@dataclass(frozen=True, slots=True)
class Admission:
    """A message whose turn runs: its language, persona, tools and the budget held for it."""

    entry: InboxEntry
    language: Language
    persona: Persona
    reservation: Reservation
    tools: tuple[Tool, ...]  # the hosted tools the turn may use
    runs_code: bool  # the persona runs code (its data files are placed in the sandbox)
    knowledge: Library | None = None  # the persona's documents, where they can be searched


@dataclass(frozen=True, slots=True)
class Refused:
    """The turn does not run; `outcome` is what the user is told instead."""

    outcome: Outcome
    total_budget: BudgetHit | None = None  # the bot's own budget: the owner hears of it too


def language_of(entry: InboxEntry) -> Language:
    """The entry's language (entries stored before languages existed were English)."""
    return known(entry.language) or "en"


def offered_tools(persona: Persona, available: frozenset[Tool]) -> tuple[Tool, ...]:
    """The persona's tools that the backend runs (less TOOLS_OFF)."""
    return tuple(t for t in persona.wanted_tools if t in available)


def turn_tools(
    persona: Persona, available: frozenset[Tool], requested: Tool | None
) -> tuple[Tool, ...]:
    """The persona's tools, and the one the user asked for by command (/image)."""
    offered = offered_tools(persona, available)
    if requested is None or requested in offered or requested not in available:
        return offered
    return (*offered, requested)


def screen(
    entry: InboxEntry, texts: Texts, *, media_refusal: str | None, quota_paused: bool
) -> Outcome | None:
    """The refusals decided before a read or a reservation, in order; None: go on."""
    if entry.state == "answered" and entry.reply is not None:
        return Outcome.from_json(entry.reply)  # answered before a restart: deliver it again
    if media_refusal is not None:
        return Outcome(notices=(media_refusal,))
    if quota_paused and entry.state != "running":  # no call while the credit is out
        return Outcome(notices=(texts.quota_exhausted,), retry=True)
    return None


def over_budget(hit: BudgetHit, texts: Texts) -> Refused:
    """No model call, no typing, nothing kept: the sentence naming the budget."""
    return Refused(
        Outcome(notices=(budget_reached(hit, texts),)), hit if hit.scope == "total" else None
    )


class Admitter:
    """Admits inbox entries: the refusals, then the reservation of the turn's upper cost."""

    def __init__(
        self,
        *,
        conversations: Conversations,
        meter: CostMeter,
        media: MediaReader,
        quota: QuotaPause,
        tools: frozenset[Tool],
        catalogues: Mapping[Language, Texts],
        knowledge: Knowledge | None = None,
    ) -> None:
        self._conversations = conversations
        self._meter = meter
        self._media = media
        self._quota = quota
        self._tools = tools  # the hosted tools the backend offers
        self._catalogues = catalogues
        self._knowledge = knowledge

    async def admit(self, entry: InboxEntry) -> Admission | Refused:
        language = language_of(entry)
        texts = self._catalogues[language]
        refusal = self._media.refusal(  # before any download
            entry, texts, code=await self._runs_code(entry), code_offered=CODE in self._tools
        )
        if screened := screen(entry, texts, media_refusal=refusal, quota_paused=self._quota.active):
            return Refused(screened)
        conversation_id, persona = await self._conversations.stored(entry.key)
        tools = turn_tools(persona, self._tools, entry.tool)
        library = self._knowledge.library(persona) if self._knowledge is not None else None
        if library is None or library.handle is None:  # nothing to search (yet)
            library = None
            tools = tuple(t for t in tools if t != "file_search")
        metered = await self._meter.reserve(
            entry,
            conversation_id,  # as the store last knew it
            instructions(persona.instructions, language),
            force=entry.state == "running",  # being paid for already: metered, never refused
            extra_tokens=self._media.input_tokens(entry),
            audio_seconds=self._media.audio_seconds(entry),
            tools=tools,
        )
        if isinstance(metered, BudgetHit):
            logger.info(
                "Message %s in chat %s: %s budget per %s used up",
                entry.message_id,
                entry.key,
                metered.scope,
                metered.period,
            )
            return over_budget(metered, texts)
        runs_code = CODE in offered_tools(persona, self._tools)
        return Admission(entry, language, persona, metered, tools, runs_code, library)

    async def _runs_code(self, entry: InboxEntry) -> bool:
        if not any(a.kind == "data" for a in entry.attachments):
            return False  # only spreadsheets need to know: no read for every message
        _, persona = await self._conversations.stored(entry.key)
        return CODE in offered_tools(persona, self._tools)
