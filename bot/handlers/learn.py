"""/learn, for owners: the document the command replies to joins the chat's persona's
knowledge (saved in its folder, sent to the server at once)."""

from __future__ import annotations

import logging
from pathlib import PurePath

from telegram import Update
from telegram.ext import ContextTypes

from bot.delivery.telegram_files import TelegramFiles
from bot.engine import ChatEngine
from bot.handlers.access import AccessControl
from bot.handlers.update_context import UpdateContexts
from bot.media.file_source import FileUnavailable
from bot.texts import render

logger = logging.getLogger(__name__)

MAX_DOCUMENT = 20 * 1024 * 1024  # what a bot may download from Telegram


class LearnHandlers:
    def __init__(
        self,
        engine: ChatEngine,
        access: AccessControl,
        contexts: UpdateContexts,
        files: TelegramFiles,
    ) -> None:
        self._engine = engine
        self._access = access
        self._contexts = contexts
        self._files = files

    async def learn(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message, user = update.effective_message, update.effective_user
        here = await self._contexts.of(update)
        if message is None or user is None or here is None:
            return
        texts = here.texts
        if not self._access.is_owner(user.id):
            logger.info("Refused /learn to %s (not in ADMIN_USERS)", user.id)
            await here.reply(texts.learn_owners_only)
            return
        replied = message.reply_to_message
        document = replied.document if replied is not None else None
        if document is None:
            await here.reply(texts.learn_usage)
            return
        name = document.file_name or "document.txt"
        persona = await self._engine.persona_for(here.key)
        knowledge = self._engine.knowledge
        verdict = knowledge.learnable(persona, name) if knowledge is not None else "no_knowledge"
        if verdict != "ok" or knowledge is None:
            refusal = {
                "no_knowledge": texts.learn_no_knowledge,
                "not_searchable": texts.learn_not_searchable,
            }.get(verdict, texts.learn_unsupported)
            await here.reply(render(refusal, name=name, persona=persona.title_in(here.language)))
            return
        try:
            data = await self._files.fetch(document.file_id, MAX_DOCUMENT)
        except FileUnavailable as exc:
            logger.warning("/learn in chat %s: %s could not be fetched (%s)", here.key, name, exc)
            await here.reply(render(texts.learn_failed, name=name))
            return
        library = await knowledge.learn(persona, name, data)
        if not library.searches(PurePath(name).name):  # a kind this bot's server cannot read
            await here.reply(render(texts.learn_unsupported, name=name))
            return
        await here.reply(
            render(texts.learn_added, name=name, library=library.name, count=library.documents)
        )
