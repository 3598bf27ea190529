"""The durable inbox: a message is written here before any work on it and deleted once its reply
is delivered, so a restart resumes, runs or delivers whatever was left — once.

`Database.inbox`.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from storage import database_clock as clock
from storage.engines import Statement, now_text
from storage.inbox_attachments import attachments_from, attachments_json
from storage.ledger import ledger_statement
from storage.records import Attachment, ChatKey, InboxEntry, LedgerRow, Tool
from storage.writes import Repository

RETRY_HOURS = 24  # how long "Try again" works after the model failed


class InboxRepository(Repository):
    async def add(
        self,
        key: ChatKey,
        *,
        message_id: int,
        private: bool,
        text: str,
        language: str = "en",
        user_id: int | None = None,
        attachments: tuple[Attachment, ...] = (),
        album_id: str | None = None,
        tool: Tool | None = None,
    ) -> InboxEntry | None:
        """Record an accepted message; None if this Telegram message was recorded before.

        Raises StorageUnavailable when the database cannot take it (locked, disk full, read-only).
        """
        insert = (
            "INSERT INTO inbox (chat_id, topic_id, message_id, private, text, language, user_id,"
            " attachments, album_id, tool) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (chat_id, message_id) DO NOTHING RETURNING id"
        )
        row = (
            key.chat_id,
            key.topic_id,
            message_id,
            int(private),
            text,
            language,
            user_id,
            attachments_json(attachments),
            album_id,
            tool,
        )
        written = await self.write("record a message", insert, row)
        if not written.rows:
            return None
        return InboxEntry(
            int(written.rows[0][0]),
            key,
            message_id,
            private,
            text,
            "received",
            language=language,
            user_id=user_id,
            attachments=attachments,
            album_id=album_id,
            tool=tool,
        )

    async def join(
        self, key: ChatKey, album_id: str, text: str, attachments: tuple[Attachment, ...]
    ) -> InboxEntry | None:
        """Add an album's next item to the entry its first item made, if that entry has not
        started yet; None if there is none. An item already joined (Telegram delivered it
        again) is not added twice. The caller serialises an album's items (read, then write).
        """
        found = await self._entries(
            "chat_id = ? AND topic_id = ? AND album_id = ? AND state = 'received'",
            (key.chat_id, key.topic_id, album_id),
        )
        if not found:
            return None
        entry = found[-1]
        known = {a.file_unique_id for a in entry.attachments}
        new = tuple(a for a in attachments if a.file_unique_id not in known)
        if not new and (not text or text in entry.text):
            return entry
        joined_text = entry.text
        if text and text not in entry.text:
            joined_text = f"{entry.text}\n{text}" if entry.text else text
        merged = entry.attachments + new
        await self.write(
            "add an album item",
            "UPDATE inbox SET text = ?, attachments = ? WHERE id = ? AND state = 'received'",
            (joined_text, attachments_json(merged), entry.id),
        )
        return replace(entry, text=joined_text, attachments=merged)

    async def entry(self, entry_id: int) -> InboxEntry | None:
        return next(iter(await self._entries("id = ?", (entry_id,))), None)

    async def running(
        self,
        entry_id: int,
        conversation_id: str,
        remote_id: str | None,
        ledger: LedgerRow | None = None,
        attachments: tuple[Attachment, ...] | None = None,
    ) -> None:
        """The turn started (or got its remote id); `ledger`: its reservation, same commit;
        `attachments`: as transcribed, so a resumed turn does not pay to hear them again."""
        update = (
            "UPDATE inbox SET state = 'running', conversation_id = ?, remote_id = ? WHERE id = ?"
        )
        statements: list[Statement] = [(update, (conversation_id, remote_id, entry_id))]
        if attachments is not None:
            statements.append(
                (
                    "UPDATE inbox SET attachments = ? WHERE id = ?",
                    (attachments_json(attachments), entry_id),
                )
            )
        if ledger is not None:
            statements.append(ledger_statement(ledger))
        await self.commit("note the answer being written", statements)

    async def answered(self, entry_id: int, reply: str, ledger: LedgerRow | None = None) -> None:
        """Keep the reply until it is sent; `ledger`: what the turn cost, in the same commit."""
        update = "UPDATE inbox SET state = 'answered', reply = ? WHERE id = ?"
        statements: list[Statement] = [(update, (reply, entry_id))]
        if ledger is not None:
            statements.append(ledger_statement(ledger))
        await self.commit("keep the answer until it is sent", statements)

    async def done(self, entry_id: int) -> None:
        delete = "DELETE FROM inbox WHERE id = ?"
        await self.write("clear a delivered message", delete, (entry_id,))

    async def failed(self, entry_id: int) -> None:
        """The model could not answer and the user was told: keep the message for a retry.

        Failed messages older than RETRY_HOURS are forgotten in the same commit.
        """
        await self.commit(
            "keep a message for a retry",
            [
                ("UPDATE inbox SET state = 'failed', reply = NULL WHERE id = ?", (entry_id,)),
                (
                    "DELETE FROM inbox WHERE state = 'failed' AND created_at < ?",
                    (now_text(timedelta(hours=RETRY_HOURS)),),
                ),
            ],
        )

    async def retry(self, key: ChatKey, entry_id: int) -> InboxEntry | None:
        """Queue a failed message of this chat again; None if it is gone (or not failed)."""
        written = await self.write(
            "queue a message again",
            "UPDATE inbox SET state = 'received', remote_id = NULL"
            " WHERE id = ? AND chat_id = ? AND topic_id = ? AND state = 'failed'",
            (entry_id, key.chat_id, key.topic_id),
        )
        if written.rowcount == 0:
            return None
        return next((e for e in await self._entries("id = ?", (entry_id,))), None)

    async def count(self) -> int:
        """Messages waiting for an answer (failed ones, kept for a retry, do not count)."""
        row = await self.first("SELECT count(*) FROM inbox WHERE state != 'failed'")
        return int(row[0]) if row else 0

    async def pending(self) -> list[InboxEntry]:
        """Unfinished entries, oldest first (per chat that is also the order to answer them)."""
        return await self._entries("state != 'failed'", ())

    async def pending_in(self, chat_ids: list[int]) -> list[InboxEntry]:
        """Unfinished entries of these chats (all their topics), oldest first."""
        found: list[InboxEntry] = []
        for start in range(0, len(chat_ids), 500):
            chunk = tuple(chat_ids[start : start + 500])
            marks = ", ".join("?" * len(chunk))
            found += await self._entries(f"state != 'failed' AND chat_id IN ({marks})", chunk)
        return sorted(found, key=lambda entry: entry.id)

    async def chats_waiting(self, *, unheld: bool = False) -> list[int]:
        """The chats with unfinished entries (to be answered by whichever process holds them);
        `unheld`: only those whose lease nobody holds now (its process stopped or died)."""
        sql = "SELECT DISTINCT chat_id FROM inbox WHERE state != 'failed'"
        if unheld:
            now = clock.now(self._connection.engine.name)
            sql += (
                " AND NOT EXISTS (SELECT 1 FROM leases"
                f" WHERE name = 'chat:' || inbox.chat_id AND expires_at > {now})"
            )
        rows = await self.rows(sql)
        return [int(r[0]) for r in rows]

    async def _entries(self, where: str, params: tuple[object, ...]) -> list[InboxEntry]:
        rows = await self.rows(
            "SELECT id, chat_id, topic_id, message_id, private, text, state, conversation_id,"
            " remote_id, reply, language, user_id, attachments, album_id, tool"
            f" FROM inbox WHERE {where} ORDER BY id",
            params,
        )
        return [
            InboxEntry(
                r[0],
                ChatKey(r[1], r[2]),
                r[3],
                bool(r[4]),
                text=r[5],
                state=r[6],
                conversation_id=r[7],
                remote_id=r[8],
                reply=r[9],
                language=r[10],
                user_id=r[11],
                attachments=attachments_from(r[12]),
                album_id=r[13],
                tool=r[14],
            )
            for r in rows
        ]
