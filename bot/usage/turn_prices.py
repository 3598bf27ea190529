"""What each part of a turn costs, in micro-dollars: its input before it writes a word (for the
reservation's upper bound), each output token, and the whole turn once the server reported it.

Pure rules over the owner's price table, apart from the meter's bookkeeping (locks, running
reservations, the ledger) so they are tested alone and reused by whatever prices a turn.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.media.settings import ImageSettings
from bot.usage.prices import Price, PriceTable
from storage import ImageTokens, TokenUsage, Tool, ToolCounts


@dataclass(frozen=True, slots=True)
class TurnPrices:
    table: PriceTable
    model: str  # the configured model: the price when an answer names a model the table lacks
    transcription_model: str | None = None
    transcription_local: bool = False  # a local server's transcription costs nothing
    drawing: ImageSettings = field(default_factory=ImageSettings)

    def of(self, model: str | None = None) -> Price | None:
        """The price of `model`, else of the configured model; None when neither is priced."""
        return (model and self.table.lookup(model)) or self.table.lookup(self.model)

    def audio(self, seconds: int) -> int:
        """What transcribing `seconds` costs (0 when unpriced: the ledger still counts them)."""
        if not seconds or self.transcription_model is None:
            return 0
        micros = self.table.audio_micros(
            self.transcription_model, seconds, local=self.transcription_local
        )
        return micros or 0

    def drawn(self, tokens: ImageTokens | None, images: int) -> int:
        """What drawing `images` costs, from the tokens the server reported (or the most a
        drawing of the owner's quality costs, when it reported none)."""
        return self.table.image_micros(self.drawing.model, self.drawing.quality, tokens, images)

    def before_writing(self, tokens: int, audio_seconds: int, tools: tuple[Tool, ...]) -> float:
        """What a turn costs before it writes a word: its input, the hosted tools' calls it may
        make (a search, a container session, an image), the audio still to transcribe."""
        price = self.of()
        calls = ToolCounts(
            web_searches=int("web_search" in tools),
            containers=int("code_interpreter" in tools),
            file_searches=int("file_search" in tools),
        )
        priced = price.input_micros(tokens) + price.tools_micros(calls) if price else 0.0
        drawn = self.drawn(None, int("image_generation" in tools))
        return priced + self.audio(audio_seconds) + drawn

    def per_output_token(self, input_tokens: int) -> float:
        """One output token's price after `input_tokens` of input (long inputs cost more)."""
        price = self.of()
        return price.output_micros_per_token(input_tokens) if price else 0.0

    def turn(
        self, model: str | None, usage: TokenUsage, tools: ToolCounts, drawn: ImageTokens | None
    ) -> int:
        """A settled turn's cost: tokens and tool calls at the answering model's price, plus
        transcription and drawing."""
        price = self.of(model)
        tokens = price.cost_micros(usage, tools) if price else 0
        return tokens + self.audio(tools.audio_seconds) + self.drawn(drawn, tools.images)
