"""Every user-facing sentence, in one place so they can be reviewed and translated together.

Texts are Telegram HTML: placeholders that carry user or model text must be escaped by the caller.
"""

from __future__ import annotations

START = (
    "Hi {name}! I'm an AI assistant. Every chat with me is one long conversation that I remember, "
    "so you can simply keep talking.\n\n"
    "Current persona: <b>{persona}</b>.\n"
    "/persona — switch persona (this starts a fresh conversation)\n"
    "/reset — forget this conversation and start over\n"
    "/help — what I can do"
)
HELP = (
    "Just write to me and I'll answer; I remember everything said in this chat until you /reset."
    "\n\n"
    "/persona — show the current persona and choose another\n"
    "/persona <i>name</i> — switch directly, e.g. <code>/persona {example}</code>\n"
    "/reset — forget this conversation and start over\n"
    "/help — this message\n\n"
    "In groups, mention me (@{username}) or reply to one of my messages to talk to me."
)

NOT_ALLOWED = (
    "Sorry, this is a private bot and you are not on its list of allowed users.\n\n"
    "Your Telegram user id is <code>{user_id}</code>. If you know the owner, send them this id: "
    "they can allow you by adding it to <code>ALLOWED_USERS</code>."
)

GROUP_NOT_ALLOWED = (
    "Sorry, I'm a private bot and this group is not on my list, so I'm leaving.\n\n"
    "The group's id is <code>{chat_id}</code>: the owner can allow it by adding it to "
    "<code>ALLOWED_CHATS</code>, or by adding me to the group themselves."
)
GROUP_WELCOME = (
    "Hi everyone! Mention me (@{username}) or reply to one of my messages to talk to me; "
    "I remember this group's conversation until an admin sends /reset."
)
ADMINS_ONLY = "Sorry, only this group's admins can do that."

RESET_DONE = "Done — I've forgotten our conversation. Let's start over!"
RESET_FAILED = (
    "Sorry, I couldn't start a new conversation just now. Please try /reset again in a minute."
)

PERSONA_CURRENT = "Current persona: <b>{title}</b> — {description}\n\nChoose another:"
PERSONA_CHOSEN = (
    "Persona switched to <b>{title}</b> — {description}\nI've started a fresh conversation."
)
PERSONA_UNKNOWN = "I don't know the persona “{name}”. Available personas:\n{choices}"
PERSONA_CHOICE = "• <code>{name}</code> — {title}: {description}"
PERSONA_BUTTON_STALE = "That menu is out of date — send /persona again."

ANSWER_EMPTY = "The model returned an empty answer. Please try rephrasing your message."
ANSWER_INCOMPLETE = "(The answer was cut short: {reason}.)"
INCOMPLETE_REASONS = {
    "max_output_tokens": "it reached the length limit",
    "content_filter": "the content filter stopped it",
}
ANSWER_FAILED = "Sorry, the model couldn't answer this time. Please try again."
ANSWER_CANCELLED = "The answer was cancelled."
ANSWER_STOPPED = "(Stopped.)"
ANSWER_TOOL_CALL = (
    "Sorry, the model tried to use a tool this bot does not provide, so I stopped it. "
    "The owner should remove the tools from the assistant."
)
ANSWER_TIMED_OUT = (
    "Sorry, the model took too long (over {seconds} seconds), so I stopped waiting. "
    "Please try again, perhaps with a shorter question."
)
BACKEND_UNAVAILABLE = (
    "Sorry, the AI service is not reachable right now. Please try again in a minute."
)
BACKEND_MISCONFIGURED = (
    "Sorry, I can't reach the AI service because the bot is misconfigured. "
    "The owner has been told in the bot's log."
)
BACKEND_REJECTED = "Sorry, the AI service refused this message. Try rephrasing it."
HISTORY_LOST = (
    "(Our earlier conversation could no longer be found on the AI service, "
    "so I've started a new one.)"
)

UNKNOWN_COMMAND = "I don't know that command. /help lists what I can do."
EMPTY_MESSAGE = "Yes? What would you like to ask?"
STORAGE_UNAVAILABLE = (
    "Sorry, I can't take messages right now (my storage is unavailable). "
    "Please try again in a few minutes."
)
UNSUPPORTED_MESSAGE = "Sorry, I can only read text messages for now."
ATTACHMENT_NOTE = "[{kind} attached, which I cannot see]"
ERROR_REPORT = "⚠️ Error while handling update {update_id} (chat {chat_id}):\n<code>{detail}</code>"
INTERNAL_ERROR = "Sorry, something went wrong on my side. Please try again."
