"""Answers that appear as they are written: drafts, long streamed answers, stop, resume, edits."""

from __future__ import annotations

import itertools

import pytest

from bot.config import FloodLimits
from tests.conftest import BACKENDS, ConfigFactory, Person, StartBot
from tests.fakes.openai_server import FakeOpenAI, Reply
from tests.fakes.telegram_server import BOT_USERNAME, FakeTelegram
from tests.running_bot import RunningBot


def drafts_of(telegram: FakeTelegram, chat_id: int) -> list[str]:
    return [d.text for d in telegram.drafts if d.chat_id == chat_id]


async def test_drafts_grow_before_the_answer_is_sent_in_full(
    bot: RunningBot, alice: Person, telegram: FakeTelegram, openai_server: FakeOpenAI
) -> None:
    openai_server.replies.append(
        Reply(text="The quick brown fox jumps over the lazy dog. " * 6, chunks=6, chunk_delay=0.35)
    )
    alice.say("Tell me about foxes")

    [answer] = await alice.replies(1)

    drafts = drafts_of(telegram, alice.chat_id)
    assert len(drafts) >= 2
    assert all(later.startswith(earlier) for earlier, later in itertools.pairwise(drafts))
    assert len(drafts[-1]) > len(drafts[0])
    assert answer == openai_server.turns[0].text.strip()
    answered_at = telegram.calls_to("sendMessage", alice.chat_id)[0].at
    assert all(d.at < answered_at for d in telegram.drafts)
    assert len({d.draft_id for d in telegram.drafts}) == 1
    draft_call = telegram.calls_to("sendMessageDraft", alice.chat_id)[0]
    assert draft_call.params["can_stop"] is True


@pytest.mark.parametrize("backend", ["chat"], indirect=True)  # pacing is Telegram-side
async def test_an_answer_is_not_held_up_by_a_draft_waiting_for_budget(
    start_bot: StartBot, make_config: ConfigFactory, alice: Person, telegram: FakeTelegram
) -> None:
    # One typing action or draft a minute: the typing that acknowledges the message takes it,
    # the first draft waits for a place, and the answer (a message: its own budget) goes.
    tight = FloodLimits(overall=(1, 60.0), per_chat=(100, 1.0), per_group=(100, 1.0))
    await start_bot(make_config(flood_limits=tight))
    alice.say("Hello")

    [answer] = await alice.replies(1)

    assert "Hello" in answer
    assert len(telegram.calls_to("sendChatAction", alice.chat_id)) == 1
    assert drafts_of(telegram, alice.chat_id) == []


@pytest.mark.parametrize("backend", ["chat"], indirect=True)  # pacing is Telegram-side
async def test_drafts_are_paced_to_one_a_second_for_a_fast_stream(
    bot: RunningBot, alice: Person, telegram: FakeTelegram, openai_server: FakeOpenAI
) -> None:
    openai_server.replies.append(Reply(text="word " * 400, chunks=100, chunk_delay=0.025))
    alice.say("Go fast")

    await alice.replies(1)

    times = [d.at for d in telegram.drafts]
    assert len(times) >= 2
    assert min(b - a for a, b in itertools.pairwise(times)) >= 0.95


@pytest.mark.parametrize("backend", ["responses"], indirect=True)  # splitting is Telegram-side
async def test_a_long_streamed_answer_arrives_complete_with_parts_sent_while_writing(
    bot: RunningBot, alice: Person, telegram: FakeTelegram, openai_server: FakeOpenAI
) -> None:
    text = "\n\n".join(f"Paragraph {n}: " + " ".join(["lorem ipsum"] * 40) for n in range(20))
    assert len(text) > 9000
    openai_server.replies.append(Reply(text=text, chunks=40, chunk_delay=0.05))
    alice.say("Write a lot")

    await telegram.wait_until(lambda: "Paragraph 19" in "".join(telegram.sent_texts(alice.chat_id)))

    parts = telegram.sent_texts(alice.chat_id)
    assert len(parts) >= 3
    assert all(len(p) <= 4096 for p in parts)
    assert "\n\n".join(parts) == text
    first_part_at = telegram.calls_to("sendMessage", alice.chat_id)[0].at
    assert any(d.at > first_part_at for d in telegram.drafts)  # the draft went on after it


async def test_stop_cancels_the_answer_and_keeps_what_was_written(
    bot: RunningBot, alice: Person, telegram: FakeTelegram, openai_server: FakeOpenAI
) -> None:
    openai_server.replies.append(Reply(text="Once upon a time " * 40, chunks=40, chunk_delay=0.1))
    alice.say("Tell me a long story")
    await telegram.wait_until(lambda: telegram.drafts)
    draft = telegram.drafts[0]

    telegram.push_update(
        {"stopped_message_generation": {"chat": alice.chat, "draft_id": draft.draft_id}}
    )
    [text] = await alice.replies(1)

    assert text.endswith("(Stopped.)")
    kept = text.removesuffix("(Stopped.)").strip()
    assert kept
    assert openai_server.turns[0].text.startswith(kept)
    assert len(kept) < len(openai_server.turns[0].text)
    turn = openai_server.turns[0]
    if turn.conversation is not None:  # server-side work was cancelled before we answered
        cancels = [p for m, p, _ in openai_server.requests if m == "POST" and p.endswith("/cancel")]
        assert [p for p in cancels if turn.remote_id in p]


async def test_a_stop_for_another_draft_changes_nothing(
    bot: RunningBot, alice: Person, telegram: FakeTelegram, openai_server: FakeOpenAI
) -> None:
    openai_server.replies.append(Reply(text="All of it. " * 20, chunks=10, chunk_delay=0.05))
    alice.say("Hello")
    await telegram.wait_until(lambda: telegram.drafts)

    stale = telegram.drafts[0].draft_id + 1
    telegram.push_update({"stopped_message_generation": {"chat": alice.chat, "draft_id": stale}})
    [text] = await alice.replies(1)

    assert text == openai_server.turns[0].text.strip()


@pytest.mark.parametrize("backend", ["responses"], indirect=True)
async def test_a_dropped_stream_is_resumed_without_losing_or_repeating_text(
    bot: RunningBot, alice: Person, telegram: FakeTelegram, openai_server: FakeOpenAI
) -> None:
    openai_server.responses_api.drop_next_stream_after = 5
    openai_server.replies.append(Reply(text="abcdefghij" * 30, chunks=10, chunk_delay=0.05))
    alice.say("Stream it")

    [answer] = await alice.replies(1)

    assert answer == "abcdefghij" * 30
    assert openai_server.responses_api.resumed_streams == [4]
    assert all(answer.startswith(d) for d in drafts_of(telegram, alice.chat_id))


@pytest.mark.parametrize("backend", ["assistants"], indirect=True)
async def test_runs_are_polled_where_the_server_cannot_stream_them(
    bot: RunningBot, alice: Person, telegram: FakeTelegram, openai_server: FakeOpenAI
) -> None:
    openai_server.assistants_api.streaming_supported = False
    alice.say("Hi")
    alice.say("Again")

    answers = await alice.replies(2)

    assert answers == [t.text for t in openai_server.turns]
    assert telegram.drafts == []


@pytest.mark.parametrize("backend", ["chat"], indirect=True)
async def test_servers_that_reject_stream_options_still_stream(
    bot: RunningBot, alice: Person, openai_server: FakeOpenAI
) -> None:
    openai_server.chat_api.reject_stream_options = True
    alice.say("Hi")
    alice.say("Again")

    answers = await alice.replies(2)

    assert answers == [t.text for t in openai_server.turns]
    assert "stream_options" not in openai_server.turns[-1].request


@pytest.mark.parametrize("backend", ["chat"], indirect=True)
async def test_group_edit_mode_grows_one_message_without_identical_edits(
    start_bot: StartBot,
    make_config: ConfigFactory,
    telegram: FakeTelegram,
    openai_server: FakeOpenAI,
    carol: Person,
) -> None:
    await start_bot(make_config({"GROUP_STREAMING": "edit"}))
    group = telegram.group_chat(-1001, "Team")
    openai_server.replies.append(Reply(text="Step by step. " * 30, chunks=8, chunk_delay=0.6))
    carol.say_in(group, f"@{BOT_USERNAME} explain")

    final = await telegram.wait_until(
        lambda: [
            m
            for m in telegram.messages.values()
            if m["chat"]["id"] == -1001
            and m.get("from", {}).get("is_bot")
            and m["text"] == openai_server.turns[0].text.strip()
        ]
    )

    assert len(telegram.calls_to("sendMessage", -1001)) == 1  # one message, grown by edits
    edits = [c.result["text"] for c in telegram.calls_to("editMessageText", -1001)]
    assert edits
    assert all(a != b for a, b in itertools.pairwise(edits))
    assert not [c for c in telegram.calls if c.method == "editMessageText" and not c.ok]
    assert final[0]["text"] == openai_server.turns[0].text.strip()
    assert telegram.drafts == []


@pytest.mark.parametrize("backend", BACKENDS, indirect=True)
async def test_poll_mode_answers_without_drafts(
    start_bot: StartBot,
    make_config: ConfigFactory,
    alice: Person,
    telegram: FakeTelegram,
    openai_server: FakeOpenAI,
) -> None:
    await start_bot(make_config({"REPLY_MODE": "poll"}))
    openai_server.replies.append(Reply(chunks=5, chunk_delay=0.05))
    alice.say("Hi")

    [answer] = await alice.replies(1)

    assert answer == openai_server.turns[0].text
    assert telegram.drafts == []
    assert telegram.calls_to("sendChatAction", alice.chat_id)


async def test_a_draft_is_never_empty_while_a_code_block_opens(
    bot: RunningBot, alice: Person, telegram: FakeTelegram, openai_server: FakeOpenAI
) -> None:
    # The first piece is the fence alone ("```python\n"): it shows nothing yet, and an empty
    # draft would replace what the user sees with "Thinking…".
    code = "```python\nprint('hello')\n```\nThat prints hello."
    pieces = -(-len(code) // 10)  # ten characters each: the first is the fence line alone
    openai_server.replies.append(Reply(text=code, chunks=pieces, chunk_delay=0.6))
    alice.say("Show me some Python")

    [answer] = await alice.replies(1)

    assert "print('hello')" in answer and answer.endswith("That prints hello.")
    drafts = drafts_of(telegram, alice.chat_id)
    assert drafts and all(draft.strip() for draft in drafts)
