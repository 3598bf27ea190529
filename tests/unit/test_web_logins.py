"""The `/web` links on both engines: kept hashed, spent once by whoever asks first, lapsed after
their minutes, then forgotten."""

from __future__ import annotations

import asyncio

from bot.web.login_links import LINK_SECONDS, new_token, token_hash
from storage import SignedIn
from storage.database import Database


async def test_a_login_link_is_spent_once_and_not_after_it_lapses(store: Database) -> None:
    token = new_token()
    await store.web_logins.issue(token_hash(token), SignedIn(42, "pt-br"), LINK_SECONDS)
    await store.web_logins.issue(token_hash("lapsed"), SignedIn(7), -1)
    assert await store.web_logins.spend(token_hash("not a token")) is None

    first, second = await asyncio.gather(
        store.web_logins.spend(token_hash(token)), store.web_logins.spend(token_hash(token))
    )
    assert {first, second} == {SignedIn(42, "pt-br"), None}  # two racing: one wins
    assert await store.web_logins.spend(token_hash("lapsed")) is None

    await store.web_logins.forget_lapsed()
    rows = await store.engine.rows("SELECT count(*) FROM web_logins")
    assert rows == [(0,)]


async def test_a_session_is_known_until_it_lapses_or_its_user_logs_out(store: Database) -> None:
    await store.web_logins.start_session(token_hash("a"), SignedIn(42), 3600)
    await store.web_logins.start_session(token_hash("b"), SignedIn(42), 3600)
    await store.web_logins.start_session(token_hash("c"), SignedIn(7), 3600)
    await store.web_logins.start_session(token_hash("old"), SignedIn(7), -1)
    assert await store.web_logins.session_user(token_hash("a")) == SignedIn(42)
    assert await store.web_logins.session_user(token_hash("old")) is None
    assert await store.web_logins.session_user(token_hash("unknown")) is None

    assert await store.web_logins.end_sessions(42) == 2  # `/web logout`: every session
    assert await store.web_logins.session_user(token_hash("b")) is None
    assert await store.web_logins.session_user(token_hash("c")) == SignedIn(7)

    await store.web_logins.forget_lapsed()
    rows = await store.engine.rows("SELECT count(*) FROM web_sessions")
    assert rows == [(1,)]
