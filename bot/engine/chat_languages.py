"""Which language the bot speaks in a chat, from what is stored and what Telegram tells."""

from __future__ import annotations

from bot.texts.languages import ENGLISH_NAMES, Language, choose, known, normalise
from storage import ChatLanguage
from storage.repositories import ChatStatuses


class ChatLanguages:
    """The chat's own choice, else (private) the sender's app language, else (group) the
    language of whoever added the bot, else the owner's `DEFAULT_LANGUAGE`."""

    def __init__(self, statuses: ChatStatuses, default: Language) -> None:
        self._statuses = statuses
        self.default = default
        # Every message asks; the answer changes only through this object. Kept in memory so a
        # burst of messages does not queue a read each on the database's one connection.
        self._known: dict[int, ChatLanguage] = {}

    async def _stored(self, chat_id: int) -> ChatLanguage:
        stored = self._known.get(chat_id)
        if stored is None:
            stored = self._known[chat_id] = await self._statuses.language(chat_id)
        return stored

    async def for_message(
        self, chat_id: int, *, private: bool, sender_code: str | None
    ) -> Language:
        """The language to answer a message in (Telegram's `language_code` of its sender)."""
        stored = await self._stored(chat_id)
        return choose(
            chosen=known(stored.chosen),
            sender=normalise(sender_code),
            joined=known(stored.joined),
            private=private,
            default=self.default,
        )

    async def chosen(self, chat_id: int) -> Language | None:
        """The chat's own choice; None when the language is chosen automatically."""
        return known((await self._stored(chat_id)).chosen)

    async def choose(self, chat_id: int, language: Language | None) -> None:
        await self._statuses.set_language(chat_id, language)
        self._known.pop(chat_id, None)

    def forget(self, chat_id: int) -> None:
        """The chat's stored language was deleted (its person asked): ask the database again."""
        self._known.pop(chat_id, None)

    async def joined(self, chat_id: int, adder_code: str | None) -> None:
        """The bot was added to a group: the adder's language is the group's until chosen."""
        language = normalise(adder_code)
        if language is not None:
            await self._statuses.set_joined_language(chat_id, language)
            self._known.pop(chat_id, None)


def answer_in(language: Language) -> str:
    """The line added to every persona's instructions: stable per chat, so the prompt cache holds.

    In English like the instructions themselves; the model follows the user's language and
    falls back on the chat's when the message does not show one.
    """
    return (
        "Reply in the language the user writes in, unless your instructions say otherwise; "
        f"when that is unclear (a very short message, an emoji, a link), reply in "
        f"{ENGLISH_NAMES[language]}."
    )
