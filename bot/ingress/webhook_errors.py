"""The webhook's start-up failure, importable without aiohttp (which only webhooks load)."""


class WebhookUnavailable(Exception):
    """The webhook's address cannot be listened on (in use, not this host's); says why."""
