"""What the fake APIs bill for a model call, deterministically: the prompt as the model reads it
(instructions, tools, every context item, the new input) and the prompt cache as OpenAI describes
it, so a test or the benchmark can add up a long chat's bill exactly.

- A prompt is a list of segments (the instructions, each item, the input…), each with an
  identity and a token count (4 characters a token, images at their detail's price).
- The cache: a request reads the longest prefix of its segments that an earlier request wrote
  under the same `prompt_cache_key` (without one, requests that share their first segment share
  a bucket of a few prefixes, as OpenAI routes by the prompt's start: busy bots evict each other),
  if it has not expired; prompts under 1,024 tokens are not cached. What it does not read it
  writes. An entry lives for the retention asked for (`prompt_cache_options.ttl`, or
  `prompt_cache_retention`), else a few idle minutes (the in-memory cache), renewed on each hit.
- Time is the fakes' `Clock`, which the benchmark moves forward instead of sleeping through a
  family chat's idle hours.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

MINIMUM = 1024  # tokens: shorter prompts are not cached
IN_MEMORY = 5 * 60.0  # seconds an idle prefix stays when no longer retention was asked for
RETENTION = {"in_memory": IN_MEMORY, "30m": 1800.0, "12h": 43_200.0, "24h": 86_400.0}
BUCKET = 4  # prefixes kept per shared bucket (requests without a cache key)
ITEM_OVERHEAD = 4  # tokens each message or item adds besides its text


def text_tokens(text: str) -> int:
    return len(text) // 4 + 1


@dataclass(frozen=True, slots=True)
class Segment:
    identity: str
    tokens: int


def segment(kind: str, text: str, extra_tokens: int = 0) -> Segment:
    """A piece of the prompt known by its content (the same text is the same segment)."""
    digest = hashlib.sha256(f"{kind}\0{text}".encode()).hexdigest()[:16]
    return Segment(digest, text_tokens(text) + ITEM_OVERHEAD + extra_tokens)


@dataclass(frozen=True, slots=True)
class Billed:
    """One call's usage as the API reports it."""

    input: int
    cached: int = 0
    written: int = 0
    output: int = 0
    reasoning: int = 0

    def plus(self, other: Billed) -> Billed:
        return Billed(
            self.input + other.input,
            self.cached + other.cached,
            self.written + other.written,
            self.output + other.output,
            self.reasoning + other.reasoning,
        )


@dataclass
class Clock:
    """The fakes' time: monotonic, plus whatever the benchmark skipped."""

    skipped: float = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self.skipped

    def advance(self, seconds: float) -> None:
        self.skipped += seconds


@dataclass
class PromptCache:
    clock: Clock = field(default_factory=Clock)
    # bucket -> prefix (segment identities) -> (its tokens by length, expiry)
    _buckets: dict[str, OrderedDict[tuple[str, ...], float]] = field(default_factory=dict)

    def bill(self, request: dict[str, Any], segments: list[Segment]) -> tuple[int, int]:
        """(cached, written) input tokens of a request whose prompt is `segments`."""
        total = sum(s.tokens for s in segments)
        if total < MINIMUM or not segments:
            return 0, 0
        key = request.get("prompt_cache_key")
        bucket_name = f"key:{key}" if key else f"start:{segments[0].identity}"
        bucket = self._buckets.setdefault(bucket_name, OrderedDict())
        now = self.clock()
        for prefix, expires in list(bucket.items()):
            if expires <= now:
                del bucket[prefix]
        identities = tuple(s.identity for s in segments)
        cached = 0
        for prefix in bucket:
            shared = _common(prefix, identities)
            cached = max(cached, sum(s.tokens for s in segments[:shared]))
        bucket[identities] = now + retention(request)
        bucket.move_to_end(identities)
        while not key and len(bucket) > BUCKET:
            bucket.popitem(last=False)
        return cached, total - cached


def retention(request: dict[str, Any]) -> float:
    """Seconds a written prefix stays: the longest the request asked for."""
    options = request.get("prompt_cache_options") or {}
    asked = [RETENTION.get(str(options.get("ttl")), 0.0)]
    asked.append(RETENTION.get(str(request.get("prompt_cache_retention")), 0.0))
    return max(IN_MEMORY, *asked)


def _common(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n
