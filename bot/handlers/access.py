"""Who may use the bot, where, and who may reset or re-persona a group's conversation."""

from __future__ import annotations

import logging
import time
from typing import Protocol

from telegram import Bot, Chat, Update
from telegram.constants import CallbackQueryLimit, ChatType
from telegram.error import TelegramError

from bot.config import Config
from bot.handlers.update_context import UpdateContexts
from bot.rendering.markdown import visible_text
from bot.texts import Texts, render
from storage import StorageUnavailable

logger = logging.getLogger(__name__)

ADMIN_CACHE_SECONDS = 300.0


class GroupAdmins:
    """Each group's administrators, asked of Telegram at most every few minutes."""

    def __init__(self, ttl: float = ADMIN_CACHE_SECONDS) -> None:
        self._ttl = ttl
        self._cache: dict[int, tuple[float, frozenset[int]]] = {}

    async def of(self, bot: Bot, chat_id: int) -> frozenset[int]:
        cached = self._cache.get(chat_id)
        if cached is not None and time.monotonic() - cached[0] < self._ttl:
            return cached[1]
        try:
            members = await bot.get_chat_administrators(chat_id)
        except TelegramError as exc:
            logger.warning("Could not list the admins of %s: %s", chat_id, exc)
            return cached[1] if cached else frozenset()
        admins = frozenset(m.user.id for m in members)
        self._cache[chat_id] = (time.monotonic(), admins)
        return admins


class GroupApprovals(Protocol):
    """Which groups were allowed by someone allowed (stored; the only storage access needs)."""

    async def allowed(self, chat_id: int) -> bool | None: ...

    async def set_allowed(self, chat_id: int, allowed: bool) -> None: ...


class LetIn(Protocol):
    """People an owner let in from the web pages, and strangers who asked (stored)."""

    async def allowed(self, user_id: int) -> bool: ...

    async def asked(self, user_id: int, first_name: str, username: str | None) -> None: ...


class AccessControl:
    def __init__(
        self,
        config: Config,
        approvals: GroupApprovals,
        contexts: UpdateContexts,
        let_in: LetIn,
    ) -> None:
        self._contexts = contexts
        self._config = config
        self._approvals = approvals
        self._let_in = let_in
        self.admins = GroupAdmins()

    def is_owner(self, user_id: int) -> bool:
        return user_id in self._config.admin_users

    async def user_allowed(self, user_id: int) -> bool:
        """ADMIN_USERS and ALLOWED_USERS (the floor, read first), then those an owner let in
        from the web pages (a read only for people the environment does not name)."""
        if self.is_owner(user_id) or self._config.allowed_users.allows(user_id):
            return True
        return await self._let_in.allowed(user_id)

    async def group_allowed(self, chat_id: int, by_user: int | None) -> bool:
        """A group is served if ALLOWED_CHATS lists it, or an allowed user brought or uses it."""
        if self._config.allowed_chats.allows(chat_id) or await self._approvals.allowed(chat_id):
            return True
        if by_user is not None and await self.user_allowed(by_user):
            await self._approvals.set_allowed(chat_id, True)
            return True
        return False

    async def may_talk(self, update: Update, bot: Bot) -> bool:
        """True if the bot should serve this update; otherwise say why (and leave, in groups)."""
        user, chat = update.effective_user, update.effective_chat
        if chat is None or user is None:
            return False
        if chat.type == ChatType.PRIVATE:
            if await self.user_allowed(user.id):
                return True
            logger.info("Refused user %s", user.id)
            try:  # for the owner's people page: who asked, with an "allow" button
                await self._let_in.asked(user.id, user.first_name, user.username)
            except StorageUnavailable as exc:
                logger.warning("Could not note that user %s asked: %s", user.id, exc)
            texts = await self._contexts.texts(update)
            await self._answer(update, render(texts.not_allowed, user_id=user.id))
            return False
        if await self.group_allowed(chat.id, user.id):
            return True
        await self.refuse_group(bot, chat, await self._contexts.texts(update))
        return False

    async def refuse_group(self, bot: Bot, chat: Chat, texts: Texts) -> None:
        """Say once, with the group's id, that it is not allowed; then leave."""
        logger.info("Leaving group %s (%s): not allowed", chat.id, chat.title)
        await self._approvals.set_allowed(chat.id, False)
        await self._contexts.send(chat.id, render(texts.group_not_allowed, chat_id=chat.id))
        try:
            await bot.leave_chat(chat.id)
        except TelegramError as exc:
            logger.warning("Could not leave group %s: %s", chat.id, exc)

    async def may_configure(self, update: Update, bot: Bot) -> bool:
        """/reset, /persona, /language: whoever may talk here and manage the conversation."""
        return await self.may_talk(update, bot) and await self.may_manage(update, bot)

    async def may_manage(self, update: Update, bot: Bot) -> bool:
        """/reset and /persona: anyone in private; in groups, admins (unless configured open)."""
        user, chat = update.effective_user, update.effective_chat
        if user is None or chat is None:
            return False
        if chat.type == ChatType.PRIVATE or self.is_owner(user.id):
            return True
        if not self._config.group_admin_only or user.id in await self.admins.of(bot, chat.id):
            return True
        logger.info("Refused %s a group command in %s (not an admin)", user.id, chat.id)
        await self._answer(update, (await self._contexts.texts(update)).admins_only)
        return False

    async def _answer(self, update: Update, text: str) -> None:
        if update.callback_query is not None:
            # Alerts take plain text of at most 200 characters.
            limit = CallbackQueryLimit.ANSWER_CALLBACK_QUERY_TEXT_LENGTH
            await update.callback_query.answer(visible_text(text)[:limit], show_alert=True)
        elif update.effective_message is not None:
            await self._contexts.reply(update.effective_message, text)
