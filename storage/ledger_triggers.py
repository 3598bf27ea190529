"""The SQL of the ledger's running totals: the triggers that add each settled answer to the
totals of every scope and window it belongs to, written out by the migrations that (re)make
them — SQLite's trigger bodies, and PostgreSQL's trigger function doing the same in one
statement per side (where `window` is a keyword and the totals row must be named)."""

from __future__ import annotations

SCOPES = (("'total'", "''", "1"), ("'chat'", "{row}.chat_id", "1"),
          ("'user'", "{row}.user_id", "{row}.user_id IS NOT NULL"),
          ("'model'", "{row}.model", "1"))  # fmt: skip
# What the running totals count besides tokens and money, by the migration that added them.
TOOLS_10 = ("web_searches", "containers", "audio_seconds", "images")  # counted per call
TOOLS_11 = (*TOOLS_10, "compactions")  # and the passes that compacted a conversation
TOOLS_13 = (*TOOLS_11, "file_searches")  # and the searches of a persona's knowledge


def totals_sql(row: str, sign: str, when: str = "", *, tools: tuple[str, ...] = ()) -> str:
    """Statements adding (`sign` "+") or removing ("-") ledger row `row` (NEW or OLD) to the
    totals of each scope and window it belongs to (`tools`: the counts kept too, from 10 on)."""
    scopes = [tuple(part.format(row=row) for part in scope) for scope in SCOPES]
    estimated = f"CASE WHEN {row}.source = 'estimated' THEN {row}.cost_micros ELSE 0 END"
    tokens = [f"{row}.{name}" for name in ("input_tokens", "cached_tokens", "output_tokens")]
    values = [f"{row}.cost_micros", estimated, "1", *tokens, f"{row}.reasoning_tokens"]
    columns = ["micros", "estimated_micros", "answers", "input_tokens", "cached_tokens",
               "output_tokens", "reasoning_tokens"]  # fmt: skip
    values += [f"{row}.{name}" for name in tools]
    columns += tools
    signed = ", ".join(f"{sign}({v})" for v in values)
    updates = ", ".join(f"{c} = {c} + excluded.{c}" for c in columns)
    statements = []
    for scope, key, applies in scopes:
        for window in (f"'D' || {row}.day", f"'M' || {row}.month"):
            condition = " AND ".join(c for c in (applies, when) if c and c != "1") or "1"
            statements.append(
                f"        INSERT INTO ledger_totals (scope, key, window, {', '.join(columns)})"
                f" SELECT {scope}, {key}, {window}, {signed} WHERE {condition}"
                f" ON CONFLICT (scope, key, window) DO UPDATE SET {updates};"
            )
    return "\n".join(statements)


def triggers(*, tools: tuple[str, ...] = ()) -> str:
    """The triggers that keep `ledger_totals` in step with the ledger's settled rows."""
    return f"""\
    CREATE TRIGGER ledger_settled_insert AFTER INSERT ON ledger WHEN NEW.state = 'settled'
    BEGIN
{totals_sql("NEW", "+", tools=tools)}
    END;
    CREATE TRIGGER ledger_settled_update AFTER UPDATE ON ledger
    WHEN NEW.state = 'settled' OR OLD.state = 'settled'
    BEGIN
{totals_sql("OLD", "-", "OLD.state = 'settled'", tools=tools)}
{totals_sql("NEW", "+", "NEW.state = 'settled'", tools=tools)}
    END;"""


def tool_backfill(tools: tuple[str, ...]) -> str:
    """Statements setting each totals row's `tools` counts from the settled ledger rows (one
    grouped pass per scope and window)."""
    sums = ", ".join(f"total(ledger.{name})" for name in tools)
    sets = ", ".join(f"{name} = excluded.{name}" for name in tools)
    statements = []
    for scope, key, applies in SCOPES:
        key, applies = key.format(row="ledger"), applies.format(row="ledger")
        for window in ("'D' || ledger.day", "'M' || ledger.month"):
            statements.append(
                f"    INSERT INTO ledger_totals (scope, key, window, {', '.join(tools)})"
                f" SELECT {scope}, {key}, {window}, {sums} FROM ledger"
                f" WHERE ledger.state = 'settled' AND {applies} GROUP BY 1, 2, 3"
                f" ON CONFLICT (scope, key, window) DO UPDATE SET {sets};"
            )
    return "\n".join(statements)


def postgres_trigger(*, tools: tuple[str, ...] = ()) -> str:
    """PostgreSQL's trigger function (made again with `CREATE OR REPLACE` when the counts
    change): what SQLite's two triggers do, each side one statement over the row's scopes and
    windows (eight separate upserts cost a settled answer twice as much, measured)."""
    return f"""\
    CREATE OR REPLACE FUNCTION ledger_settled() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'UPDATE' AND OLD.state = 'settled' THEN
{_postgres_totals("OLD", "-", tools)}
      END IF;
      IF NEW.state = 'settled' THEN
{_postgres_totals("NEW", "+", tools)}
      END IF;
      RETURN NULL;
    END $$;"""


def _postgres_totals(row: str, sign: str, tools: tuple[str, ...]) -> str:
    """One upsert adding (or removing) `row` to every totals row it belongs to."""
    estimated = f"CASE WHEN {row}.source = 'estimated' THEN {row}.cost_micros ELSE 0 END"
    columns = ["micros", "estimated_micros", "answers", "input_tokens", "cached_tokens",
               "output_tokens", "reasoning_tokens", *tools]  # fmt: skip
    values = [f"{row}.cost_micros", estimated, "1",
              *(f"{row}.{name}" for name in columns[3:])]  # fmt: skip
    keys = {"'total'": "''", "'chat'": f"{row}.chat_id::text",
            "'user'": f"{row}.user_id::text", "'model'": f"{row}.model"}  # fmt: skip
    targets = ", ".join(
        f"({scope}, {key}, {window})"
        for scope, key in keys.items()
        for window in (f"'D' || {row}.day", f"'M' || {row}.month")
    )
    signed = ", ".join(f"{sign}({value})" for value in values)
    updates = ", ".join(f"{c} = ledger_totals.{c} + excluded.{c}" for c in columns)
    return (
        f'        INSERT INTO ledger_totals (scope, key, "window", {", ".join(columns)})'
        f" SELECT target.scope, target.key, target.w, {signed}"
        f" FROM (VALUES {targets}) AS target (scope, key, w) WHERE target.key IS NOT NULL"
        f' ON CONFLICT (scope, key, "window") DO UPDATE SET {updates};'
    )


def rebuild_totals(*, postgres: bool) -> list[str]:
    """Statements counting every totals row again from the settled ledger, one grouped pass per
    scope and window — after a bulk load that went around the triggers (the whole schema's
    counts: those of migration 13)."""
    columns = ["micros", "estimated_micros", "answers", "input_tokens", "cached_tokens",
               "output_tokens", "reasoning_tokens", *TOOLS_13]  # fmt: skip
    sums = [
        "sum(ledger.cost_micros)",
        "sum(CASE WHEN ledger.source = 'estimated' THEN ledger.cost_micros ELSE 0 END)",
        "count(*)",
        *(f"sum(ledger.{name})" for name in columns[3:]),
    ]
    window_column, always = ('"window"', "true") if postgres else ("window", "1")
    statements = ["DELETE FROM ledger_totals"]
    for scope, key, applies in SCOPES:
        key, applies = key.format(row="ledger"), applies.format(row="ledger")
        condition = "" if applies == "1" else f" AND {applies}"
        for window in ("'D' || ledger.day", "'M' || ledger.month"):
            statements.append(
                f"INSERT INTO ledger_totals (scope, key, {window_column}, {', '.join(columns)})"
                f" SELECT {scope}, {key}, {window}, {', '.join(sums)} FROM ledger"
                f" WHERE ledger.state = 'settled'{condition} AND {always} GROUP BY 1, 2, 3"
            )
    return statements
