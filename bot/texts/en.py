"""English: the catalogue every other language is checked against."""

from __future__ import annotations

from bot.texts.catalogue import Texts

TEXTS = Texts(
    command_start="Welcome message",
    command_help="What this bot can do",
    command_persona="Show or switch the persona (starts a new conversation)",
    command_reset="Forget this conversation and start over",
    command_language="Choose the language I speak here",
    command_usage="Your usage and budgets",
    command_image="Draw an image from a description",
    bot_description=(
        "An AI assistant that remembers: every chat with me is one long conversation. "
        "Switch personas with /persona, start over with /reset, and add me to a group to talk "
        "together (mention me or reply to me there)."
    ),
    bot_short_description="An AI assistant that remembers your conversation.",
    start=(
        "Hi {name}! I'm an AI assistant. Every chat with me is one long conversation that I "
        "remember, so you can simply keep talking.\n\n"
        "Current persona: <b>{persona}</b>.\n"
        "/persona — switch persona (this starts a fresh conversation)\n"
        "/reset — forget this conversation and start over\n"
        "/help — what I can do"
    ),
    help=(
        "Just write to me and I'll answer; I remember everything said in this chat until you "
        "/reset.\n\n"
        "/persona — show the current persona and choose another\n"
        "/persona <i>name</i> — switch directly, e.g. <code>/persona {example}</code>\n"
        "/reset — forget this conversation and start over\n"
        "/language — choose the language I speak here\n"
        "/usage — what your answers have cost, and your budget\n"
        "/help — this message\n\n"
        "In groups, mention me (@{username}) or reply to one of my messages to talk to me."
    ),
    someone="there",
    not_allowed=(
        "Sorry, this is a private bot and you are not on its list of allowed users.\n\n"
        "Your Telegram user id is <code>{user_id}</code>. If you know the owner, send them this "
        "id: they can allow you by adding it to <code>ALLOWED_USERS</code>."
    ),
    group_not_allowed=(
        "Sorry, I'm a private bot and this group is not on my list, so I'm leaving.\n\n"
        "The group's id is <code>{chat_id}</code>: the owner can allow it by adding it to "
        "<code>ALLOWED_CHATS</code>, or by adding me to the group themselves."
    ),
    group_welcome=(
        "Hi everyone! Mention me (@{username}) or reply to one of my messages to talk to me; "
        "I remember this group's conversation until an admin sends /reset."
    ),
    admins_only="Sorry, only this group's admins can do that.",
    reset_done="Done — I've forgotten our conversation. Let's start over!",
    reset_failed=(
        "Sorry, I couldn't start a new conversation just now. Please try /reset again in a minute."
    ),
    persona_current="Current persona: <b>{title}</b> — {description}\n\nChoose another:",
    persona_chosen=(
        "Persona switched to <b>{title}</b> — {description}\nI've started a fresh conversation."
    ),
    persona_unknown="I don't know the persona “{name}”. Available personas:\n{choices}",
    persona_choice="• <code>{name}</code> — {title}: {description}",
    persona_button="{title}",
    persona_button_current="✅ {title}",
    persona_button_stale="That menu is out of date — send /persona again.",
    language_menu="I speak <b>{language}</b> in this chat.\n\nChoose another:",
    language_menu_automatic=(
        "I speak <b>{language}</b> in this chat, chosen automatically.\n\nChoose another:"
    ),
    language_chosen="Done — I'll speak English in this chat.",
    language_automatic=(
        "Done — I'll choose the language automatically again (for now: <b>{language}</b>)."
    ),
    language_unknown="I don't know the language “{name}”. Available: {choices}.",
    language_button="{name}",
    language_button_current="✅ {name}",
    language_button_automatic="Automatic",
    language_button_stale="That menu is out of date — send /language again.",
    answer_empty="The model returned an empty answer. Please try rephrasing your message.",
    answer_incomplete="(The answer was cut short: {reason}.)",
    incomplete_length="it reached the length limit",
    incomplete_content_filter="the content filter stopped it",
    incomplete_unknown="unknown reason",
    answer_failed="Sorry, the model couldn't answer this time. Please try again.",
    answer_cancelled="The answer was cancelled.",
    answer_stopped="(Stopped.)",
    answer_tool_call=(
        "Sorry, the model tried to use a tool this bot does not provide, so I stopped it. "
        "The owner should remove the tools from the assistant."
    ),
    answer_timed_out=(
        "Sorry, the model took too long (over {seconds} seconds), so I stopped waiting. "
        "Please try again, perhaps with a shorter question."
    ),
    answer_timed_out_note=(
        "(Sorry, the model took too long (over {seconds} seconds), so I stopped waiting. "
        "Please try again, perhaps with a shorter question.)"
    ),
    backend_unavailable=(
        "Sorry, the AI service is not reachable right now. Please try again in a minute."
    ),
    backend_misconfigured=(
        "Sorry, I can't reach the AI service because the bot is misconfigured. "
        "The owner has been told in the bot's log."
    ),
    quota_exhausted=(
        "Sorry, the bot's AI credit is used up, so I can't answer for now. The owner "
        "has been told; try again later."
    ),
    backend_rejected="Sorry, the AI service refused this message. Try rephrasing it.",
    history_lost=(
        "(Our earlier conversation could no longer be found on the AI service, "
        "so I've started a new one.)"
    ),
    unknown_command="I don't know that command. /help lists what I can do.",
    empty_message="Yes? What would you like to ask?",
    storage_unavailable=(
        "Sorry, I can't take messages right now (my storage is unavailable). "
        "Please try again in a few minutes."
    ),
    budget_user_day="your daily budget",
    budget_user_month="your monthly budget",
    budget_chat_day="this chat's daily budget",
    budget_chat_month="this chat's monthly budget",
    budget_total_day="the bot's daily budget",
    budget_total_month="the bot's monthly budget",
    budget_reached=(
        "Sorry, {budget} ({limit}) is used up, so I can't answer now. It resets at {reset}."
    ),
    budget_warning="📊 {budget} is {percent}% used ({spent} of {limit}).",
    usage_title_private="📊 <b>Your usage</b>",
    usage_title_group="📊 <b>This chat's usage</b>",
    usage_today="Today: {spent} · answers: {answers}",
    usage_month="This month: {spent} · answers: {answers}",
    usage_of="{spent} of {limit}",
    usage_yours="Yours: {day} today, {month} this month",
    usage_conversation=(
        "This conversation holds about {tokens} tokens; each message re-reads them. "
        "/reset starts afresh."
    ),
    usage_conversation_budget=(
        "This conversation holds about {tokens} tokens, and each message re-reads them; past "
        "{budget} the oldest part is summarised, so answers stay cheap. /reset starts afresh."
    ),
    usage_tools="Your tools this month: {items}",
    usage_tool_item="{tool} {count}",
    usage_tool_images="🎨 images",
    usage_tool_code="🧮 code sessions",
    usage_tool_searches="🔎 web searches",
    usage_tool_file_searches="📚 document searches",
    usage_owners_only="Only the bot's owners can see everyone's usage.",
    command_web="Your chat, usage and settings on the web",
    web_off="The web pages are not turned on for this bot (its owner sets WEB_LISTEN).",
    web_private_only="Send /web in our private chat: the sign-in link is yours alone.",
    web_link=(
        "{link} — it works once, for ten minutes. Do not share it: it opens your "
        "conversation. /web logout signs you out everywhere."
    ),
    web_link_label="Sign in to the web pages",
    web_open_button="Open",
    web_logged_out="Signed out of the web pages ({count} sessions ended).",
    let_in="Good news: the owner of this bot let you in. Say hello!",
    retry_button="Try again",
    retry_stale="That message can no longer be retried — please send it again.",
    unsupported_message=(
        "Sorry, I can't read that kind of message. I understand text, photos, voice "
        "messages and files (PDF, text, code, CSV)."
    ),
    voice_echo="🎤 <i>{transcript}</i>",
    voice_too_long="That voice message is {duration} long; I can listen to up to {limit}.",
    voice_unavailable=(
        "Sorry, I can't listen to voice messages on this bot. Please type your message."
    ),
    voice_not_understood=(
        "Sorry, I couldn't make out that recording. Could you try again, or type it?"
    ),
    voice_silent="I couldn't hear any words in that recording.",
    file_too_big="That file is {size} MB; I read files of up to {limit} MB.",
    file_too_big_for_telegram=(
        "That file is {size} MB, and Telegram lets bots download files of up to 20 MB only."
    ),
    images_unavailable=(
        "Sorry, I can't look at images here: this bot's model doesn't read them. Describe"
        " it in words and I'll help."
    ),
    image_format_unsupported=(
        "I can't read {format} images. Send it as a photo, or as JPEG, PNG or WEBP."
    ),
    image_unreadable="Sorry, I couldn't read that image. Try sending it again as a photo.",
    pdf_unavailable=(
        "Sorry, this bot's model can't read PDF files. Paste the text into a message, or "
        "send it as a .txt file."
    ),
    documents_unavailable="Sorry, reading files is switched off on this bot.",
    file_type_unsupported=(
        "Sorry, I can't read {name}. I read photos, PDFs and text files (txt, md, csv, "
        "json, code, logs…)."
    ),
    file_not_text="Sorry, {name} doesn't look like a text file I can read.",
    file_truncated=(
        "(I read the first {chars} characters of {name}: it is longer than I can take in at once.)"
    ),
    file_download_failed=(
        "Sorry, I couldn't download that file from Telegram. Please send it again."
    ),
    sources="Sources",
    persona_tools="   🛠 {tools}",
    tool_code_interpreter="runs code",
    tool_web_search="searches the web",
    tool_image_generation="draws images",
    tool_unavailable="{tool} (not available on this bot)",
    spreadsheet_needs_code=(
        "I can read spreadsheets like {name} only with a persona that runs code: try "
        "/persona data_visualizer (or send it as CSV)."
    ),
    spreadsheet_unreadable=(
        "Sorry, I can't open spreadsheets like {name} on this bot. Save it as CSV and send it"
        " again: that I can read."
    ),
    artifact_gone=("(I made {name}, but it is no longer available: ask me to make it again.)"),
    container_expired=(
        "(My code sandbox had expired after 20 idle minutes, so the files you sent before"
        " are no longer in it: send them again if you want me to work on them.)"
    ),
    help_image=(
        "/image <i>description</i> — draw a picture, e.g. <code>/image a lighthouse at dusk, "
        "watercolour</code>"
    ),
    image_prompt_missing=(
        "Tell me what to draw, e.g. <code>/image a lighthouse at dusk, watercolour</code>"
    ),
    image_command_off="Drawing with /image is turned off on this bot.",
    image_generation_unavailable="Sorry, this bot's AI service can't draw images.",
    image_refused=(
        "I couldn't draw that: the image service refused the request. Try describing it "
        "differently."
    ),
    status_running_code="🧮 Running Python…",
    status_searching="🔎 Searching the web…",
    status_drawing="🎨 Drawing…",
    status_asking="🔧 Asking {server}…",
    status_reading="📚 Searching {library}…",
    persona_knowledge="   📚 {library} ({count} documents)",
    knowledge_unavailable="   📚 {library} (not searchable on this bot)",
    persona_functions="   🔧 {tools}",
    function_unreachable="{server} (not answering now)",
    confirm_call="🔧 May I use <b>{tool}</b> on {server}?\n<code>{arguments}</code>",
    confirm_yes="Yes",
    confirm_no="No",
    confirm_said_yes="✅ Yes",
    confirm_said_no="❌ No",
    confirm_stale="This question is no longer open.",
    confirm_not_yours="Only the person who asked can answer this.",
    tool_failed="⚠️ {server} could not do that just now; I'll answer without it.",
    learn_usage=(
        "Reply <code>/learn</code> to a document to add it to this chat's persona's knowledge."
    ),
    learn_owners_only="Only the bot's owners can add documents.",
    learn_no_knowledge=(
        "The persona {persona} has no knowledge folder, so there is nowhere to add {name}."
    ),
    learn_not_searchable=(
        "{persona}'s documents cannot be searched on this bot, so adding {name} would not help."
    ),
    learn_unsupported=(
        "I can't search documents like {name}: send a PDF, Word, Markdown or text file."
    ),
    learn_failed="I couldn't download {name} from Telegram. Please try again.",
    learn_added="📚 Added {name} to {library} ({count} documents).",
    internal_error="Sorry, something went wrong on my side. Please try again.",
    error_report=(
        "⚠️ Error while handling update {update_id} (chat {chat_id}):\n<code>{detail}</code>"
    ),
)
