"""Prices, budgets and their windows: pure rules, checked against an independent price list."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from genai_prices import Usage, calc_price

from bot.usage.budgets import BudgetRules, Limit, parse_limit, parse_user_limits
from bot.usage.prices import PriceFileError, load_prices
from bot.usage.windows import local_now, next_reset, window_keys
from storage import TokenUsage, ToolCounts

BUNDLED = load_prices(None, local=False)


@pytest.mark.parametrize("model", sorted(BUNDLED.models))
@pytest.mark.parametrize(
    ("input_tokens", "cached", "written", "output"),
    [(12_000, 9_000, 0, 700), (12_000, 2_000, 6_000, 300), (300_000, 100_000, 50_000, 2_000)],
)
def test_the_bundled_table_agrees_with_genai_prices(
    model: str, input_tokens: int, cached: int, written: int, output: int
) -> None:
    usage = TokenUsage(input_tokens, output, cached, cache_write_tokens=written)
    ours = BUNDLED.models[model].cost_micros(usage)
    theirs = calc_price(
        Usage(
            input_tokens=input_tokens,
            cache_read_tokens=cached,
            cache_write_tokens=written,
            output_tokens=output,
        ),
        model,
        provider_id="openai",
    ).total_price

    assert abs(Decimal(ours) - theirs * 1_000_000) <= 1  # rounded up to the micro-dollar


def test_a_snapshot_is_priced_as_its_model_and_an_unknown_model_is_not() -> None:
    assert BUNDLED.lookup("gpt-6-luna-2026-11-20") == BUNDLED.models["gpt-6-luna"]
    assert BUNDLED.lookup("llama3.2") is None
    assert load_prices(None, local=True).lookup("llama3.2") is not None  # the owner's server


def test_web_searches_are_priced_per_thousand() -> None:
    price = BUNDLED.models["gpt-6-luna"]
    assert price.cost_micros(TokenUsage(0, 0), ToolCounts(web_searches=3)) == 30_000


def test_the_owner_s_file_adds_and_overrides_models(tmp_path: Path) -> None:
    owned = tmp_path / "prices.toml"
    owned.write_text('[models.llama3]\ninput = 0.05\noutput = 0.05\n[models.gpt-6-luna]\n'
                     "input = 0.2\noutput = 1.0\n")  # fmt: skip

    table = load_prices(owned, local=False)

    assert table.models["llama3"].cost_micros(TokenUsage(1000, 1000)) == 100
    assert table.models["gpt-6-luna"].output == 1.0
    assert table.models["gpt-6-sol"] == BUNDLED.models["gpt-6-sol"]
    assert table.ref.startswith("prices.toml + bundled")


def test_a_broken_price_file_names_the_file(tmp_path: Path) -> None:
    owned = tmp_path / "prices.toml"
    owned.write_text("[models.x]\ninput = 'cheap'\noutput = 1\n")

    with pytest.raises(PriceFileError, match=r"prices\.toml: model 'x' needs numbers"):
        load_prices(owned, local=False)


def test_budgets_parse_days_months_and_people() -> None:
    assert parse_limit("0.50/day, $5/month") == Limit(day=500_000, month=5_000_000)
    with pytest.raises(ValueError, match="repeats the day budget"):
        parse_limit("1/day,2/day")
    with pytest.raises(ValueError, match="per day or month"):
        parse_limit("5")
    assert parse_user_limits("123=10/month,456=1/month,0.2/day") == {
        123: Limit(month=10_000_000),
        456: Limit(day=200_000, month=1_000_000),
    }
    with pytest.raises(ValueError, match="whose budget"):
        parse_user_limits("1/day")


def test_owners_skip_chat_and_user_budgets_but_not_the_total() -> None:
    rules = BudgetRules(
        total=Limit(month=1), per_chat=Limit(day=2), per_user=Limit(day=3),
        per_guest=Limit(day=4), users={9: Limit(day=5)},
    )  # fmt: skip

    assert rules.limit("total", 1, guest=False, owner=True) == Limit(month=1)
    assert rules.limit("chat", 1, guest=False, owner=True) is None
    assert rules.limit("user", 1, guest=False, owner=False) == Limit(day=3)
    assert rules.limit("user", 1, guest=True, owner=False) == Limit(day=4)
    assert rules.limit("user", 9, guest=True, owner=False) == Limit(day=5)


def test_days_and_months_roll_over_in_the_budget_s_time_zone() -> None:
    sao_paulo = ZoneInfo("America/Sao_Paulo")  # UTC-3
    late = local_now(datetime(2027, 1, 1, 2, 30, tzinfo=UTC).timestamp(), sao_paulo)

    assert window_keys(late) == ("2026-12-31", "2026-12")  # still New Year's Eve there
    assert next_reset("day", late) == datetime(2027, 1, 1, tzinfo=sao_paulo)
    assert next_reset("month", late) == datetime(2027, 1, 1, tzinfo=sao_paulo)
    assert window_keys(
        local_now(datetime(2027, 1, 1, 3, 0, tzinfo=UTC).timestamp(), sao_paulo)
    ) == (
        "2027-01-01",
        "2027-01",
    )


def test_images_are_priced_per_token_and_the_owner_can_reprice_them(tmp_path: Path) -> None:
    price = BUNDLED.image_price("gpt-image-2.6-sunburst")
    assert price is not None
    # 100 prompt tokens at $5, 1,056 image tokens written at $30 (per million).
    assert price.cost_micros(100, 0, 1056) == 500 + 31_680
    assert BUNDLED.image_price("gpt-image-2.6-sunburst-2026-11-01") == price  # a snapshot
    assert BUNDLED.image_price("unknown-image-model") is None
    assert load_prices(None, local=True).image_price("sd-local") is not None  # free locally
    owned = tmp_path / "prices.toml"
    owned.write_text('[images."gpt-image-2.6-sunburst"]\ntext_input=1\nimage_input=1\noutput=3\n')
    cheaper = load_prices(owned, local=False).image_price("gpt-image-2.6-sunburst")
    assert cheaper is not None and cheaper.cost_micros(0, 0, 1000) == 3000


def test_an_image_price_needs_its_three_numbers(tmp_path: Path) -> None:
    owned = tmp_path / "prices.toml"
    owned.write_text("[images.mine]\ntext_input = 1\noutput = 3\n")
    with pytest.raises(PriceFileError, match="image model 'mine' needs numbers"):
        load_prices(owned, local=False)
