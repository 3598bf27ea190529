"""One message's life: its turn (typing, the model, the answer shown as it is written) and its
reply (sent by `replies`, which also keeps the inbox's record until the user has read it).

The engine (`chat_engine`) decides when a message runs; this decides how.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace

from bot.backends import (
    Artifact,
    BackendError,
    BackendMisconfigured,
    ConversationNotFound,
    QuotaExhausted,
    TurnInput,
    TurnResult,
    TurnStatus,
)
from bot.engine.budget_notices import budget_reached, budget_warning, money, with_cost
from bot.engine.channel import ReplyChannel
from bot.engine.conversations import Conversations, LiveConversation
from bot.engine.languages import answer_in
from bot.engine.media_reader import MediaReader, MediaRefused, ReadMedia
from bot.engine.metering import BudgetHit, CostMeter, Reservation
from bot.engine.outcome import Outcome, describe, for_error, with_sources
from bot.engine.quota_pause import OwnerNotice, QuotaPause
from bot.engine.replies import Replies
from bot.engine.tool_results import ToolResults
from bot.engine.tool_status import tool_started
from bot.engine.turn import RunningTurn, TurnRunner
from bot.engine.typing_indicator import TypingIndicator
from bot.media.text_files import UNTRUSTED
from bot.personas import Persona
from bot.texts import Texts
from bot.texts.languages import Language, known
from storage import ChatKey, InboxEntry, LedgerRow, StorageUnavailable
from storage.conversation_store import ConversationStore

logger = logging.getLogger(__name__)


class Answerer:
    """Answers inbox entries; knows which turns are running, so a stop can find its turn."""

    def __init__(
        self,
        *,
        store: ConversationStore,
        conversations: Conversations,
        turns: TurnRunner,
        meter: CostMeter,
        quota_pause: float,
        cost_footer: bool,
        catalogues: Mapping[Language, Texts],
        response_timeout: float,
        typing_interval: float,
        stream: bool,
        max_concurrent_turns: int,
        media: MediaReader,
        tools: frozenset[str] = frozenset(),
        fetch_artifact: Callable[[Artifact], Awaitable[bytes]] | None = None,
    ) -> None:
        self._tool_results = ToolResults(store, fetch_artifact, media)
        self._replies = Replies(store, self._tool_results)
        self._store = store
        self._media = media
        self._tools = tools  # the hosted tools the backend offers
        self._conversations = conversations
        self._turns = turns
        self._meter = meter
        self.quota = QuotaPause(quota_pause)
        self.notify_owner: OwnerNotice | None = None  # ERROR_CHAT_ID, once Telegram is wired
        self._told_total: set[tuple[str, str]] = set()  # budget windows the owner heard of
        self._cost_footer = cost_footer  # USAGE_FOOTER: each answer ends with what it cost
        self._catalogues = catalogues
        self._response_timeout = response_timeout
        self._typing_interval = typing_interval
        self._stream = stream
        self.running: dict[ChatKey, RunningTurn] = {}
        # Turns talking to the backend at once. Telegram delivers at most ~30 answers a second,
        # so more turns than that rate times a turn's length only queue at Telegram, while each
        # holds a connection, and the HTTP pool's bookkeeping grows with every open connection.
        self._turn_slots = asyncio.Semaphore(max_concurrent_turns)

    async def answer(self, entry: InboxEntry, channel: ReplyChannel) -> None:
        """Run the message's turn (unless it was answered before a restart) and deliver it."""
        if entry.state == "answered" and entry.reply is not None:
            await self._replies.deliver(
                entry, Outcome.from_json(entry.reply), channel, None, self._texts(entry)
            )
            return
        if refusal := self._media.refusal(  # before any download
            entry,
            self._texts(entry),
            code=await self._runs_code(entry),
            code_offered="code_interpreter" in self._tools,
        ):
            await channel.send_notice(refusal)
            await self._replies.forget(entry)
            return
        if self.quota.active and entry.state != "running":  # no call while the credit is out
            outcome = Outcome(notices=(self._texts(entry).quota_exhausted,), retry=True)
            await self._replies.deliver(entry, outcome, channel, None, self._texts(entry))
            return
        live = channel.live_answer() if self._stream else None
        reservation: Reservation | None = None
        try:
            conversation_id, persona = await self._conversations.stored(entry.key)
            metered = await self._reserve(entry, conversation_id, persona)
            if isinstance(metered, BudgetHit):  # no model call, no typing, nothing kept
                logger.info(
                    "Message %s in chat %s: %s budget per %s used up",
                    entry.message_id,
                    entry.key,
                    metered.scope,
                    metered.period,
                )
                await channel.send_notice(budget_reached(metered, self._texts(entry)))
                await self._replies.forget(entry)
                if metered.scope == "total":
                    await self._total_budget_reached(metered)
                return
            reservation = metered
            async with (
                TypingIndicator(channel.show_typing, self._typing_interval) as typing,
                self._media.read(
                    entry, self._texts(entry), code="code_interpreter" in self._offered(persona)
                ) as media,
            ):
                # What reading the media left to say (the transcript's echo) is sent while the
                # model starts, and is out before any of the answer shows.
                said = asyncio.create_task(_say(channel, media.notices))

                async def first_text() -> None:
                    await said
                    await typing.stop()

                turn = RunningTurn(entry, live, first_text, stream=self._stream)
                turn.transcribed = media.transcribed
                turn.on_tool = functools.partial(
                    tool_started, turn, channel, typing, self._texts(entry)
                )
                try:
                    outcome, settled = await self._run(turn, reservation, persona, media)
                finally:
                    await said
            if self._cost_footer and outcome.answer:
                outcome = with_cost(outcome, settled)
            try:
                await self._store.inbox_answered(entry.id, outcome.to_json(), ledger=settled)
            except StorageUnavailable as exc:  # the answer is here: deliver it all the same
                logger.error("Answer in chat %s not kept before sending: %s", entry.key, exc)
            self._meter.release(reservation)
            await self._replies.deliver(entry, outcome, channel, live, self._texts(entry))
            for warning in self._meter.warnings(reservation, settled):
                await channel.send_notice(budget_warning(warning, self._texts(entry)))
        except MediaRefused as exc:
            logger.info(
                "Message %s in chat %s: attachments not read (%s)", entry.message_id, entry.key, exc
            )
            await self._replies.deliver(
                entry,
                Outcome(notices=(exc.sentence,), retry=exc.retry),
                channel,
                None,
                self._texts(entry),
            )
        except StorageUnavailable as exc:
            logger.error("Message %s in chat %s not answered: %s", entry.message_id, entry.key, exc)
            await channel.send_notice(self._texts(entry).storage_unavailable)
            await self._replies.forget(entry)
        except Exception:
            logger.exception("Turn failed in chat %s", entry.key)
            await channel.send_notice(self._texts(entry).internal_error)
            await self._replies.forget(entry)
        finally:
            if reservation is not None:
                self._meter.release(reservation)
            if live is not None:
                await live.discard()

    async def _tell_owner(self, line: str) -> None:
        if self.notify_owner is not None:
            await self.notify_owner(f"⚠️ {line}")

    async def _total_budget_reached(self, hit: BudgetHit) -> None:
        """The bot's own budget stops everyone: the owner hears it once per window."""
        window = (hit.period, hit.resets_at.isoformat())
        if window in self._told_total:
            return
        self._told_total.add(window)
        line = (
            f"BUDGET_TOTAL's {hit.period} budget ({money(hit.limit_micros)}) is used up: the bot "
            f"answers nobody until {hit.resets_at:%Y-%m-%d %H:%M} {hit.resets_at.tzname()}."
        )
        logger.warning("%s", line)
        await self._tell_owner(line)

    async def _reserve(
        self, entry: InboxEntry, conversation_id: str | None, persona: Persona
    ) -> Reservation | BudgetHit:
        """Meter the turn before it runs (its conversation as the store last knew it)."""
        return await self._meter.reserve(
            entry,
            conversation_id,
            _with_language(persona.instructions, _language(entry)),
            force=entry.state == "running",
            extra_tokens=self._media.input_tokens(entry),
            audio_seconds=self._media.audio_seconds(entry),
            tools=self._turn_tools(entry, persona),
        )

    async def _run(
        self, turn: RunningTurn, reservation: Reservation, persona: Persona, media: ReadMedia
    ) -> tuple[Outcome, LedgerRow]:
        """The turn on the chat's conversation (on a new one if the server lost it), and what
        it cost."""
        key = turn.entry.key
        language = _language(turn.entry)
        texts = self._catalogues[language]
        history_lost = False
        conversation: LiveConversation | None = None
        result: TurnResult | None = None
        self.running[key] = turn
        try:
            async with self._turn_slots:
                # As read before metering (the chat's queue lets nothing change it since).
                conversation = await self._conversations.live(
                    key, reservation.row.conversation_id, persona
                )
                instructions = _with_language(conversation.persona.instructions, language)
                turn_input = TurnInput(
                    media.text,
                    f"{instructions}\n\n{UNTRUSTED}" if turn.entry.attachments else instructions,
                    max_output_tokens=reservation.max_output_tokens,
                    images=media.images,
                    files=media.files,
                    tools=self._turn_tools(turn.entry, conversation.persona),
                    container_files=media.container_files,
                    tool_choice=turn.entry.tool,
                    earlier_files=functools.partial(
                        self._tool_results.earlier_data, turn.entry, conversation.id
                    ),
                )
                turn.ledger = replace(reservation.row, conversation_id=conversation.id)
                try:
                    result = await self._turns.run(turn, conversation, turn_input)
                except ConversationNotFound:
                    logger.warning(
                        "Conversation %s of chat %s is gone; starting a new one",
                        conversation.id,
                        key,
                    )
                    history_lost = True
                    conversation = await self._conversations.start_new(key, conversation.persona)
                    turn.ledger = replace(reservation.row, conversation_id=conversation.id)
                    result = await self._turns.run(turn, conversation, turn_input)
        except BackendError as exc:
            if isinstance(exc, QuotaExhausted):
                if line := self.quota.start(str(exc)):
                    await self._tell_owner(line)
            elif isinstance(exc, BackendMisconfigured):  # the owner's to fix: an error
                logger.error("Backend misconfigured (chat %s): %s", key, exc)
            else:
                logger.warning("Backend could not answer in chat %s: %s", key, exc)
            outcome = for_error(exc, texts)
        else:
            self._log_ending(key, result.status, result.response_id, result.error_code)
            await self._tool_results.note_documents(turn.entry, conversation.id, result.status)
            outcome = describe(
                result, texts, stopped=turn.stopped, timeout_seconds=self._response_timeout
            )
        finally:
            self.running.pop(key, None)
        settled = self._meter.settle(
            reservation,
            result,
            written=turn.text,
            started=turn.remote_id is not None,
            conversation_id=conversation.id if conversation else None,
            audio_seconds=media.audio_seconds,
        )
        if result is not None and result.container_replaced and conversation is not None:
            outcome = await self._tool_results.after_new_container(
                turn.entry, conversation.id, outcome, texts, result.files_restored
            )
        if result is not None and result.citations and outcome.answer:
            outcome = replace(outcome, answer=with_sources(outcome.answer, result.citations, texts))
        return (outcome.after(texts.history_lost) if history_lost else outcome), settled

    def _offered(self, persona: Persona) -> tuple[str, ...]:
        """The persona's tools that the backend runs."""
        return tuple(t for t in persona.tools if t in self._tools)

    def _turn_tools(self, entry: InboxEntry, persona: Persona) -> tuple[str, ...]:
        """The persona's tools, and the one the user asked for by command (/image)."""
        offered = self._offered(persona)
        if entry.tool is None or entry.tool in offered or entry.tool not in self._tools:
            return offered
        return (*offered, entry.tool)

    async def _runs_code(self, entry: InboxEntry) -> bool:
        if not any(a.kind == "data" for a in entry.attachments):
            return False  # only spreadsheets need to know: no read for every message
        _, persona = await self._conversations.stored(entry.key)
        return "code_interpreter" in self._offered(persona)

    def _texts(self, entry: InboxEntry) -> Texts:
        """The catalogue of the language the entry's answer is written in."""
        return self._catalogues[_language(entry)]

    @staticmethod
    def _log_ending(
        key: ChatKey, status: TurnStatus, response_id: str | None, error_code: str | None
    ) -> None:
        logger.info("Turn in chat %s ended %s (%s)", key, status.value, response_id)
        if status is TurnStatus.FAILED:
            logger.warning(
                "Response %s failed in chat %s: %s",
                response_id,
                key,
                error_code or "no error code",
            )


async def _say(channel: ReplyChannel, notices: tuple[str, ...]) -> None:
    for notice in notices:
        await channel.send_notice(notice)


def _language(entry: InboxEntry) -> Language:
    """The entry's language (entries stored before languages existed were English)."""
    return known(entry.language) or "en"


def _with_language(instructions: str, language: Language) -> str:
    return f"{instructions}\n\n{answer_in(language)}".strip()
