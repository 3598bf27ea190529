"""Who may use the bot: strangers are told their id, so the owner can allow them."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ParseMode

from bot import texts
from bot.config import AllowedUsers

logger = logging.getLogger(__name__)


async def ensure_allowed(update: Update, allowed: AllowedUsers) -> bool:
    """True if the sender may use the bot; otherwise tell them why not and how to fix it."""
    user = update.effective_user
    if user is not None and allowed.allows(user.id):
        return True
    user_id = user.id if user else 0
    logger.info(
        "Refused user %s in chat %s", user_id, update.effective_chat and update.effective_chat.id
    )
    if update.callback_query is not None:
        await update.callback_query.answer(f"This bot is private. Your user id is {user_id}.")
    elif update.effective_message is not None:
        await update.effective_message.reply_text(
            texts.NOT_ALLOWED.format(user_id=user_id), parse_mode=ParseMode.HTML
        )
    return False
