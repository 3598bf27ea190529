"""A turn's prices from the bundled table: what the meter's reservations and settlements use."""

from __future__ import annotations

from bot.usage.prices import load_prices
from bot.usage.turn_prices import TurnPrices
from storage import TokenUsage, ToolCounts

TABLE = load_prices(None, local=False)


def test_an_unknown_model_is_priced_as_the_configured_one() -> None:
    prices = TurnPrices(TABLE, "gpt-6-luna")
    assert prices.of("some-new-model") == TABLE.lookup("gpt-6-luna")
    assert prices.of("gpt-6-sol") == TABLE.lookup("gpt-6-sol")
    assert TurnPrices(TABLE, "unpriced-model").of() is None


def test_hosted_tools_a_turn_may_use_are_in_its_upper_bound() -> None:
    prices = TurnPrices(TABLE, "gpt-6-luna")
    price = TABLE.lookup("gpt-6-luna")
    assert price is not None
    bare = prices.before_writing(1000, 0, ())
    searching = prices.before_writing(1000, 0, ("web_search",))
    drawing = prices.before_writing(1000, 0, ("image_generation",))
    assert bare == price.input_micros(1000)
    assert searching > bare
    assert drawing > bare


def test_transcription_costs_nothing_without_a_priced_model() -> None:
    assert TurnPrices(TABLE, "gpt-6-luna").audio(60) == 0
    paid = TurnPrices(TABLE, "gpt-6-luna", transcription_model="gpt-transcribe")
    assert paid.audio(60) == TABLE.audio_micros("gpt-transcribe", 60, local=False)
    assert paid.audio(60) > 0
    local = TurnPrices(TABLE, "gpt-6-luna", transcription_model="gpt-transcribe",
                       transcription_local=True)  # fmt: skip
    assert local.audio(60) == TABLE.audio_micros("gpt-transcribe", 60, local=True)


def test_a_settled_turn_adds_its_transcription_to_its_tokens() -> None:
    prices = TurnPrices(TABLE, "gpt-6-luna", transcription_model="gpt-transcribe")
    usage = TokenUsage(1000, 200)
    heard = ToolCounts(audio_seconds=60)
    price = TABLE.lookup("gpt-6-sol")
    assert price is not None
    expected = price.cost_micros(usage, heard) + prices.audio(60)
    assert prices.turn("gpt-6-sol", usage, heard, None) == expected


def test_output_tokens_cost_what_the_model_charges() -> None:
    price = TABLE.lookup("gpt-6-luna")
    assert price is not None
    prices = TurnPrices(TABLE, "gpt-6-luna")
    assert prices.per_output_token(500) == price.output_micros_per_token(500)
    assert TurnPrices(TABLE, "unpriced-model").per_output_token(500) == 0.0
