"""The bot joining, leaving or being blocked, and groups upgraded to supergroups."""

from __future__ import annotations

import logging

from telegram import ChatMember, Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from bot.engine import ChatEngine, ChatLanguages
from bot.handlers.access import AccessControl
from bot.handlers.update_context import UpdateContexts
from bot.texts import render

logger = logging.getLogger(__name__)

PRESENT = (ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER, ChatMember.RESTRICTED)


class MembershipHandlers:
    def __init__(
        self,
        engine: ChatEngine,
        access: AccessControl,
        languages: ChatLanguages,
        contexts: UpdateContexts,
    ) -> None:
        self._engine = engine
        self._access = access
        self._languages = languages
        self._contexts = contexts

    async def my_membership(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Added to a group: welcome, or refuse and leave. Removed or blocked: mark inactive."""
        change = update.my_chat_member
        if change is None:
            return
        chat = change.chat
        was = change.old_chat_member.status in PRESENT
        now = change.new_chat_member.status in PRESENT
        engine = self._engine
        if was and not now:
            await engine.chat_unreachable(chat.id)
            return
        if now and not was:
            await engine.chat_reachable(chat.id)
            if chat.type == ChatType.PRIVATE:
                return
            # The group speaks the language of whoever added the bot, until it chooses one.
            await self._languages.joined(chat.id, change.from_user.language_code)
            texts = await self._contexts.texts(update)
            if not await self._access.group_allowed(chat.id, change.from_user.id):
                await self._access.refuse_group(context.bot, chat, texts)
                return
            logger.info("Added to group %s (%s) by %s", chat.id, chat.title, change.from_user.id)
            welcome = render(texts.group_welcome, username=context.bot.username)
            await self._contexts.send(chat.id, welcome)

    async def migrated(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A group became a supergroup: its conversation and persona move to the new id."""
        message = update.effective_message
        if message is None:
            return
        if message.migrate_to_chat_id:
            await self._engine.chat_migrated(message.chat_id, message.migrate_to_chat_id)
        elif message.migrate_from_chat_id:
            await self._engine.chat_migrated(message.migrate_from_chat_id, message.chat_id)
