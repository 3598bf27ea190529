"""What a user reads about budgets: a budget used up, a budget nearly used. Pure functions."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from bot.texts import Html, Texts, render
from bot.usage.budgets import BudgetHit, BudgetWarning, Scope
from bot.usage.windows import Period
from storage import LedgerRow

if TYPE_CHECKING:  # types only: importing the engine here would make an import cycle
    from bot.engine.outcome import Outcome
    from bot.usage.reports import UsageSummary


def money(micros: int) -> str:
    """Dollars, as precise as the amount needs: $0.50, $0.0012, $0.000006 (never "$0.0000")."""
    dollars = micros / 1_000_000
    if micros % 10_000 == 0 or dollars >= 1:
        return f"${dollars:.2f}"
    return f"${dollars:.4f}" if micros >= 100 else f"${dollars:.6f}"


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


def with_cost(outcome: Outcome, settled: LedgerRow) -> Outcome:
    """USAGE_FOOTER: the answer closes with its cost ("≈" where it is an estimate)."""
    approximate = "≈" if settled.source == "estimated" else ""
    footer = f"<i>{approximate}{money(settled.cost_micros)}</i>"
    return replace(outcome, note=f"{outcome.note}\n{footer}".strip())


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


def usage_summary(summary: UsageSummary, texts: Texts) -> str:
    """/usage for a person (private) or a group, in the chat's language."""
    title = texts.usage_title_private if summary.scope == "user" else texts.usage_title_group
    lines = [title]
    templates: dict[Period, str] = {"day": texts.usage_today, "month": texts.usage_month}
    for period, template in templates.items():
        totals, limit = summary.spending.of(period)
        spent = money(totals.micros)
        if limit is not None:
            spent = render(texts.usage_of, spent=spent, limit=money(limit))
        lines.append(render(template, spent=Html(spent), answers=totals.answers))
    if summary.yours is not None:
        lines.append(
            render(
                texts.usage_yours,
                day=money(summary.yours.day.micros),
                month=money(summary.yours.month.micros),
            )
        )
    if summary.tools is not None and (
        items := [
            render(texts.usage_tool_item, tool=label, count=f"{count:,}")
            for label, count in (
                (texts.usage_tool_images, summary.tools.images),
                (texts.usage_tool_code, summary.tools.containers),
                (texts.usage_tool_searches, summary.tools.web_searches),
                (texts.usage_tool_file_searches, summary.tools.file_searches),
            )
            if count
        ]
    ):
        lines.append(render(texts.usage_tools, items=Html(" · ".join(items))))
    if summary.conversation_tokens:
        tokens = f"{summary.conversation_tokens:,}"
        if summary.context_budget:
            budget = f"{summary.context_budget:,}"
            lines.append(render(texts.usage_conversation_budget, tokens=tokens, budget=budget))
        else:
            lines.append(render(texts.usage_conversation, tokens=tokens))
    return "\n".join(lines)
