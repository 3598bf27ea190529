"""One message's life, stage by stage (engine/pipeline/): admit, prepare and run the turn while
"typing…" shows and the answer is drawn as it is written, settle, deliver.

The engine (`chat_engine`) decides when a message runs; this decides how.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from typing import Any

from bot.backends import Artifact, QuotaExhausted
from bot.engine.conversations import Conversations
from bot.engine.function_calls import OwnerFunctions, TurnFunctions
from bot.engine.knowledge import Knowledge
from bot.engine.pipeline.admit import Admission, Admitter, Refused, language_of
from bot.engine.pipeline.deliver import Replies
from bot.engine.pipeline.run import TurnStage
from bot.engine.pipeline.settle import Settled, settle, unanswered
from bot.engine.ports import LiveAnswer, ReplyChannel
from bot.engine.tool_results import ToolResults
from bot.engine.tool_status import tool_started
from bot.engine.turn import RunningTurn, TurnRunner
from bot.engine.typing_indicator import TypingIndicator
from bot.media.reader import MediaReader, MediaRefused
from bot.texts import Texts
from bot.texts.languages import Language
from bot.usage.budgets import BudgetHit
from bot.usage.meter import CostMeter
from bot.usage.notices import budget_warning, money
from bot.usage.quota_pause import OwnerNotice, QuotaPause
from storage import ChatKey, InboxEntry, StorageUnavailable, Tool
from storage.repositories import Files, Inbox

logger = logging.getLogger(__name__)

FINISH_SENDING_SECONDS = 2.0  # a stop waits this long for an answer being sent to be sent


class Answerer:
    """Answers inbox entries through the stages; `running` lets a stop find its turn."""

    def __init__(
        self,
        *,
        inbox: Inbox,
        files: Files,
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
        tools: frozenset[Tool] = frozenset(),
        fetch_artifact: Callable[[Artifact], Awaitable[bytes]] | None = None,
        owner_notice: OwnerNotice | None = None,
        functions: OwnerFunctions | None = None,
        knowledge: Knowledge | None = None,
    ) -> None:
        tool_results = ToolResults(files, fetch_artifact, media)
        self.quota = QuotaPause(quota_pause)
        self._admitter = Admitter(
            conversations=conversations,
            meter=meter,
            media=media,
            quota=self.quota,
            tools=tools,
            catalogues=catalogues,
            knowledge=knowledge,
        )
        self._turns = TurnStage(
            conversations=conversations,
            turns=turns,
            tool_results=tool_results,
            max_concurrent_turns=max_concurrent_turns,
        )
        self._replies = Replies(inbox, tool_results)
        self._inbox = inbox
        self._media = media
        self._meter = meter
        self._notify_owner = owner_notice  # ERROR_CHAT_ID's, if the owner set one
        self._told_total: set[tuple[str, str]] = set()  # budget windows the owner heard of
        self._cost_footer = cost_footer  # USAGE_FOOTER: each answer ends with what it cost
        self._catalogues = catalogues
        self._response_timeout = response_timeout
        self._typing_interval = typing_interval
        self._stream = stream
        self._functions = functions  # the owner's tools (MCP), if the personas file has any

    @property
    def running(self) -> dict[ChatKey, RunningTurn]:
        return self._turns.running

    async def answer(self, entry: InboxEntry, channel: ReplyChannel) -> None:
        """Run the message's turn (unless it was answered before a restart) and deliver it."""
        texts = self._catalogues[language_of(entry)]
        admission: Admission | None = None
        live: LiveAnswer | None = None
        try:
            admitted = await self._admitter.admit(entry)
            if isinstance(admitted, Refused):
                await self._replies.deliver(entry, admitted.outcome, channel, None, texts)
                if admitted.total_budget is not None:
                    await self._total_budget_reached(admitted.total_budget)
                return
            admission = admitted
            live = channel.live_answer() if self._stream else None
            settled = await self._turn(admission, channel, live, texts)
            await to_the_end(self._hand_out(admission, settled, channel, live, texts))
        except Exception as exc:
            _log_unanswered(entry, exc)
            await self._replies.deliver(entry, unanswered(exc, texts), channel, None, texts)
        finally:
            if admission is not None:
                self._meter.release(admission.reservation)
            if live is not None:
                await live.discard()

    async def _hand_out(
        self,
        admission: Admission,
        settled: Settled,
        channel: ReplyChannel,
        live: LiveAnswer | None,
        texts: Texts,
    ) -> None:
        """Keep the answer in the inbox, send it, then let the inbox forget the message."""
        entry = admission.entry
        try:
            outcome = settled.outcome.to_json()
            await self._inbox.answered(entry.id, outcome, ledger=settled.ledger)
        except StorageUnavailable as exc:  # the answer is here: deliver it all the same
            logger.error("Answer in chat %s not kept before sending: %s", entry.key, exc)
        self._meter.release(admission.reservation)
        await self._replies.deliver(entry, settled.outcome, channel, live, texts)
        for warning in self._meter.warnings(admission.reservation, settled.ledger):
            await channel.send_notice(budget_warning(warning, texts))

    async def _turn(
        self, admission: Admission, channel: ReplyChannel, live: LiveAnswer | None, texts: Texts
    ) -> Settled:
        """Prepare and run the turn while the chat shows it is being answered; settle it."""
        entry = admission.entry
        async with (
            TypingIndicator(channel.show_typing, self._typing_interval) as typing,
            self._media.read(entry, texts, code=admission.runs_code) as media,
        ):
            # What reading the media left to say (the transcript's echo) is sent while the
            # model starts, and is out before any of the answer shows.
            said = asyncio.create_task(_say(channel, media.notices))

            async def first_text() -> None:
                await said
                await typing.stop()

            turn = RunningTurn(
                entry,
                live,
                first_text,
                stream=self._stream,
                transcribed=media.transcribed,
                on_tool=functools.partial(
                    tool_started,
                    live,
                    channel,
                    typing,
                    texts,
                    admission.knowledge.name if admission.knowledge else "",
                ),
            )
            functions = TurnFunctions()
            if self._functions is not None:
                functions = self._functions.for_turn(
                    entry, admission.persona.mcp, channel, live, texts, typing.paused
                )
            try:
                ran = await self._turns.run(turn, admission, media, functions)
            finally:
                await said
        if isinstance(ran.error, QuotaExhausted) and (line := self.quota.start(str(ran.error))):
            await self._tell_owner(line)
        ledger = self._meter.settle(
            admission.reservation,
            ran.result,
            written=ran.written,
            started=ran.started,
            conversation_id=ran.conversation_id,
            audio_seconds=media.audio_seconds,
        )
        return settle(
            ran,
            ledger,
            texts,
            timeout_seconds=self._response_timeout,
            cost_footer=self._cost_footer,
        )

    async def _tell_owner(self, line: str) -> None:
        if self._notify_owner is not None:
            await self._notify_owner(f"⚠️ {line}")

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


async def to_the_end(work: Coroutine[Any, Any, None]) -> None:
    """Run `work` to its end even if the turn is cancelled meanwhile, then pass the
    cancellation on.

    A stop that cuts answers short (a process handing its chats over) must not cut one between
    the inbox noting it answered and the inbox letting it go: whoever resumes the message would
    send the answer again. Sending takes a moment, and the stop waits for it — up to
    `FINISH_SENDING_SECONDS` (Telegram may be down: then the answer is sent after the restart)."""
    task = asyncio.ensure_future(work)
    try:
        await asyncio.shield(task)
    except asyncio.CancelledError:
        # Not cut by a second stop either: only by the time running out.
        await asyncio.wait([task], timeout=FINISH_SENDING_SECONDS)
        if not task.done():
            task.cancel()
            await asyncio.wait([task])
        elif not task.cancelled() and task.exception() is not None:
            logger.error(
                "An answer being sent as the bot stopped failed", exc_info=task.exception()
            )
        raise


def _log_unanswered(entry: InboxEntry, exc: Exception) -> None:
    if isinstance(exc, MediaRefused):
        logger.info(
            "Message %s in chat %s: attachments not read (%s)", entry.message_id, entry.key, exc
        )
    elif isinstance(exc, StorageUnavailable):
        logger.error("Message %s in chat %s not answered: %s", entry.message_id, entry.key, exc)
    else:
        logger.error("Turn failed in chat %s", entry.key, exc_info=exc)


async def _say(channel: ReplyChannel, notices: tuple[str, ...]) -> None:
    for notice in notices:
        await channel.send_notice(notice)
