"""What compaction saved, estimated from the ledger's answers in conversation order."""

from __future__ import annotations

from bot.usage.savings import saved_input_tokens
from storage import ConversationTurn


def turns(
    conversation: str, sizes: list[int], compacted_at: int | None = None
) -> list[ConversationTurn]:
    return [
        ConversationTurn(conversation, "gpt-6-luna", size, n == compacted_at)
        for n, size in enumerate(sizes)
    ]


def test_each_later_answer_spared_what_the_pass_cut() -> None:
    # 3,000 before the pass, 1,000 after: three later answers each read 2,000 fewer.
    sizes = [2000, 3000, 9000, 1000, 1200, 1400]
    assert saved_input_tokens(turns("c1", sizes, compacted_at=2)) == {"gpt-6-luna": 6000}


def test_conversations_are_counted_apart_and_uncompacted_ones_saved_nothing() -> None:
    found = [*turns("a", [500, 800, 4000, 600], compacted_at=2), *turns("b", [100, 200, 300])]
    assert saved_input_tokens(found) == {"gpt-6-luna": 200}


def test_a_pass_with_nothing_after_it_yet_saved_nothing_yet() -> None:
    assert saved_input_tokens(turns("c", [1000, 5000], compacted_at=1)) == {}
    assert saved_input_tokens(turns("c", [5000, 900], compacted_at=0)) == {}
