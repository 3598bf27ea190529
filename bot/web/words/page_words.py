"""What a person's web pages say: one field per sentence, the same in every language (plain
text: the pages escape them; `{names}` are filled in by the pages)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Words:
    loading: str
    tab_chat: str
    tab_personas: str
    tab_usage: str
    tab_settings: str
    sign_in_text: str
    sign_in_button: str
    slow_down: str
    too_many_sign_ins: str
    link_expired: str
    link_expired_text: str
    no_messages: str
    message: str
    send: str
    persona_line: str  # {persona}
    persona_switch_hint: str
    in_use: str
    use: str  # {persona}
    tools: str  # {tools}
    today: str
    this_month: str
    of: str  # {budget}
    answers: str  # {count}
    your_chart: str  # {days}
    language: str
    automatic_language: str
    save: str
    start_over: str
    start_over_text: str
    reset_button: str
    delete_title: str
    delete_text: str
    delete_confirm: str
    delete_button: str
    sign_out: str
    sign_out_text: str
    sign_out_button: str
    not_signed_in: str
    session_ended: str
    stranger: str
    stale_form: str
    no_such_page: str
    no_such_persona: str
    now_talking: str  # {persona}
    saved: str
    fresh_start: str
    deleted: str
    not_deleted: str
    server_away: str
    signed_out: str
    write_something: str
    too_long: str  # {limit}
    wait_for_answer: str
    too_many_messages: str
    other_process: str
    sent_already: str
    moved_to_telegram: str
    failed: str
    done: str
    open_from_telegram: str
    launch_refused: str
