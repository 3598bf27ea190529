"""The words of a person's web pages, in the bot's three languages (the chat's language, as
/language sets it, else the bot's DEFAULT_LANGUAGE). Plain text: the pages escape them. The
owners' pages are in English, like every operator report (/status, /usage all, the log)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from bot.texts.languages import Language


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

ES = Words(
    loading="Cargando…",
    tab_chat="Chat",
    tab_personas="Personas",
    tab_usage="Uso",
    tab_settings="Ajustes",
    sign_in_text=(
        "Entra con el enlace que te envió el bot. Funciona una vez, durante diez minutos."
    ),
    sign_in_button="Entrar",
    slow_down="Más despacio",
    too_many_sign_ins="Demasiados intentos: espera un minuto.",
    link_expired="Enlace caducado",
    link_expired_text="Este enlace ya se usó o caducó. Envía /web al bot para recibir otro.",
    no_messages="Aún no hay mensajes. ¡Saluda!",
    message="Mensaje",
    send="Enviar",
    persona_line=(
        "Persona: {persona} · la misma conversación que tu chat privado con el bot en Telegram."
    ),
    persona_switch_hint="Cambiar empieza una conversación nueva, como /persona.",
    in_use="en uso",
    use="Usar {persona}",
    tools="Herramientas: {tools}",
    today="Hoy",
    this_month="Este mes",
    of="de {budget}",
    answers="{count} respuestas",
    your_chart="Tu gasto, últimos {days} días",
    language="Idioma",
    automatic_language="Como mi Telegram",
    save="Guardar",
    start_over="Empezar de nuevo",
    start_over_text="Una conversación nueva, como /reset.",
    reset_button="Reiniciar la conversación",
    delete_title="Borrar todo lo mío",
    delete_text=(
        "Borra tu conversación con el bot (también en el servidor del modelo), sus archivos, "
        "tus mensajes en espera, el registro de cada respuesta, tu idioma y tus sesiones web. "
        "Se conserva: lo que gastaste hoy y este mes, como totales (tus presupuestos los "
        "cuentan), y los totales del bot, que no te nombran."
    ),
    delete_confirm="¿Borrar todo lo tuyo? No se puede deshacer.",
    delete_button="Borrar todo",
    sign_out="Cerrar sesión",
    sign_out_text="Cierra todas tus sesiones web, como /web logout.",
    sign_out_button="Cerrar sesión en todas partes",
    not_signed_in="No has entrado: envía /web al bot en un chat privado.",
    session_ended="Tu sesión terminó: envía /web al bot para recibir un enlace nuevo.",
    stranger="El bot no habla contigo (todavía).",
    stale_form="Este formulario caducó: recarga la página.",
    no_such_page="Esa página no existe.",
    no_such_persona="Esa persona no existe.",
    now_talking="Ahora hablas con {persona}.",
    saved="Guardado.",
    fresh_start="Empezó una conversación nueva.",
    deleted="Todo lo tuyo fue borrado.",
    not_deleted=(
        "El servidor del modelo no borró la conversación: no se borró nada; inténtalo de nuevo "
        "en un momento."
    ),
    server_away="El servidor del modelo no respondió: inténtalo de nuevo en un momento.",
    signed_out="Sesiones cerradas en todas partes.",
    write_something="Escribe algo primero.",
    too_long="Tiene más de {limit} caracteres.",
    wait_for_answer="Espera la respuesta antes de enviar el siguiente mensaje.",
    too_many_messages="Demasiados mensajes: espera un minuto.",
    other_process=(
        "Otro proceso del bot está respondiendo tu chat de Telegram ahora: inténtalo de nuevo "
        "en unos segundos."
    ),
    sent_already="Ese mensaje ya se envió.",
    moved_to_telegram=(
        "El resto de esta respuesta (archivos o una pregunta) está en tu chat de Telegram."
    ),
    failed="No funcionó.",
    done="Hecho.",
    open_from_telegram="Abre esta página con el botón de menú del bot en Telegram.",
    launch_refused="Los datos de Telegram no se pudieron verificar: ábrela de nuevo.",
)

PT_BR = Words(
    loading="Carregando…",
    tab_chat="Chat",
    tab_personas="Personas",
    tab_usage="Uso",
    tab_settings="Configurações",
    sign_in_text="Entre com o link que o bot enviou. Ele funciona uma vez, por dez minutos.",
    sign_in_button="Entrar",
    slow_down="Mais devagar",
    too_many_sign_ins="Tentativas demais: espere um minuto.",
    link_expired="Link expirado",
    link_expired_text="Este link já foi usado ou expirou. Envie /web ao bot para receber outro.",
    no_messages="Nenhuma mensagem ainda. Diga oi!",
    message="Mensagem",
    send="Enviar",
    persona_line=(
        "Persona: {persona} · a mesma conversa do seu chat privado com o bot no Telegram."
    ),
    persona_switch_hint="Trocar começa uma conversa nova, como /persona.",
    in_use="em uso",
    use="Usar {persona}",
    tools="Ferramentas: {tools}",
    today="Hoje",
    this_month="Este mês",
    of="de {budget}",
    answers="{count} respostas",
    your_chart="Seu gasto, últimos {days} dias",
    language="Idioma",
    automatic_language="Como o meu Telegram",
    save="Salvar",
    start_over="Começar de novo",
    start_over_text="Uma conversa nova, como /reset.",
    reset_button="Reiniciar a conversa",
    delete_title="Apagar tudo sobre mim",
    delete_text=(
        "Apaga sua conversa com o bot (também no servidor do modelo), os arquivos dela, suas "
        "mensagens na fila, o registro de cada resposta, seu idioma e suas sessões web. Fica: "
        "o que você gastou hoje e neste mês, como totais (seus orçamentos contam com eles), e "
        "os totais do bot, que não citam você."
    ),
    delete_confirm="Apagar tudo sobre você? Não dá para desfazer.",
    delete_button="Apagar tudo",
    sign_out="Sair",
    sign_out_text="Encerra todas as suas sessões web, como /web logout.",
    sign_out_button="Sair de todos os lugares",
    not_signed_in="Você não entrou: envie /web ao bot num chat privado.",
    session_ended="Sua sessão terminou: envie /web ao bot para receber um link novo.",
    stranger="O bot não conversa com você (ainda).",
    stale_form="Este formulário expirou: recarregue a página.",
    no_such_page="Essa página não existe.",
    no_such_persona="Essa persona não existe.",
    now_talking="Agora você conversa com {persona}.",
    saved="Salvo.",
    fresh_start="Uma conversa nova começou.",
    deleted="Tudo sobre você foi apagado.",
    not_deleted=(
        "O servidor do modelo não apagou a conversa: nada foi apagado; tente de novo daqui a pouco."
    ),
    server_away="O servidor do modelo não respondeu: tente de novo daqui a pouco.",
    signed_out="Você saiu de todos os lugares.",
    write_something="Escreva algo primeiro.",
    too_long="Passa de {limit} caracteres.",
    wait_for_answer="Espere a resposta antes de enviar a próxima mensagem.",
    too_many_messages="Mensagens demais: espere um minuto.",
    other_process=(
        "Outro processo do bot está respondendo seu chat do Telegram agora: tente de novo em "
        "alguns segundos."
    ),
    sent_already="Essa mensagem já foi enviada.",
    moved_to_telegram=(
        "O resto desta resposta (arquivos ou uma pergunta) está no seu chat do Telegram."
    ),
    failed="Não funcionou.",
    done="Feito.",
    open_from_telegram="Abra esta página pelo botão de menu do bot no Telegram.",
    launch_refused="Os dados do Telegram não puderam ser verificados: abra de novo.",
)

WORDS: Mapping[Language, Words] = MappingProxyType({"en": EN, "es": ES, "pt-BR": PT_BR})
