"""The fakes' bill: the benchmark's long-chat figures are only as good as this model of it."""

from __future__ import annotations

from tests.fakes.billing import IN_MEMORY, Clock, PromptCache, Segment, retention, segment


def prompt(*texts: str) -> list[Segment]:
    return [segment("part", text) for text in texts]


BIG = "x" * 4400  # 1,100 tokens: a prompt worth caching


def test_short_prompts_are_not_cached() -> None:
    cache = PromptCache()
    assert cache.bill({}, prompt("hello")) == (0, 0)
    assert cache.bill({}, prompt("hello")) == (0, 0)


def test_a_repeated_prefix_is_read_and_the_rest_written() -> None:
    cache = PromptCache()
    first = prompt(BIG, "one")
    assert cache.bill({"prompt_cache_key": "k"}, first) == (0, sum(s.tokens for s in first))
    second = prompt(BIG, "one", "two")
    cached, written = cache.bill({"prompt_cache_key": "k"}, second)
    assert cached == sum(s.tokens for s in first)
    assert written == second[-1].tokens


def test_an_idle_prefix_expires_unless_a_longer_retention_was_asked_for() -> None:
    clock = Clock()
    cache = PromptCache(clock)
    short = {"prompt_cache_key": "k"}
    kept = {"prompt_cache_key": "kept", "prompt_cache_options": {"ttl": "12h"}}
    cache.bill(short, prompt(BIG, "a"))
    cache.bill(kept, prompt(BIG, "a"))
    clock.advance(IN_MEMORY + 60)
    assert cache.bill(short, prompt(BIG, "a", "b"))[0] == 0
    assert cache.bill(kept, prompt(BIG, "a", "b"))[0] > 1000


def test_without_a_key_busy_prompts_that_start_alike_evict_each_other() -> None:
    cache = PromptCache()
    for chat in range(10):  # ten chats of one persona, same instructions
        cache.bill({}, prompt(BIG, f"chat {chat}"))
    assert cache.bill({}, prompt(BIG, "chat 0", "more"))[0] < 1200  # only the shared start
    keyed = PromptCache()
    for chat in range(10):
        keyed.bill({"prompt_cache_key": f"c{chat}"}, prompt(BIG, f"chat {chat}"))
    cached, _ = keyed.bill({"prompt_cache_key": "c0"}, prompt(BIG, "chat 0", "more"))
    assert cached == sum(s.tokens for s in prompt(BIG, "chat 0"))


def test_retention_is_the_longest_asked_for() -> None:
    assert retention({}) == IN_MEMORY
    assert retention({"prompt_cache_options": {"ttl": "12h"}}) == 12 * 3600
    assert retention({"prompt_cache_retention": "24h"}) == 24 * 3600
