"""The web pages in English."""

from __future__ import annotations

from bot.web.words.page_words import Words

EN = Words(
    loading="Loading…",
    tab_chat="Chat",
    tab_personas="Personas",
    tab_usage="Usage",
    tab_settings="Settings",
    sign_in_text="Sign in with the link the bot sent you. It works once and for ten minutes.",
    sign_in_button="Sign in",
    slow_down="Slow down",
    too_many_sign_ins="Too many sign-ins: wait a minute.",
    link_expired="Link expired",
    link_expired_text=(
        "This link was used already or has expired. Send /web to the bot for a new one."
    ),
    no_messages="No messages yet. Say hello!",
    message="Message",
    send="Send",
    persona_line=(
        "Persona: {persona} · the same conversation as your private chat with the bot in Telegram."
    ),
    persona_switch_hint="Switching starts a fresh conversation, as /persona does.",
    in_use="in use",
    use="Use {persona}",
    tools="Tools: {tools}",
    today="Today",
    this_month="This month",
    of="of {budget}",
    answers="{count} answers",
    your_chart="Your spend, last {days} days",
    language="Language",
    automatic_language="As my Telegram",
    save="Save",
    start_over="Start over",
    start_over_text="A fresh conversation, as /reset.",
    reset_button="Reset the conversation",
    delete_title="Delete everything about me",
    delete_text=(
        "Deletes your conversation with the bot (on the model server too), its files, your "
        "messages waiting here, the record of each answer, your language and your web "
        "sign-ins. Kept: what you spent today and this month, as totals (your budgets count "
        "them), and the bot's totals, which do not name you."
    ),
    delete_confirm="Delete everything about you? This cannot be undone.",
    delete_button="Delete everything",
    sign_out="Sign out",
    sign_out_text="Ends every web session of yours, as /web logout.",
    sign_out_button="Sign out everywhere",
    not_signed_in="Not signed in: send /web to the bot in a private chat.",
    session_ended="Your session ended: send /web to the bot for a new link.",
    stranger="The bot does not talk to you (yet).",
    stale_form="This form is stale: reload the page.",
    no_such_page="No such page.",
    no_such_persona="No such persona.",
    now_talking="Now talking with {persona}.",
    saved="Saved.",
    fresh_start="A fresh conversation has started.",
    deleted="Everything about you is deleted.",
    not_deleted=(
        "The model server did not delete the conversation: nothing was deleted; try again in "
        "a moment."
    ),
    server_away="The model server did not answer: try again in a moment.",
    signed_out="Signed out everywhere.",
    write_something="Write something first.",
    too_long="That is longer than {limit} characters.",
    wait_for_answer="Wait for the answer before sending the next message.",
    too_many_messages="Too many messages: wait a minute.",
    other_process=(
        "Your Telegram chat is being answered by another process of the bot right now: try "
        "again in a few seconds."
    ),
    sent_already="That message was sent already.",
    moved_to_telegram="The rest of this answer (files, or a question) is in your Telegram chat.",
    failed="That did not work.",
    done="Done.",
    open_from_telegram="Open this page from the bot's menu button in Telegram.",
    launch_refused="Telegram's launch data did not check out: open it again.",
)
