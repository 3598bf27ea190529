"""The web side's HTML, made here from data: every value escaped on its way in, the model's and
the bot's own text as the bot's safe HTML subset (the one Telegram accepts, from the same
Markdown renderer). No template engine and no script in the HTML: the page's one script is a
file (the Content-Security-Policy allows no inline script)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from bot.rendering.markdown import render_markdown
from bot.texts.languages import NATIVE_NAMES
from bot.usage.notices import money
from bot.web.charts import Bar, bar_chart
from bot.web.words import Words
from storage import HistoryMessage, PersonRecord, Totals

TELEGRAM_SCRIPT = "https://telegram.org/js/telegram-web-app.js"


def document(title: str, body: str, *, scripts: Sequence[str] = ()) -> str:
    tags = "".join(f'<script src="{escape(s)}" defer></script>' for s in scripts)
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{escape(title)}</title><link rel="stylesheet" href="/static/app.css">'
        f"{tags}</head><body>{body}</body></html>"
    )


def shell(w: Words, *, mini_app: bool) -> str:
    """The app's page: tabs and a place for each tab's content, both filled by the script."""
    scripts = [TELEGRAM_SCRIPT, "/static/app.js"] if mini_app else ["/static/app.js"]
    body = (
        f'<div id="app" data-mini-app="{int(mini_app)}"'
        f' data-open-from-telegram="{escape(w.open_from_telegram)}">'
        '<nav id="tabs" aria-label="Pages"></nav>'
        f'<main id="page"><p class="hint">{escape(w.loading)}</p></main></div>'
    )
    return document("Telethread", body, scripts=scripts)


def sign_in(token: str, w: Words) -> str:
    """What a `/web` link opens: a button that spends the link (a crawler's GET does not)."""
    body = (
        f'<main class="narrow"><h1>Telethread</h1><p>{escape(w.sign_in_text)}</p>'
        '<form method="post" action="/login">'
        f'<input type="hidden" name="t" value="{escape(token)}">'
        f'<button type="submit" id="sign-in">{escape(w.sign_in_button)}</button></form></main>'
    )
    return document(f"{w.sign_in_button} · Telethread", body)


def message_page(title: str, text: str) -> str:
    """A page that only says something (a link spent or lapsed, too many sign-ins)."""
    body = f'<main class="narrow"><h1>{escape(title)}</h1><p>{escape(text)}</p></main>'
    return document(f"{title} · Telethread", body)


def chat(history: Sequence[HistoryMessage], persona_title: str, w: Words) -> str:
    """The conversation as bubbles, and the box that continues it."""
    bubbles = "".join(bubble(m.role, m.content) for m in history) or (
        f'<p class="hint" id="empty">{escape(w.no_messages)}</p>'
    )
    box = (
        '<form id="chat-form" data-action="chat">'
        '<textarea name="text" rows="2" maxlength="4000" required'
        f' placeholder="{escape(w.message)}" aria-label="{escape(w.message)}"></textarea>'
        f'<button type="submit">{escape(w.send)}</button></form>'
    )
    line = w.persona_line.format(persona=persona_title)
    return (
        f'<p class="hint">{escape(line)}</p>'
        f'<section id="messages" aria-live="polite">{bubbles}</section>{box}'
    )


def bubble(role: str, text: str) -> str:
    if role == "user":
        return f'<div class="bubble user">{escape(text)}</div>'
    return f'<div class="bubble bot">{render_markdown(text)}</div>'


@dataclass(frozen=True, slots=True)
class PersonaChoice:
    name: str
    title: str
    description: str
    tools: str
    current: bool


def personas(choices: Sequence[PersonaChoice], w: Words) -> str:
    items = []
    for c in choices:
        button = (
            f'<span class="badge">{escape(w.in_use)}</span>'
            if c.current
            else '<form data-action="persona">'
            f'<input type="hidden" name="name" value="{escape(c.name)}">'
            f'<button type="submit">{escape(w.use.format(persona=c.title))}</button></form>'
        )
        tools = f'<p class="hint">{escape(w.tools.format(tools=c.tools))}</p>' if c.tools else ""
        items.append(
            f'<li class="card" data-persona="{escape(c.name)}"><h3>{escape(c.title)}</h3>'
            f"<p>{escape(c.description)}</p>{tools}{button}</li>"
        )
    return (
        f'<p class="hint">{escape(w.persona_switch_hint)}</p>'
        f'<ul class="cards">{"".join(items)}</ul>'
    )


def spend_line(label: str, totals: Totals, limit: int | None, w: Words) -> str:
    of = " " + escape(w.of.format(budget=money(limit))) if limit is not None else ""
    meter = ""
    if limit:
        meter = f'<meter min="0" max="{limit}" value="{min(totals.micros, limit)}"></meter>'
    answers = escape(w.answers.format(count=totals.answers))
    return (
        f"<tr><th>{escape(label)}</th><td>{money(totals.micros)}{of}</td>"
        f"<td>{answers}</td><td>{meter}</td></tr>"
    )


def daily_chart(days: Sequence[tuple[str, Totals]], title: str, w: Words) -> str:
    bars = [
        Bar(day, t.micros, f"{money(t.micros)}, {w.answers.format(count=t.answers)}")
        for day, t in days
    ]
    return figure(bar_chart(bars, title), title)


def figure(svg: str, caption: str) -> str:
    return f'<figure class="chart-box">{svg}<figcaption>{escape(caption)}</figcaption></figure>'


def usage(lines: Sequence[str], chart: str) -> str:
    return f'<table class="spend">{"".join(lines)}</table>{chart}'


def settings(language: str | None, w: Words) -> str:
    options = "".join(
        f'<option value="{code}"{" selected" if code == language else ""}>{escape(name)}</option>'
        for code, name in (("", w.automatic_language), *NATIVE_NAMES.items())
    )

    def card(title: str, text: str, form: str, *, danger: bool = False) -> str:
        kind = "card danger" if danger else "card"
        return (
            f'<section class="{kind}"><h3>{escape(title)}</h3><p>{escape(text)}</p>{form}</section>'
        )

    return (
        f'<section class="card"><h3>{escape(w.language)}</h3><form data-action="language">'
        f'<select name="language" aria-label="{escape(w.language)}">{options}</select>'
        f'<button type="submit">{escape(w.save)}</button></form></section>'
        + card(w.start_over, w.start_over_text, '<form data-action="reset">'
               f'<button type="submit">{escape(w.reset_button)}</button></form>')
        + card(w.delete_title, w.delete_text,
               f'<form data-action="forget" data-confirm="{escape(w.delete_confirm)}">'
               f'<button type="submit" class="destructive">{escape(w.delete_button)}</button>'
               "</form>", danger=True)
        + card(w.sign_out, w.sign_out_text, '<form data-action="logout">'
               f'<button type="submit">{escape(w.sign_out_button)}</button></form>')
    )  # fmt: skip


def table(title: str, header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in r) + "</tr>" for r in rows)
    empty = f'<tr><td colspan="{len(header)}" class="hint">nothing yet</td></tr>'
    return f"<h3>{escape(title)}</h3><table><tr>{head}</tr>{body or empty}</table>"


def people(
    *,
    everyone: bool,
    by_environment: Sequence[int],
    let_in: Sequence[PersonRecord],
    asked: Sequence[PersonRecord],
    open_to_all: bool,
) -> str:
    """Who may talk to the bot, and who asked: a button each to let in or take off."""
    floor = (
        "everyone (ALLOWED_USERS=*)"
        if everyone
        else (", ".join(str(i) for i in by_environment) or "nobody yet")
    )
    parts = [
        f'<section class="card"><h3>Let in by the environment</h3><p>{escape(floor)}</p>'
        '<p class="hint">ALLOWED_USERS and ADMIN_USERS: changed in the bot\'s settings, '
        "not here.</p></section>"
    ]
    if not open_to_all:
        parts.append(_people_table("Let in from this page", let_in, allow=False))
        parts.append(_people_table("Wrote to the bot, not let in", asked, allow=True))
    return "".join(parts)


def _people_table(title: str, people: Sequence[PersonRecord], *, allow: bool) -> str:
    rows = []
    for p in people:
        who = escape(p.first_name or "(no name)") + (
            f' <span class="hint">@{escape(p.username)}</span>' if p.username else ""
        )
        label = "Allow" if allow else "Remove"
        kind = "" if allow else ' class="destructive"'
        button = (
            f'<form data-action="people" data-person="{p.user_id}">'
            f'<input type="hidden" name="user_id" value="{p.user_id}">'
            f'<input type="hidden" name="allowed" value="{int(allow)}">'
            f'<button type="submit"{kind}>{label}'
            "</button></form>"
        )
        asked = f"{p.asks} messages, last {escape(p.asked_at)} UTC" if p.asked_at else ""
        rows.append(f"<tr><td>{who}</td><td>{p.user_id}</td><td>{asked}</td><td>{button}</td></tr>")
    empty = '<tr><td colspan="4" class="hint">nobody</td></tr>'
    return (
        f'<h3>{escape(title)}</h3><table class="people"><tr><th>name</th><th>id</th>'
        f"<th>asked</th><th></th></tr>{''.join(rows) or empty}</table>"
    )


def persona_editor(
    rows: Sequence[tuple[str, str, str, Sequence[int]]],
    *,
    default: str,
    text: str,
    where: str | None,
    writable: bool,
) -> str:
    """Each persona (name, title, tools, the chats using it) and the file to edit."""
    badge = ' <span class="badge">new chats</span>'
    table_rows = "".join(
        f"<tr><td>{escape(name)}{badge if name == default else ''}</td><td>{escape(title)}</td>"
        f"<td>{escape(tools)}</td><td>{_chats(chats)}</td></tr>"
        for name, title, tools, chats in rows
    )
    source = f"<code>{escape(where)}</code>" if where else "the bundled file (no PERSONAS_FILE)"
    hint = (
        "Saved whole and only if it loads; the bot uses it from its next start."
        if writable
        else "The bot cannot write it here: check a draft, then save it on the host."
    )
    return (
        '<h3>Personas</h3><table class="personas"><tr><th>name</th><th>title</th>'
        f"<th>tools</th><th>chats</th></tr>{table_rows}</table>"
        f'<h3>The file</h3><p class="hint">{source}. {escape(hint)}</p>'
        '<form data-action="personas-check" id="persona-file">'
        '<textarea name="text" rows="18" spellcheck="false" aria-label="Personas file">'
        f"{escape(text)}</textarea>"
        '<div class="buttons"><button type="submit" data-action="personas-check">Check</button>'
        f'<button type="submit" data-action="personas-save"{"" if writable else " disabled"}>'
        "Save</button></div></form>"
    )


def _chats(chats: Sequence[int], shown: int = 5) -> str:
    """How many chats, and the ids of the most recently active (groups are negative)."""
    if not chats:
        return "0"
    more = f", … {len(chats) - shown} more" if len(chats) > shown else ""
    ids = ", ".join(str(c) for c in chats[:shown])
    return f'{len(chats)} <span class="hint">({ids}{more})</span>'


def status(report: str, log_tail: Sequence[str]) -> str:
    tail = "\n".join(log_tail) or "(nothing logged yet)"
    return (
        f'<h3>Status</h3><pre class="report">{escape(report)}</pre>'
        f'<h3>Recent log lines</h3><pre class="log">{escape(tail)}</pre>'
    )
