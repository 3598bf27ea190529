"""The web side (issue 30): the Mini App, the web chat and the owner's pages, served by the
process's aiohttp server. Identity is the Telegram account, checked by the bot: no passwords."""
