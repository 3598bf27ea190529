""" "Delete everything about me" (the web side's privacy page): `Database.privacy`.

What a person's private chat left here goes: its conversation rows (the remote conversations are
deleted by the engine first), its language and status, its inbox and the updates Telegram sent
for it, its answers' ledger rows, the person's web sessions. What stays, and why: the running
totals of the current day and month for the person and their chat — budgets are counted from
them, so deleting them would reset a budget — and every total that is not the person's (the
bot's, each model's, each group's). Older per-person totals go. A group's ledger rows are the
group's; the person's id is taken off none of them (that would lower the group member's budget
totals, for the same reason), and the group's conversations are not theirs alone to delete.
"""

from __future__ import annotations

from storage.engines import Statement
from storage.writes import Repository


class PrivacyRepository(Repository):
    async def forget_person(self, user_id: int, keep_windows: tuple[str, ...]) -> None:
        """Delete what the person's private chat left, in one transaction; `keep_windows`:
        the totals windows budgets still count (e.g. ("D2026-12-06", "M2026-12"))."""
        windows = ", ".join("?" for _ in keep_windows) or "''"
        key = str(user_id)
        statements: list[Statement] = [
            ("DELETE FROM chats WHERE chat_id = ?", (user_id,)),
            ("DELETE FROM chat_files WHERE chat_id = ?", (user_id,)),
            ("DELETE FROM chat_status WHERE chat_id = ?", (user_id,)),
            ("DELETE FROM inbox WHERE chat_id = ?", (user_id,)),
            ("DELETE FROM tg_updates WHERE chat_id = ? AND state = 'done'", (user_id,)),
            ("DELETE FROM ledger WHERE chat_id = ? AND state = 'settled'", (user_id,)),
            (
                "DELETE FROM ledger_totals WHERE scope IN ('user', 'chat') AND key = ?"
                f' AND "window" NOT IN ({windows})',
                (key, *keep_windows),
            ),
            ("DELETE FROM web_sessions WHERE user_id = ?", (user_id,)),
        ]
        await self.commit("forget a person's data", statements)
