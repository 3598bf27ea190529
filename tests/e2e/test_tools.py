"""Personas with hosted tools: the math tutor's code interpreter (the chat's own container, its
sessions billed, its expiry survived, deleted on /reset) and the researcher's web search (its
citations as a Sources list); and a tool a backend lacks, left out and said so."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from bot.texts import ENGLISH
from tests.conftest import ConfigFactory, Person, StartBot, responses_only
from tests.fakes.openai_server import FakeOpenAI, Reply
from tests.fakes.telegram_server import BOT_USERNAME, FakeTelegram
from tests.media_samples import csv, png
from tests.running_bot import RunningBot

CONTAINER_SESSION_MICROS = 30_000  # $0.03


async def choose(alice: Person, persona: str, replies: int = 1) -> None:
    alice.say(f"/persona {persona}")
    await alice.replies(replies)


@responses_only
async def test_the_math_tutor_runs_code_in_the_chats_own_container(
    start_bot: StartBot,
    make_config: ConfigFactory,
    alice: Person,
    openai_server: FakeOpenAI,
    tmp_path: Path,
) -> None:
    prices = tmp_path / "prices.toml"
    prices.write_text("[models.gpt-test]\ninput = 1.0\noutput = 2.0\ncontainer_session = 0.03\n")
    bot = await start_bot(make_config({"PRICES_FILE": str(prices)}))
    await choose(alice, "math_tutor")
    openai_server.replies.append(Reply(code="print(2**10)"))
    question = alice.say("what is 2 to the 10th?")

    [_, answer] = await alice.replies(2)

    [turn] = openai_server.turns
    assert answer == turn.text
    [tool] = turn.request["tools"]
    [container] = openai_server.containers_api.containers.values()
    assert tool == {"type": "code_interpreter", "container": container.id}
    assert (container.network, container.memory_limit, container.idle_minutes) == (
        "disabled",
        "1g",
        20,
    )
    row = await bot.services.store.ledger.row(alice.chat_id, question["message_id"])
    assert row is not None and row.tools.containers == 1
    price = bot.config.prices.lookup("gpt-test")
    assert price is not None
    assert row.cost_micros == price.cost_micros(row.usage) + CONTAINER_SESSION_MICROS


@responses_only
async def test_a_follow_up_reuses_the_container_and_is_not_a_new_session(
    bot: RunningBot, alice: Person, openai_server: FakeOpenAI
) -> None:
    await choose(alice, "math_tutor")
    openai_server.replies.extend([Reply(code="x = 1"), Reply(code="x + 1")])
    alice.say("set x to 1")
    await alice.replies(2)
    follow_up = alice.say("add one")
    await alice.replies(3)

    first, second = openai_server.turns
    assert first.request["tools"] == second.request["tools"]
    assert len(openai_server.containers_api.containers) == 1
    row = await bot.services.store.ledger.row(alice.chat_id, follow_up["message_id"])
    assert row is not None and row.tools.containers == 0


@responses_only
async def test_an_expired_container_is_replaced_and_the_chat_goes_on(
    bot: RunningBot, alice: Person, openai_server: FakeOpenAI
) -> None:
    await choose(alice, "math_tutor")
    openai_server.replies.extend([Reply(code="a = 1"), Reply(code="a")])
    alice.say("remember a = 1")
    await alice.replies(2)
    [old] = openai_server.containers_api.containers
    openai_server.containers_api.advance(minutes=21)  # 20 idle minutes: it is gone for good

    alice.say("what was a?")
    [*_, answer] = await alice.replies(3)

    assert answer == openai_server.turns[-1].text
    containers = openai_server.containers_api.containers
    assert len(containers) == 2 and old in containers
    new = next(c for c in containers if c != old)
    assert openai_server.turns[-1].request["tools"][0]["container"] == new
    # The registry holds only the live one: /reset deletes it.
    alice.say("/reset")
    await alice.replies(4)
    assert openai_server.containers_api.deleted == [new]
    assert await bot.services.store.files.count() == 0


@responses_only
async def test_reset_deletes_the_chats_container(
    bot: RunningBot, alice: Person, openai_server: FakeOpenAI
) -> None:
    await choose(alice, "math_tutor")
    openai_server.replies.append(Reply(code="1 + 1"))
    alice.say("1 + 1?")
    await alice.replies(2)
    [container] = openai_server.containers_api.containers

    await choose(alice, "assistant", replies=3)  # a persona switch is a fresh conversation

    assert openai_server.containers_api.deleted == [container]


@responses_only
async def test_sandbox_links_are_made_plain_text(
    bot: RunningBot, alice: Person, openai_server: FakeOpenAI
) -> None:
    await choose(alice, "math_tutor")
    openai_server.replies.append(
        Reply(text="Saved as [result.csv](sandbox:/mnt/data/result.csv).", code="save()")
    )
    alice.say("save it")

    [_, answer] = await alice.replies(2)

    assert answer == "Saved as result.csv."


@responses_only
async def test_web_search_answers_end_with_their_sources_as_links(
    bot: RunningBot, alice: Person, telegram: FakeTelegram, openai_server: FakeOpenAI
) -> None:
    await choose(alice, "researcher")
    sources = [
        ("Python 3.14 released", "https://python.org/news"),
        ("Changelog", "https://docs.python.org/c"),
    ]
    openai_server.replies.append(Reply(text="It came out in October.", sources=sources))
    question = alice.say("when did Python 3.14 come out?")

    [_, answer] = await alice.replies(2)

    assert openai_server.turns[0].request["tools"] == [{"type": "web_search"}]
    assert answer == ("It came out in October.\n\nSources\n\n1. Python 3.14 released\n2. Changelog")
    html = telegram.calls_to("sendMessage", alice.chat_id)[-1].params["text"]
    assert '<a href="https://python.org/news">Python 3.14 released</a>' in html
    assert "<b>Sources</b>" in html
    row = await bot.services.store.ledger.row(alice.chat_id, question["message_id"])
    assert row is not None and row.tools.web_searches == 1


@pytest.mark.parametrize("backend", ["chat"], indirect=True)
async def test_a_tool_the_backend_lacks_is_left_out_and_said_so(
    start_bot: StartBot,
    make_config: ConfigFactory,
    alice: Person,
    openai_server: FakeOpenAI,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING):
        await start_bot(make_config())
    assert any(
        "math_tutor asks for code_interpreter, which the chat backend does not offer" in r.message
        for r in caplog.records
    )
    alice.say("/persona math_tutor")
    [switched] = await alice.replies(1)
    assert "runs code (not available on this bot)" in switched

    alice.say("what is 7 * 6?")
    [_, answer] = await alice.replies(2)

    assert answer == openai_server.turns[0].text
    assert "tools" not in openai_server.turns[0].request


@responses_only
async def test_the_persona_menu_names_each_personas_tools(bot: RunningBot, alice: Person) -> None:
    alice.say("/persona nobody")

    [listing] = await alice.replies(1)

    assert "math_tutor" in listing and "🛠 runs code" in listing
    assert "🛠 searches the web" in listing


def charts(count: int) -> list[tuple[str, bytes]]:
    return [(f"chart{n}.png", png(320 + n, 240)) for n in range(1, count + 1)]


@responses_only
@pytest.mark.parametrize("reply_mode", ["stream", "poll"], indirect=True)
@pytest.mark.parametrize("cited", [True, False], ids=["cited", "not-cited"])
async def test_a_csv_sent_to_the_data_visualizer_comes_back_as_three_charts_and_a_reading(
    bot: RunningBot,
    alice: Person,
    telegram: FakeTelegram,
    openai_server: FakeOpenAI,
    cited: bool,
) -> None:
    await choose(alice, "data_visualizer")
    made = charts(3)
    openai_server.replies.append(
        Reply(text="Revenue grows every month.", code="df.plot()", writes=made, cite=cited)
    )
    data = csv(6)
    document = telegram.document(data, "sales.csv", "text/csv")
    telegram.push_message(
        alice.chat, alice.user, document=document, caption="create 3 data visualizations"
    )

    [answer] = await alice.captions(1)

    [turn] = openai_server.turns
    [container] = openai_server.containers_api.containers.values()
    [uploaded] = [f for f in container.files.values() if f.source == "user"]
    assert (uploaded.path, uploaded.data) == ("/mnt/data/sales.csv", data)
    assert "/mnt/data/sales.csv" in turn.input and "<file" not in turn.input  # not inlined
    # Three charts as one album (from the citations, or by listing the container), the reading
    # as its caption: one message in the chat's budget, not two.
    albums = telegram.calls_to("sendMediaGroup", alice.chat_id)
    assert len(albums) == 1
    sent = [u for chat, kind, u in telegram.uploads if chat == alice.chat_id]
    assert [(u.filename, u.data) for u in sent] == made
    assert answer == "Revenue grows every month."
    assert len(telegram.sent_texts(alice.chat_id)) == 1  # only the persona switch


@responses_only
async def test_one_chart_is_a_photo_and_other_files_are_documents(
    bot: RunningBot, alice: Person, telegram: FakeTelegram, openai_server: FakeOpenAI
) -> None:
    await choose(alice, "math_tutor")
    table = b"x,y\n1,2\n"
    openai_server.replies.append(
        Reply(code="plot()", writes=[("plot.png", png()), ("table.csv", table)])
    )
    alice.say("plot y = 2x and give me the table")

    [answer] = await alice.captions(1)

    assert answer == openai_server.turns[0].text  # on the photo; the document has none
    assert len(telegram.calls_to("sendPhoto", alice.chat_id)) == 1
    [document] = await telegram.wait_until(lambda: telegram.calls_to("sendDocument", alice.chat_id))
    assert [u.data for _, kind, u in telegram.uploads if kind == "document"] == [table]
    assert document.ok


@responses_only
async def test_a_spreadsheet_needs_a_persona_that_runs_code(
    bot: RunningBot, alice: Person, telegram: FakeTelegram, openai_server: FakeOpenAI
) -> None:
    document = telegram.document(b"PK\x03\x04sheet", "budget.xlsx", None)
    telegram.push_message(alice.chat, alice.user, document=document)

    [reply] = await alice.replies(1)

    assert "/persona data_visualizer" in reply and "budget.xlsx" in reply
    assert telegram.calls_to("getFile") == [] and openai_server.turns == []


@responses_only
async def test_after_the_container_expired_the_files_sent_before_are_put_back_in_the_new_one(
    bot: RunningBot, alice: Person, telegram: FakeTelegram, openai_server: FakeOpenAI
) -> None:
    await choose(alice, "data_visualizer")
    openai_server.replies.extend([Reply(code="df.head()"), Reply(code="df.plot.pie()")])
    data = csv()
    document = telegram.document(data, "sales.csv", "text/csv")
    telegram.push_message(alice.chat, alice.user, document=document, caption="summarise")
    await alice.replies(2)
    [old] = openai_server.containers_api.containers
    openai_server.containers_api.advance(minutes=30)

    alice.say("now a pie chart")
    [*_, answer] = await alice.replies(3)  # no notice: nothing needs sending again

    assert answer == openai_server.turns[-1].text
    [new] = [c for i, c in openai_server.containers_api.containers.items() if i != old]
    [placed] = [f for f in new.files.values() if f.source == "user"]
    assert (placed.path, placed.data) == ("/mnt/data/sales.csv", data)
    assert "/mnt/data/sales.csv" in openai_server.turns[-1].input  # named to the model


@responses_only
async def test_a_file_that_cannot_be_put_back_after_an_expiry_is_asked_for_again(
    bot: RunningBot, alice: Person, telegram: FakeTelegram, openai_server: FakeOpenAI
) -> None:
    await choose(alice, "data_visualizer")
    openai_server.replies.extend([Reply(code="df.head()"), Reply(code="df.plot.pie()")])
    document = telegram.document(csv(), "sales.csv", "text/csv")
    telegram.push_message(alice.chat, alice.user, document=document, caption="summarise")
    await alice.replies(2)
    telegram.files.pop(document["file_id"])  # Telegram no longer serves it
    openai_server.containers_api.advance(minutes=30)

    alice.say("now a pie chart")
    *_, notice, answer = await alice.replies(4)

    assert notice == ENGLISH.container_expired
    assert answer == openai_server.turns[-1].text


@pytest.mark.parametrize("backend", ["responses", "assistants"], indirect=True)
async def test_while_code_runs_the_draft_says_so_then_the_answer_replaces_it(
    bot: RunningBot, alice: Person, telegram: FakeTelegram, openai_server: FakeOpenAI
) -> None:
    await choose(alice, "math_tutor")
    running = asyncio.Event()
    openai_server.replies.append(
        Reply(text="2**10 is 1024.", code="print(2**10)", hold_code=running)
    )
    alice.say("what is 2 to the 10th?")

    await telegram.wait_until(
        lambda: any(d.text == ENGLISH.status_running_code for d in telegram.drafts)
    )
    running.set()
    [_, answer] = await alice.replies(2)

    assert answer == "2**10 is 1024."
    assert not telegram.calls_to("sendMessage", alice.chat_id)[-1].params["text"].startswith("🧮")


@responses_only
async def test_the_researcher_shows_that_it_searches(
    bot: RunningBot, alice: Person, telegram: FakeTelegram, openai_server: FakeOpenAI
) -> None:
    await choose(alice, "researcher")
    openai_server.replies.append(Reply(text="Sunny.", sources=[("Weather", "https://w.example")]))
    alice.say("weather in Lisbon?")

    await alice.replies(2)

    assert any(d.text == ENGLISH.status_searching for d in telegram.drafts)


@responses_only
async def test_charts_are_announced_as_photos_on_their_way(
    bot: RunningBot, alice: Person, telegram: FakeTelegram, openai_server: FakeOpenAI
) -> None:
    await choose(alice, "math_tutor")
    openai_server.replies.append(Reply(code="plot()", writes=charts(2)))
    alice.say("plot it twice")

    await alice.captions(1)

    actions = [c.params["action"] for c in telegram.calls_to("sendChatAction", alice.chat_id)]
    assert "upload_photo" in actions
    [album] = telegram.calls_to("sendMediaGroup", alice.chat_id)
    [announced] = [
        c for c in telegram.calls_to("sendChatAction", alice.chat_id)
        if c.params["action"] == "upload_photo"
    ]  # fmt: skip
    assert announced.at < album.at


@responses_only
async def test_an_album_throttled_midway_sends_the_rest_after_the_wait(
    bot: RunningBot, alice: Person, telegram: FakeTelegram, openai_server: FakeOpenAI
) -> None:
    await choose(alice, "data_visualizer")
    made = charts(4)
    openai_server.replies.append(Reply(text="Four charts.", code="plot()", writes=made))
    telegram.album_refused_at = 3  # the first two charts go out, then "retry after 1"
    alice.say("four charts please")

    await telegram.wait_until(lambda: telegram.calls_to("sendMediaGroup", alice.chat_id))

    first, second = [c for c in telegram.calls if c.method == "sendMediaGroup"]
    assert not first.ok and second.ok
    assert second.at - first.at >= 1.0  # Telegram's wait was honoured
    sent = [(u.filename, u.data) for chat, _, u in telegram.uploads if chat == alice.chat_id]
    assert sent == made  # each chart once, in order
    # The caption went out with the first chart: the rest carry none, and no text follows.
    assert '"caption": "Four charts."' in str(first.params["media"]).replace("'", '"')
    assert "caption" not in str(second.params["media"])
    assert len(telegram.sent_texts(alice.chat_id)) == 1


assistants_only = pytest.mark.parametrize("backend", ["assistants"], indirect=True)


@assistants_only
@pytest.mark.parametrize("reply_mode", ["stream", "poll"], indirect=True)
async def test_threads_and_runs_the_data_visualizer_reads_the_csv_and_sends_its_charts(
    bot: RunningBot, alice: Person, telegram: FakeTelegram, openai_server: FakeOpenAI
) -> None:
    """The course's Data Visualizer on a server that still speaks threads/runs: the CSV goes as
    a code-interpreter attachment, the charts come back as `image_file` parts."""
    await choose(alice, "data_visualizer")
    made = charts(3)
    openai_server.replies.append(
        Reply(text="Revenue grows every month.", code="df.plot()", writes=made)
    )
    data = csv(6)
    document = telegram.document(data, "sales.csv", "text/csv")
    question = telegram.push_message(
        alice.chat, alice.user, document=document, caption="create 3 data visualizations"
    )

    [answer] = await alice.captions(1)

    [turn] = openai_server.turns
    assert turn.request["tools"] == [{"type": "code_interpreter"}]
    files = openai_server.files_api
    [message] = [
        m for t in openai_server.assistants_api.threads.values() for m in t.messages
        if m["role"] == "user"
    ]  # fmt: skip
    [attachment] = message["attachments"]
    assert attachment["tools"] == [{"type": "code_interpreter"}]
    assert files.contents[attachment["file_id"]] == data
    assert "sales.csv" in turn.input and "<file" not in turn.input
    assert len(telegram.calls_to("sendMediaGroup", alice.chat_id)) == 1
    sent = [u.data for chat, _, u in telegram.uploads if chat == alice.chat_id]
    assert sent == [d for _, d in made]
    assert answer == "Revenue grows every month."
    row = await bot.services.store.ledger.row(alice.chat_id, question["message_id"])
    assert row is not None and row.tools.containers == 1


@assistants_only
async def test_threads_and_runs_a_written_file_is_a_document_and_reset_deletes_it(
    bot: RunningBot, alice: Person, telegram: FakeTelegram, openai_server: FakeOpenAI
) -> None:
    await choose(alice, "math_tutor")
    table = b"n,square\n1,1\n2,4\n"
    openai_server.replies.append(
        Reply(text="Here is the table:", code="t()", writes=[("squares.csv", table)])
    )
    alice.say("a table of squares as CSV")

    [answer] = await alice.captions(1)

    assert answer == "Here is the table: squares.csv"  # the sandbox link made plain
    [document] = [u for chat, kind, u in telegram.uploads if kind == "document"]
    assert (document.filename, document.data) == ("squares.csv", table)
    outputs = [
        f for f in openai_server.files_api.files.values() if f["purpose"] == "assistants_output"
    ]
    assert len(outputs) == 1

    alice.say("/reset")
    await alice.replies(2)

    assert openai_server.files_api.files == {}
    assert await bot.services.store.files.count() == 0


@assistants_only
async def test_threads_and_runs_a_persona_without_code_runs_no_tools(
    bot: RunningBot, alice: Person, openai_server: FakeOpenAI
) -> None:
    alice.say("hello")
    await alice.replies(1)

    assert "tools" not in openai_server.turns[0].request


@responses_only
async def test_in_a_group_the_charts_answer_the_member_who_sent_the_csv(
    bot: RunningBot, telegram: FakeTelegram, openai_server: FakeOpenAI, carol: Person
) -> None:
    """A family's or team's group: an admin picks the data visualizer, a member sends a CSV
    with a mention; five charts come as one album replying to that message, the reading as
    its caption (the album's pacing under a group's real limits: test_rate_limiter.py)."""
    group = telegram.group_chat(-1007, "Team")
    telegram.admins[-1007] = [carol.user]
    carol.say_in(group, f"/persona@{BOT_USERNAME} data_visualizer")
    await telegram.wait_for_messages(-1007, 1)
    made = charts(5)
    openai_server.replies.append(Reply(text="Sales doubled.", code="plot()", writes=made))
    document = telegram.document(csv(8), "q3.csv", "text/csv")
    sent = telegram.push_message(
        group, carol.user, document=document, caption=f"@{BOT_USERNAME} chart this"
    )

    [answer] = await telegram.wait_for_captions(-1007, 1)

    assert answer == "Sales doubled."
    [album] = telegram.calls_to("sendMediaGroup", -1007)
    assert album.params["reply_parameters"]["message_id"] == sent["message_id"]
    assert [u.data for chat, _, u in telegram.uploads if chat == -1007] == [d for _, d in made]
    assert openai_server.turns[0].input.startswith("Carol Danvers: chart this")


@responses_only
async def test_tools_off_turns_a_tool_off_for_every_persona(
    start_bot: StartBot, make_config: ConfigFactory, alice: Person, openai_server: FakeOpenAI
) -> None:
    await start_bot(
        make_config({"TOOLS_OFF": "web_search, image_generation", "IMAGE_COMMAND": "on"})
    )
    alice.say("/persona researcher")
    [switched] = await alice.replies(1)
    alice.say("news today?")
    await alice.replies(2)
    alice.say("/image a cat")
    [*_, drawing] = await alice.replies(3)

    assert "searches the web (not available on this bot)" in switched
    [turn] = openai_server.turns
    assert "tools" not in turn.request  # the researcher answers without searching
    assert drawing == ENGLISH.image_generation_unavailable


@responses_only
async def test_an_answer_too_long_for_a_caption_follows_the_charts_as_a_message(
    bot: RunningBot, alice: Person, telegram: FakeTelegram, openai_server: FakeOpenAI
) -> None:
    await choose(alice, "data_visualizer")
    reading = "**Reading.** " + "Revenue grows every month. " * 60  # ~1,600 characters
    openai_server.replies.append(Reply(text=reading, code="plot()", writes=charts(2)))
    alice.say("chart and explain at length")

    [_, answer] = await alice.replies(2)

    assert telegram.sent_captions(alice.chat_id) == []
    assert answer == reading.replace("**", "").strip()
    [album] = telegram.calls_to("sendMediaGroup", alice.chat_id)
    assert album.at < telegram.calls_to("sendMessage", alice.chat_id)[-1].at


@responses_only
async def test_a_caption_keeps_its_formatting(
    bot: RunningBot, alice: Person, telegram: FakeTelegram, openai_server: FakeOpenAI
) -> None:
    await choose(alice, "math_tutor")
    openai_server.replies.append(
        Reply(text="The **slope** is `2`.", code="plot()", writes=[("line.png", png())])
    )
    alice.say("plot y = 2x")

    [caption] = await alice.captions(1)

    assert caption == "The slope is 2."
    [photo] = telegram.calls_to("sendPhoto", alice.chat_id)
    assert photo.params["caption"] == "The <b>slope</b> is <code>2</code>."
    assert photo.params["parse_mode"] == "HTML"


@responses_only
@pytest.mark.parametrize("alone", [True, False], ids=["photo", "album"])
async def test_an_image_telegram_refuses_as_a_photo_is_sent_as_a_document(
    bot: RunningBot,
    alice: Person,
    telegram: FakeTelegram,
    openai_server: FakeOpenAI,
    alone: bool,
) -> None:
    """A 10 by 300 strip (sides' ratio 30, over Telegram's 20): PHOTO_INVALID_DIMENSIONS, so it
    goes as a file; the answer is not lost with it."""
    await choose(alice, "math_tutor")
    strip = ("strip.png", png(10, 300))
    made = [strip] if alone else [("chart.png", png()), strip]
    openai_server.replies.append(Reply(text="Plotted.", code="plot()", writes=made))
    alice.say("plot it")

    [caption] = await alice.captions(1)

    assert caption == "Plotted."
    [document] = await telegram.wait_until(
        lambda: [u for chat, kind, u in telegram.uploads if kind == "document"]
    )
    assert (document.filename, document.data) == strip
    # The user sees each image once: the chart as a photo (the refused album sent nothing).
    assert telegram.calls_to("sendMediaGroup", alice.chat_id) == []
    assert len(telegram.calls_to("sendPhoto", alice.chat_id)) == (0 if alone else 1)


@pytest.mark.parametrize("backend", ["chat"], indirect=True)
async def test_where_no_persona_runs_code_a_spreadsheet_is_asked_for_as_csv(
    bot: RunningBot, alice: Person, telegram: FakeTelegram, openai_server: FakeOpenAI
) -> None:
    """The chat backend runs no code: suggesting the data visualizer would only fail again."""
    document = telegram.document(b"PK\x03\x04sheet", "budget.xlsx", None)
    telegram.push_message(alice.chat, alice.user, document=document)

    [reply] = await alice.replies(1)

    assert reply == ENGLISH.spreadsheet_unreadable.format(name="budget.xlsx")
    assert telegram.calls_to("getFile") == [] and openai_server.turns == []
