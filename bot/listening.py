"""An aiohttp application listening on host:port: the webhook's server and the web pages'.

`reuse_address` lets a restarted process bind at once; port 0 asks the system for a free port
(tests), and the port actually bound is returned."""

from __future__ import annotations

from aiohttp import web


class CannotListen(Exception):
    """The address is taken or not this host's: the message says why."""


async def listen(app: web.Application, host: str, port: int) -> tuple[web.AppRunner, int]:
    """Serve `app` on host:port: its runner (cleaned up to stop) and the port bound."""
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=5.0)
    await runner.setup()
    site = web.TCPSite(runner, host, port, reuse_address=True)
    try:
        await site.start()
    except OSError as exc:
        await runner.cleanup()
        raise CannotListen(exc.strerror or str(exc)) from exc
    server = site._server  # the bound socket's port (port 0: the system chose it)
    sockets = getattr(server, "sockets", None) or []
    return runner, sockets[0].getsockname()[1] if sockets else port
