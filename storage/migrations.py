"""Numbered schema migrations, applied in order and tracked with `PRAGMA user_version`.

Append new migrations; never edit one that has shipped.
"""

from __future__ import annotations

MIGRATIONS: tuple[str, ...] = (
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
)
