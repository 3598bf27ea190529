"""A person's browser, as far as the HTTP tests need one: signs in by the link `/web` sent
(or a signed Mini App launch), keeps the session's cookie, reads pages, sends forms with the
CSRF token, and reads a web chat answer's events as they stream in."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

import aiohttp

from tests.fakes.telegram_server import FakeTelegram

LINK = re.compile(r'href="([^"]+/login\?t=[^"]+)"')


def signed_launch(fields: dict[str, str], token: str) -> str:
    """Mini App launch parameters signed as the Bot API documents it."""
    lines = "\n".join(f"{key}={fields[key]}" for key in sorted(fields))
    secret = hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()
    digest = hmac.new(secret, lines.encode(), hashlib.sha256).hexdigest()
    return urlencode({**fields, "hash": digest}, quote_via=quote)


def launch_for(user: dict[str, Any], token: str, *, signed_at: float | None = None) -> str:
    """What Telegram gives a Mini App opened by `user` from the bot's menu button."""
    fields = {
        "user": json.dumps(user, separators=(",", ":")),
        "auth_date": str(int(signed_at if signed_at is not None else time.time())),
        "chat_type": "sender",
        "chat_instance": "-4937460591806462815",
    }
    return signed_launch(fields, token)


def sign_in_link(telegram: FakeTelegram, chat_id: int) -> str:
    """The link in the latest /web answer sent to `chat_id`."""
    for call in reversed(telegram.calls_to("sendMessage", chat_id)):
        found = LINK.search(str(call.params.get("text", "")))
        if found:
            return found.group(1).replace("&amp;", "&")
    raise AssertionError("no sign-in link was sent")


@dataclass
class StreamedAnswer:
    events: list[tuple[str, str]] = field(default_factory=list)  # (kind, html)

    def of(self, kind: str) -> list[str]:
        return [html for k, html in self.events if k == kind]


@dataclass
class WebVisitor:
    session: aiohttp.ClientSession
    base: str
    csrf: str = ""
    bearer: str | None = None

    @classmethod
    def at(cls, base: str) -> WebVisitor:
        jar = aiohttp.CookieJar(unsafe=True)  # cookies for 127.0.0.1, as a browser keeps them
        return cls(aiohttp.ClientSession(cookie_jar=jar), base)

    async def close(self) -> None:
        await self.session.close()

    def headers(self) -> dict[str, str]:
        if self.bearer:
            return {"Authorization": f"Bearer {self.bearer}"}
        return {"X-CSRF-Token": self.csrf}

    async def sign_in(self, link: str) -> aiohttp.ClientResponse:
        """As a browser does with the link: GET the page, press its button (a POST)."""
        async with self.session.get(link) as page:
            assert page.status == 200
        token = link.split("t=", 1)[1]
        async with self.session.post(
            f"{self.base}/login", data={"t": token}, allow_redirects=False
        ) as response:
            await response.read()
        if response.status == 303:
            await self.who()
        return response

    async def open_mini_app(self, launch: str) -> aiohttp.ClientResponse:
        async with self.session.post(
            f"{self.base}/api/mini-app", headers={"Authorization": f"tma {launch}"}
        ) as response:
            if response.status == 200:
                self.bearer = (await response.json())["token"]
            else:
                await response.read()
        if self.bearer:
            await self.who()
        return response

    async def who(self) -> tuple[int, dict[str, Any]]:
        async with self.session.get(f"{self.base}/api/me", headers=self.headers()) as response:
            body = await response.json()
        if response.status == 200:
            self.csrf = body["csrf"]
        return response.status, body

    async def page(self, name: str) -> tuple[int, str]:
        async with self.session.get(
            f"{self.base}/api/page/{name}", headers=self.headers()
        ) as response:
            return response.status, await response.text()

    async def post(self, action: str, **form: str) -> tuple[int, dict[str, Any]]:
        async with self.session.post(
            f"{self.base}/api/{action}", data=form, headers=self.headers()
        ) as response:
            return response.status, await response.json()

    async def chat(self, text: str) -> tuple[int, StreamedAnswer]:
        """Send a web chat message; the answer's events until the stream ends."""
        answer = StreamedAnswer()
        async with self.session.post(
            f"{self.base}/api/chat", data={"text": text}, headers=self.headers()
        ) as response:
            if response.status != 200:
                answer.events.append(("refused", (await response.json())["message"]))
                return response.status, answer
            assert response.headers["Content-Type"] == "text/event-stream"
            kind = ""
            async for raw in response.content:
                line = raw.decode().rstrip("\n")
                if line.startswith("event: "):
                    kind = line.removeprefix("event: ")
                elif line.startswith("data: "):
                    answer.events.append((kind, json.loads(line.removeprefix("data: "))["html"]))
        return response.status, answer
