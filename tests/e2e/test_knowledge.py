"""Knowledge per persona: a folder of the owner's documents, kept in a vector store on the
model's server (uploaded only when changed), searched by the model while it answers, and
cited by name under the answer; said plainly where the backend cannot search."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.texts import ENGLISH
from tests.conftest import ConfigFactory, Person, StartBot, both_engines, responses_only
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.telegram_server import FakeTelegram

# The whole module on both database engines: what it stores, PostgreSQL keeps alike.
pytestmark = both_engines

RECIPES = "Bread\n\nMix 500 g flour, 10 g salt and yeast. Bake the bread at 230 degrees.\n"
RULES = "House rules\n\nThe wifi password is on the fridge. Quiet hours start at ten.\n"


def knowledge_persona(tmp_path: Path) -> Path:
    folder = tmp_path / "handbook"
    folder.mkdir()
    (folder / "recipes.md").write_text(RECIPES)
    (folder / "rules.txt").write_text(RULES)
    (folder / "photo.png").write_bytes(b"\x89PNG not a document")
    path = tmp_path / "personas.toml"
    path.write_text(
        """
[[persona]]
name = "family"
title = "Family helper"
instructions = "Answer from the family's handbook."
knowledge = "handbook"
"""
    )
    return path


@pytest.fixture
def personas(tmp_path: Path) -> Path:
    return knowledge_persona(tmp_path)


def uploaded_names(openai_server: FakeOpenAI) -> list[str]:
    return [name for _, name in openai_server.responses_api.stores.attached]


@responses_only
async def test_a_question_is_answered_from_the_personas_documents_with_its_source(
    start_bot: StartBot,
    make_config: ConfigFactory,
    alice: Person,
    openai_server: FakeOpenAI,
    telegram: FakeTelegram,
    personas: Path,
    tmp_path: Path,
) -> None:
    prices = tmp_path / "prices.toml"
    prices.write_text("[models.gpt-test]\ninput = 1.0\noutput = 2.0\nfile_search_per_1k = 2.5\n")
    bot = await start_bot(make_config({"PERSONAS_FILE": str(personas), "PRICES_FILE": str(prices)}))
    question = alice.say("At what temperature do we bake the bread?")

    [answer] = await alice.replies(1)

    [store] = openai_server.responses_api.stores.stores.values()
    assert sorted(uploaded_names(openai_server)) == ["recipes.md", "rules.txt"]
    [turn] = openai_server.turns
    assert {"type": "file_search", "vector_store_ids": [store.id]} in turn.request["tools"]
    assert "Bake the bread at 230 degrees" in answer
    assert answer.endswith(f"{ENGLISH.sources}\n\n1. recipes.md")
    assert any(d.text == ENGLISH.status_reading.format(library="handbook") for d in telegram.drafts)
    row = await bot.services.store.ledger.row(alice.chat_id, question["message_id"])
    assert row is not None and row.tools.file_searches == 1
    price = bot.config.prices.lookup("gpt-test")
    assert price is not None
    assert row.cost_micros == price.cost_micros(row.usage) + 2_500


@responses_only
async def test_an_unchanged_folder_is_never_uploaded_again(
    start_bot: StartBot,
    make_config: ConfigFactory,
    openai_server: FakeOpenAI,
    personas: Path,
    tmp_path: Path,
) -> None:
    config = make_config({"PERSONAS_FILE": str(personas)})
    first = await start_bot(config)
    await first.stop()
    folder = tmp_path / "handbook"

    await (await start_bot(config)).stop()
    assert len(openai_server.responses_api.stores.attached) == 2  # nothing new

    (folder / "rules.txt").write_text(RULES + "\nGuests leave shoes at the door.\n")
    (folder / "recipes.md").unlink()
    (folder / "garden.md").write_text("Garden\n\nWater the tomatoes every evening.\n")
    await start_bot(config)

    [store] = openai_server.responses_api.stores.stores.values()
    assert sorted(uploaded_names(openai_server)[2:]) == ["garden.md", "rules.txt"]
    held = sorted(str(f["attributes"]["path"]) for f in store.files.values())
    assert held == ["garden.md", "rules.txt"]
    assert len(openai_server.files_api.deleted_files) == 2  # the old rules, the recipes


@responses_only
async def test_persona_shows_its_documents(
    start_bot: StartBot, make_config: ConfigFactory, alice: Person, personas: Path
) -> None:
    await start_bot(make_config({"PERSONAS_FILE": str(personas)}))
    alice.say("/persona")

    [menu] = await alice.replies(1)

    assert "📚 handbook (2 documents)" in menu


@responses_only
async def test_tools_off_turns_the_documents_off(
    start_bot: StartBot,
    make_config: ConfigFactory,
    alice: Person,
    openai_server: FakeOpenAI,
    personas: Path,
) -> None:
    await start_bot(make_config({"PERSONAS_FILE": str(personas), "TOOLS_OFF": "file_search"}))
    alice.say("How do we bake the bread?")

    [answer] = await alice.replies(1)

    [turn] = openai_server.turns
    assert not turn.request.get("tools") and answer == turn.text
    assert openai_server.responses_api.stores.stores == {}


@pytest.mark.parametrize("backend", ["chat"], indirect=True)
async def test_on_a_local_server_the_bot_searches_the_documents_itself(
    start_bot: StartBot,
    make_config: ConfigFactory,
    alice: Person,
    openai_server: FakeOpenAI,
    telegram: FakeTelegram,
    personas: Path,
    tmp_path: Path,
) -> None:
    config = make_config({"PERSONAS_FILE": str(personas)})
    bot = await start_bot(config)
    question = alice.say("At what temperature do we bake the bread?")

    [answer] = await alice.replies(1)

    [turn] = openai_server.turns
    assert "Bake the bread at 230 degrees" in turn.input  # the passage, before the question
    assert turn.input.endswith("At what temperature do we bake the bread?")
    assert answer.endswith(f"{ENGLISH.sources}\n\n1. recipes.md")
    assert any(d.text == ENGLISH.status_reading.format(library="handbook") for d in telegram.drafts)
    row = await bot.services.store.ledger.row(alice.chat_id, question["message_id"])
    assert row is not None and row.tools.file_searches == 1
    history = await bot.services.store.history.of(turn.conversation or "")
    assert all("Bake the bread" not in m.content for m in history)  # not re-sent every turn

    # Restarted with one document changed: only that one is embedded again.
    await bot.stop()
    embedded = len(openai_server.chat_api.embedded)
    (tmp_path / "handbook" / "rules.txt").write_text(RULES + "\nShoes off at the door.\n")
    await start_bot(config)
    assert openai_server.chat_api.embedded[embedded:] == [RULES + "\nShoes off at the door."]


@pytest.mark.parametrize("backend", ["chat"], indirect=True)
async def test_a_server_without_embeddings_says_so(
    start_bot: StartBot,
    make_config: ConfigFactory,
    alice: Person,
    openai_server: FakeOpenAI,
    personas: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    openai_server.chat_api.embeddings_supported = False
    await start_bot(make_config({"PERSONAS_FILE": str(personas)}))
    alice.say("/persona")
    [menu] = await alice.replies(1)
    alice.say("How do we bake the bread?")
    [_, answer] = await alice.replies(2)

    assert "📚 handbook (not searchable on this bot)" in menu
    [turn] = openai_server.turns
    assert turn.input == "How do we bake the bread?" and answer == turn.text
    assert "the model server cannot embed text" in caplog.text
    assert "EMBEDDING_MODEL" in caplog.text


@responses_only
async def test_an_owner_adds_a_document_from_telegram(
    start_bot: StartBot,
    make_config: ConfigFactory,
    alice: Person,
    bob: Person,
    openai_server: FakeOpenAI,
    telegram: FakeTelegram,
    personas: Path,
    tmp_path: Path,
) -> None:
    await start_bot(make_config({"PERSONAS_FILE": str(personas), "ADMIN_USERS": "42"}))
    garden = b"Garden\n\nWater the tomatoes every evening, before sunset.\n"
    sent = telegram.push_message(
        alice.chat, alice.user, document=telegram.document(garden, "garden.md", "text/markdown")
    )
    alice.say("/learn", reply_to=sent)
    replies = await alice.replies(2)  # (the document itself was a turn too, answered)

    assert ENGLISH.learn_added.format(name="garden.md", library="handbook", count=3) in replies
    assert (tmp_path / "handbook" / "garden.md").read_bytes() == garden
    assert uploaded_names(openai_server)[-1] == "garden.md"
    assert len(openai_server.responses_api.stores.attached) == 3  # the others not again
    alice.say("When do we water the tomatoes?")
    [*_, answer] = await alice.replies(3)
    assert "every evening, before sunset" in answer

    bob.say("/learn", reply_to=sent)
    [refused] = await bob.replies(1)
    assert refused == ENGLISH.learn_owners_only
    alice.say("/learn")
    [*_, usage] = await alice.replies(4)
    assert usage == "Reply /learn to a document to add it to this chat's persona's knowledge."


@pytest.mark.parametrize("backend", ["assistants"], indirect=True)
async def test_on_the_threads_backend_the_thread_searches_the_personas_store(
    start_bot: StartBot,
    make_config: ConfigFactory,
    alice: Person,
    openai_server: FakeOpenAI,
    personas: Path,
) -> None:
    bot = await start_bot(make_config({"PERSONAS_FILE": str(personas)}))
    question = alice.say("At what temperature do we bake the bread?")

    [answer] = await alice.replies(1)

    [store] = openai_server.responses_api.stores.stores.values()
    assert sorted(uploaded_names(openai_server)) == ["recipes.md", "rules.txt"]
    [thread] = openai_server.assistants_api.threads.values()
    assert thread.tool_resources == {"file_search": {"vector_store_ids": [store.id]}}
    [turn] = openai_server.turns
    assert {"type": "file_search"} in turn.request["tools"]
    assert "Bake the bread at 230 degrees" in answer and "【" not in answer
    assert answer.endswith(f"{ENGLISH.sources}\n\n1. recipes.md")
    row = await bot.services.store.ledger.row(alice.chat_id, question["message_id"])
    assert row is not None and row.tools.file_searches == 1


@pytest.mark.parametrize("backend", ["chat"], indirect=True)
async def test_learn_says_so_when_the_server_cannot_read_that_kind(
    start_bot: StartBot,
    make_config: ConfigFactory,
    alice: Person,
    telegram: FakeTelegram,
    personas: Path,
) -> None:
    await start_bot(make_config({"PERSONAS_FILE": str(personas), "ADMIN_USERS": "42"}))
    alice.say("/persona")
    [menu] = await alice.replies(1)
    assert "📚 handbook (2 documents)" in menu
    manual = telegram.document(b"%PDF-1.4 a manual", "manual.pdf", "application/pdf")
    sent = telegram.push_message(alice.chat, alice.user, document=manual)
    alice.say("/learn", reply_to=sent)

    replies = await alice.replies(3)

    # The chat backend reads text documents itself: a PDF needs file search.
    assert ENGLISH.learn_unsupported.format(name="manual.pdf") in replies
