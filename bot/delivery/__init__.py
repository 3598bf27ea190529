"""Delivery: how answers reach Telegram — channel, sender, live previews and the rate limiter.

Imports python-telegram-bot, `bot.rendering` and the engine's channel protocols; never the
OpenAI SDK, the backends or storage (checked by the import contracts in pyproject.toml).
"""
