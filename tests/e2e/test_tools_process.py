"""A tool turn in the bot as its owner runs it: killed while the model's code runs, the bot
resumes the response by its id after the restart and delivers its charts and text exactly once."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

from tests.conftest import Person, fake_env
from tests.e2e.test_process import polls_only, start_process, wait_for_exit
from tests.fakes.openai_server import FakeOpenAI, Reply
from tests.fakes.telegram_server import FakeTelegram
from tests.media_samples import csv, png


async def kill_while_polled_then_restart(
    process: asyncio.subprocess.Process,
    env: dict[str, str],
    tmp_path: Path,
    telegram: FakeTelegram,
    openai_server: FakeOpenAI,
    release: asyncio.Event,
    alice: Person,
) -> str:
    """SIGKILL once the bot polls the held response; let the model finish; restart until the
    answer arrived (as the caption of what the model made); the restarted bot's log."""
    await telegram.wait_until(
        lambda: (
            openai_server.turns
            and openai_server.requests_to("GET", f"/responses/{openai_server.turns[0].remote_id}")
        ),
        within=30,
    )
    process.kill()
    await wait_for_exit(process)
    release.set()
    restarted = await start_process(env, tmp_path)
    try:
        await alice.captions(1, within=30)
    finally:
        restarted.send_signal(signal.SIGTERM)
        log = await wait_for_exit(restarted)
    return log


async def test_charts_of_a_turn_killed_midway_are_delivered_once_after_restart(
    telegram: FakeTelegram, openai_server: FakeOpenAI, alice: Person, tmp_path: Path
) -> None:
    env = {**fake_env(telegram, openai_server, tmp_path / "bot.sqlite3"), "REPLY_MODE": "poll"}
    polls_only(openai_server)
    process = await start_process(env, tmp_path)
    alice.say("/persona data_visualizer")
    await alice.replies(1, within=30)
    release = asyncio.Event()
    made = [("a.png", png(10, 10)), ("b.png", png(20, 10))]
    openai_server.replies.append(Reply(hold=release, code="plot()", writes=made, text="Done."))
    document = telegram.document(csv(), "data.csv", "text/csv")
    telegram.push_message(alice.chat, alice.user, document=document, caption="chart it")
    log = await kill_while_polled_then_restart(
        process, env, tmp_path, telegram, openai_server, release, alice
    )

    assert "Resuming 1 messages" in log
    assert len(openai_server.turns) == 1  # resumed by its id, not run again
    assert len(telegram.calls_to("sendMediaGroup", alice.chat_id)) == 1
    assert [u.data for chat, _, u in telegram.uploads if chat == alice.chat_id] == [
        d for _, d in made
    ]
    assert telegram.sent_captions(alice.chat_id) == ["Done."]
    assert len(telegram.sent_texts(alice.chat_id)) == 1  # the persona switch only


async def test_an_image_of_a_turn_killed_midway_is_delivered_once_after_restart(
    telegram: FakeTelegram, openai_server: FakeOpenAI, alice: Person, tmp_path: Path
) -> None:
    """After the restart the bot holds no image: it is read from the response, by its id."""
    env = {
        **fake_env(telegram, openai_server, tmp_path / "bot.sqlite3"),
        "REPLY_MODE": "poll",
        "IMAGE_COMMAND": "on",
    }
    polls_only(openai_server)
    process = await start_process(env, tmp_path)
    release = asyncio.Event()
    picture = png(40, 30)
    openai_server.replies.append(Reply(hold=release, draws=[picture], text="A small blue card."))
    alice.say("/image a small blue card")
    await kill_while_polled_then_restart(
        process, env, tmp_path, telegram, openai_server, release, alice
    )

    assert len(openai_server.turns) == 1  # resumed by its id, not drawn again
    assert [u.data for chat, kind, u in telegram.uploads if chat == alice.chat_id] == [picture]
    assert telegram.sent_captions(alice.chat_id) == ["A small blue card."]
    assert telegram.sent_texts(alice.chat_id) == []
