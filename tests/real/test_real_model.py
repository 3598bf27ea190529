"""The chat backend against a real model (llama.cpp's server, SmolLM2-135M), via `./run.sh
test-real`. A small model says little of use, so these assert what it allows: answers that are
not empty, delivered once and in order, drafts before the final text, no error in the log."""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path

import pytest

from bot.texts import ENGLISH
from storage import ChatKey
from tests.conftest import ConfigFactory, Person, StartBot
from tests.fakes.telegram_server import FakeTelegram
from tests.media_samples import jpeg

REAL_SERVER = os.environ["TELETHREAD_REAL_LANE"]
pytestmark = pytest.mark.parametrize("backend", ["chat"], indirect=True)


@pytest.fixture
def real_env() -> dict[str, str]:
    return {"OPENAI_BASE_URL": REAL_SERVER, "OPENAI_MODEL": "smollm2", "RESPONSE_TIMEOUT": "60"}


def no_errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_streamed_answer_arrives_once_after_its_drafts(
    start_bot: StartBot,
    make_config: ConfigFactory,
    real_env: dict[str, str],
    alice: Person,
    telegram: FakeTelegram,
    caplog: pytest.LogCaptureFixture,
) -> None:
    bot = await start_bot(make_config({**real_env, "MAX_OUTPUT_TOKENS": "60"}))
    question = alice.say("Name three colours.")

    [answer] = await alice.replies(1, within=60)

    assert answer.strip()
    sent = telegram.calls_to("sendMessage", alice.chat_id)
    assert len(sent) == 1
    assert telegram.drafts and all(d.at < sent[0].at for d in telegram.drafts)
    assert no_errors(caplog) == []
    # llama-cpp-python's server ignores stream_options (no usage chunk): the ledger estimates;
    # a model on the owner's own server costs nothing.
    row = await bot.services.store.ledger.row(alice.chat_id, question["message_id"])
    assert row is not None and (row.state, row.source) == ("settled", "estimated")
    assert row.usage.input_tokens > 0 and row.usage.output_tokens >= len(answer.encode()) // 3
    assert row.cost_micros == 0


@pytest.mark.parametrize("reply_mode", ["poll"], indirect=True)
async def test_a_polled_answer_comes_without_drafts(
    start_bot: StartBot,
    make_config: ConfigFactory,
    real_env: dict[str, str],
    alice: Person,
    telegram: FakeTelegram,
    caplog: pytest.LogCaptureFixture,
) -> None:
    bot = await start_bot(make_config({**real_env, "MAX_OUTPUT_TOKENS": "40"}))
    question = alice.say("Say hello.")

    [answer] = await alice.replies(1, within=60)

    assert answer.strip() and telegram.drafts == []
    assert no_errors(caplog) == []
    row = await bot.services.store.ledger.row(alice.chat_id, question["message_id"])
    assert row is not None and (row.state, row.source) == ("settled", "reported")
    assert row.usage.input_tokens > 0 and 0 < row.usage.output_tokens <= 40


async def test_answers_come_in_order_across_reset_and_persona(
    start_bot: StartBot,
    make_config: ConfigFactory,
    real_env: dict[str, str],
    alice: Person,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await start_bot(make_config({**real_env, "MAX_OUTPUT_TOKENS": "30"}))
    alice.say("What is two plus two?")
    await alice.replies(1, within=60)
    alice.say("/reset")
    alice.say("/persona translator")
    alice.say("Translate 'good morning' into Spanish.")

    replies = await alice.replies(4, within=60)

    assert replies[1] == ENGLISH.reset_done
    assert "Translator" in replies[2]
    assert replies[3].strip()
    assert no_errors(caplog) == []


async def test_an_answer_cut_by_max_output_tokens_says_so(
    start_bot: StartBot,
    make_config: ConfigFactory,
    real_env: dict[str, str],
    alice: Person,
) -> None:
    await start_bot(make_config({**real_env, "MAX_OUTPUT_TOKENS": "5"}))
    alice.say("Write a long story about a dragon who learns to cook.")

    [answer] = await alice.replies(1, within=60)

    assert ENGLISH.incomplete_length in answer


async def test_stop_keeps_what_the_model_wrote_so_far(
    start_bot: StartBot,
    make_config: ConfigFactory,
    real_env: dict[str, str],
    alice: Person,
    telegram: FakeTelegram,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await start_bot(make_config({**real_env, "MAX_OUTPUT_TOKENS": "400"}))
    alice.say("Write a long story about a dragon who learns to cook.")
    await telegram.wait_until(lambda: telegram.drafts, within=60)
    draft = telegram.drafts[0]

    telegram.push_update(
        {"stopped_message_generation": {"chat": alice.chat, "draft_id": draft.draft_id}}
    )
    [answer] = await alice.replies(1, within=60)

    assert answer.endswith(ENGLISH.answer_stopped)
    assert answer.removesuffix(ENGLISH.answer_stopped).strip()
    assert no_errors(caplog) == []


async def test_a_restart_mid_answer_delivers_one_answer(
    start_bot: StartBot,
    make_config: ConfigFactory,
    real_env: dict[str, str],
    alice: Person,
    telegram: FakeTelegram,
    caplog: pytest.LogCaptureFixture,
) -> None:
    config = make_config({**real_env, "MAX_OUTPUT_TOKENS": "300"}, shutdown_grace=0.0)
    first = await start_bot(config)
    alice.say("Write a long story about a dragon who learns to cook.")
    await telegram.wait_until(lambda: telegram.drafts, within=60)

    await first.stop()  # mid-answer: the message stays in the inbox
    assert telegram.calls_to("sendMessage", alice.chat_id) == []
    await start_bot(config)

    [answer] = await alice.replies(1, within=90)
    assert answer.strip()
    assert len(telegram.calls_to("sendMessage", alice.chat_id)) == 1
    assert no_errors(caplog) == []


async def test_a_photo_to_a_model_that_cannot_see_is_one_sentence_and_the_chat_goes_on(
    start_bot: StartBot,
    make_config: ConfigFactory,
    real_env: dict[str, str],
    alice: Person,
    telegram: FakeTelegram,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """SmolLM2 has no vision projector: the real server refuses the image (a 500)."""
    bot = await start_bot(make_config({**real_env, "MAX_OUTPUT_TOKENS": "30"}))
    photo = telegram.photo(jpeg(320, 240), 320, 240)
    telegram.push_message(alice.chat, alice.user, photo=photo, caption="What is this?")

    [refusal] = await alice.replies(1, within=60)
    alice.say("Say hello.")
    [_, answer] = await alice.replies(2, within=60)

    assert refusal == ENGLISH.images_unavailable
    assert answer.strip() and answer != ENGLISH.images_unavailable
    assert no_errors(caplog) == []
    assert not bot.services.backend.media.images  # later photos are refused without a call


async def test_the_start_up_check_finds_the_real_server_and_its_model_list(
    start_bot: StartBot, make_config: ConfigFactory, real_env: dict[str, str]
) -> None:
    bot = await start_bot(make_config(real_env))

    check = await bot.services.check_model_server()

    # llama.cpp lists its one model by file name and answers to any name: usable, with a note.
    assert check.usable, check.summary
    assert "is reachable" in check.summary


async def test_a_conversation_past_its_budget_is_summarised_by_the_real_model(
    start_bot: StartBot,
    make_config: ConfigFactory,
    real_env: dict[str, str],
    alice: Person,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # A 135M model's summary is no test of memory; this is of the plumbing against a real
    # server: it takes the cache key, writes a summary when asked, and answers after it.
    env = {**real_env, "MAX_OUTPUT_TOKENS": "30", "CONTEXT_BUDGET_TOKENS": "1000"}
    bot = await start_bot(make_config(env))
    padding = " We talked about the weather, the garden and the news of the week." * 6
    for n in range(8):
        alice.say(f"{'My name is Zoltan.' if n == 0 else f'Note {n}.'}{padding}")
        await alice.replies(n + 1, within=90)

    record = await bot.services.store.chats.get(ChatKey(alice.chat_id))
    assert record is not None and record.conversation_id is not None
    stored = await bot.services.store.history.of(record.conversation_id)
    assert stored[0].role == "summary" and stored[0].content.strip()
    assert len(stored) < 2 * 8
    assert "was not compacted" not in caplog.text
    assert no_errors(caplog) == []


async def test_a_persona_answers_with_its_documents_embedded_by_the_real_server(
    start_bot: StartBot,
    make_config: ConfigFactory,
    real_env: dict[str, str],
    alice: Person,
    telegram: FakeTelegram,
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
) -> None:
    folder = tmp_path / "handbook"
    folder.mkdir()
    (folder / "bread.md").write_text("Bread\n\nBake the bread at 230 degrees for 35 minutes.\n")
    (folder / "garden.md").write_text("Garden\n\nWater the tomatoes every evening.\n")
    personas = tmp_path / "personas.toml"
    personas.write_text(
        '[[persona]]\nname = "family"\ninstructions = "Answer briefly."\nknowledge = "handbook"\n'
    )
    env = {**real_env, "MAX_OUTPUT_TOKENS": "40", "PERSONAS_FILE": str(personas)}
    bot = await start_bot(make_config(env))
    question = alice.say("How long do we bake the bread?")

    [answer] = await alice.replies(1, within=60)

    # The real server embedded both documents (one vector per token, pooled by the bot) and
    # the question; the nearest passages went to the model and are named under the answer.
    passages = await bot.services.store.knowledge.passages("handbook-" + _suffix(folder))
    assert {p.path for p in passages} == {"bread.md", "garden.md"}
    assert len({len(p.embedding) for p in passages}) == 1 and len(passages[0].embedding) > 64
    assert f"{ENGLISH.sources}\n\n1. " in answer
    row = await bot.services.store.ledger.row(alice.chat_id, question["message_id"])
    assert row is not None and row.tools.file_searches == 1
    assert no_errors(caplog) == []


def _suffix(folder: Path) -> str:
    return hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:8]
