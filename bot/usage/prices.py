"""Prices: a small bundled table (its date and source inside), overridable by the owner's file.

Money is integer micro-dollars everywhere: tokens * (dollars per million tokens) is exactly
micro-dollars, so a sum of many small turns stays exact. A price is the one in force when the
turn is recorded; the ledger row names the table that priced it.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

from storage import ImageTokens, TokenUsage, ToolCounts

NO_TOOLS = ToolCounts()
SNAPSHOT = re.compile(r"-\d{4}-\d{2}-\d{2}$")  # "gpt-6-luna-2026-06-01" is gpt-6-luna


class PriceFileError(ValueError):
    """The owner's PRICES_FILE cannot be read or says something that is not a price."""


@dataclass(frozen=True, slots=True)
class Price:
    """Dollars per million tokens (input includes cached; output includes reasoning)."""

    input: float
    cached_input: float
    output: float
    cache_write: float | None = None  # input written to the prompt cache (None: as input)
    long_context_from: int | None = None  # input tokens above which the factors apply
    long_input_factor: float = 1.0
    long_output_factor: float = 1.0
    web_search_per_1k: float = 0.0
    file_search_per_1k: float = 0.0  # searches of a persona's knowledge
    container_session: float = 0.0  # dollars per code-interpreter container session

    def cost_micros(self, usage: TokenUsage, tools: ToolCounts | None = None) -> int:
        """What the turn cost, rounded up to the micro-dollar."""
        tools = tools or NO_TOOLS
        long = self.long_context_from is not None and usage.input_tokens > self.long_context_from
        into, out = (self.long_input_factor, self.long_output_factor) if long else (1.0, 1.0)
        cached = min(usage.cached_tokens, usage.input_tokens)
        written = min(usage.cache_write_tokens, usage.input_tokens - cached)
        write_price = self.input if self.cache_write is None else self.cache_write
        micros = (
            (usage.input_tokens - cached - written) * self.input * into
            + cached * self.cached_input * into
            + written * write_price * into
            + usage.output_tokens * self.output * out
            + self.tools_micros(tools)
        )
        return math.ceil(micros - 1e-9)

    def tools_micros(self, tools: ToolCounts) -> float:
        """What the tools priced per call cost (searches, container sessions)."""
        return (
            tools.web_searches * self.web_search_per_1k * 1000
            + tools.file_searches * self.file_search_per_1k * 1000
            + tools.containers * self.container_session * 1_000_000
        )

    def input_micros(self, tokens: int) -> float:
        """Micro-dollars per `tokens` of uncached input: what a reservation assumes."""
        factor = self._factor(tokens, self.long_input_factor)
        return tokens * self.input * factor

    def output_micros_per_token(self, input_tokens: int) -> float:
        return self.output * self._factor(input_tokens, self.long_output_factor)

    def _factor(self, input_tokens: int, factor: float) -> float:
        long = self.long_context_from is not None and input_tokens > self.long_context_from
        return factor if long else 1.0


FREE = Price(0.0, 0.0, 0.0)


@dataclass(frozen=True, slots=True)
class ImagePrice:
    """Dollars per million tokens of image generation: the prompt's text and images, and the
    image written."""

    text_input: float
    image_input: float
    output: float

    def cost_micros(self, text_input: int, image_input: int, output: int) -> int:
        micros = (
            text_input * self.text_input + image_input * self.image_input + output * self.output
        )
        return math.ceil(micros - 1e-9)


# Image tokens one image writes, by quality, where the server does not report them (the
# published figures for a 1024x1024 image; bigger sizes write more): a reservation and an
# estimate, never a bill.
IMAGE_OUTPUT_TOKENS = {"low": 272, "medium": 1056, "high": 4160, "auto": 4160}
IMAGE_PROMPT_TOKENS = 200  # the prompt the model writes for the image tool, at most usually


@dataclass(frozen=True, slots=True)
class PriceTable:
    models: Mapping[str, Price]
    ref: str  # e.g. "bundled 2026-11-20": which table priced a ledger row
    local_free: bool = False  # a model server of the owner's: unknown models cost nothing
    transcription: Mapping[str, float] = field(default_factory=dict)  # dollars per minute
    images: Mapping[str, ImagePrice] = field(default_factory=dict)

    def image_price(self, model: str) -> ImagePrice | None:
        """The image model's price; None if nobody priced it (free on a server of the owner's)."""
        price = self.images.get(model) or self.images.get(SNAPSHOT.sub("", model))
        if price is None and self.local_free:
            return ImagePrice(0.0, 0.0, 0.0)
        return price

    def image_micros(
        self, model: str, quality: str, tokens: ImageTokens | None, images: int
    ) -> int:
        """What drawing cost: the tokens the server reported, else `images` estimated at
        `quality` (0 when the image model is unpriced)."""
        price = self.image_price(model)
        if price is None or (tokens is None and not images):
            return 0
        if tokens is None:
            tokens = ImageTokens(
                text_input=IMAGE_PROMPT_TOKENS * images,
                output=IMAGE_OUTPUT_TOKENS.get(quality, IMAGE_OUTPUT_TOKENS["high"]) * images,
            )
        return price.cost_micros(tokens.text_input, tokens.image_input, tokens.output)

    def audio_micros(self, model: str, seconds: int, *, local: bool) -> int | None:
        """What transcribing `seconds` of audio costs; None if nobody priced the model (a
        transcription server of the owner's costs nothing unless priced)."""
        per_minute = self.transcription.get(model) or self.transcription.get(
            SNAPSHOT.sub("", model)
        )
        if per_minute is None:
            return 0 if local else None
        return math.ceil(seconds * per_minute * 1_000_000 / 60 - 1e-9)

    def lookup(self, model: str) -> Price | None:
        """The model's price (a dated snapshot priced as its model); None if unknown."""
        price = self.models.get(model) or self.models.get(SNAPSHOT.sub("", model))
        if price is None and self.local_free:
            return FREE
        return price


def load_prices(owner_file: Path | None, *, local: bool) -> PriceTable:
    """The bundled table, with the owner's file's models on top. `local`: the bot talks to a
    server of its own (not OpenAI), whose models are free unless the owner's file prices them."""
    bundled = tomllib.loads(resources.files("bot.usage").joinpath("prices.toml").read_text())
    models = _models(bundled, {}, "the bundled price table")
    transcription = _per_minute(bundled, "the bundled price table")
    images = _image_prices(bundled, "the bundled price table")
    ref = f"bundled {bundled['checked']}"
    if owner_file is not None:
        try:
            owned = tomllib.loads(owner_file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise PriceFileError(f"PRICES_FILE {owner_file}: {exc}") from exc
        defaults = {**bundled.get("defaults", {}), **owned.get("defaults", {})}
        models = {**models, **_models(owned, defaults, f"PRICES_FILE {owner_file}")}
        transcription = {**transcription, **_per_minute(owned, f"PRICES_FILE {owner_file}")}
        images = {**images, **_image_prices(owned, f"PRICES_FILE {owner_file}")}
        ref = f"{owner_file.name} + {ref}"
    return PriceTable(models, ref, local_free=local, transcription=transcription, images=images)


def _image_prices(table: dict[str, Any], where: str) -> dict[str, ImagePrice]:
    found: dict[str, ImagePrice] = {}
    for name, fields in (table.get("images") or {}).items():
        try:
            price = ImagePrice(
                float(fields["text_input"]), float(fields["image_input"]), float(fields["output"])
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise PriceFileError(
                f"{where}: image model {name!r} needs numbers for text_input, image_input and "
                f"output ({exc})"
            ) from exc
        if min(price.text_input, price.image_input, price.output) < 0:
            raise PriceFileError(f"{where}: image model {name!r} has a negative price")
        found[name] = price
    return found


def _per_minute(table: dict[str, Any], where: str) -> dict[str, float]:
    found: dict[str, float] = {}
    for name, value in (table.get("transcription") or {}).items():
        if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
            raise PriceFileError(
                f"{where}: transcription model {name!r} needs a price per minute, got {value!r}"
            )
        found[name] = float(value)
    return found


def _models(table: dict[str, Any], inherited: dict[str, Any], where: str) -> dict[str, Price]:
    defaults = {**inherited, **table.get("defaults", {})}
    models: dict[str, Price] = {}
    for name, fields in (table.get("models") or {}).items():
        try:
            price = Price(
                input=float(fields["input"]),
                cached_input=float(fields.get("cached_input", fields["input"])),
                output=float(fields["output"]),
                cache_write=float(fields["cache_write"]) if "cache_write" in fields else None,
            )
            extra = {**defaults, **{k: v for k, v in fields.items() if k in _EXTRA}}
            price = replace(price, **{k: extra[k] for k in _EXTRA if k in extra})
        except (KeyError, TypeError, ValueError) as exc:
            raise PriceFileError(
                f"{where}: model {name!r} needs numbers for input and output ({exc})"
            ) from exc
        if min(price.input, price.cached_input, price.output, price.cache_write or 0) < 0:
            raise PriceFileError(f"{where}: model {name!r} has a negative price")
        models[name] = price
    return models


_EXTRA = (
    "long_context_from",
    "long_input_factor",
    "long_output_factor",
    "web_search_per_1k",
    "file_search_per_1k",
    "container_session",
)
