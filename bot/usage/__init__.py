"""What the bot spends, in one folder.

Pure rules (the standard library only; a contract checks it): `prices` (the price table and
prices.toml), `budgets` (limits and their parsing), `windows` (days and months in the budget's
time zone). The engine's side: `meter` (reserve a turn's upper cost, settle it into a ledger
row, release it; the budget check), `reports` (/usage and /usage all), `notices` (every
sentence about money), `quota_pause` (the pause after the API's credit ran out).
"""
