"""SQLite's side of the numbered schema migrations (`storage.migrations` pairs them with
PostgreSQL's), applied in order and tracked with `PRAGMA user_version`.

Append new migrations; never edit one that has shipped.
"""

from __future__ import annotations

from storage.ledger_triggers import TOOLS_10, TOOLS_11, TOOLS_13, tool_backfill, triggers

SQLITE: tuple[str, ...] = (
    # 1: one row per chat (and forum topic) with its remote conversation and persona; token usage.
    """
    CREATE TABLE chats (
        chat_id         INTEGER NOT NULL,
        topic_id        INTEGER NOT NULL DEFAULT 0,
        backend         TEXT    NOT NULL,
        conversation_id TEXT,
        persona         TEXT    NOT NULL,
        created_at      TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        updated_at      TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        PRIMARY KEY (chat_id, topic_id)
    );
    CREATE TABLE usage (
        id            INTEGER PRIMARY KEY,
        chat_id       INTEGER NOT NULL,
        topic_id      INTEGER NOT NULL,
        response_id   TEXT,
        model         TEXT,
        input_tokens  INTEGER NOT NULL,
        output_tokens INTEGER NOT NULL,
        created_at    TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    );
    CREATE INDEX usage_by_chat ON usage (chat_id, topic_id);
    """,
    # 2: small key-value settings (e.g. the assistant id), and the history of local conversations
    # for backends whose server keeps none (Chat Completions).
    """
    CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE local_messages (
        id              INTEGER PRIMARY KEY,
        conversation_id TEXT    NOT NULL,
        role            TEXT    NOT NULL,
        content         TEXT    NOT NULL,
        created_at      TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    );
    CREATE INDEX local_messages_by_conversation ON local_messages (conversation_id, id);
    """,
    # 3: per chat, whether the bot may serve it and whether it can still write there.
    """
    CREATE TABLE chat_status (
        chat_id        INTEGER PRIMARY KEY,
        allowed        INTEGER,
        active         INTEGER NOT NULL DEFAULT 1,
        inactive_since TEXT
    );
    """,
    # 4: the durable inbox. A message is written here before any work on it and deleted once its
    # reply is delivered, so a restart resumes, runs or delivers whatever was left — once.
    """
    CREATE TABLE inbox (
        id              INTEGER PRIMARY KEY,
        chat_id         INTEGER NOT NULL,
        topic_id        INTEGER NOT NULL,
        message_id      INTEGER NOT NULL,
        private         INTEGER NOT NULL,
        text            TEXT    NOT NULL,
        state           TEXT    NOT NULL DEFAULT 'received',
        conversation_id TEXT,
        remote_id       TEXT,
        reply           TEXT,
        created_at      TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        UNIQUE (chat_id, message_id)
    );
    """,
    # 5: languages. Per chat its own choice (/language) and the language of whoever added the
    # bot to a group; per inbox entry the language its answer is written in, so a turn resumed
    # after a restart speaks as it would have.
    """
    ALTER TABLE chat_status ADD COLUMN language TEXT;
    ALTER TABLE chat_status ADD COLUMN joined_language TEXT;
    ALTER TABLE inbox ADD COLUMN language TEXT NOT NULL DEFAULT 'en';
    """,
    # 6: the ledger — one row per answered message (keyed by Telegram's chat and message ids, so
    # a resumed turn updates its row instead of counting twice): who asked, what it cost. Money
    # in integer micro-dollars, priced when recorded; day/month are the budget windows' keys in
    # BUDGET_TIMEZONE. The old token table moves in as reported figures with no sender.
    f"""
    ALTER TABLE inbox ADD COLUMN user_id INTEGER;
    CREATE TABLE ledger (
        chat_id          INTEGER NOT NULL,
        message_id       INTEGER NOT NULL,
        topic_id         INTEGER NOT NULL DEFAULT 0,
        user_id          INTEGER,
        guest            INTEGER NOT NULL DEFAULT 0,
        conversation_id  TEXT,
        backend          TEXT    NOT NULL,
        model            TEXT    NOT NULL,
        remote_id        TEXT,
        state            TEXT    NOT NULL,
        source           TEXT    NOT NULL,
        input_tokens     INTEGER NOT NULL DEFAULT 0,
        cached_tokens    INTEGER NOT NULL DEFAULT 0,
        output_tokens    INTEGER NOT NULL DEFAULT 0,
        reasoning_tokens INTEGER NOT NULL DEFAULT 0,
        web_searches     INTEGER NOT NULL DEFAULT 0,
        containers       INTEGER NOT NULL DEFAULT 0,
        audio_seconds    INTEGER NOT NULL DEFAULT 0,
        images           INTEGER NOT NULL DEFAULT 0,
        cost_micros      INTEGER NOT NULL DEFAULT 0,
        priced           INTEGER NOT NULL DEFAULT 1,
        price_ref        TEXT,
        day              TEXT    NOT NULL,
        month            TEXT    NOT NULL,
        created_at       TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        updated_at       TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        PRIMARY KEY (chat_id, message_id)
    );
    CREATE INDEX ledger_by_conversation ON ledger (chat_id, topic_id, conversation_id);
    CREATE INDEX ledger_by_user ON ledger (user_id, month);
    -- Running totals per scope ('total', 'chat', 'user', 'model') and window ('D<day>',
    -- 'M<month>'), kept by the triggers below in the same statement as the ledger row: a
    -- budget check and /usage read a few rows, however long the ledger grows. Only settled
    -- rows count; a reservation lives in the running bot until its turn settles.
    CREATE TABLE ledger_totals (
        scope            TEXT    NOT NULL,
        key              TEXT    NOT NULL,
        window           TEXT    NOT NULL,
        micros           INTEGER NOT NULL DEFAULT 0,
        estimated_micros INTEGER NOT NULL DEFAULT 0,
        answers          INTEGER NOT NULL DEFAULT 0,
        input_tokens     INTEGER NOT NULL DEFAULT 0,
        cached_tokens    INTEGER NOT NULL DEFAULT 0,
        output_tokens    INTEGER NOT NULL DEFAULT 0,
        reasoning_tokens INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (scope, key, window)
    );
    CREATE INDEX ledger_totals_ranked ON ledger_totals (scope, window, micros);
{triggers()}
    INSERT INTO ledger (chat_id, message_id, topic_id, backend, model, remote_id, state, source,
                        input_tokens, output_tokens, priced, day, month, created_at, updated_at)
        SELECT chat_id, -id, topic_id, 'unknown', COALESCE(model, 'unknown'), response_id,
               'settled', 'reported', input_tokens, output_tokens, 0,
               substr(created_at, 1, 10), substr(created_at, 1, 7), created_at, created_at
        FROM usage;
    DROP TABLE usage;
    """,
    # 7: input written to the prompt cache costs more than plain input (1.25x at OpenAI).
    """
    ALTER TABLE ledger ADD COLUMN cache_write_tokens INTEGER NOT NULL DEFAULT 0;
    """,
    # 8: media. An inbox entry keeps its attachments as Telegram file ids (JSON, never bytes),
    # and an album's id so its items join one entry. Files the bot uploaded to the model's
    # server are registered per conversation, so /reset (or a purge) deletes them.
    """
    ALTER TABLE inbox ADD COLUMN attachments TEXT;
    ALTER TABLE inbox ADD COLUMN album_id TEXT;
    CREATE INDEX inbox_by_album ON inbox (chat_id, album_id) WHERE album_id IS NOT NULL;
    CREATE TABLE remote_files (
        backend         TEXT NOT NULL,
        file_id         TEXT NOT NULL,          -- a file's id, or a container's
        conversation_id TEXT NOT NULL,
        kind            TEXT NOT NULL DEFAULT 'file',  -- 'file' | 'container'

        created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        PRIMARY KEY (backend, file_id)
    );
    CREATE INDEX remote_files_by_conversation ON remote_files (backend, conversation_id);
    -- Documents a conversation was given (Telegram file ids): what a later tool (the code
    -- interpreter) may fetch again. Forgotten with the conversation.
    CREATE TABLE chat_files (
        chat_id         INTEGER NOT NULL,
        topic_id        INTEGER NOT NULL DEFAULT 0,
        conversation_id TEXT    NOT NULL,
        file_unique_id  TEXT    NOT NULL,
        file_id         TEXT    NOT NULL,
        kind            TEXT    NOT NULL,
        name            TEXT,
        mime            TEXT,
        size            INTEGER,
        message_id      INTEGER NOT NULL,
        created_at      TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        PRIMARY KEY (chat_id, topic_id, conversation_id, file_unique_id)
    );
    """,
    # 9: a hosted tool the user asked for by command (/image → image_generation), so a turn
    # resumed after a restart still forces it.
    """
    ALTER TABLE inbox ADD COLUMN tool TEXT;
    """,
    # 10: the running totals count the tools priced per call (searches, container sessions,
    # seconds of audio, images), so /usage says what they were used for in a few rows' read.
    # The triggers are made again with them; the totals so far are counted from the ledger.
    f"""
    ALTER TABLE ledger_totals ADD COLUMN web_searches INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE ledger_totals ADD COLUMN containers INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE ledger_totals ADD COLUMN audio_seconds INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE ledger_totals ADD COLUMN images INTEGER NOT NULL DEFAULT 0;
    DROP TRIGGER ledger_settled_insert;
    DROP TRIGGER ledger_settled_update;
{triggers(tools=TOOLS_10)}
{tool_backfill(TOOLS_10)}
    """,
    # 11: compaction passes (a conversation summarised instead of re-sent whole), counted per
    # answer and in the running totals, so /usage can say how often and what it saved.
    f"""
    ALTER TABLE ledger ADD COLUMN compactions INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE ledger_totals ADD COLUMN compactions INTEGER NOT NULL DEFAULT 0;
    DROP TRIGGER ledger_settled_insert;
    DROP TRIGGER ledger_settled_update;
{triggers(tools=TOOLS_11)}
    """,
    # 12: the calls a turn made to the owner's tools (MCP), so a turn resumed after a restart
    # reuses an output it had and never runs twice a call that was cut short. Forgotten with
    # the inbox entry.
    """
    CREATE TABLE function_calls (
        entry_id   INTEGER NOT NULL REFERENCES inbox (id) ON DELETE CASCADE,
        call_key   TEXT    NOT NULL,
        state      TEXT    NOT NULL,  -- started | done
        output     TEXT,
        updated_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        PRIMARY KEY (entry_id, call_key)
    );
    """,
    # 13: searches of a persona's knowledge (file_search), priced per call like web searches,
    # counted per answer and in the running totals.
    f"""
    ALTER TABLE ledger ADD COLUMN file_searches INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE ledger_totals ADD COLUMN file_searches INTEGER NOT NULL DEFAULT 0;
    DROP TRIGGER ledger_settled_insert;
    DROP TRIGGER ledger_settled_update;
{triggers(tools=TOOLS_13)}
    """,
    # 14: the passages of a persona's documents and their embeddings, for backends whose
    # server has no file search (the bot retrieves them itself); by document, with its hash.
    """
    CREATE TABLE knowledge_passages (
        library   TEXT    NOT NULL,
        path      TEXT    NOT NULL,
        sha256    TEXT    NOT NULL,
        number    INTEGER NOT NULL,
        text      TEXT    NOT NULL,
        embedding BLOB    NOT NULL,  -- float32s, unit length
        PRIMARY KEY (library, path, number)
    );
    """,
    # 15: several processes, one bot. The journal of updates received by webhook (kept by
    # update_id, written before Telegram is told 200, so a crash loses none and a redelivery is
    # recognised); named leases (the process that answers, and the poller), whose epoch grows
    # at every change of holder; and the processes alive, for /status and the health probe.
    """
    CREATE TABLE tg_updates (
        update_id   INTEGER PRIMARY KEY,
        chat_id     INTEGER NOT NULL,  -- 0: an update of no chat
        body        TEXT    NOT NULL,  -- the update, as Telegram sent it
        state       TEXT    NOT NULL DEFAULT 'pending',  -- pending | done
        received_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    );
    CREATE INDEX tg_updates_pending ON tg_updates (update_id) WHERE state = 'pending';
    CREATE TABLE leases (
        name       TEXT    PRIMARY KEY,
        holder     TEXT    NOT NULL,
        epoch      INTEGER NOT NULL,
        expires_at TEXT    NOT NULL
    );
    CREATE TABLE processes (
        id         TEXT PRIMARY KEY,
        host       TEXT NOT NULL,
        pid        INTEGER NOT NULL,
        role       TEXT NOT NULL,  -- starting | standby | answering | stopping
        started_at TEXT NOT NULL,
        heartbeat  TEXT NOT NULL
    );
    """,
    # 16: Telegram's bot-wide flood budget, shared by the processes that send: per scope
    # (messages; typing and drafts), the earliest time the next request may go (seconds since
    # 1970 by the database's clock), one slot per request in turn (GCRA with no burst).
    """
    CREATE TABLE flood (
        scope TEXT PRIMARY KEY,
        tat   REAL NOT NULL
    );
    INSERT INTO flood (scope, tat) VALUES ('messages', 0), ('actions', 0);
    """,
    # 17: single-use links into the web pages (`/web`): kept hashed, spent once, short-lived.
    """
    CREATE TABLE web_logins (
        token_hash TEXT PRIMARY KEY,
        user_id    INTEGER NOT NULL,
        expires_at TEXT NOT NULL,
        spent_at   TEXT
    );
    """,
    # 18: web sessions (a spent link's cookie, a Mini App's token): kept hashed, ended by
    # `/web logout` or their lapse.
    """
    CREATE TABLE web_sessions (
        token_hash TEXT PRIMARY KEY,
        user_id    INTEGER NOT NULL,
        language   TEXT,  -- the Telegram app's, where it was known at sign-in
        expires_at TEXT NOT NULL
    );
    CREATE INDEX web_sessions_user ON web_sessions (user_id);
    ALTER TABLE web_logins ADD COLUMN language TEXT;
    """,
    # 19: people the owners let in from the web pages (on top of ALLOWED_USERS), and strangers
    # who wrote to the bot, so an owner can let them in.
    """
    CREATE TABLE people (
        user_id    INTEGER PRIMARY KEY,
        first_name TEXT    NOT NULL DEFAULT '',
        username   TEXT,
        allowed    INTEGER NOT NULL DEFAULT 0,
        asks       INTEGER NOT NULL DEFAULT 0,
        asked_at   TEXT
    );
    """,
)
