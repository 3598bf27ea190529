"""The Yes/No buttons under a question a turn asked ("May I use add_event on calendar?")."""

from __future__ import annotations

import logging

from telegram import Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.delivery.channel import QUESTION_CALLBACK_PREFIX
from bot.engine.function_calls import OwnerFunctions
from bot.handlers.access import AccessControl
from bot.handlers.update_context import UpdateContexts

logger = logging.getLogger(__name__)


class QuestionHandlers:
    def __init__(
        self, functions: OwnerFunctions | None, access: AccessControl, contexts: UpdateContexts
    ) -> None:
        self._functions = functions  # None: no MCP servers, so no question is ever open
        self._access = access
        self._contexts = contexts

    async def button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Pass the answer to the waiting turn, and leave it written under the question (the
        buttons go, so one question is one answer)."""
        query = update.callback_query
        if query is None:
            return
        token, _, choice = (query.data or "").removeprefix(QUESTION_CALLBACK_PREFIX).partition(":")
        user_id = query.from_user.id if query.from_user else None
        texts = await self._contexts.texts(update)
        owner = user_id is not None and self._access.is_owner(user_id)
        answered = (
            self._functions.confirmations.answer(token, choice == "y", user_id, owner=owner)
            if self._functions is not None
            else "stale"
        )
        if answered == "not_yours":
            await query.answer(texts.confirm_not_yours, show_alert=True)
            return
        if answered == "stale":
            await query.answer(texts.confirm_stale, show_alert=True)
        else:
            await query.answer()
        message = query.message
        if not isinstance(message, Message):
            return
        said = texts.confirm_said_yes if choice == "y" and answered == "answered" else None
        if said is None and answered == "answered":
            said = texts.confirm_said_no
        try:
            if said is not None and message.text_html:
                await query.edit_message_text(
                    f"{message.text_html}\n{said}", parse_mode=ParseMode.HTML
                )
            else:
                await query.edit_message_reply_markup(None)
        except BadRequest as exc:  # already edited (a second tap, another device)
            logger.debug("Question in chat %s: %s", message.chat_id, exc)
