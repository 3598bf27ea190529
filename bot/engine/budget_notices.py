"""What a user reads about budgets: a budget used up, a budget nearly used. Pure functions."""

from __future__ import annotations

from bot.engine.metering import BudgetHit, BudgetWarning
from bot.texts import Texts, render
from bot.usage.budgets import Scope
from bot.usage.windows import Period


def money(micros: int) -> str:
    """Dollars: cents when that says enough, else four decimals ($0.0012)."""
    dollars = micros / 1_000_000
    return f"${dollars:.2f}" if dollars >= 1 or micros == 0 else f"${dollars:.4f}"


def which(texts: Texts, scope: Scope, period: Period) -> str:
    names = {
        ("user", "day"): texts.budget_user_day,
        ("user", "month"): texts.budget_user_month,
        ("chat", "day"): texts.budget_chat_day,
        ("chat", "month"): texts.budget_chat_month,
        ("total", "day"): texts.budget_total_day,
        ("total", "month"): texts.budget_total_month,
    }
    return names[(scope, period)]


def budget_reached(hit: BudgetHit, texts: Texts) -> str:
    reset = hit.resets_at.strftime("%Y-%m-%d %H:%M")
    return render(
        texts.budget_reached,
        budget=which(texts, hit.scope, hit.period),
        limit=money(hit.limit_micros),
        reset=f"{reset} {hit.resets_at.tzname()}",
    )


def budget_warning(warning: BudgetWarning, texts: Texts) -> str:
    return render(
        texts.budget_warning,
        budget=which(texts, warning.scope, warning.period),
        percent=min(100, round(100 * warning.spent_micros / warning.limit_micros)),
        spent=money(warning.spent_micros),
        limit=money(warning.limit_micros),
    )
