"""Pure text: model Markdown → Telegram HTML, and splitting into messages that fit.

Imports only markdown_it and the standard library (checked by the import contracts); Telegram's
numbers come in as arguments from `bot.delivery`.
"""
