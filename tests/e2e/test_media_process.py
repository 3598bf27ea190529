"""Media in the bot as its owner runs it (`python -m bot`): a crash between accepting a voice note
and answering it, and what the process writes while it downloads files (never the token, which
every Telegram file URL contains)."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

from tests.conftest import Person, fake_env
from tests.e2e.test_process import polls_only, start_process, wait_for_exit
from tests.e2e.test_secrets import secrets_in
from tests.fakes.openai_server import FakeOpenAI, Reply
from tests.fakes.telegram_server import FakeTelegram
from tests.media_samples import jpeg, ogg_opus, pdf


async def test_a_voice_note_accepted_before_a_sigkill_is_answered_once_after_restart(
    telegram: FakeTelegram, openai_server: FakeOpenAI, alice: Person, tmp_path: Path
) -> None:
    env = {**fake_env(telegram, openai_server, tmp_path / "bot.sqlite3"), "REPLY_MODE": "poll"}
    release = asyncio.Event()
    openai_server.replies.append(Reply(hold=release))
    polls_only(openai_server)
    process = await start_process(env, tmp_path)
    voice = telegram.voice(ogg_opus("remind me to water the plants", 5), 5)
    telegram.push_message(alice.chat, alice.user, voice=voice)
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
        await telegram.wait_until(lambda: len(telegram.sent_texts(alice.chat_id)) >= 2, 30)
    finally:
        restarted.send_signal(signal.SIGTERM)
        log = await wait_for_exit(restarted)

    [turn] = openai_server.turns
    assert turn.input == "remind me to water the plants"
    # Heard once and paid once: the transcript was kept with the message.
    assert len(openai_server.transcriptions) == 1
    assert telegram.sent_texts(alice.chat_id) == ["🎤 remind me to water the plants", turn.text]
    assert "Resuming 1 messages" in log


async def test_no_secret_is_written_while_files_are_downloaded_read_and_refused(
    telegram: FakeTelegram, openai_server: FakeOpenAI, alice: Person, tmp_path: Path
) -> None:
    env = {**fake_env(telegram, openai_server, tmp_path / "bot.sqlite3"), "LOG_LEVEL": "DEBUG"}
    process = await start_process(env, tmp_path)
    try:
        telegram.push_message(alice.chat, alice.user, voice=telegram.voice(ogg_opus("hi"), 2))
        await alice.replies(2, within=30)
        photo = telegram.photo(jpeg(320, 240), 320, 240)
        telegram.push_message(alice.chat, alice.user, photo=photo, caption="what is it?")
        await alice.replies(3, within=30)
        document = telegram.document(pdf(), "a.pdf", "application/pdf")
        telegram.push_message(alice.chat, alice.user, document=document)
        await alice.replies(4, within=30)
        # A file the file server has lost (404), and one getFile refuses as too big.
        lost = telegram.document(None, "lost.pdf", "application/pdf", size=100)
        telegram.push_message(alice.chat, alice.user, document=lost)
        await alice.replies(5, within=30)
        huge = telegram.document(None, "huge.pdf", "application/pdf", size=30_000_000)
        del huge["file_size"]
        telegram.push_message(alice.chat, alice.user, document=huge)
        await alice.replies(6, within=30)
    finally:
        process.send_signal(signal.SIGTERM)
        log = await wait_for_exit(process)

    assert process.returncode == 0, log
    assert len(telegram.downloads) == 3
    assert "attachments not read" in log
    assert secrets_in(log, telegram, openai_server) == []
    sent = " ".join(str(body) for _, _, body in openai_server.requests)  # nothing to OpenAI
    assert secrets_in(sent, telegram, openai_server) == [] and "/file/bot" not in sent
