"""Wires the python-telegram-bot `Application`: services, handlers, start-up and shutdown."""

from __future__ import annotations

import logging
import ssl
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeAlias

import httpx
from telegram import (
    Bot,
)
from telegram.ext import Application, ApplicationBuilder

from bot.backends import Backend, create_backend, create_client
from bot.backends.transcription import create_transcriber
from bot.config import Config, FloodLimits
from bot.delivery.channel import ChannelFactory, plain_notices
from bot.delivery.rate_limiter import (
    TELEGRAM_OVERALL,
    TELEGRAM_PER_CHAT,
    TELEGRAM_PER_GROUP,
    TelegramRateLimiter,
)
from bot.delivery.shared_budget import SharedBudget
from bot.delivery.telegram_files import TelegramFiles
from bot.delivery.telegram_link import TelegramLink, WatchedRequest
from bot.engine import ChatEngine, ChatLanguages, ReplyChannel
from bot.engine.confirmations import Confirmations
from bot.engine.function_calls import OwnerFunctions
from bot.engine.knowledge import Knowledge
from bot.handlers import ALLOWED_UPDATES, register_handlers
from bot.ingress.chat_leases import ChatLeases
from bot.ingress.identity import Identity
from bot.ingress.intake import Intake, WebhookSettings
from bot.ingress.leadership import Leadership
from bot.ingress.lease_book import LeaseBook
from bot.ingress.lease_gate import LeaseGate, exit_now
from bot.logging_setup import LastError, LogTail
from bot.media.reader import MediaReader
from bot.owner_notices import once_per_bot
from bot.personas import PersonaBook, load_personas
from bot.services import Services
from bot.texts import CATALOGUES
from bot.upkeep import keep_heartbeat
from bot.usage.members import Members
from bot.usage.meter import CostMeter
from bot.usage.reports import UsageReports
from bot.usage.turn_prices import TurnPrices
from storage import InboxEntry
from storage.database import Database, engine_for

if TYPE_CHECKING:
    from bot.functions.mcp_servers import McpServers

logger = logging.getLogger(__name__)

# The bot-wide budget spaces requests as they leave, not as they arrive (the local budgets count
# from Telegram's answers); a process whose event loop lags sends a few late, bunched with the
# next ones. 5% of the 30 a second keeps those bunches within the limit (bench: 96 429s in
# 3,000 answers at 2 processes without it).
SHARED_SLACK = 1.10

TelethreadApp: TypeAlias = Application[Any, Any, Any, Any, Any, Any]


def open_database(config: Config, fence: Callable[[], None] | None = None) -> Database:
    """The database of DATABASE_URL or DATABASE_PATH (opened later); `fence` is asked before
    every write (the lease: `bot.ingress.lease_gate`)."""
    return Database(
        engine_for(config.database_path, config.database_url, pool_size=config.database_pool_size),
        fence=fence,
    )


def build_services(
    config: Config, tls: ssl.SSLContext | None, bot: Bot, link: TelegramLink, store: Database
) -> Services:
    """The bot's services, given the Telegram side they talk through (`bot`, and `link`: is
    Telegram answering?) and the database; `tls` is the TLS context every HTTP client shares
    (one CA bundle loaded, not one per client)."""
    personas = load_personas(config.personas_file, config.default_persona)
    client = create_client(config, tls)
    backend = create_backend(config, store, client)
    transcribing = create_transcriber(config.media.transcription, tls)
    transcriber, transcription_client = transcribing or (None, None)
    members = Members(config.allowed_users, store.people)
    meter = _cost_meter(config, store, members)
    media = MediaReader(config.media, lambda: backend.media, transcriber, TelegramFiles(bot))
    offered = backend.tools - config.tools_off  # the hosted tools personas may use
    tool_servers, functions, knowledge = _owners(personas, backend, store)
    engine = ChatEngine(
        store=store,
        backend=backend,
        personas=personas,
        catalogues=CATALOGUES,
        meter=meter,
        quota_pause=config.quota_pause,
        cost_footer=config.usage_footer,
        response_timeout=config.response_timeout,
        typing_interval=config.typing_interval,
        stream=config.streams_replies,
        max_concurrent_turns=config.max_concurrent_turns,
        media=media,
        album_wait=config.media.album_wait,
        tools=offered,
        owner_notice=None
        if config.error_chat_id is None
        else once_per_bot(
            plain_notices(bot, link, config.error_chat_id), store.settings.first_time
        ),
        functions=functions,
        knowledge=knowledge,
    )
    return Services(
        config=config,
        log_tail=LogTail(config.secrets),
        members=members,
        store=store,
        client=client,
        backend=backend,
        personas=personas,
        catalogues=CATALOGUES,
        languages=ChatLanguages(store.chat_status, config.default_language),
        engine=engine,
        last_error=LastError(config.secrets),
        usage=UsageReports(
            store.chats, store.ledger, meter, config.prices, config.context_budget_tokens
        ),
        transcriber=transcriber,
        transcription_client=transcription_client,
        telegram_link=link,
        tools=offered,
        tool_servers=tool_servers,
        knowledge=knowledge,
    )


def _owners(
    personas: PersonaBook, backend: Backend, store: Database
) -> tuple[McpServers | None, OwnerFunctions | None, Knowledge | None]:
    """What the personas file adds to the hosted tools, where it names any: the MCP servers
    and the engine's side of their tools, and the knowledge folders."""
    servers = None
    if personas.servers:  # the MCP SDK (~50 MB) is imported only by bots that use it
        from bot.functions.mcp_servers import McpServers

        servers = McpServers(personas.servers)
    functions = OwnerFunctions(servers, store.calls, Confirmations()) if servers else None
    folders = any(p.knowledge for p in personas.personas)
    return servers, functions, Knowledge(backend, personas) if folders else None


def _cost_meter(config: Config, store: Database, members: Members) -> CostMeter:
    transcription = config.media.transcription
    prices = TurnPrices(
        config.prices,
        config.openai_model,
        transcription_model=transcription.model,
        transcription_local=transcription.base_url is not None
        and "api.openai.com" not in transcription.base_url,
        drawing=config.media.drawing,
    )
    return CostMeter(
        store.ledger,
        prices,
        config.budgets,
        backend=config.backend,
        max_output_tokens=config.max_output_tokens,
        owners=config.admin_users,
        members=members,
        context_budget=config.context_budget_tokens,
    )


def build_application(
    config: Config,
    tls: ssl.SSLContext | None = None,
    on_lapse: Callable[[], None] = exit_now,
) -> TelethreadApp:
    """The bot, ready for `run_polling()`; `post_init`/`post_shutdown` own its resources.

    `tls`: the TLS context its HTTP clients share (made here unless given: tests share one).
    `on_lapse`: what a process that lost its lease does (exits; tests may record it)."""
    tls = tls or httpx.create_ssl_context()
    link = TelegramLink(config.telegram_retry)
    gate = LeaseGate(on_lapse)
    store = open_database(config, gate.check)

    async def post_init(application: TelethreadApp) -> None:
        await start_serving(application, config, services, lambda: intake.taking_updates)

    async def post_stop(application: TelethreadApp) -> None:
        # Updates have stopped; the bot can still send: let running answers finish (unless a
        # second stop signal says not to wait).
        await services.engine.drain(config.shutdown_grace, cut_short=services.stop_now)

    async def post_shutdown(application: TelethreadApp) -> None:
        await services.stop(last=not intake.others_alive)
        logger.info("Telethread stopped")

    application = (
        ApplicationBuilder()
        .token(config.telegram_bot_token)
        # PTB's own pool sizes; the requests report whether Telegram answers (telegram_link).
        .request(WatchedRequest(link, connection_pool_size=256, httpx_kwargs={"verify": tls}))
        .get_updates_request(
            WatchedRequest(link, connection_pool_size=1, httpx_kwargs={"verify": tls})
        )
        # Polled updates go to the journal (`Intake`), by the process that leads, not straight
        # to the handlers: any process of the bot may answer them.
        .updater(None)
        .base_url(f"{config.telegram_base_url}/bot")
        .base_file_url(f"{config.telegram_base_url}/file/bot")
        # Updates are handled concurrently; the engine keeps each chat's messages in order.
        .concurrent_updates(True)
        # Telegram's 30 a second is the bot's: while several processes send for it
        # (PostgreSQL), each request also takes a slot of the budget they share.
        .rate_limiter(_rate_limiter(config, gate, store))
        .post_init(post_init)
        .post_stop(post_stop)
        .post_shutdown(post_shutdown)
        .build()
    )
    # The services after the Application, from its bot: built whole, nothing patched in later
    # (the hooks above run once the bot starts, by when `services` exists).
    services = build_services(config, tls, application.bot, link, store)
    # For tests and operators' tooling; handlers receive their dependencies explicitly.
    application.bot_data["services"] = services
    channels = ChannelFactory(
        application.bot, link, group_streaming=config.edits_in_groups, events=services.engine
    )
    intake = build_intake(config, services, gate, channels)
    application.bot_data["intake"] = intake

    async def status() -> str:
        """The owner's /status: the services', and the processes and how updates come in."""
        lines = await intake.status_lines(application.bot)
        return "\n".join([await services.status(), *lines])

    register_handlers(application, services, channels, status)
    application.bot_data["web"] = None
    if config.web_listen is not None:  # aiohttp is imported only by bots that serve pages
        from bot.web_side import build_web

        application.bot_data["web"] = build_web(services, intake.chats, channels, status)
    return application


async def start_serving(
    application: TelethreadApp, config: Config, services: Services, taking: Callable[[], bool]
) -> None:
    """Once Telegram answers: services up, the heartbeat (while `taking` updates). The chats'
    inbox is resumed as this process claims them (`Intake`); the jobs that run once, by the
    process that leads."""
    await services.start()
    services.run_in_background(
        keep_heartbeat(services.store.settings, taking, config.heartbeat_interval)
    )
    services.run_in_background(services.members.keep_fresh())
    logger.info(
        "Telethread started as @%s (backend %s, model %s, %d personas)",
        application.bot.username,
        services.backend.name,
        config.openai_model,
        len(services.personas.personas),
    )


def reply_channels(channels: ChannelFactory) -> Callable[[InboxEntry], ReplyChannel]:
    """A way back to the chat of a message accepted before (by this process or another)."""

    def channel_for(entry: InboxEntry) -> ReplyChannel:
        return channels.channel(
            entry.key.chat_id,
            private=entry.private,
            topic_id=entry.key.topic_id or None,
            # A web chat message (negative id) has no Telegram message to reply to: an answer
            # its page did not see to the end (the process stopped) is delivered here instead.
            reply_to=entry.message_id if entry.message_id > 0 else None,
        )

    return channel_for


def build_intake(
    config: Config, services: Services, gate: LeaseGate, channels: ChannelFactory
) -> Intake:
    """How updates come in (webhook or polling), and the leases that say who answers what."""
    store = services.store
    book = LeaseBook(
        store.leases,
        store.processes,
        gate,
        Identity.of_this_process(),
        seconds=config.lease_seconds,
    )
    engine = services.engine
    channel_for = reply_channels(channels)

    async def resume(chat_ids: list[int]) -> int:
        return await engine.resume_chats(chat_ids, channel_for)

    webhook = None
    if config.webhook_url and config.webhook_secret:
        webhook = WebhookSettings(
            url=config.webhook_url,
            secret=config.webhook_secret,
            listen=config.webhook_listen,
            max_connections=config.webhook_max_connections,
            allowed_updates=ALLOWED_UPDATES,
        )
    return Intake(
        book,
        Leadership(book, store.leases, poll=config.standby_poll),
        ChatLeases(book, store.leases, resume, engine.busy),
        store.journal,
        store.leases,
        webhook,
        journal_poll=config.journal_poll,
        unfinished=engine.chats_waiting,
    )


def _rate_limiter(config: Config, gate: LeaseGate, store: Database) -> TelegramRateLimiter:
    """Telegram's limits (relaxed by tests and benchmarks), with the owner's bursts; shared
    with the bot's other processes while there are some (PostgreSQL)."""
    limits = config.flood_limits or FloodLimits(
        overall=TELEGRAM_OVERALL, per_chat=TELEGRAM_PER_CHAT, per_group=TELEGRAM_PER_GROUP
    )
    shared = None
    if config.database_url:
        count, period = limits.overall
        shared = SharedBudget(
            period / count * SHARED_SLACK,
            store.flood.reserve,
            store.flood.take,
            lambda: not gate.alone,
            actions_share_limit=config.telegram_actions_share_limit,
        )
    return TelegramRateLimiter(
        overall=limits.overall,
        per_chat=limits.per_chat,
        per_group=limits.per_group,
        chat_burst=config.telegram_chat_burst,
        group_burst=config.telegram_group_burst,
        group_span=limits.group_span,
        actions_share_limit=config.telegram_actions_share_limit,
        gate=gate.check,
        shared=shared,
    )
