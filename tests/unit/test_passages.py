"""Retrieval in the bot (chat backend): documents in passages, the nearest passages found, put
before the question, and named as sources."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.backends.chat_api.passages import (
    HEADING,
    Passage,
    cited,
    closest,
    passages_of,
    unit,
    with_passages,
)


def test_short_paragraphs_share_a_passage_and_long_ones_are_cut_between_lines() -> None:
    text = "One.\n\nTwo.\n\n" + "\n".join(f"line {n} " + "x" * 40 for n in range(60))

    pieces = passages_of(text, most=400)

    assert pieces[0].startswith("One.\n\nTwo.")
    assert all(len(p) <= 400 for p in pieces)
    assert all(not p.startswith("x") for p in pieces[1:])  # never cut inside a line here


@given(st.text(min_size=1, max_size=3000))
def test_passages_keep_every_character_in_order_and_respect_the_size(text: str) -> None:
    pieces = passages_of(text, most=200)

    assert all(0 < len(p) <= 200 for p in pieces)
    assert "".join("".join(pieces).split()) == "".join(text.split())


def passage(path: str, *vector: float) -> Passage:
    return Passage(path, f"text of {path}", unit(vector))


def test_the_nearest_passages_come_first_and_the_far_ones_not_at_all() -> None:
    found = closest(
        unit([1.0, 0.1, 0.0]),
        [passage("far.md", 0, 0, 1), passage("near.md", 1, 0, 0), passage("close.md", 1, 1, 0)],
    )

    assert [p.path for p in found] == ["near.md", "close.md"]


def test_passages_go_before_the_question_and_their_documents_are_the_sources() -> None:
    found = [passage("recipes.md", 1, 0), passage("recipes.md", 1, 1), passage("rules.txt", 0, 1)]

    asked = with_passages("How hot?", found)

    assert asked.startswith(HEADING) and asked.endswith("---\n\nHow hot?")
    assert "[recipes.md]\ntext of recipes.md" in asked
    assert cited(found) == (("recipes.md", ""), ("rules.txt", ""))
    assert with_passages("How hot?", []) == "How hot?"
