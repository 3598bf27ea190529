"""The owner's budget and price settings (BUDGET_*, PRICES_FILE), read for `load_config`.

A budget needs a price: one on a model no table prices is a start-up error, not a silent zero.
"""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.config.env_reader import EnvReader
from bot.usage.budgets import BudgetRules, Limit, parse_limit, parse_user_limits
from bot.usage.prices import PriceFileError, PriceTable, load_prices


def read_budgets(read: EnvReader) -> BudgetRules:
    def limit(name: str) -> Limit | None:
        raw = read.text(name)
        if raw is None:
            return None
        try:
            return parse_limit(raw)
        except ValueError as exc:
            read.problems.append(f"{name}: {exc}")
            return None

    users: dict[int, Limit] = {}
    if raw_users := read.text("BUDGET_USERS"):
        try:
            users = parse_user_limits(raw_users)
        except ValueError as exc:
            read.problems.append(f"BUDGET_USERS: {exc}")
    zone_name = read.text("BUDGET_TIMEZONE") or "UTC"
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        read.problems.append(
            f"BUDGET_TIMEZONE must be a time zone such as UTC or Europe/Lisbon, got {zone_name!r}"
        )
        zone = ZoneInfo("UTC")
    warn_at = read.whole("BUDGET_WARN_AT", 80) or 80
    if warn_at > 100:
        read.problems.append(f"BUDGET_WARN_AT is a percentage (1-100), got {warn_at}")
        warn_at = 80
    return BudgetRules(
        total=limit("BUDGET_TOTAL"),
        per_chat=limit("BUDGET_PER_CHAT"),
        per_user=limit("BUDGET_PER_USER"),
        per_guest=limit("BUDGET_PER_GUEST"),
        users=users,
        timezone=zone,
        warn_at=warn_at,
    )


def read_prices(
    read: EnvReader, *, model: str, base_url: str | None, budgets: BudgetRules
) -> PriceTable:
    """The price table; a server that is not OpenAI's prices its unknown models at 0."""
    raw = read.text("PRICES_FILE")
    local = base_url is not None and "api.openai.com" not in base_url
    try:
        table = load_prices(Path(raw) if raw else None, local=local)
    except PriceFileError as exc:
        read.problems.append(str(exc))
        return load_prices(None, local=local)
    if budgets.any and table.lookup(model) is None:
        read.problems.append(
            f"budgets need a price for OPENAI_MODEL={model}: add it to PRICES_FILE "
            "(see the README, Usage and budgets)"
        )
    return table
