"""The stop button under a streamed answer (Bot API 10.3's `stopped_message_generation` update).

python-telegram-bot 22.8 does not model this update yet, so it arrives in `Update.api_kwargs`.
Telegram only stops showing the draft; stopping the model is ours to do.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ContextTypes

from bot.engine import ChatEngine
from storage import ChatKey

logger = logging.getLogger(__name__)

STOP_UPDATE = "stopped_message_generation"


class StopHandlers:
    def __init__(self, engine: ChatEngine) -> None:
        self._engine = engine

    async def stopped_generation(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Cancel the answer whose draft the user stopped; partial text is kept as a message."""
        stop = update.api_kwargs.get(STOP_UPDATE)
        if not isinstance(stop, dict):
            return
        chat_id = (stop.get("chat") or {}).get("id")
        if not isinstance(chat_id, int):
            logger.warning("Malformed %s update %s", STOP_UPDATE, update.update_id)
            return
        key = ChatKey(chat_id, int(stop.get("message_thread_id") or 0))
        draft_id = stop.get("draft_id")
        stopped = await self._engine.stop_answer(
            key, draft_id if isinstance(draft_id, int) else None
        )
        logger.info(
            "Stop in chat %s (draft %s): %s",
            key,
            draft_id,
            "stopped" if stopped else "nothing to stop",
        )
