"""The shape of the bot's texts: one typed field per sentence a user can read, and how to fill one.

Every text is a Telegram HTML template (`str.format` placeholders). `render` escapes each value it
fills in, unless the value is already `Html`, so no caller escapes by hand and a name like
"<Bob>" can never break a message. A language is one instance of `Texts` in a module of its own.
"""

from __future__ import annotations

import html
import string
from dataclasses import dataclass, fields


class Html(str):
    """Text that is already Telegram HTML: `render` inserts it as it is."""

    __slots__ = ()


def render(template: str, **params: object) -> Html:
    """Fill `template`, escaping every value that is not `Html` already."""
    return Html(
        template.format(
            **{
                name: value if isinstance(value, Html) else html.escape(str(value), quote=False)
                for name, value in params.items()
            }
        )
    )


def placeholders(template: str) -> frozenset[str]:
    """The names a template expects (what the catalogue tests compare across languages)."""
    return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name)


@dataclass(frozen=True, slots=True, kw_only=True)
class Texts:
    """Every sentence the bot can say, in one language. Placeholders are in braces."""

    # Telegram's command menu (plain text, at most 256 characters each).
    command_start: str
    command_help: str
    command_persona: str
    command_reset: str
    command_language: str
    command_usage: str
    command_image: str

    # Telegram's profile texts: the description in an empty chat (at most 512), the short one
    # on the profile and when shared (at most 120). Plain text.
    bot_description: str
    bot_short_description: str

    # /start and /help
    start: str  # {name} {persona}
    help: str  # {example} {username}
    someone: str  # the name used when Telegram gives none

    # Who may talk
    not_allowed: str  # {user_id}
    group_not_allowed: str  # {chat_id}
    group_welcome: str  # {username}
    admins_only: str

    # /reset and /persona
    reset_done: str
    reset_failed: str
    persona_current: str  # {title} {description}
    persona_chosen: str  # {title} {description}
    persona_unknown: str  # {name} {choices}
    persona_choice: str  # {name} {title} {description}
    persona_button: str  # {title}
    persona_button_current: str  # {title}
    persona_button_stale: str

    # /language
    language_menu: str  # {language}: the chat's own choice
    language_menu_automatic: str  # {language}: chosen from the sender or whoever added the bot
    language_chosen: str  # said in the new language
    language_automatic: str  # {language}
    language_unknown: str  # {name} {choices}
    language_button: str  # {name}
    language_button_current: str  # {name}
    language_button_automatic: str
    language_button_stale: str

    # How an answer ended, when it did not simply end well
    answer_empty: str
    answer_incomplete: str  # {reason}
    incomplete_length: str
    incomplete_content_filter: str
    incomplete_unknown: str
    answer_failed: str
    answer_cancelled: str
    answer_stopped: str
    answer_tool_call: str
    answer_timed_out: str  # {seconds}
    answer_timed_out_note: str  # {seconds}
    backend_unavailable: str
    backend_misconfigured: str
    backend_rejected: str
    quota_exhausted: str  # the owner's OpenAI credit is used up
    history_lost: str

    # Odd input and the bot's own trouble
    unknown_command: str
    empty_message: str
    storage_unavailable: str
    # Budgets (BUDGET_*): the name of each budget, as the user hears it
    budget_user_day: str
    budget_user_month: str
    budget_chat_day: str
    budget_chat_month: str
    budget_total_day: str
    budget_total_month: str
    budget_reached: str  # {budget} {limit} {reset}: no model call was made
    budget_warning: str  # {budget} {percent} {spent} {limit}
    # /usage (plain figures: dollars, counts)
    usage_title_private: str
    usage_title_group: str
    usage_today: str  # {spent} {answers}
    usage_month: str  # {spent} {answers}
    usage_of: str  # {spent} {limit}
    usage_yours: str  # {day} {month}: the asker's share of a group's spend
    usage_conversation: str  # {tokens}
    usage_conversation_budget: str  # {tokens} {budget}: past the budget it is summarised
    usage_tools: str  # {items}: the asker's priced-per-call tools this month
    usage_tool_item: str  # {tool} {count}
    usage_tool_images: str
    usage_tool_code: str  # code-interpreter sessions
    usage_tool_searches: str
    usage_tool_file_searches: str  # searches of a persona's documents
    usage_owners_only: str
    # The web pages (/web)
    command_web: str
    web_off: str  # the owner has not turned them on
    web_private_only: str
    web_link: str  # {link}: the single-use sign-in link (HTML)
    web_link_label: str  # plain text: the link's words
    web_open_button: str  # plain text: the Mini App's button
    web_logged_out: str  # {count}
    let_in: str  # an owner let the person in from the web pages
    retry_button: str  # plain text, under a notice that the model could not answer
    retry_stale: str  # plain text, a pop-up: the message can no longer be retried
    unsupported_message: str
    # Voice, photos and files
    voice_echo: str  # {transcript}: what the bot heard, shown before the answer
    voice_too_long: str  # {duration} {limit} (m:ss)
    voice_unavailable: str  # no transcription set up, or MEDIA_VOICE=false
    voice_not_understood: str  # the transcription server refused or failed
    voice_silent: str  # transcribed to nothing
    file_too_big: str  # {size} {limit} (MB)
    file_too_big_for_telegram: str  # {size}: over the 20 MB bots may download
    images_unavailable: str  # the model cannot see, or MEDIA_IMAGES=false
    image_format_unsupported: str  # {format}
    image_unreadable: str  # the model's server could not read it
    pdf_unavailable: str  # this backend takes no PDFs
    documents_unavailable: str  # MEDIA_DOCUMENTS=false
    file_type_unsupported: str  # {name}
    file_not_text: str  # {name}
    file_truncated: str  # {name} {chars}
    file_download_failed: str
    # Hosted tools (personas' `tools`)
    sources: str  # the heading of the list of web pages an answer cites (plain text)
    persona_tools: str  # {tools}: shown under a persona in the /persona menu
    tool_code_interpreter: str
    tool_web_search: str
    tool_image_generation: str
    tool_unavailable: str  # {tool}: a tool the persona asks for that this bot cannot offer
    spreadsheet_needs_code: str  # {name}: a spreadsheet, in a chat whose persona runs no code
    spreadsheet_unreadable: str  # {name}: a spreadsheet, on a bot where no persona runs code
    artifact_gone: str  # {name}: a file the code wrote could no longer be fetched
    container_expired: str  # the code's sandbox expired: files sent before are gone from it
    # Drawing (/image and personas with image_generation)
    help_image: str  # the /help line for /image, where the owner turned it on
    image_prompt_missing: str  # /image without a description
    image_command_off: str  # IMAGE_COMMAND is off
    image_generation_unavailable: str  # this bot's backend cannot draw
    image_refused: str  # the image server refused to draw it (moderation)
    # What the model is doing, shown while it works (a draft or a status line; plain text)
    status_running_code: str
    status_searching: str
    status_drawing: str
    status_asking: str  # {server}: one of the owner's tools (MCP) is at work
    status_reading: str  # {library}: the persona's documents are searched
    persona_knowledge: str  # {library} {count}: shown under a persona with documents
    knowledge_unavailable: str  # {library}: documents this bot cannot search
    # The owner's tools (MCP servers in the personas file)
    persona_functions: str  # {tools}: shown under a persona in the /persona menu
    function_unreachable: str  # {server}: a server the persona names that is not answering
    confirm_call: str  # {tool} {server} {arguments}: asked before a tool that changes things
    confirm_yes: str  # the buttons (plain text)
    confirm_no: str
    confirm_said_yes: str  # added under the question once answered
    confirm_said_no: str
    confirm_stale: str  # a tap on a question no longer open (an alert)
    confirm_not_yours: str  # a tap by someone other than who asked (an alert)
    tool_failed: str  # {server}: a tool failed; the model answers without it
    # /learn (owners): a document joins the persona's knowledge
    learn_usage: str
    learn_owners_only: str
    learn_no_knowledge: str  # {name} {persona}
    learn_not_searchable: str  # {name} {persona}
    learn_unsupported: str  # {name} {persona}
    learn_failed: str  # {name}
    learn_added: str  # {name} {library} {count}
    internal_error: str
    error_report: str  # {update_id} {chat_id} {detail}

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))
