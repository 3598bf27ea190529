"""Drawing: `/image <description>` where the owner turned it on, and personas with the
image_generation tool. The image arrives as a photo (the very bytes the API made), is priced from
the tokens the API reports, and a refusal, a backend that cannot draw and a command that is off
are each one clear sentence."""

from __future__ import annotations

import base64
import logging
from pathlib import Path

import pytest

from bot.backends import Artifact
from bot.texts import ENGLISH
from tests.conftest import ConfigFactory, Person, StartBot, responses_only
from tests.fakes.openai_server import FakeOpenAI, Reply
from tests.fakes.telegram_server import BOT_USERNAME, FakeTelegram
from tests.media_samples import jpeg, noise_png, png

DRAWING = {"IMAGE_COMMAND": "on"}


def photos_sent(telegram: FakeTelegram, chat_id: int) -> list[bytes]:
    return [u.data for chat, kind, u in telegram.uploads if chat == chat_id and kind == "photo"]


@responses_only
async def test_image_draws_a_photo_and_bills_its_tokens(
    start_bot: StartBot,
    make_config: ConfigFactory,
    alice: Person,
    telegram: FakeTelegram,
    openai_server: FakeOpenAI,
    tmp_path: Path,
) -> None:
    prices = tmp_path / "prices.toml"
    prices.write_text(
        "[models.gpt-test]\ninput = 1.0\noutput = 2.0\n"
        '[images."gpt-image-2.6-sunburst"]\ntext_input = 5.0\nimage_input = 8.0\noutput = 30.0\n'
    )
    bot = await start_bot(make_config({**DRAWING, "PRICES_FILE": str(prices)}))
    picture = png(300, 200)
    openai_server.replies.append(Reply(text="A lighthouse at dusk.", draws=[picture]))
    asked = alice.say("/image a lighthouse at dusk, watercolour")

    [caption] = await alice.captions(1)

    [turn] = openai_server.turns
    assert "a lighthouse at dusk, watercolour" in turn.input
    assert turn.request["tool_choice"] == {"type": "image_generation"}
    [tool] = turn.request["tools"]
    assert tool == {
        "type": "image_generation",
        "model": "gpt-image-2.6-sunburst",
        "quality": "medium",
        "size": "1024x1024",
        "output_format": "png",
    }
    assert photos_sent(telegram, alice.chat_id) == [picture]
    assert caption == "A lighthouse at dusk."  # on the photo: one message, not two
    assert telegram.sent_texts(alice.chat_id) == []
    row = await bot.services.store.ledger.row(alice.chat_id, asked["message_id"])
    assert row is not None and row.tools.images == 1
    usage = openai_server.responses_api.responses[turn.remote_id]
    image_gen = openai_server.responses_api.response_json(usage)["tool_usage"]["image_gen"]
    price = bot.config.prices.lookup("gpt-test")
    assert price is not None
    image_micros = image_gen["input_tokens"] * 5 + image_gen["output_tokens"] * 30
    assert image_micros > 0
    assert row.cost_micros == price.cost_micros(row.usage, row.tools) + image_micros


@responses_only
async def test_image_settings_come_from_the_environment(
    start_bot: StartBot, make_config: ConfigFactory, alice: Person, openai_server: FakeOpenAI
) -> None:
    env = {**DRAWING, "IMAGE_QUALITY": "high", "IMAGE_SIZE": "1536x1024"}
    env["IMAGE_MODEL"] = "gpt-image-2.6-flare"
    await start_bot(make_config(env))
    alice.say("/image a wide mountain range")

    await alice.captions(1)

    [tool] = openai_server.turns[0].request["tools"]
    assert (tool["model"], tool["quality"], tool["size"]) == (
        "gpt-image-2.6-flare",
        "high",
        "1536x1024",
    )


async def test_image_is_off_unless_the_owner_turns_it_on(
    start_bot: StartBot, make_config: ConfigFactory, alice: Person, openai_server: FakeOpenAI
) -> None:
    await start_bot(make_config())
    alice.say("/image a cat")

    [reply] = await alice.replies(1)

    assert reply == ENGLISH.image_command_off
    assert openai_server.turns == []


@responses_only
async def test_image_without_a_description_says_how_to_ask(
    start_bot: StartBot, make_config: ConfigFactory, alice: Person, openai_server: FakeOpenAI
) -> None:
    await start_bot(make_config(DRAWING))
    alice.say("/image")

    [reply] = await alice.replies(1)

    assert reply.startswith("Tell me what to draw") and "/image a lighthouse" in reply
    assert openai_server.turns == []


@pytest.mark.parametrize("backend", ["chat", "assistants"], indirect=True)
async def test_a_backend_that_cannot_draw_says_so(
    start_bot: StartBot,
    make_config: ConfigFactory,
    alice: Person,
    openai_server: FakeOpenAI,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING):
        await start_bot(make_config(DRAWING))
    assert any("IMAGE_COMMAND is on, but the" in r.message for r in caplog.records)
    alice.say("/image a cat")

    [reply] = await alice.replies(1)

    assert reply == ENGLISH.image_generation_unavailable
    assert openai_server.turns == []


@responses_only
async def test_a_refused_image_is_said_and_nothing_is_sent(
    start_bot: StartBot,
    make_config: ConfigFactory,
    alice: Person,
    telegram: FakeTelegram,
    openai_server: FakeOpenAI,
) -> None:
    bot = await start_bot(make_config(DRAWING))
    openai_server.replies.append(Reply(text="", draw_refused=True))
    asked = alice.say("/image something not allowed")

    [reply] = await alice.replies(1)

    assert reply == ENGLISH.image_refused.replace("<b>", "").replace("</b>", "")
    assert photos_sent(telegram, alice.chat_id) == []
    row = await bot.services.store.ledger.row(alice.chat_id, asked["message_id"])
    assert row is not None and row.tools.images == 0


@responses_only
async def test_the_illustrator_draws_with_its_picture_and_a_sentence(
    start_bot: StartBot,
    make_config: ConfigFactory,
    alice: Person,
    telegram: FakeTelegram,
    openai_server: FakeOpenAI,
) -> None:
    """The bundled illustrator draws without /image (which stays off): the model decides."""
    await start_bot(make_config())
    alice.say("/persona illustrator")
    [switched] = await alice.replies(1)
    pictures = [png(64, 64), png(96, 64)]
    openai_server.replies.append(Reply(text="Two versions for you.", draws=pictures))
    alice.say("draw me a fox, twice")

    [answer] = await alice.captions(1)

    assert "draws images" in switched
    [turn] = openai_server.turns
    assert "tool_choice" not in turn.request  # the model decides when to draw
    assert [t["type"] for t in turn.request["tools"]] == ["image_generation"]
    assert answer == "Two versions for you."
    assert len(telegram.calls_to("sendMediaGroup", alice.chat_id)) == 1
    assert photos_sent(telegram, alice.chat_id) == pictures


@responses_only
async def test_a_retired_image_model_is_the_owners_to_fix(
    start_bot: StartBot, make_config: ConfigFactory, alice: Person, openai_server: FakeOpenAI
) -> None:
    await start_bot(make_config({**DRAWING, "IMAGE_MODEL": "gpt-image-1"}))
    alice.say("/image a cat")

    [reply] = await alice.replies(1)

    assert reply == ENGLISH.backend_misconfigured
    assert openai_server.turns == []


@responses_only
async def test_an_image_is_fetched_again_by_its_response_when_not_held(
    start_bot: StartBot,
    make_config: ConfigFactory,
    alice: Person,
    telegram: FakeTelegram,
    openai_server: FakeOpenAI,
) -> None:
    """After a restart the bot holds no image: the stored answer names the response and the
    image's item, and the image is read from the response again."""
    bot = await start_bot(make_config(DRAWING))
    picture = png(128, 128)
    openai_server.replies.append(Reply(text="Done.", draws=[picture]))
    alice.say("/image a red square")
    await alice.captions(1)
    [turn] = openai_server.turns
    response = openai_server.responses_api.response_json(
        openai_server.responses_api.responses[turn.remote_id]
    )
    [item] = [i for i in response["output"] if i["type"] == "image_generation_call"]
    assert base64.b64decode(item["result"]) == picture

    again = await bot.services.backend.fetch_artifact(
        Artifact(turn.remote_id, item["id"], "image-1.png", kind="image")
    )

    assert again == picture


@responses_only
async def test_reset_deletes_the_response_that_holds_the_image(
    start_bot: StartBot, make_config: ConfigFactory, alice: Person, openai_server: FakeOpenAI
) -> None:
    bot = await start_bot(make_config(DRAWING))
    alice.say("/image a green triangle")
    await alice.captions(1)
    [turn] = openai_server.turns

    alice.say("/reset")
    await alice.replies(1)

    assert openai_server.responses_api.deleted_responses == [turn.remote_id]
    assert await bot.services.store.files.count() == 0


@responses_only
async def test_image_in_a_forum_topic_lands_in_that_topic_and_the_menu_offers_it(
    start_bot: StartBot,
    make_config: ConfigFactory,
    telegram: FakeTelegram,
    openai_server: FakeOpenAI,
    carol: Person,
) -> None:
    await start_bot(make_config(DRAWING))
    assert "image" in telegram.commands["all_group_chats"]
    assert "image" in telegram.commands["all_private_chats"]
    forum = telegram.group_chat(-1009, "Club", forum=True)
    picture = png(80, 80)
    openai_server.replies.append(Reply(text="Here it is.", draws=[picture]))
    carol.say_in(forum, f"/image@{BOT_USERNAME} a club logo", topic_id=10)

    [caption] = await telegram.wait_for_captions(-1009, 1)

    assert caption == "Here it is."
    [photo] = telegram.calls_to("sendPhoto", -1009)
    assert photo.params.get("message_thread_id") == 10
    assert openai_server.turns[0].input.startswith("Carol Danvers: Draw this image: a club logo")


async def test_without_image_the_menu_does_not_offer_it(
    start_bot: StartBot, make_config: ConfigFactory, telegram: FakeTelegram
) -> None:
    await start_bot(make_config())
    assert all("image" not in commands for commands in telegram.commands.values())


@responses_only
async def test_an_image_over_ten_megabytes_is_sent_as_a_document(
    start_bot: StartBot,
    make_config: ConfigFactory,
    alice: Person,
    telegram: FakeTelegram,
    openai_server: FakeOpenAI,
) -> None:
    """Telegram takes photos up to 10 MB: a bigger image goes as a document, whole."""
    await start_bot(make_config(DRAWING))
    big = noise_png(1900, 1800)
    assert len(big) > 10_000_000
    openai_server.replies.append(Reply(text="A detailed one.", draws=[big]))
    alice.say("/image static noise, very detailed")

    assert await alice.captions(1) == ["A detailed one."]  # on the document

    assert photos_sent(telegram, alice.chat_id) == []
    [document] = [u for chat, kind, u in telegram.uploads if kind == "document"]
    assert document.data == big and document.filename == "image-1.png"


@responses_only
async def test_the_illustrator_redraws_a_photo_the_user_sends(
    start_bot: StartBot,
    make_config: ConfigFactory,
    alice: Person,
    telegram: FakeTelegram,
    openai_server: FakeOpenAI,
) -> None:
    """A photo with "make it a watercolour": the model sees the photo and has the image tool in
    the same turn, so it can draw from it; the new picture comes back as a photo."""
    await start_bot(make_config())
    alice.say("/persona illustrator")
    await alice.replies(1)
    redrawn = png(120, 90)
    openai_server.replies.append(Reply(text="Your garden, in watercolour.", draws=[redrawn]))
    garden = jpeg(640, 480)
    sizes = telegram.photo(garden, 640, 480)
    telegram.push_message(alice.chat, alice.user, photo=sizes, caption="make it a watercolour")

    [caption] = await alice.captions(1)

    [turn] = openai_server.turns
    [seen] = turn.media
    assert (seen.kind, seen.data) == ("image", garden)
    assert [t["type"] for t in turn.request["tools"]] == ["image_generation"]
    assert caption == "Your garden, in watercolour."
    assert photos_sent(telegram, alice.chat_id) == [redrawn]
