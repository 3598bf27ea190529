"""Which chat (or topic) a message belongs to, whether it is meant for the bot, and its text."""

from __future__ import annotations

from telegram import Bot, Message, MessageEntity
from telegram.constants import ChatType

from storage import ChatKey

QUOTE_LIMIT = 300  # characters of a replied-to message quoted for the model
# What the model reads of what it cannot see. For the model, not the user: always English.
ATTACHMENT_NOTE = "[{kind} attached, which I cannot see]"


def chat_key(message: Message) -> ChatKey:
    """Forum topics are separate conversations; elsewhere `message_thread_id` is a reply chain."""
    topic = message.message_thread_id if message.is_topic_message else None
    return ChatKey(chat_id=message.chat_id, topic_id=topic or 0)


def is_private(message: Message) -> bool:
    return message.chat.type == ChatType.PRIVATE


def addressed_text(message: Message, bot: Bot, trigger: str | None) -> str | None:
    """The message's text with the bot's mention or trigger removed, if it is meant for the bot.

    Private chats: everything. Groups: a mention (@bot, or a mention of the bot without a
    username), a reply to one of the bot's messages, or a message starting with `trigger`.
    Captions count like text.
    """
    text = message.text or message.caption or ""
    if is_private(message):
        return text
    entities = message.parse_entities if message.text else message.parse_caption_entities
    mentioned = False
    for entity, value in entities([MessageEntity.MENTION, MessageEntity.TEXT_MENTION]).items():
        if entity.type == MessageEntity.MENTION and value.lower() == f"@{bot.username}".lower():
            mentioned = True
            text = text.replace(value, "", 1)
        elif entity.type == MessageEntity.TEXT_MENTION and entity.user and entity.user.id == bot.id:
            mentioned = True
    if trigger and text.lower().startswith(trigger.lower()):
        mentioned = True
        text = text[len(trigger) :].lstrip(" ,:")
    if mentioned or replies_to_bot(message, bot):
        return text.replace("  ", " ").strip()
    return None


def replies_to_bot(message: Message, bot: Bot) -> bool:
    replied = _replied(message)
    return bool(replied and replied.from_user and replied.from_user.id == bot.id)


def text_for_model(message: Message, text: str, bot: Bot, *, note_attachment: bool = True) -> str:
    """What the model reads: in groups the sender's name first; a quote of what it replies to.

    `note_attachment`: say that an attachment came which the model cannot see (media the
    engine reads itself pass False)."""
    parts = []
    replied = _replied(message)
    quoted = (replied.text or replied.caption or "") if replied else ""
    if replied and quoted:
        if len(quoted) > QUOTE_LIMIT:
            quoted = quoted[:QUOTE_LIMIT].rstrip() + "…"
        who = "your message" if replies_to_bot(message, bot) else f"{sender_name(replied)}"
        parts.append(f'(replying to {who}: "{quoted}")')
    if text:
        parts.append(text)
    kind = _attachment_kind(message) if note_attachment else None
    if kind:
        parts.append(ATTACHMENT_NOTE.format(kind=kind))
    body = " ".join(parts)
    if is_private(message):
        return body
    return f"{sender_name(message)}: {body}"


def sender_name(message: Message) -> str:
    if message.from_user:
        return message.from_user.full_name
    if message.sender_chat:
        return message.sender_chat.title or "Someone"
    return "Someone"


def _replied(message: Message) -> Message | None:
    """The message replied to; not a topic's creation message, which all topic messages cite."""
    replied = message.reply_to_message
    if replied is None or replied.forum_topic_created:
        return None
    return replied


def _attachment_kind(message: Message) -> str | None:
    attachment = message.effective_attachment
    if attachment is None or message.text:
        return None
    name = type(attachment[-1] if isinstance(attachment, tuple) else attachment).__name__
    return {"PhotoSize": "a photo", "Document": "a file", "Video": "a video"}.get(
        name, f"a {name.lower()}"
    )
