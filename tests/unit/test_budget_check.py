"""The budget check before a turn, in micro-dollars: refuse, lower the output cap, or go."""

from __future__ import annotations

from bot.usage.budgets import OUTPUT_FLOOR, BudgetKey, affordable_output

DAY: BudgetKey = ("user", "day")
MONTH: BudgetKey = ("chat", "month")


def test_no_budget_means_the_full_cap() -> None:
    assert affordable_output({}, {}, in_cost=5_000.0, out_rate=10.0, cap=4096) == 4096


def test_a_budget_with_room_keeps_the_cap() -> None:
    limits, spent = {DAY: 1_000_000}, {DAY: 0}

    assert affordable_output(limits, spent, in_cost=1_000.0, out_rate=10.0, cap=4096) == 4096


def test_a_budget_nearly_spent_lowers_the_cap_to_what_it_affords() -> None:
    limits, spent = {DAY: 100_000}, {DAY: 80_000}

    assert affordable_output(limits, spent, in_cost=0.0, out_rate=10.0, cap=4096) == 2000


def test_the_budget_with_least_left_decides_and_a_sliver_is_used_up() -> None:
    limits = {DAY: 100_000, MONTH: 5_000_000}
    spent = {DAY: 99_000, MONTH: 0}

    assert affordable_output(limits, spent, in_cost=0.0, out_rate=10.0, cap=4096) == DAY
    assert OUTPUT_FLOOR > 1_000 / 10  # 100 tokens affordable: too few to answer


def test_a_budget_the_input_alone_exceeds_is_used_up() -> None:
    limits, spent = {MONTH: 10_000}, {MONTH: 9_000}

    assert affordable_output(limits, spent, in_cost=2_000.0, out_rate=0.0, cap=4096) == MONTH
