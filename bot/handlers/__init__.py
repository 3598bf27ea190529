"""Telegram handlers: translate updates into engine calls. Order matters and is explicit here."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import (
    Application,
    BaseHandler,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.delivery.channel import QUESTION_CALLBACK_PREFIX, RETRY_CALLBACK_PREFIX, ChannelFactory
from bot.delivery.telegram_files import TelegramFiles
from bot.handlers.access import AccessControl
from bot.handlers.commands import PERSONA_CALLBACK_PREFIX, CommandHandlers
from bot.handlers.errors import ErrorHandler
from bot.handlers.language import LANGUAGE_CALLBACK_PREFIX, LanguageHandlers
from bot.handlers.learn import LearnHandlers
from bot.handlers.membership import MembershipHandlers
from bot.handlers.messages import MessageHandlers
from bot.handlers.questions import QuestionHandlers
from bot.handlers.retry import RetryHandlers
from bot.handlers.speaking import Speaker
from bot.handlers.status import StatusHandlers
from bot.handlers.stop import STOP_UPDATE, StopHandlers
from bot.handlers.update_context import UpdateContexts
from bot.handlers.usage_command import UsageHandlers
from bot.handlers.web_command import WebHandlers
from bot.services import Services

# Edited messages are ignored by design: the conversation already holds the original text.
NEW_MESSAGES = filters.UpdateType.MESSAGE

MEDIA = filters.PHOTO | filters.VOICE | filters.AUDIO | filters.VIDEO_NOTE | filters.Document.ALL

Handler = BaseHandler[Any, Any, Any]

# What we ask Telegram for: everything PTB knows, plus the stop button of streamed answers.
ALLOWED_UPDATES = [*Update.ALL_TYPES, STOP_UPDATE]


def register_handlers(
    application: Application[Any, Any, Any, Any, Any, Any],
    services: Services,
    channels: ChannelFactory,
    status: Callable[[], Awaitable[str]] | None = None,
) -> None:
    """`status`: the owner's /status report (the services' own, unless given).

    Each handler class gets only the collaborators it uses: never the store or the backend.
    Order matters: PTB gives an update to the first handler whose filter matches."""
    speaker = Speaker(services.languages, services.catalogues)
    contexts = UpdateContexts(speaker, channels)  # every reply goes through delivery
    access = AccessControl(
        services.config, services.store.chat_status, contexts, services.store.people
    )
    commands = CommandHandlers(
        services.engine,
        services.personas,
        access,
        contexts,
        tools_offered=services.tools,
        drawing=services.image_command == "on",
    )
    messages = MessageHandlers(
        services.engine,
        access,
        contexts,
        trigger=services.config.group_trigger,
        adds_group_context=services.config.adds_group_context,
        image_detail=services.config.media.image_detail,
        drawing=services.image_command,
    )
    # Group -1 sees every update first; it acts only on stop-button updates, which PTB does not
    # model yet, and lets everything pass on to the handlers below.
    stops = StopHandlers(services.engine)
    application.add_handler(TypeHandler(Update, stops.stopped_generation), group=-1)
    application.add_handlers(
        [
            *_commands(
                services,
                access,
                contexts,
                commands,
                messages,
                TelegramFiles(application.bot),
                status or services.status,
            ),
            *_buttons_and_membership(services, access, contexts, channels, commands),
            *_messages(messages, commands),
        ]
    )
    application.add_error_handler(ErrorHandler(services.config, services.telegram_link, contexts))


def _commands(
    services: Services,
    access: AccessControl,
    contexts: UpdateContexts,
    commands: CommandHandlers,
    messages: MessageHandlers,
    files: TelegramFiles,
    report: Callable[[], Awaitable[str]],
) -> list[Handler]:
    languages = LanguageHandlers(services.languages, access, contexts)
    usage = UsageHandlers(services.usage, access, contexts)
    status = StatusHandlers(access, report, commands.unknown, contexts)
    learning = LearnHandlers(services.engine, access, contexts, files)
    web = WebHandlers(services.store.web_logins, services.config.web_url, access, contexts)
    return [
        CommandHandler("start", commands.start, filters=NEW_MESSAGES),
        CommandHandler("help", commands.help, filters=NEW_MESSAGES),
        CommandHandler("reset", commands.reset, filters=NEW_MESSAGES),
        CommandHandler("persona", commands.persona, filters=NEW_MESSAGES),
        CommandHandler("status", status.status, filters=NEW_MESSAGES),
        CommandHandler("learn", learning.learn, filters=NEW_MESSAGES),
        CommandHandler("usage", usage.usage, filters=NEW_MESSAGES),
        CommandHandler("image", messages.image, filters=NEW_MESSAGES),
        CommandHandler("language", languages.language, filters=NEW_MESSAGES),
        CommandHandler("web", web.web, filters=NEW_MESSAGES),
        CallbackQueryHandler(languages.button, pattern=f"^{LANGUAGE_CALLBACK_PREFIX}"),
    ]


def _buttons_and_membership(
    services: Services,
    access: AccessControl,
    contexts: UpdateContexts,
    channels: ChannelFactory,
    commands: CommandHandlers,
) -> list[Handler]:
    membership = MembershipHandlers(services.engine, access, services.languages, contexts)
    retries = RetryHandlers(services.engine, access, channels, contexts)
    questions = QuestionHandlers(services.engine.functions, access, contexts)
    return [
        CallbackQueryHandler(commands.persona_button, pattern=f"^{PERSONA_CALLBACK_PREFIX}"),
        CallbackQueryHandler(retries.button, pattern=f"^{RETRY_CALLBACK_PREFIX}"),
        CallbackQueryHandler(questions.button, pattern=f"^{QUESTION_CALLBACK_PREFIX}"),
        ChatMemberHandler(membership.my_membership, ChatMemberHandler.MY_CHAT_MEMBER),
        MessageHandler(filters.StatusUpdate.MIGRATE, membership.migrated),
    ]


def _messages(messages: MessageHandlers, commands: CommandHandlers) -> list[Handler]:
    """After the commands: what people write, and what the bot cannot read."""
    return [
        # What the engine reads: photos, voice, audio, video notes, documents (any caption).
        MessageHandler(NEW_MESSAGES & MEDIA, messages.media),
        # Texts, and captions (which count like text).
        MessageHandler(
            NEW_MESSAGES & (filters.TEXT | filters.CAPTION) & ~filters.COMMAND, messages.text
        ),
        MessageHandler(NEW_MESSAGES & filters.COMMAND, commands.unknown),
        # Anything else a person sends (stickers, voice, polls…); service messages excluded.
        MessageHandler(
            NEW_MESSAGES & ~filters.TEXT & ~filters.CAPTION & ~filters.StatusUpdate.ALL,
            messages.unsupported,
        ),
    ]
